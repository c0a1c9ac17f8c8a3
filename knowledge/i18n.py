"""The message catalog: every user-facing sentence in Arabic, English and French.

Messages are written in English in the code (gettext style) and translated in
`knowledge/locales/<lang>/LC_MESSAGES/*.po`: one file per area of the product (`rasmi.po`
for the answers and the bot, others beside it), merged into one catalog per language, so
that translators and developers working on different areas never edit the same file. The
.po files are the only source: Babel compiles them in memory on first use, so no binary
.mo file is kept in the repository and a translator's edit takes effect on the next start.
Arabic is the default language.
"""

from __future__ import annotations

import io
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from knowledge.grammar import fix_arabic
from knowledge.understand import LANGUAGES, Lang

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "rasmi"
DEFAULT_LANG: Lang = "ar"


@cache
def translations(lang: Lang) -> NullTranslations:
    """The catalog for `lang`; English is the source language and needs none."""
    if lang == "en":
        return NullTranslations()
    catalog = merged_catalog(lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def catalog_files(lang: Lang) -> list[Path]:
    """The .po files of one language, in a stable order."""
    return sorted((LOCALES / lang / "LC_MESSAGES").glob("*.po"))


def merged_catalog(lang: Lang) -> Catalog:
    """Every .po file of `lang` as one catalog; the main file's header (plural rules) wins."""
    files = catalog_files(lang)
    main = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with main.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    for path in files:
        if path == main:
            continue
        with path.open("rb") as po:
            for message in read_po(po, locale=lang, domain=DOMAIN):
                if message.id:
                    catalog[message.id] = message
    return catalog


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined (a table of command
    descriptions, say) and translated later, where the language is known."""
    return message


def supported(lang: str | None) -> Lang | None:
    """'ar-SA', 'fr_FR', 'EN' -> a language Rasmi speaks, or None."""
    if not lang:
        return None
    base = lang.replace("_", "-").split("-")[0].lower()
    return next((lang for lang in LANGUAGES if lang == base), None)


class Messages:
    """Translation in one language, with named placeholders: t("Hello {name}", name=...)."""

    def __init__(self, lang: Lang):
        self.lang = lang
        self._catalog = translations(lang)

    def __call__(self, message: str, **values: object) -> str:
        text = self._catalog.gettext(message)
        return self._grammar(text.format(**values) if values else text)

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._catalog.ngettext(singular, plural, n)
        return self._grammar(text.format(n=n, **values))

    def _grammar(self, text: str) -> str:
        """Arabic joins the preposition لـ to the name after it (لـالهيئة → للهيئة)."""
        return fix_arabic(text) if self.lang == "ar" else text
