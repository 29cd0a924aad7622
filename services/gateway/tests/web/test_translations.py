"""The interface's catalogues: complete in every language, and in step with the sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from i18n_catalog import extract

from localrights_gateway.web import i18n

TRANSLATED = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT_LANGUAGE]


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    """Every message the templates and the web package can show (extracted now)."""
    return {str(message.id) for message in extract() if message.id}


def test_english_french_and_spanish_are_offered() -> None:
    assert {"en", "fr", "es"} <= set(i18n.LANGUAGES)


def test_the_template_lists_every_message_of_the_sources(source_ids: set[str]) -> None:
    template = read(i18n.TRANSLATIONS_DIR / "messages.pot")
    missing = source_ids - {str(m.id) for m in template if m.id}
    assert not missing, (
        f"run services/gateway/tests/web/i18n_catalog.py: not in messages.pot: {sorted(missing)}"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str, source_ids: set[str]) -> None:
    catalog = read(i18n.po_path(language), language)
    done = {
        str(m.id)
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    assert not source_ids - done, f"untranslated in {language}: {sorted(source_ids - done)}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language: str) -> None:
    # Babel's checkers: a translation that drops or renames %(name)s would break at render.
    problems = [
        (str(message.id), [str(error) for error in errors])
        for message, errors in read(i18n.po_path(language), language).check()
    ]
    assert not problems


def test_catalogues_are_compiled_when_loaded() -> None:
    # No .mo file is committed or built: the .po is compiled in memory at first use.
    assert not list(i18n.TRANSLATIONS_DIR.rglob("*.mo"))
    assert i18n.translations("fr").gettext("Send my answers") == "Envoyer mes réponses"
    assert i18n.translations("es").gettext("Send my answers") == "Enviar mis respuestas"
    assert i18n.translations("en").gettext("Send my answers") == "Send my answers"
