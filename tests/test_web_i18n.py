"""Every sentence of the web directory (its Python and its Jinja2 templates) is in the
catalogs of Arabic and French, with the same placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from test_i18n import KEYWORDS, placeholders

from knowledge.i18n import merged_catalog
from knowledge.understand import Lang

WEB = Path(__file__).resolve().parent.parent / "web"


def web_messages() -> set[str]:
    found: set[str] = set()
    for method in ("python", "jinja2.ext:babel_extract"):
        pattern = "**.py" if method == "python" else "**.html"
        for _, _, message, _, _ in extract_from_dir(
            WEB, method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_web_message_is_translated(lang: Lang) -> None:
    catalog = merged_catalog(lang)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog if m.id}
    messages = web_messages()
    assert len(messages) > 80  # the templates are read, not only the Python
    assert sorted(messages - translated.keys()) == []
    for msgid in messages:
        entry = translated[msgid]
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in strings:
            assert text and isinstance(text, str), msgid
            assert placeholders(text) == placeholders(msgid), (msgid, text)
