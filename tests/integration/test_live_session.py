"""What every live reader shares: the clock offset, the sequencer, a silent link."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, time, timedelta, timezone

from desert_runners.adapters.readers.live import ClockSample, run_reader
from desert_runners.adapters.readers.live.sequencer import Sequencer
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime
from desert_runners.simulate.devices import DEVICES
from desert_runners.simulate.devices.base import HOST
from desert_runners.simulate.harness import FAST
from desert_runners.simulate.memory_sink import MemorySink


def sample(said: DeviceTime, at: datetime) -> ClockSample:
    return ClockSample("box", said, at - timedelta(milliseconds=2), at + timedelta(milliseconds=2))


def test_a_time_of_day_is_compared_with_the_nearest_day() -> None:
    at = datetime(2024, 3, 15, 23, 59, 59, tzinfo=UTC)
    ahead = sample(DeviceTime(time_of_day=time(0, 0, 2)), at)
    behind = sample(DeviceTime(time_of_day=time(23, 59, 57)), at)
    assert ahead.offset(UTC) == timedelta(seconds=3)
    assert behind.offset(UTC) == timedelta(seconds=-2)


def test_a_wall_clock_is_compared_in_its_zone_and_utc_as_utc() -> None:
    at = datetime(2024, 3, 15, 10, 0, 0, tzinfo=UTC)
    plus_two = timezone(timedelta(hours=2))
    local = sample(DeviceTime(local=datetime(2024, 3, 15, 12, 0, 1)), at)
    hinted = sample(DeviceTime(time_of_day=time(12, 0, 1), date_hint=date(2024, 3, 15)), at)
    utc = sample(DeviceTime(utc=at - timedelta(seconds=1)), at)
    assert local.offset(plus_two) == hinted.offset(plus_two) == timedelta(seconds=1)
    assert utc.offset(plus_two) == timedelta(seconds=-1)


def read(number: int) -> DeviceRead:
    return DeviceRead(
        "raceresult", "1", DeviceTime(time_of_day=time(1)), str(number), sequence=number
    )


def test_the_sequencer_hands_on_runs_once_and_holds_past_a_gap() -> None:
    sequencer = Sequencer(3)
    assert not sequencer.offer(read(3))  # stored already
    assert sequencer.offer(read(6))
    assert sequencer.offer(read(4))
    assert not sequencer.offer(read(6))
    assert [r.sequence for r in sequencer.ready()] == [4]
    assert sequencer.missing() == range(5, 6)
    assert sequencer.skip_gap() == range(5, 6)
    assert [r.sequence for r in sequencer.ready()] == [6]
    sequencer.restart(1)
    assert sequencer.offer(read(1))
    assert [r.sequence for r in sequencer.ready()] == [1]


def test_a_silent_device_is_dropped_and_dialled_again() -> None:
    async def scenario() -> int:
        accepted = 0

        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal accepted
            accepted += 1
            await reader.read()  # says nothing, waits for the client to give up

        server = await asyncio.start_server(silent, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        stop = asyncio.Event()
        timing = dataclasses.replace(FAST, idle=0.15, answer=0.05)
        task = asyncio.ensure_future(
            run_reader(
                "raceresult", HOST, port, MemorySink(), device="box", stop=stop, timing=timing
            )
        )
        await asyncio.sleep(0.8)
        stop.set()
        await task
        server.close()
        return accepted

    assert asyncio.run(scenario()) >= 2


def test_every_kind_has_a_simulated_device() -> None:
    from desert_runners.adapters.readers.live import KINDS

    assert set(DEVICES) == set(KINDS)
