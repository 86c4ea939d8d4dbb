"""The initial schema: series, races, people, entrants, tag assignments, the event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from desert_runners.adapters.storage.types import JsonColumn, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("events", "tag_assignments")
REFUSAL = "is append-only: record a correction or a void instead"


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("definition", JsonColumn, nullable=False),
        sa.Column("loaded_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_series"),
        sa.UniqueConstraint("slug", name="uq_series_slug"),
    )
    op.create_table(
        "races",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("series_id", sa.Integer, nullable=False),
        sa.Column("event", sa.String(80), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("definition", JsonColumn, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("loaded_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_races"),
        sa.UniqueConstraint("slug", name="uq_races_slug"),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], name="fk_races_series_id_series"),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("series_id", sa.Integer, nullable=False),
        sa.Column("identity_key", sa.Text, nullable=False),
        sa.Column("given_name", sa.Text, nullable=False),
        sa.Column("family_name", sa.Text, nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("date_of_birth", sa.Date),
        sa.Column("nationality", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("series_id", "identity_key", name="uq_people_series_id"),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], name="fk_people_series_id_series"),
    )
    op.create_table(
        "entrants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("race_id", sa.Integer, nullable=False),
        sa.Column("bib", sa.Integer, nullable=False),
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("given_name", sa.Text, nullable=False),
        sa.Column("family_name", sa.Text, nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("date_of_birth", sa.Date),
        sa.Column("age", sa.Integer),
        sa.Column("nationality", sa.String(3), nullable=False),
        sa.Column("team", sa.Text),
        sa.Column("emergency_contact", sa.Text, nullable=False),
        sa.Column("person", sa.Text),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entrants"),
        sa.UniqueConstraint("race_id", "bib", name="uq_entrants_race_id"),
        sa.UniqueConstraint("race_id", "person_id", name="uq_entrants_race_id_person"),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name="fk_entrants_race_id_races"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_entrants_person_id_people"),
    )
    op.create_table(
        "tag_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("race_id", sa.Integer, nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.Column("bib", sa.Integer),
        sa.Column("assigned_at", UtcDateTime, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tag_assignments"),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name="fk_tag_assignments_race_id_races"),
    )
    op.create_index("ix_tag_assignments_race_tag", "tag_assignments", ["race_id", "tag"])
    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("race_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("occurred_at", UtcDateTime),
        sa.Column("device_time", sa.Text),
        sa.Column("bib", sa.Integer),
        sa.Column("tag", sa.String(64)),
        sa.Column("stage", sa.Integer),
        sa.Column("checkpoint", sa.String(20)),
        sa.Column("direction", sa.String(3)),
        sa.Column("payload", JsonColumn, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("race_id", "idempotency_key", name="uq_events_race_id"),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name="fk_events_race_id_races"),
    )
    op.create_index("ix_events_race_bib", "events", ["race_id", "bib"])
    op.create_index("ix_events_race_kind", "events", ["race_id", "kind"])
    for table in APPEND_ONLY:
        _forbid_changes(table)


def _forbid_changes(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{table} {REFUSAL}'; END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} {REFUSAL}'); END"
            )


def downgrade() -> None:
    for table in ("events", "tag_assignments", "entrants", "people", "races", "series"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
