"""Several processes record at once (a camp laptop with two timing crews, a station sync
beside a typist): every entry is stored exactly once, none fails with "database is locked"."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from desert_runners.bootstrap import bootstrap
from desert_runners.domain.events import EventKind
from desert_runners.services.entrants import import_entrants
from desert_runners.services.events import list_events
from desert_runners.services.races import load_race_file
from desert_runners.services.recording import record_entry

FIXTURES = Path(__file__).parents[1] / "fixtures" / "race"
WRITERS = 4
ENTRIES_EACH = 25
BIBS = (101, 102, 103, 104, 105)


def _record_many(url: str, writer: int) -> int:
    context = bootstrap(url, author=f"writer-{writer}")
    stored = 0
    for number in range(ENTRIES_EACH):
        bib = BIBS[number % len(BIBS)]
        # Every writer also sends writer 0's entries: the same facts, sent concurrently.
        for source in {f"laptop-{writer}", "laptop-0"}:
            minute, second = divmod(number, 60)
            at = f"09:{minute + 10:02d}:{second:02d}"
            result = record_entry(context, None, bib, "1/CP1", at=at, source=source)
            stored += result.new
    context.store.close()
    return stored


def test_concurrent_writers_store_each_fact_once(database_url: str) -> None:
    context = bootstrap(database_url)
    load_race_file(context, FIXTURES / "series.yaml")
    import_entrants(context, None, FIXTURES / "entrants.csv")
    context.store.close()
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(WRITERS) as pool:
        counts = pool.starmap(_record_many, [(database_url, w) for w in range(WRITERS)])
    _, _, log = list_events(bootstrap(database_url), None, kinds=[EventKind.ENTRY])
    assert len(log) == WRITERS * ENTRIES_EACH  # writer 0's facts once, each other's once
    assert sum(counts) == len(log)  # each acknowledged as new exactly once
    assert len({event.id for event in log}) == len(log)
    assert len({event.fact.key for event in log}) == len(log)
