"""Registry tables: entities, accounts, spokespeople, non-official handles, imports, change log.

Revision ID: 824e035451df
Revises:
Create Date: 2026-11-27 14:47:04.366962
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "824e035451df"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "entity",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_ar", sa.String(), nullable=True),
        sa.Column("name_en", sa.String(), nullable=True),
        sa.Column("name_fr", sa.String(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.String(length=100), nullable=True),
        sa.Column("website", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("successors", sa.JSON(), nullable=False),
        sa.Column("status_date", sa.String(length=10), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_kind"), ["kind"], unique=False)

    op.create_table(
        "non_official",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=120), nullable=False),
        sa.Column("handle_key", sa.String(length=120), nullable=False),
        sa.Column("imitates", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "handle_key", name="uq_non_official_handle"),
    )
    op.create_table(
        "registry_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("spokespeople", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=120), nullable=False),
        sa.Column("handle_key", sa.String(length=120), nullable=False),
        sa.Column("platform_id", sa.String(length=25), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("since", sa.String(length=10), nullable=True),
        sa.Column("until", sa.String(length=10), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "handle_key", name="uq_account_handle"),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "registry_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["registry_import.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("registry_change", schema=None) as batch_op:
        batch_op.create_index("ix_registry_change_entity_id_id", ["entity_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registry_change_import_id"), ["import_id"], unique=False
        )

    op.create_table(
        "spokesperson",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=True),
        sa.Column("since", sa.String(length=10), nullable=True),
        sa.Column("until", sa.String(length=10), nullable=True),
        sa.Column("as_of", sa.String(length=10), nullable=True),
        sa.Column("accounts", sa.JSON(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("spokesperson", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spokesperson_entity_id"), ["entity_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("spokesperson", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spokesperson_entity_id"))

    op.drop_table("spokesperson")
    with op.batch_alter_table("registry_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_change_import_id"))
        batch_op.drop_index("ix_registry_change_entity_id_id")

    op.drop_table("registry_change")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_platform_id"))
        batch_op.drop_index(batch_op.f("ix_account_entity_id"))

    op.drop_table("account")
    op.drop_table("registry_import")
    op.drop_table("non_official")
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_kind"))

    op.drop_table("entity")
