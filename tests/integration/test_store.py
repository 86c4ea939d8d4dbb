"""The store on both backends: schema from migrations, append-only facts, idempotency,
and instants that keep their meaning across time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from desert_runners.adapters.storage import event_log
from desert_runners.adapters.storage.store import Store
from desert_runners.adapters.storage.tables import metadata, races, series
from desert_runners.domain.events import EventKind, Fact

RECEIVED = datetime(2010, 3, 8, 20, 0, tzinfo=UTC)


def _race(store: Store) -> int:
    with store.write() as connection:
        series_id = connection.execute(
            insert(series).values(slug="s", name="S", definition={}, loaded_at=RECEIVED)
        ).inserted_primary_key[0]
        return int(
            connection.execute(
                insert(races).values(
                    slug="r",
                    series_id=series_id,
                    event="e",
                    name="R",
                    time_zone="America/Santiago",
                    starts_on=RECEIVED.date(),
                    ends_on=RECEIVED.date(),
                    definition={},
                    digest="x",
                    source="t",
                    loaded_at=RECEIVED,
                )
            ).inserted_primary_key[0]
        )


def _entry(bib: int, at: datetime, key: str = "") -> Fact:
    return Fact(
        kind=EventKind.ENTRY,
        source="cp1-laptop",
        author="volunteer",
        occurred_at=at,
        bib=bib,
        stage=2,
        checkpoint="CP1",
        idempotency_key=key,
    )


@pytest.fixture
def store(database_url: str) -> Store:
    built = Store(database_url)
    built.migrate()
    return built


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    assert store.migrate() == (store.head(), store.head())  # a second run changes nothing


@pytest.mark.parametrize("statement", ["UPDATE events SET bib = 999", "DELETE FROM events"])
def test_events_cannot_be_edited_or_deleted(store: Store, statement: str) -> None:
    race_id = _race(store)
    with store.write() as connection:
        event_log.append(connection, race_id, "r", [_entry(7, RECEIVED)], RECEIVED)
    with pytest.raises(DBAPIError, match="events is append-only"), store.write() as connection:
        connection.execute(text(statement))
    with store.read() as connection:
        assert connection.execute(text("SELECT bib FROM events")).scalars().all() == [7]


def test_the_same_fact_twice_is_stored_once(store: Store) -> None:
    race_id = _race(store)
    at = datetime(2010, 3, 8, 23, 59, 59, 250_000, tzinfo=ZoneInfo("America/Santiago"))
    with store.write() as connection:
        first = event_log.append(connection, race_id, "r", [_entry(7, at)], RECEIVED)
    with store.write() as connection:
        again = event_log.append(
            connection, race_id, "r", [_entry(7, at), _entry(8, at)], RECEIVED + timedelta(1)
        )
    assert first[0].new
    assert [item.new for item in again] == [False, True]
    assert again[0].event.id == first[0].event.id
    assert again[0].event.received_at == RECEIVED  # the first arrival is what counts
    with store.read() as connection:
        stored = event_log.query_events(connection, race_id, "r")
    assert [event.fact.bib for event in stored] == [7, 8]


def test_a_key_reused_for_another_fact_is_refused(store: Store) -> None:
    race_id = _race(store)
    with store.write() as connection:
        event_log.append(connection, race_id, "r", [_entry(7, RECEIVED, key="cp1:17")], RECEIVED)
    conflict = pytest.raises(event_log.IdempotencyConflictError, match="'cp1:17' was already used")
    with conflict, store.write() as connection:
        event_log.append(connection, race_id, "r", [_entry(8, RECEIVED, "cp1:17")], RECEIVED)


def test_a_failed_batch_stores_nothing(store: Store) -> None:
    race_id = _race(store)
    with store.write() as connection:
        event_log.append(connection, race_id, "r", [_entry(1, RECEIVED, key="k1")], RECEIVED)
    batch = [_entry(2, RECEIVED, key="k2"), _entry(3, RECEIVED, key="k1")]  # k1: a conflict
    with pytest.raises(event_log.IdempotencyConflictError), store.write() as connection:
        event_log.append(connection, race_id, "r", batch, RECEIVED)
    with store.read() as connection:
        assert [e.fact.bib for e in event_log.query_events(connection, race_id, "r")] == [1]


@pytest.mark.parametrize(
    "zone", ["America/Santiago", "Asia/Shanghai", "Africa/Cairo", "America/Argentina/Ushuaia"]
)
def test_instants_keep_their_meaning_across_midnight_and_zones(store: Store, zone: str) -> None:
    race_id = _race(store)
    local = ZoneInfo(zone)
    before = datetime(2010, 3, 8, 23, 59, 30, tzinfo=local)
    after = datetime(2010, 3, 9, 0, 0, 30, tzinfo=local)
    with store.write() as connection:
        event_log.append(connection, race_id, "r", [_entry(2, after), _entry(1, before)], RECEIVED)
    with store.read() as connection:
        stored = event_log.query_events(connection, race_id, "r")
        ordered = connection.execute(text("SELECT bib FROM events ORDER BY occurred_at")).all()
    assert [event.fact.occurred_at for event in stored] == [after, before]  # equal instants
    assert all(event.fact.occurred_at.tzinfo == UTC for event in stored)  # type: ignore[union-attr]
    assert [row[0] for row in ordered] == [1, 2]  # sorted by instant, not by text


def test_a_time_without_zone_is_refused_by_the_fact() -> None:
    with pytest.raises(ValueError, match="must be zone-aware"):
        _entry(1, datetime(2010, 3, 8, 10, 0))


def test_a_naive_time_is_refused_by_the_store(store: Store) -> None:
    with pytest.raises(Exception, match="without a time zone"), store.write() as connection:
        connection.execute(
            insert(series).values(slug="s", name="S", definition={}, loaded_at=datetime(2010, 1, 1))
        )
    with store.read() as connection:
        assert connection.execute(select(series.c.id)).all() == []


def test_a_batch_with_repeats_stores_each_fact_once_in_order(store: Store) -> None:
    race_id = _race(store)
    a, b, c = (_entry(bib, RECEIVED, key=f"k{bib}") for bib in (1, 2, 3))
    with store.write() as connection:
        first = event_log.append(connection, race_id, "r", [a, b, a], RECEIVED)
    with store.write() as connection:
        second = event_log.append(connection, race_id, "r", [b, c], RECEIVED)
    assert [(item.new, item.event.fact.bib) for item in first] == [(True, 1), (True, 2), (False, 1)]
    assert first[2].event.id == first[0].event.id
    assert [(item.new, item.event.fact.bib) for item in second] == [(False, 2), (True, 3)]
    assert second[0].event.id == first[1].event.id
    with store.read() as connection:
        stored = event_log.query_events(connection, race_id, "r")
    assert [event.fact.bib for event in stored] == [1, 2, 3]
