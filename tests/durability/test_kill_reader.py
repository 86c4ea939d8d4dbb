"""A read is acknowledged only once durable: the receiving process is killed (SIGKILL)
again and again while a simulated RaceResult decoder streams fast, and restarted each
time; in the end every read the decoder took is stored exactly once, on each backend.

The decoder runs in this process (a thread with its own event loop); the receiving
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
from desert_runners.simulate.devices.base import SimulatedDevice, sample_reads
from desert_runners.simulate.devices.raceresult import RaceResultDecoder

FIXTURES = Path(__file__).parents[1] / "fixtures" / "race"
READS = 5000
RATE = 200.0  # reads a second: the decoder takes them for 25 s, while it is killed
KILLS = 6
DEVICE = "cp1-box"


class DeviceThread:
    """A simulated device served by an event loop of its own, beside the test."""

    def __init__(self, device: SimulatedDevice) -> None:
        self.device = device
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> int:
        self.thread.start()
        return asyncio.run_coroutine_threadsafe(self.device.start(), self.loop).result(5)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.device.stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def receiver(database_url: str, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "desert_runners",
        "--db",
        database_url,
        "reader",
        "connect",
        "raceresult",
        f"127.0.0.1:{port}",
        "--checkpoint",
        "1/CP1",
        "--device",
        DEVICE,
        "--race",
        "dune-run-2010",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def stored_sequences(database_url: str) -> list[int]:
    context = bootstrap(database_url, migrate=False)
    try:
        row = find_race(context, "dune-run-2010")
        with context.store.read() as connection:
            events = query_events(connection, row.id, row.race.slug, kinds=[EventKind.READ])
        return [int(event.fact.payload["sequence"]) for event in events]
    finally:
        context.store.close()


def wait_until_more_than(database_url: str, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while len(stored_sequences(database_url)) <= count:
        assert time.monotonic() < deadline, f"nothing stored beyond {count} in {timeout} s"
        time.sleep(0.1)


def test_killing_the_receiver_loses_nothing_and_duplicates_nothing(database_url: str) -> None:
    context = bootstrap(database_url, author="timing-crew")
    load_race_file(context, FIXTURES / "series.yaml")
    import_entrants(context, "dune-run-2010", FIXTURES / "entrants.csv")
    context.store.close()
    start = datetime(2010, 3, 7, 9, 0)  # stage 1, Santiago wall clock
    reads = sample_reads(READS, start=start, every=timedelta(milliseconds=40))
    device = DeviceThread(RaceResultDecoder(reads, rate=RATE))
    port = device.start()
    chance = random.Random(20100307)
    stored_at_each_kill = []
    try:
        for _ in range(KILLS):
            before = len(stored_sequences(database_url))
            process = receiver(database_url, port)
            wait_until_more_than(database_url, before)  # it is receiving now
            time.sleep(chance.uniform(0.0, 1.0))
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            stored_at_each_kill.append(len(stored_sequences(database_url)))
        process = receiver(database_url, port)
        time.sleep(2)  # started, so that SIGTERM is its orderly stop
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(stored_sequences(database_url)) < READS:
            time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=15)
        assert process.returncode == 0, errors.decode()
    finally:
        device.stop()
    sequences = stored_sequences(database_url)
    duplicates = [number for number, seen in Counter(sequences).items() if seen > 1]
    # Killed while receiving, before the decoder had taken every read.
    assert stored_at_each_kill[-1] < READS, stored_at_each_kill
    assert duplicates == []
    assert sorted(sequences) == list(range(1, READS + 1))


if sys.platform == "win32":  # pragma: no cover - SIGKILL is POSIX
    pytest.skip("SIGKILL is POSIX", allow_module_level=True)
