"""The race log kept between computations (``services.race_log``): after new events
only those are read, and the facts are always those of the whole log; an event committed
late below the last id read (PostgreSQL commits ids out of order) makes it read the whole
log again. On each backend, with the simulated race of ``test_simulated_race``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal
from tests.integration.test_simulated_race import RACE, simulated_into

from desert_runners.adapters.storage import event_log
from desert_runners.adapters.storage.race_repo import RaceRow
from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.results.facts import facts_from_log
from desert_runners.services.race_log import LogCache, log_cache
from desert_runners.services.races import find_race
from desert_runners.services.results import compute


def _cached(context: Context, cache: LogCache, race_id: int) -> pl.DataFrame:
    with context.store.read() as connection:
        return cache.facts(connection, race_id)


def _whole(context: Context, race_id: int) -> pl.DataFrame:
    """The facts read from the whole log, with nothing kept."""
    with context.store.read() as connection:
        return facts_from_log(event_log.log_columns(connection, race_id))


def _later(row: RaceRow, name: str) -> list[Fact]:
    """New facts of several kinds: a read, a typed entry (its checkpoint in capitals), a
    penalty from the race's catalogue, and a void of the first fact of the log."""
    when = row.race.stages[0].start + timedelta(hours=3, minutes=7, microseconds=5)
    code = row.race.penalties[0].code

    def fact(kind: EventKind, source: str, **fields: Any) -> Fact:
        return Fact(kind, source, "test", idempotency_key=f"{name}-{kind.value}", **fields)

    return [
        fact(EventKind.READ, "mat", occurred_at=when, tag="LATE1", stage=1, checkpoint="cp1"),
        fact(
            EventKind.ENTRY,
            "desk",
            occurred_at=when,
            bib=5,
            stage=1,
            checkpoint="CP1",
            direction=Direction.IN,
        ),
        fact(
            EventKind.PENALTY,
            "director",
            occurred_at=when,
            bib=7,
            stage=1,
            payload={"code": code, "reason": "no headlamp", "evidence": "", "penalty": "0:30"},
        ),
        fact(EventKind.VOID, "director", payload={"target": 1, "reason": "test"}),
    ]


def _append(context: Context, row: RaceRow, facts: list[Fact]) -> None:
    with context.store.write() as connection:
        event_log.append(connection, row.id, RACE, facts, row.race.stages[0].start)


def test_after_new_events_only_they_are_read_and_the_facts_are_the_whole_logs(
    context: Context,
) -> None:
    simulated_into(context)
    row = find_race(context, RACE)
    cache = LogCache()
    first = _cached(context, cache, row.id)
    assert cache.full_reads == 1
    assert cache.events_read == first.height > 1_000
    assert_frame_equal(first, _whole(context, row.id))

    assert_frame_equal(_cached(context, cache, row.id), first)
    assert cache.events_read == 0  # nothing new: nothing read

    _append(context, row, _later(row, "a"))
    after = _cached(context, cache, row.id)
    assert (cache.events_read, cache.full_reads) == (4, 1)
    assert after.height == first.height + 4
    assert after.n_chunks() == 1  # in one piece: not a piece more at each computation
    assert_frame_equal(after, _whole(context, row.id))
    assert after["checkpoint"].tail(4).to_list() == ["cp1", "cp1", None, None]


def test_a_reader_on_an_older_snapshot_gets_the_log_as_it_sees_it(context: Context) -> None:
    """A read transaction sees one state of the store throughout, on both backends; the
    cache, filled meanwhile by a newer one, gives it the facts of its own snapshot."""
    simulated_into(context)
    row = find_race(context, RACE)
    cache = LogCache()
    with context.store.read() as older:
        before = cache.facts(older, row.id)  # its snapshot starts here
        _append(context, row, _later(row, "c"))  # committed by another connection
        newer = _cached(context, cache, row.id)
        assert (newer.height, cache.events_read) == (before.height + 4, 4)
        assert cache.facts(older, row.id).height == before.height  # still its own
        assert cache.full_reads == 2
    after = _cached(context, cache, row.id)
    assert (cache.events_read, cache.full_reads) == (4, 2)
    assert_frame_equal(after, _whole(context, row.id))


def test_results_computed_again_after_new_events_are_those_of_a_fresh_read(
    database_url: str,
) -> None:
    live = bootstrap(database_url, author="test-director")
    other = bootstrap(database_url, author="test-director")  # a store with nothing kept
    try:
        simulated_into(live)
        row = find_race(live, RACE)
        compute(live, RACE)  # the store's cache now holds the log
        _append(live, row, _later(row, "b"))
        kept, fresh = compute(live, RACE), compute(other, RACE)
    finally:
        live.store.close()
        other.store.close()
    assert log_cache(live.store).full_reads == 1  # the second computation read only the new
    assert kept.stages.keys() == fresh.stages.keys()
    for number, frame in kept.stages.items():
        assert_frame_equal(frame, fresh.stages[number])
    assert_frame_equal(kept.reconciliation.passings, fresh.reconciliation.passings)
    last = max(kept.stages)
    assert_frame_equal(kept.overall(last), fresh.overall(last))
    assert kept.facts.filter(pl.col("kind") == "penalty")["bib"].to_list().count(7) >= 1


def test_an_event_committed_late_below_the_last_id_read_makes_it_read_the_whole_log(
    postgres_url: str,
) -> None:
    context = bootstrap(postgres_url, author="test-director")
    try:
        simulated_into(context)
        row = find_race(context, RACE)
        cache = LogCache()
        before = _cached(context, cache, row.id).height
        early, late = _later(row, "early"), _later(row, "late")
        with context.store.engine.connect() as slow, slow.begin():  # ids first, commit last
            event_log.append(slow, row.id, RACE, early, row.race.stages[0].start)
            _append(context, row, late)  # higher ids, committed at once
            seen = _cached(context, cache, row.id)
            assert seen.height == before + len(late)
            assert (cache.events_read, cache.full_reads) == (len(late), 1)
        after = _cached(context, cache, row.id)
        assert cache.full_reads == 2  # the late events lie below the last id read
        assert after.height == before + len(early) + len(late)
        assert_frame_equal(after, _whole(context, row.id))
    finally:
        context.store.close()
