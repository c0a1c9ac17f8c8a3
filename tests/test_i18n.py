"""The message catalog: every sentence the code shows exists in Arabic and French, with
the same placeholders, so no user ever sees an English fallback or a KeyError."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from knowledge.i18n import Messages, catalog_files, merged_catalog, supported
from knowledge.understand import Lang

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"t": None, "plural": (1, 2), "N_": None}


def code_messages() -> set[str]:
    found: set[str] = set()
    for package in ("knowledge", "bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_message_is_translated_with_the_same_placeholders(lang: Lang) -> None:
    catalog = merged_catalog(lang)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog if m.id}
    messages = code_messages()
    assert len(messages) > 50
    missing = sorted(messages - translated.keys())
    assert missing == []
    for msgid in messages:
        entry = translated[msgid]
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(strings), msgid
        assert not entry.fuzzy, msgid
        for text in strings:
            assert isinstance(text, str)
            assert placeholders(text) == placeholders(msgid), (msgid, text)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_no_message_is_translated_in_two_files(lang: Lang) -> None:
    seen: dict[str, str] = {}
    for path in catalog_files(lang):
        with path.open("rb") as po:
            for message in read_po(po, locale=lang):
                if message.id:
                    key = str(message.id)
                    assert key not in seen, (key, seen.get(key), path.name)
                    seen[key] = path.name


def test_arabic_is_arabic_and_french_is_french() -> None:
    assert re.search(r"[\u0600-\u06ff]", Messages("ar")("Which one do you mean?"))
    assert Messages("fr")("Which one do you mean?") == "Lequel voulez-vous dire ?"
    assert Messages("en")("Which one do you mean?") == "Which one do you mean?"


def test_plurals_follow_each_language() -> None:
    more = ("… and {n} more change", "… and {n} more changes")
    assert Messages("fr").plural(*more, 1) == "… et 1 autre changement"
    assert Messages("fr").plural(*more, 3) == "… et 3 autres changements"
    assert Messages("ar").plural(*more, 11) == "… و11 تغييرًا آخر"


@pytest.mark.parametrize(
    ("code", "lang"), [("ar-SA", "ar"), ("fr_FR", "fr"), ("EN", "en"), ("de", None), (None, None)]
)
def test_telegram_language_codes_map_to_ours(code: str | None, lang: str | None) -> None:
    assert supported(code) == lang
