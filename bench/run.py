"""Benchmarks: `make bench`. Each figure is printed beside a baseline measured in the same
run on the same machine, as a ratio, so a slower or faster machine does not mislead.

- durable entries/s: one recorded entry per transaction through the event log (what a
  checkpoint laptop does), against a bare INSERT + COMMIT on the same database engine with
  the same durability settings (the floor any store must pay).
- batch entries/s: a file of entries appended in one transaction, against bare executemany.

PostgreSQL runs too when DR_BENCH_POSTGRES_URL (or DR_TEST_POSTGRES_URL) names a server.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table
from sqlalchemy import create_engine, text

from desert_runners.adapters.storage.event_log import append
from desert_runners.adapters.storage.race_repo import race_id
from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.events import EventKind, Fact
from desert_runners.services.races import load_race_file

ROOT = Path(__file__).parents[1]
SERIES = ROOT / "tests" / "fixtures" / "race" / "series.yaml"
SINGLE = 300
BATCH = 20_000
START = datetime(2010, 3, 8, 11, 0, tzinfo=UTC)


def facts(count: int, source: str) -> list[Fact]:
    return [
        Fact(
            kind=EventKind.READ,
            source=source,
            author="bench",
            bib=100 + n % 500,
            tag=f"{n % 500:08X}",
            stage=2,
            checkpoint="CP1",
            occurred_at=START + timedelta(milliseconds=37 * n),
            idempotency_key=f"{source}:{n}",
        )
        for n in range(count)
    ]


def rate(count: int, work: Callable[[], None]) -> float:
    began = time.perf_counter()
    work()
    return count / (time.perf_counter() - began)


def measure(context: Context, label: str) -> list[tuple[str, str, float, float]]:
    load_race_file(context, SERIES)
    with context.store.read() as connection:
        race = race_id(connection, "dune-run-2010")
    assert race is not None
    engine = context.store.engine
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_baseline (id INTEGER, body TEXT)"))
    now = datetime.now(UTC)

    def single() -> None:
        for fact in track(
            facts(SINGLE, "single"), description=f"{label}: one per commit", transient=True
        ):
            with context.store.write() as connection:
                append(connection, race, "dune-run-2010", [fact], now)

    def single_baseline() -> None:
        for n in range(SINGLE):
            with engine.begin() as connection:
                connection.execute(
                    text("INSERT INTO bench_baseline VALUES (:n, :b)"), {"n": n, "b": "x" * 120}
                )

    batch_facts = facts(BATCH, "batch")

    def batch() -> None:
        with context.store.write() as connection:
            append(connection, race, "dune-run-2010", batch_facts, now)

    def batch_baseline() -> None:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_baseline VALUES (:n, :b)"),
                [{"n": n, "b": "x" * 120} for n in range(BATCH)],
            )

    return [
        (
            label,
            "durable entries/s (one per commit)",
            rate(SINGLE, single),
            rate(SINGLE, single_baseline),
        ),
        (
            label,
            f"batch entries/s ({BATCH:,} in one commit)",
            rate(BATCH, batch),
            rate(BATCH, batch_baseline),
        ),
    ]


def postgres_url() -> str | None:
    return os.environ.get("DR_BENCH_POSTGRES_URL") or os.environ.get("DR_TEST_POSTGRES_URL")


@contextmanager
def postgres_schema(admin_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        separator = "&" if "?" in admin_url else "?"
        yield f"{admin_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> int:
    console = Console()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        context = bootstrap(f"sqlite:///{folder}/bench.db", author="bench")
        rows += measure(context, "SQLite")
        context.store.close()
    admin_url = postgres_url()
    if admin_url:
        with postgres_schema(admin_url) as url:
            context = bootstrap(url)
            rows += measure(context, "PostgreSQL")
            context.store.close()
    else:
        console.print("PostgreSQL skipped: set DR_BENCH_POSTGRES_URL to include it.")
    table = Table(
        "backend",
        "figure",
        "desert-runners",
        "baseline",
        "ratio",
        title="Event log write rates (baseline: bare INSERT, same engine, same run)",
    )
    for backend, figure, ours, base in rows:
        table.add_row(backend, figure, f"{ours:,.0f}", f"{base:,.0f}", f"{ours / base:.2f}")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
