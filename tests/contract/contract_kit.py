"""Helpers of the contract tests between the services, driven by the shared event registry.

Services are discovered from services/<name>/src/localrights_<name>; a service's consumer
is its ``localrights_<name>.handlers.EVENT_HANDLERS`` when that module exists. Nothing is
listed by hand here: a new handler or a new event type is covered by the next run.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from localrights.consumer import Handler

ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = ROOT / "services"


def service_names() -> list[str]:
    """Every service package in the workspace."""
    return sorted(
        path.name
        for path in SERVICES_DIR.iterdir()
        if (path / "src" / f"localrights_{path.name}").is_dir()
    )


def migrations_of(service: str) -> Path:
    return SERVICES_DIR / service / "migrations"


def source_of(service: str) -> Path:
    return SERVICES_DIR / service / "src" / f"localrights_{service}"


def _optional_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise  # the module exists but does not import: that is a failure, not an absence


def handlers_of(service: str) -> Mapping[str, Handler] | None:
    """The service's EVENT_HANDLERS, or None when it has no handlers module (yet)."""
    module = _optional_module(f"localrights_{service}.handlers")
    if module is None:
        return None
    handlers: Mapping[str, Handler] = module.EVENT_HANDLERS
    return handlers
