"""Capture benchmarks (`make bench`): durable reads per second from a device file and
from a live device, each beside a baseline measured in the same run (a ratio).

- file import: an Impinj reader log of FILE_READS lines through `import --checkpoint`'s
  service (read, parse, resolve times, store once), against a bare executemany INSERT of
  as many rows on the same database (the floor any store pays);
- live stream: a simulated RaceResult decoder on loopback that has LIVE_READS passings
  waiting, read by the live client into the event log (each batch durable before the
  next is asked for), against the same client into memory (the protocol alone).

PostgreSQL runs too when DR_BENCH_POSTGRES_URL (or DR_TEST_POSTGRES_URL) names a server.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from run import SERIES, postgres_schema, postgres_url  # type: ignore[import-not-found]
from sqlalchemy import text

from desert_runners.adapters.readers.live import run_reader
from desert_runners.adapters.readers.model import DeviceRead
from desert_runners.bootstrap import Context, bootstrap
from desert_runners.services.capture import StoreSink
from desert_runners.services.device_files import import_device_file
from desert_runners.services.races import load_race_file
from desert_runners.simulate.devices.base import sample_reads
from desert_runners.simulate.devices.raceresult import RaceResultDecoder
from desert_runners.simulate.harness import FAST
from desert_runners.simulate.memory_sink import MemorySink

FILE_READS = 20_000
LIVE_READS = 5_000
DAY = datetime(2010, 3, 8, 10, 0)  # stage 2 of the test race, Santiago wall clock


def impinj_log(path: Path, count: int) -> None:
    lines = ["Tag ID, Discover Time"]
    for n in range(count):
        moment = DAY + timedelta(milliseconds=53 * n)
        lines.append(f"{2010030800000000 + n % 700:016X},{moment:%Y-%m-%d %H:%M:%S.%f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def seconds(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


class CountingSink:
    """The event log sink, telling when it holds ``target`` reads."""

    def __init__(self, sink: StoreSink | MemorySink, target: int, done: asyncio.Event) -> None:
        self.sink, self.target, self.done, self.count = sink, target, done, 0

    def store(self, reads: Sequence[DeviceRead]) -> None:
        self.sink.store(reads)
        self.count += len(reads)
        if self.count >= self.target:
            self.done.set()

    def resume_position(self, device: str) -> int | None:
        return self.sink.resume_position(device)


async def stream(sink_of: Callable[[], StoreSink | MemorySink], count: int) -> float:
    decoder = RaceResultDecoder(sample_reads(count, start=DAY, every=timedelta(milliseconds=40)))
    port = await decoder.start()
    done = asyncio.Event()
    sink = CountingSink(sink_of(), count, done)
    began = time.perf_counter()
    task = asyncio.ensure_future(
        run_reader("raceresult", "127.0.0.1", port, sink, device="bench", stop=done, timing=FAST)
    )
    await done.wait()
    elapsed = time.perf_counter() - began
    await task
    await decoder.stop()
    return elapsed


def measure(context: Context, label: str, folder: Path) -> list[tuple[str, str, float, float]]:
    load_race_file(context, SERIES)
    log = folder / f"{label}-impinj.log"
    impinj_log(log, FILE_READS)
    ours = seconds(lambda: import_device_file(context, log, "2/CP1", race_slug="dune-run-2010"))
    engine = context.store.engine
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_capture (id INTEGER, body TEXT)"))

    def baseline() -> None:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_capture VALUES (:n, :b)"),
                [{"n": n, "b": "x" * 120} for n in range(FILE_READS)],
            )

    base = seconds(baseline)
    live = asyncio.run(
        stream(lambda: StoreSink(context, "dune-run-2010", "2/CP1", "bench"), LIVE_READS)
    )
    memory = asyncio.run(stream(MemorySink, LIVE_READS))
    return [
        (
            label,
            f"file import, reads/s ({FILE_READS:,} lines)",
            FILE_READS / ours,
            FILE_READS / base,
        ),
        (
            label,
            f"live stream, durable reads/s ({LIVE_READS:,})",
            LIVE_READS / live,
            LIVE_READS / memory,
        ),
    ]


def main() -> int:
    console = Console()
    rows = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        context = bootstrap(f"sqlite:///{folder}/capture.db", author="bench")
        rows += measure(context, "SQLite", folder)
        context.store.close()
        admin_url = postgres_url()
        if admin_url:
            with postgres_schema(admin_url) as url:
                context = bootstrap(url, author="bench")
                rows += measure(context, "PostgreSQL", folder)
                context.store.close()
        else:
            console.print("PostgreSQL skipped: set DR_BENCH_POSTGRES_URL to include it.")
    table = Table(
        "backend",
        "figure",
        "desert-runners",
        "baseline",
        "ratio",
        title="Capture rates (baselines: bare INSERT for files, the client into memory "
        "for live; same run)",
    )
    for backend, figure, ours, base in rows:
        table.add_row(backend, figure, f"{ours:,.0f}", f"{base:,.0f}", f"{ours / base:.2f}")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
