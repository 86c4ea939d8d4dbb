"""The append-only event log: store a fact once, whatever the number of times it is sent."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Select, String, Text, and_, case, cast, func, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, RowMapping

from desert_runners.adapters.storage.tables import events, races
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, Event, EventKind, Fact

_CHUNK = 500  # rows per statement: well under SQLite's limit of bound parameters


class IdempotencyConflictError(UserError):
    """The same idempotency key was sent earlier with a different fact."""


@dataclass(frozen=True)
class Appended:
    event: Event
    new: bool  # False: the same fact was already stored (a retry, a re-import)


def append(
    connection: Connection, race_id: int, race: str, facts: Iterable[Fact], received_at: datetime
) -> list[Appended]:
    """Store each fact unless its key is already in the race's log, in the caller's
    transaction (so a batch is stored whole or not at all). One result per fact, in order;
    a fact sent twice, in this batch or before, is stored once."""
    facts = list(facts)
    first_of: dict[str, int] = {}
    for index, fact in enumerate(facts):
        first_of.setdefault(fact.key, index)
    inserted = _insert_new(connection, race_id, [facts[i] for i in first_of.values()], received_at)
    earlier = _find_many(connection, race_id, race, [k for k in first_of if k not in inserted])
    results: list[Appended] = []
    for index, fact in enumerate(facts):
        key = fact.key
        if key in inserted and first_of[key] == index:
            results.append(Appended(Event(inserted[key], race, received_at, fact), new=True))
            continue
        stored = earlier.get(key) or Event(inserted[key], race, received_at, facts[first_of[key]])
        if not stored.fact.same_content(fact):
            raise IdempotencyConflictError(
                f"idempotency key {key!r} was already used for another fact (event {stored.id})"
            )
        results.append(Appended(stored, new=False))
    return results


def _insert_new(
    connection: Connection, race_id: int, facts: list[Fact], received_at: datetime
) -> dict[str, int]:
    """Insert-or-nothing, so two writers sending the same fact at once cannot both store
    it; returns the ids of the rows this call stored, by key."""
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    stored: dict[str, int] = {}
    if not facts:
        return stored
    statement = (
        dialect_insert(events)
        .on_conflict_do_nothing(index_elements=["race_id", "idempotency_key"])
        .returning(events.c.id, events.c.idempotency_key)
    )
    rows = [_to_row(fact, race_id, fact.key, received_at) for fact in facts]
    # One statement for many rows: SQLAlchemy batches them ("insertmanyvalues").
    stored.update({key: int(new_id) for new_id, key in connection.execute(statement, rows)})
    return stored


def _find_many(
    connection: Connection, race_id: int, race: str, keys: list[str]
) -> dict[str, Event]:
    found: dict[str, Event] = {}
    for start in range(0, len(keys), _CHUNK):
        query = select(events).where(
            events.c.race_id == race_id, events.c.idempotency_key.in_(keys[start : start + _CHUNK])
        )
        for row in connection.execute(query).mappings():
            found[row["idempotency_key"]] = _to_event(row, race)
    return found


def existing_keys(connection: Connection, race_id: int, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` the race's log already holds."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        query = select(events.c.idempotency_key).where(
            events.c.race_id == race_id,
            events.c.idempotency_key.in_(wanted[start : start + _CHUNK]),
        )
        found.update(connection.execute(query).scalars())
    return found


def highest_sequence(connection: Connection, race_id: int, source: str) -> int | None:
    """The highest ``payload.sequence`` of the reads stored from ``source``."""
    query = select(func.max(events.c.payload["sequence"].as_integer())).where(
        events.c.race_id == race_id,
        events.c.kind == EventKind.READ.value,
        events.c.source == source,
    )
    found = connection.execute(query).scalar()
    return None if found is None else int(found)


def query_events(
    connection: Connection,
    race_id: int,
    race: str,
    *,
    bib: int | None = None,
    kinds: Sequence[EventKind] = (),
    after_id: int = 0,
    limit: int | None = None,
    read_tags: Collection[str] = (),
) -> list[Event]:
    """With ``bib``, also the reads of ``read_tags`` that name no bib: reads carry their
    tag only, and the caller knows which of them were that bib's at the time."""
    query: Select[Any] = select(events).where(events.c.race_id == race_id, events.c.id > after_id)
    if bib is not None:
        by_tag = and_(
            events.c.kind == EventKind.READ.value,
            events.c.bib.is_(None),
            events.c.tag.in_(sorted(read_tags)),
        )
        query = query.where(or_(events.c.bib == bib, by_tag) if read_tags else events.c.bib == bib)
    if kinds:
        query = query.where(events.c.kind.in_([kind.value for kind in kinds]))
    if limit is None:
        rows = connection.execute(query.order_by(events.c.id)).mappings()
        return [_to_event(row, race) for row in rows]
    latest = connection.execute(query.order_by(events.c.id.desc()).limit(limit)).mappings()
    return [_to_event(row, race) for row in reversed(list(latest))]


def log_columns(connection: Connection, race_id: int, after_id: int = 0) -> pl.DataFrame:
    """A race's log as columns, in event order, for the results engine
    (``results.facts.facts_from_log``): event_id, kind, source, bib, tag, stage,
    checkpoint, direction, at (UTC), and payload as JSON text where it can give the
    engine something (every fact's but a read's, a read's only when it says why it was
    rejected). No Event object per row: the database's own values, times as text.
    ``after_id``: only the events whose id is above it (the whole log by default)."""
    payload = cast(events.c.payload, Text)
    given = or_(
        events.c.kind != EventKind.READ.value,
        payload.like('%"reason"%'),
        payload.like('%"rejected"%'),
    )
    query = (
        select(
            events.c.id,
            events.c.kind,
            events.c.source,
            events.c.bib,
            events.c.tag,
            events.c.stage,
            events.c.checkpoint,
            events.c.direction,
            _utc_text(connection, events.c.occurred_at),
            case((given, payload), else_=None),
        )
        .where(events.c.race_id == race_id, events.c.id > after_id)
        .order_by(events.c.id)
    )
    rows = connection.execute(query).all()
    columns = zip(*rows, strict=True) if rows else ([] for _ in _LOG_SCHEMA)
    frame = pl.DataFrame(dict(zip(_LOG_SCHEMA, columns, strict=True)), schema=_LOG_SCHEMA)
    at = pl.col("at").str.to_datetime(_UTC_TEXT, time_unit="us", time_zone="UTC")
    return frame.with_columns(at)


def count_up_to(connection: Connection, race_id: int, last_id: int) -> int:
    """How many events of the race's log have an id up to ``last_id``."""
    query = select(func.count()).where(events.c.race_id == race_id, events.c.id <= last_id)
    return int(connection.execute(query).scalar_one())


# The columns of ``log_columns`` as the query gives them, in its order.
_LOG_SCHEMA = {
    "event_id": pl.Int64,
    "kind": pl.String,
    "source": pl.String,
    "bib": pl.Int64,
    "tag": pl.String,
    "stage": pl.Int64,
    "checkpoint": pl.String,
    "direction": pl.String,
    "at": pl.String,
    "payload": pl.String,
}


_UTC_TEXT = "%Y-%m-%d %H:%M:%S%.f"  # how both databases give an instant here, in UTC


def _utc_text(connection: Connection, column: Any) -> Any:
    """``column`` (an instant) as UTC text: SQLite stores it so; PostgreSQL formats it."""
    if connection.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS.US")
    return type_coerce(column, String)  # the stored text, not turned into a datetime


def count_events(connection: Connection) -> dict[str, int]:
    query = (
        select(races.c.slug, func.count(events.c.id))
        .join(events, events.c.race_id == races.c.id)
        .group_by(races.c.slug)
    )
    return {slug: int(count) for slug, count in connection.execute(query)}


def _to_row(fact: Fact, race_id: int, key: str, received_at: datetime) -> dict[str, Any]:
    return {
        "race_id": race_id,
        "kind": fact.kind.value,
        "idempotency_key": key,
        "source": fact.source,
        "author": fact.author,
        "received_at": received_at,
        "occurred_at": fact.occurred_at,
        "device_time": fact.device_time,
        "bib": fact.bib,
        "tag": fact.tag,
        "stage": fact.stage,
        "checkpoint": fact.checkpoint,
        "direction": fact.direction.value if fact.direction else None,
        "payload": dict(fact.payload),
    }


def _to_event(row: RowMapping, race: str) -> Event:
    fact = Fact(
        kind=EventKind(row["kind"]),
        source=row["source"],
        author=row["author"],
        occurred_at=row["occurred_at"],
        device_time=row["device_time"],
        bib=row["bib"],
        tag=row["tag"],
        stage=row["stage"],
        checkpoint=row["checkpoint"],
        direction=Direction(row["direction"]) if row["direction"] else None,
        payload=row["payload"],
        idempotency_key=row["idempotency_key"],
    )
    return Event(int(row["id"]), race, row["received_at"], fact)


def get_event(connection: Connection, race_id: int, race: str, event_id: int) -> Event | None:
    query = select(events).where(events.c.race_id == race_id, events.c.id == event_id)
    row = connection.execute(query).mappings().first()
    return None if row is None else _to_event(row, race)
