"""The interface's message catalogue: extract it, and bring the .pot and .po files up to date.

    .tools/bin/uv run --frozen python services/gateway/tests/web/i18n_catalog.py

extracts every message of the templates and of the web package (Babel, with Jinja2's
extractor, as services/gateway/babel.cfg maps them), writes translations/messages.pot, and
merges it into each language's .po (new messages come in empty, for a translator;
test_translations.py fails until they are translated).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from localrights_gateway.web import i18n

BABEL_CFG = i18n.PACKAGE_DIR.parents[1] / "babel.cfg"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract() -> Catalog:
    """Every message the pages can show, from the templates and the web package."""
    catalog = Catalog(project="Localrights", domain=i18n.DOMAIN)
    with BABEL_CFG.open() as handle:
        methods, options = parse_mapping_cfg(handle, str(BABEL_CFG))
    found = extract_from_dir(i18n.PACKAGE_DIR, methods, options_map=options, keywords=KEYWORDS)
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def main() -> None:
    template = extract()
    pot = i18n.TRANSLATIONS_DIR / "messages.pot"
    if pot.exists():
        with pot.open("rb") as handle:
            current = {m.id for m in read_po(handle) if m.id}
        if current == {m.id for m in template if m.id}:
            # Same messages: leave the files (and their creation dates) alone.
            return
    with pot.open("wb") as handle:
        write_po(handle, template, sort_output=True, no_location=True, width=100)
    for language in i18n.LANGUAGES:
        path = i18n.po_path(language)
        if language == i18n.DEFAULT_LANGUAGE or not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        with Path(path).open("wb") as handle:
            write_po(handle, catalog, sort_output=True, no_location=True, width=100)


if __name__ == "__main__":
    main()
