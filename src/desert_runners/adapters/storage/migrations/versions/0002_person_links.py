"""Explicit links between entrants of different races: the same person, or never.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from desert_runners.adapters.storage.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REFUSAL = "is append-only: record a new link instead"


def upgrade() -> None:
    op.create_table(
        "person_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("series_id", sa.Integer, nullable=False),
        sa.Column("race_a", sa.String(80), nullable=False),
        sa.Column("bib_a", sa.Integer, nullable=False),
        sa.Column("race_b", sa.String(80), nullable=False),
        sa.Column("bib_b", sa.Integer, nullable=False),
        sa.Column("same", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("linked_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person_links"),
        sa.ForeignKeyConstraint(
            ["series_id"], ["series.id"], name="fk_person_links_series_id_series"
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION person_links_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION 'person_links {REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER person_links_append_only BEFORE UPDATE OR DELETE ON person_links "
            "FOR EACH ROW EXECUTE FUNCTION person_links_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER person_links_no_{action.lower()} BEFORE {action} ON "
                f"person_links BEGIN SELECT RAISE(ABORT, 'person_links {REFUSAL}'); END"
            )


def downgrade() -> None:
    op.drop_table("person_links")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS person_links_append_only()")
