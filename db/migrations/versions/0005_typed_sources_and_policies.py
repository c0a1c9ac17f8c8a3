"""Typed evidence sources, the reasons of non-official handles, spokespeople's roles, the
numeric id of a non-official handle, and the registry's policies.

Stored evidence is converted, so a registry already in the database stays valid under the
new schema: a source that was a plain string becomes `{kind: dataset, note: <string>}` (the
string was provenance, nothing a citizen can open), and `confidence: confirmed` becomes
`unconfirmed` where no openable source then remains (the confirmation rule). The old
reasons `ambiguous` and `flagged` become `conflicting` and `not_government`.

The rules are written out here rather than imported from `knowledge.registry.schema`,
because a migration must keep doing what it did when the schema moves on.

Revision ID: a5c1e0d09e01
Revises: 33351c519984
Create Date: 2026-12-03 09:40:00.000000
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "a5c1e0d09e01"
down_revision: str | None = "33351c519984"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_OPENABLE = {"dataset", "maintainer"}
_REASONS = {"ambiguous": "conflicting", "flagged": "not_government"}
_OLD_REASONS = {"not_government": "flagged", "invalid": "flagged"}
_PAGE = 1000

Convert = Callable[[dict[str, Any]], dict[str, Any] | None]
"""A row's columns to the columns to update, or None when the row is already right."""


def upgrade() -> None:
    op.create_table(
        "policy",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("updated", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("non_official") as batch_op:
        batch_op.add_column(sa.Column("platform_id", sa.String(length=25), nullable=True))
    with op.batch_alter_table("spokesperson") as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=40), nullable=False, server_default="spokesperson")
        )
    for table in ("entity", "account", "spokesperson"):
        _convert(table, ("evidence",), _typed_evidence)
    _convert("non_official", ("evidence", "reason"), _typed_non_official)


def downgrade() -> None:
    for table in ("entity", "account", "spokesperson"):
        _convert(table, ("evidence",), _string_evidence)
    _convert("non_official", ("evidence", "reason"), _string_non_official)
    with op.batch_alter_table("spokesperson") as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("non_official") as batch_op:
        batch_op.drop_column("platform_id")
    op.drop_table("policy")


def _convert(name: str, columns: tuple[str, ...], convert: Convert) -> None:
    """Rewrites `columns` (evidence, and reason) of every row of the table `name`, a page
    at a time in the order of the primary key, so a 100,000-row table is never held whole."""
    connection = op.get_bind()
    typed = {"evidence": sa.column("evidence", sa.JSON()), "reason": sa.column("reason")}
    table = sa.table(name, sa.column("id"), *(typed[c] for c in columns))
    after: Any = None
    while True:
        query = sa.select(table).order_by(table.c.id).limit(_PAGE)
        if after is not None:
            query = query.where(table.c.id > after)
        rows = connection.execute(query).mappings().all()
        if not rows:
            return
        after = rows[-1]["id"]
        updates = []
        for row in rows:
            values = convert(dict(row))
            if values is not None:
                updates.append({"b_id": row["id"], **values})
        if updates:
            statement = (
                table.update()
                .where(table.c.id == sa.bindparam("b_id"))
                .values({c: sa.bindparam(c) for c in columns})
            )
            connection.execute(statement, updates)


def _typed_evidence(row: dict[str, Any]) -> dict[str, Any] | None:
    evidence = row["evidence"]
    sources = evidence.get("sources") or []
    if all(isinstance(source, dict) for source in sources):
        return None
    typed = [s if isinstance(s, dict) else {"kind": "dataset", "note": s} for s in sources]
    new = {**evidence, "sources": typed}
    if new.get("confidence") == "confirmed" and not any(_openable(s) for s in typed):
        new["confidence"] = "unconfirmed"
    return {"evidence": new}


def _typed_non_official(row: dict[str, Any]) -> dict[str, Any] | None:
    evidence = _typed_evidence(row)
    reason = _REASONS.get(row["reason"], row["reason"])
    if evidence is None and reason == row["reason"]:
        return None
    return {"evidence": (evidence or row)["evidence"], "reason": reason}


def _openable(source: dict[str, Any]) -> bool:
    url = source.get("url")
    return (
        isinstance(url, str)
        and url.startswith(("http://", "https://"))
        and source.get("kind") not in _NOT_OPENABLE
    )


def _string_evidence(row: dict[str, Any]) -> dict[str, Any] | None:
    """Back to plain strings: a source's url, else its note, else its title."""
    evidence = row["evidence"]
    sources = evidence.get("sources") or []
    if not any(isinstance(source, dict) for source in sources):
        return None
    texts = [s if isinstance(s, str) else _source_text(s) for s in sources]
    return {"evidence": {**evidence, "sources": texts}}


def _source_text(source: dict[str, Any]) -> str:
    title = source.get("title") or {}
    text = source.get("url") or source.get("note") or next(iter(title.values()), "")
    return str(text)


def _string_non_official(row: dict[str, Any]) -> dict[str, Any] | None:
    evidence = _string_evidence(row)
    reason = _OLD_REASONS.get(row["reason"], row["reason"])
    if evidence is None and reason == row["reason"]:
        return None
    return {"evidence": (evidence or row)["evidence"], "reason": reason}
