"""A read is acknowledged only once durable: the receiving process is killed (SIGKILL)
again and again while a simulated device streams fast, and restarted each time; in the
end every read the device took is stored exactly once, on each backend. Two protocols
that resume differently: RaceResult (we ask for passings from the last stored one) and
MyLaps (the reader sends again what we did not acknowledge; we acknowledge after the
store, so every message the reader saw acknowledged must be stored).

The device runs in this process (a thread with its own event loop); the receiving
process is the real command, ``desert-runners reader connect``, as a crew runs it.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desert_runners.adapters.storage.event_log import query_events
from desert_runners.bootstrap import bootstrap
from desert_runners.domain.events import EventKind
from desert_runners.services.entrants import import_entrants
from desert_runners.services.races import find_race, load_race_file
from desert_runners.simulate.devices import DEVICES
from desert_runners.simulate.devices.base import HOST, SimulatedDevice, sample_reads
from desert_runners.simulate.harness import free_port

FIXTURES = Path(__file__).parents[1] / "fixtures" / "race"
READS = 5000
RATE = 200.0  # reads a second: the device takes them for 25 s, while it is killed
KILLS = 6
MIN_KILLS = 4  # a slow machine takes longer to restart: fewer kills fit in the stream
DEVICE = "cp1-box"


class DeviceThread:
    """A simulated device served by an event loop of its own, beside the test."""

    def __init__(self, device: SimulatedDevice) -> None:
        self.device = device
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self, port: int = 0) -> int:
        """A device that listens: on any free port; one that dials: to ``port``."""
        self.thread.start()
        starting = self.device.start(HOST, port)
        return asyncio.run_coroutine_threadsafe(starting, self.loop).result(5)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.device.stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def receiver(database_url: str, kind: str, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "desert_runners",
        "--db",
        database_url,
        "reader",
        "connect",
        kind,
        f"{HOST}:{port}",
        "--checkpoint",
        "1/CP1",
        "--device",
        DEVICE,
        "--race",
        "dune-run-2010",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def stored_reads(database_url: str) -> list[str]:
    """Each stored read's time as the device sent it: one per read of the device."""
    context = bootstrap(database_url, migrate=False)
    try:
        row = find_race(context, "dune-run-2010")
        with context.store.read() as connection:
            events = query_events(connection, row.id, row.race.slug, kinds=[EventKind.READ])
        return [str(event.fact.device_time) for event in events]
    finally:
        context.store.close()


def wait_until_more_than(database_url: str, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while len(stored_reads(database_url)) <= count:
        assert time.monotonic() < deadline, f"nothing stored beyond {count} in {timeout} s"
        time.sleep(0.1)


@pytest.mark.parametrize("kind", ["raceresult", "mylaps"])
def test_killing_the_receiver_loses_nothing_and_duplicates_nothing(
    database_url: str, kind: str
) -> None:
    context = bootstrap(database_url, author="timing-crew")
    load_race_file(context, FIXTURES / "series.yaml")
    import_entrants(context, "dune-run-2010", FIXTURES / "entrants.csv")
    context.store.close()
    start = datetime(2010, 3, 7, 9, 0)  # stage 1, Santiago wall clock
    reads = sample_reads(READS, start=start, every=timedelta(milliseconds=40))
    device = DEVICES[kind](reads, rate=RATE)
    dials = device.ROLE == "client"  # MyLaps: the reader dials the timing software
    port = free_port() if dials else 0
    thread = DeviceThread(device)
    chance = random.Random(20100307)
    stored_at_each_kill = []
    process: subprocess.Popen[bytes] | None = None
    try:
        if not dials:
            port = thread.start()
        # Kill while the stream is on: up to KILLS times, while most reads are to come.
        while len(stored_at_each_kill) < KILLS and len(stored_reads(database_url)) < READS * 0.8:
            before = len(stored_reads(database_url))
            process = receiver(database_url, kind, port)
            if dials and not stored_at_each_kill:
                thread.start(port)  # it dials again by itself after each drop
            wait_until_more_than(database_url, before)  # it is receiving now
            time.sleep(chance.uniform(0.0, 1.0))
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            stored_at_each_kill.append(len(stored_reads(database_url)))
        process = receiver(database_url, kind, port)
        time.sleep(2)  # started, so that SIGTERM is its orderly stop
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(stored_reads(database_url)) < READS:
            time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=15)
        assert process.returncode == 0, errors.decode()
    finally:
        if process is not None and process.poll() is None:  # a failed test leaves no orphan
            process.kill()
            process.wait(10)
        thread.stop()
    stored = stored_reads(database_url)
    duplicates = [read for read, seen in Counter(stored).items() if seen > 1]
    # Killed again and again while receiving, before the device had taken every read.
    assert len(stored_at_each_kill) >= MIN_KILLS, stored_at_each_kill
    assert stored_at_each_kill[-1] < READS, stored_at_each_kill
    assert duplicates == []
    assert len(stored) == READS


if sys.platform == "win32":  # pragma: no cover - SIGKILL is POSIX
    pytest.skip("SIGKILL is POSIX", allow_module_level=True)
