"""Text as every supported database can store it."""

from __future__ import annotations


def storable(text: str) -> str:
    """`text` without NUL characters: PostgreSQL's text type cannot hold them (SQLite
    can), and a Telegram message or a command's note may carry one. Nothing else is
    changed, so what is stored reads as the user wrote it."""
    return text.replace("\x00", "")
