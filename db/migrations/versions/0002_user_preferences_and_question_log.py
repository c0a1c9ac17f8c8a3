"""User language preferences and the question log (no user ids in it).

Revision ID: e0188add344a
Revises: 824e035451df
Create Date: 2026-11-27 15:06:52.896408
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e0188add344a"
down_revision: str | None = "824e035451df"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("intent", sa.String(length=30), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_log_intent"), ["intent"], unique=False)

    op.create_table(
        "user_preference",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:

    op.drop_table("user_preference")
    with op.batch_alter_table("question_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_log_intent"))
        batch_op.drop_index(batch_op.f("ix_question_log_at"))

    op.drop_table("question_log")
