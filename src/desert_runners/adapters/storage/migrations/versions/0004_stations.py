"""Checkpoint stations: the kits issued at camp, and on a station's laptop its set-up and
what the camp acknowledged.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from desert_runners.adapters.storage.types import JsonColumn, UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("station_kits", "station_setups", "station_acks")
REFUSAL = "is append-only: add a new row instead"


def upgrade() -> None:
    op.create_table(
        "station_kits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("race_id", sa.Integer, nullable=False),
        sa.Column("station", sa.String(24), nullable=False),
        sa.Column("kit", sa.String(16), nullable=False),
        sa.Column("stage", sa.Integer, nullable=False),
        sa.Column("checkpoint", sa.String(20), nullable=False),
        sa.Column("direction", sa.String(3)),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", UtcDateTime, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_station_kits"),
        sa.UniqueConstraint("kit", name="uq_station_kits_kit"),
        sa.UniqueConstraint("token_hash", name="uq_station_kits_token_hash"),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name="fk_station_kits_race_id_races"),
    )
    op.create_index("ix_station_kits_race_station", "station_kits", ["race_id", "station"])
    op.create_table(
        "station_setups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("race_id", sa.Integer, nullable=False),
        sa.Column("station", sa.String(24), nullable=False),
        sa.Column("install", sa.String(6), nullable=False),
        sa.Column("kit", sa.String(16), nullable=False),
        sa.Column("stage", sa.Integer, nullable=False),
        sa.Column("checkpoint", sa.String(20), nullable=False),
        sa.Column("direction", sa.String(3)),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("out_of_race", JsonColumn, nullable=False),
        sa.Column("set_up_at", UtcDateTime, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_station_setups"),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name="fk_station_setups_race_id_races"),
    )
    op.create_table(
        "station_acks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("race_id", sa.Integer, nullable=False),
        sa.Column("destination", sa.Text, nullable=False),
        sa.Column("through_seq", sa.Integer, nullable=False),
        sa.Column("stored", sa.Integer, nullable=False),
        sa.Column("already", sa.Integer, nullable=False),
        sa.Column("acked_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_station_acks"),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name="fk_station_acks_race_id_races"),
    )
    for table in TABLES:
        _forbid_changes(table)


def _forbid_changes(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} {REFUSAL}'; END $$"
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
    for table in reversed(TABLES):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
