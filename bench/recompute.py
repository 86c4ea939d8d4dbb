"""Benchmark: results computed again during a race, from the store (SQLite, the embedded
default), after a few new reads.

A simulated Atacama Crossing of 1,000 runners (about 280,000 events) is stored through
``load_simulation`` (about a minute). Reported: ``services.results.compute`` after 300
new reads on a store that computed the race before (it keeps the log it read and reads
only what is new: ``services.race_log``), beside a baseline measured in the same run:
the same computation on a store opened afresh, which reads the whole log (opening it
is timed too: a few milliseconds). Best of 3.
"""

from __future__ import annotations

# isort: off
import desert_runners  # noqa: F401  first: it sets how Polars' allocator keeps memory
# isort: on

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from measure import add_figure, timed
from rich.console import Console
from rich.table import Table

from desert_runners.adapters.storage.event_log import append, count_events
from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.events import EventKind, Fact
from desert_runners.services.race_log import log_cache
from desert_runners.services.races import find_race, load_race_file
from desert_runners.services.results import compute
from desert_runners.services.simulation import load_simulation
from desert_runners.simulate.model.simulation import simulate_race

SERIES = Path(__file__).parents[1] / "examples" / "4deserts-2010" / "series.yaml"
RACE = "atacama-crossing-2010"
RUNNERS = 1_000
SEED = 3
NEW_READS = 300  # a few seconds of a busy finish line
ROUNDS = 3


def new_reads(context: Context, round_number: int) -> None:
    """Reads of the finish of stage 1 by a mat, as a reader stores them."""
    row = find_race(context, RACE)
    stage = row.race.stages[0]
    start = stage.start + timedelta(hours=5)
    facts = [
        Fact(
            EventKind.READ,
            "bench-mat",
            "bench",
            start + timedelta(seconds=n),
            tag=f"BENCH{n % 97:04d}",
            stage=stage.number,
            checkpoint=stage.finish.id,
            idempotency_key=f"bench:{round_number}:{n}",
        )
        for n in range(NEW_READS)
    ]
    with context.store.write() as connection:
        append(connection, row.id, RACE, facts, datetime.now(UTC))


def compute_afresh(url: str) -> None:
    opened = bootstrap(url, author="bench")  # a new store: nothing read yet
    try:
        compute(opened, RACE)
    finally:
        opened.store.close()


def main() -> int:
    console = Console()
    with tempfile.TemporaryDirectory(prefix="desert-runners-bench-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        kept = bootstrap(url, author="bench")
        load_race_file(kept, SERIES)
        with console.status(f"simulating and storing {RUNNERS:,} runners of {RACE}"):
            load_simulation(kept, simulate_race(find_race(kept, RACE).race, RUNNERS, SEED))
        compute(kept, RACE)  # the store now holds the log it read
        again, afresh = [], []
        for round_number in range(ROUNDS):
            new_reads(kept, round_number)
            again.append(timed(lambda: compute(kept, RACE)))
            afresh.append(timed(lambda: compute_afresh(url)))
        with kept.store.read() as connection:
            events = count_events(connection)[RACE]
        cache = log_cache(kept.store)
        kept.store.close()
    ours, baseline = min(again), min(afresh)
    table = Table(
        "figure",
        "desert-runners",
        "baseline (store opened afresh)",
        "ratio",
        title=f"Results computed again: {RUNNERS:,} runners, {events:,} events, SQLite",
    )
    add_figure(table, f"seconds: compute after {NEW_READS} new reads", ours, baseline)
    add_figure(
        table,
        "events read from the store by the last computation",
        cache.events_read,
        events,
        figure=",",
        ratio=".4f",
    )
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
