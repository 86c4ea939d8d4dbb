"""Tag assignments say who made them, why, and from when they count.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Rows already stored get no author or reason and count from the race's start (they came
from entrants imports, which register a runner's tags for the whole race).
"""

import sqlalchemy as sa
from alembic import op

from desert_runners.adapters.storage.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding columns is no UPDATE: the append-only triggers stay as they are.
    op.add_column(
        "tag_assignments", sa.Column("author", sa.Text, nullable=False, server_default="")
    )
    op.add_column(
        "tag_assignments", sa.Column("reason", sa.Text, nullable=False, server_default="")
    )
    op.add_column("tag_assignments", sa.Column("effective_at", UtcDateTime, nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35+): a batch copy would lose the triggers.
    for column in ("effective_at", "reason", "author"):
        op.drop_column("tag_assignments", column)
