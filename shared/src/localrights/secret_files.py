"""Secret settings read from files: ``<NAME>_FILE`` beside every secret ``<NAME>``.

Docker and Kubernetes mount secrets as files (``/run/secrets/...``), which, unlike
environment variables, do not show in ``docker inspect``, ``/proc/<pid>/environ`` or a
crash report. The convention, from the official database images: when ``<NAME>_FILE`` is
set, the value of ``<NAME>`` is that file's content, less its final line break. Setting
both is refused, as there is no telling which one the operator meant.

A setting is secret when its type is ``SecretStr`` or its field says ``secret`` (see
``secret_field``): URLs that carry a password are plain strings to the code that uses them.
"""

from __future__ import annotations

import os
import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import AliasChoices, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

FILE_SUFFIX = "_FILE"


class SettingsError(RuntimeError):
    """A setting is missing, incomplete, unreadable, or refused by the server it points at."""


def secret_field(default: Any = ..., **kwargs: Any) -> Any:
    """A ``Field`` marked secret: it may also come from ``<NAME>_FILE``."""
    return Field(default, json_schema_extra={"secret": True}, **kwargs)


def is_secret(field: FieldInfo) -> bool:
    extra = field.json_schema_extra
    if isinstance(extra, dict) and extra.get("secret") is True:
        return True
    return _mentions_secret_str(field.annotation)


def _mentions_secret_str(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_mentions_secret_str(arg) for arg in get_args(annotation))
    return False


def env_names(model: type[BaseSettings], field_name: str) -> list[str]:
    """The environment variables that set a field, the one to write first."""
    field = model.model_fields[field_name]
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        names = [choice.upper() for choice in alias.choices if isinstance(choice, str)]
        return list(dict.fromkeys(names))
    if isinstance(alias, str):
        return [alias.upper()]
    prefix = str(model.model_config.get("env_prefix", ""))
    return [f"{prefix}{field_name}".upper()]


def secret_settings(model: type[BaseSettings]) -> list[str]:
    """The variable of every secret setting of ``model`` (each also read from ``*_FILE``)."""
    return [
        env_names(model, name)[0] for name, field in model.model_fields.items() if is_secret(field)
    ]


def read_secret_file(variable: str, path: str) -> str:
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SettingsError(f"cannot read {variable}{FILE_SUFFIX}={path}: {reason}") from None
    # `echo secret > file` and most editors end the file with a line break; a secret never
    # does. Anything else (inner spaces, a trailing space) is the secret's own.
    return content.removesuffix("\n").removesuffix("\r")


class SecretFilesSource(PydanticBaseSettingsSource):
    """Values of secret settings from the files named by ``<NAME>_FILE`` variables."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._environ = {name.upper(): value for name, value in os.environ.items()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """The content of the file ``<NAME>_FILE`` names, for a secret field that has one."""
        if is_secret(field):
            for variable in env_names(self.settings_cls, field_name):
                path = self._environ.get(variable + FILE_SUFFIX)
                if path is None:
                    continue
                if variable in self._environ:
                    raise SettingsError(
                        f"both {variable} and {variable}{FILE_SUFFIX} are set: keep one"
                    )
                return read_secret_file(variable, path), _input_key(field, field_name), False
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key] = value
        return values


def _input_key(field: FieldInfo, name: str) -> str:
    """The key under which the model accepts the field's value (its first alias, or name)."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return alias if isinstance(alias, str) else name


class PlatformSettings(BaseSettings):
    """The base of every settings class: the environment, then secret files, then defaults."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            SecretFilesSource(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )
