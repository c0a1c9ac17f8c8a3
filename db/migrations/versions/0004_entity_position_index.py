"""An index on the entity's position: the answering index reads the registry page by page
in file order, and each page is a range of positions.

Revision ID: 33351c519984
Revises: f442f3db389d
Create Date: 2026-11-27 18:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "33351c519984"
down_revision: str | None = "f442f3db389d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_entity_position"), "entity", ["position"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_entity_position"), table_name="entity")
