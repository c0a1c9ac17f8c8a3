"""Citizens' reports of handles that impersonate government bodies.

Revision ID: b6d2f1e1a002
Revises: 33351c519984
Create Date: 2026-12-03 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b6d2f1e1a002"
down_revision: str | None = "33351c519984"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "citizen_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=120), nullable=False),
        sa.Column("handle_key", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("reporter", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "handle_key", "reporter", name="uq_citizen_report"),
    )
    op.create_index("ix_citizen_report_reporter_at", "citizen_report", ["reporter", "at"])
    op.create_index(
        "ix_citizen_report_status_handle",
        "citizen_report",
        ["status", "platform", "handle_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_citizen_report_status_handle", table_name="citizen_report")
    op.drop_index("ix_citizen_report_reporter_at", table_name="citizen_report")
    op.drop_table("citizen_report")
