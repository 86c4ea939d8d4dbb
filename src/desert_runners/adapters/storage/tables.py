"""The schema, one for SQLite and PostgreSQL. Alembic migrations create it.

``events`` and ``tag_assignments`` are append-only: the migrations add triggers that
refuse UPDATE and DELETE, so a fact cannot be edited even by mistake.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from desert_runners.adapters.storage.types import JsonColumn, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
EventId = BigInteger().with_variant(Integer(), "sqlite")

series = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("definition", JsonColumn, nullable=False),
    Column("loaded_at", UtcDateTime, nullable=False),
)

races = Table(
    "races",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("series_id", ForeignKey("series.id"), nullable=False),
    Column("event", String(80), nullable=False),
    Column("name", Text, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("definition", JsonColumn, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("loaded_at", UtcDateTime, nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("series_id", ForeignKey("series.id"), nullable=False),
    Column("identity_key", Text, nullable=False),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("gender", String(1), nullable=False),
    Column("date_of_birth", Date),
    Column("nationality", String(3), nullable=False),
    UniqueConstraint("series_id", "identity_key"),
)

entrants = Table(
    "entrants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("race_id", ForeignKey("races.id"), nullable=False),
    Column("bib", Integer, nullable=False),
    Column("person_id", ForeignKey("people.id"), nullable=False),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("gender", String(1), nullable=False),
    Column("date_of_birth", Date),
    Column("age", Integer),
    Column("nationality", String(3), nullable=False),
    Column("team", Text),
    Column("emergency_contact", Text, nullable=False, default=""),
    Column("person", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("race_id", "bib"),
    UniqueConstraint("race_id", "person_id", name="uq_entrants_race_id_person"),
)

tag_assignments = Table(
    "tag_assignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("race_id", ForeignKey("races.id"), nullable=False),
    Column("tag", String(64), nullable=False),
    Column("bib", Integer),  # None: the tag was released
    Column("assigned_at", UtcDateTime, nullable=False),  # when it was recorded
    Column("source", Text, nullable=False),
    Column("author", Text, nullable=False, server_default=""),
    Column("reason", Text, nullable=False, server_default=""),
    Column("effective_at", UtcDateTime),  # None: from the race's start
    Index("ix_tag_assignments_race_tag", "race_id", "tag"),
)

events = Table(
    "events",
    metadata,
    Column("id", EventId, primary_key=True, autoincrement=True),
    Column("race_id", ForeignKey("races.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("source", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("occurred_at", UtcDateTime),
    Column("device_time", Text),
    Column("bib", Integer),
    Column("tag", String(64)),
    Column("stage", Integer),
    Column("checkpoint", String(20)),
    Column("direction", String(3)),
    Column("payload", JsonColumn, nullable=False),
    UniqueConstraint("race_id", "idempotency_key"),
    Index("ix_events_race_bib", "race_id", "bib"),
    Index("ix_events_race_kind", "race_id", "kind"),
)


person_links = Table(
    "person_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("series_id", ForeignKey("series.id"), nullable=False),
    Column("race_a", String(80), nullable=False),
    Column("bib_a", Integer, nullable=False),
    Column("race_b", String(80), nullable=False),
    Column("bib_b", Integer, nullable=False),
    Column("same", Boolean, nullable=False),  # False: never the same person
    Column("reason", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("linked_at", UtcDateTime, nullable=False),
)

# Checkpoint stations (migration 0004). At camp: each kit issued, with its token's hash.
station_kits = Table(
    "station_kits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("race_id", ForeignKey("races.id"), nullable=False),
    Column("station", String(24), nullable=False),
    Column("kit", String(16), nullable=False, unique=True),
    Column("stage", Integer, nullable=False),
    Column("checkpoint", String(20), nullable=False),
    Column("direction", String(3)),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("author", Text, nullable=False),
    Index("ix_station_kits_race_station", "race_id", "station"),
)

# On a station's laptop: each kit set up there (the latest is in use), and each batch
# the camp acknowledged (the highest sequence number per destination is what it has).
station_setups = Table(
    "station_setups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("race_id", ForeignKey("races.id"), nullable=False),
    Column("station", String(24), nullable=False),
    Column("install", String(6), nullable=False),
    Column("kit", String(16), nullable=False),
    Column("stage", Integer, nullable=False),
    Column("checkpoint", String(20), nullable=False),
    Column("direction", String(3)),
    Column("token", Text, nullable=False),
    Column("out_of_race", JsonColumn, nullable=False),  # [[bib, why], ...] from the kit
    Column("set_up_at", UtcDateTime, nullable=False),
    Column("author", Text, nullable=False),
)

station_acks = Table(
    "station_acks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("race_id", ForeignKey("races.id"), nullable=False),
    Column("destination", Text, nullable=False),
    Column("through_seq", Integer, nullable=False),
    Column("stored", Integer, nullable=False),
    Column("already", Integer, nullable=False),
    Column("acked_at", UtcDateTime, nullable=False),
)

APPEND_ONLY_TABLES = (
    "events",
    "tag_assignments",
    "person_links",
    "station_kits",
    "station_setups",
    "station_acks",
)
