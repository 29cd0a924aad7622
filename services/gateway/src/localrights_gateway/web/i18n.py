"""Interface languages: Babel catalogues (translations/<lang>/LC_MESSAGES/messages.po).

The .po files are the only source: they are compiled in memory when the process starts
(``babel.messages.mofile.write_mo``), so there is no build step and no committed .mo file to
fall out of step. One Jinja2 environment per language keeps the ``{% trans %}`` callables
out of shared mutable state (concurrent requests in different languages never mix).
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
DOMAIN = "messages"

# Languages of the interface, named in themselves (a picker must be readable by its reader).
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "es": "Español"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "lr_lang"
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")

# Content languages that consultations may use, for naming them in the picker.
LANGUAGE_NAMES: dict[str, str] = {
    **LANGUAGES,
    "pt": "Português",
    "pt-BR": "Português (Brasil)",
    "de": "Deutsch",
    "it": "Italiano",
    "ar": "العربية",
    "ru": "Русский",
    "zh": "中文",
    "ca": "Català",
    "eu": "Euskara",
    "gl": "Galego",
    "nl": "Nederlands",
    "pl": "Polski",
    "ro": "Română",
    "tr": "Türkçe",
    "uk": "Українська",
    "sw": "Kiswahili",
    "qu": "Runa Simi",
    "gn": "Avañe'ẽ",
}
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
# A translation function: the English message in, the reader's words out.
Gettext = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark only")
    """Mark a message for extraction where it is defined; it is translated where shown."""
    return message


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code) or LANGUAGE_NAMES.get(code.split("-")[0], code)


def text_direction(code: str) -> str:
    return "rtl" if code.split("-")[0] in RTL_LANGUAGES else "ltr"


def po_path(language: str) -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of one interface language (English is the source text)."""
    path = po_path(language)
    if language == DEFAULT_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an Accept-Language header, most wanted first (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*" or not _TAG.match(tag):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def _supported(tag: str | None) -> str | None:
    if not tag:
        return None
    if tag in LANGUAGES:
        return tag
    base = tag.split("-")[0].lower()
    return base if base in LANGUAGES else None


def negotiate(
    *, query: str | None, cookie: str | None, accept_language: str | None, default: str
) -> str:
    """The interface language: ?lang= first, then the saved choice, then the browser's."""
    for choice in (query, cookie):
        found = _supported(choice)
        if found:
            return found
    for tag in parse_accept_language(accept_language or ""):
        found = _supported(tag)
        if found:
            return found
    return _supported(default) or DEFAULT_LANGUAGE


def pick_text(text: Mapping[str, str] | None, language: str, fallbacks: list[str]) -> str:
    """One language of a multilingual text: the wanted one, else the first that exists."""
    if not text:
        return ""
    for code in (language, language.split("-")[0], *fallbacks):
        if text.get(code):
            return text[code]
    return next((value for value in text.values() if value), "")
