"""RFID Ultra live over loopback: rewind by LogID on reconnect and on gaps; clock."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from desert_runners.adapters.readers import ultra
from desert_runners.adapters.readers.live import ClockSample
from desert_runners.adapters.readers.model import DeviceRead
from desert_runners.simulate.devices.base import DeviceClock, sample_reads
from desert_runners.simulate.devices.ultra import UltraBox
from desert_runners.simulate.harness import capture_from
from desert_runners.simulate.memory_sink import MemorySink

READS = sample_reads(100, start=datetime(2024, 3, 15, 9, 0, 0, 250_000), every=timedelta(seconds=2))
LOG_IDS = list(range(29_000, 29_100))


def log_ids(sink: MemorySink) -> list[int | None]:
    return [read.sequence for read in sink.reads]


def test_the_simulated_lines_are_what_the_parser_reads() -> None:
    box = UltraBox(READS)
    read = ultra.parse_line(box.line(6, rewind=True))
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.sequence, read.antenna) == ("1005", 29_005, 2)
    assert read.time.local == READS[5].time
    assert ultra.is_rewind(read)
    assert ultra.skip_line("1,Connected,SIM1")


def test_handshake_stream_in_order_and_the_clock_in_its_zone() -> None:
    samples: list[ClockSample] = []
    zone = timezone(timedelta(hours=1))  # the box runs on local time

    async def scenario() -> MemorySink:
        sink = MemorySink()
        clock = DeviceClock(offset=timedelta(seconds=4), zone=zone)
        async with UltraBox(READS, rate=1000, clock=clock) as box:
            await capture_from("ultra", box, sink, count=100, on_clock=samples.append)
        return sink

    sink = asyncio.run(scenario())
    assert log_ids(sink) == LOG_IDS
    assert sink.tags == [read.tag for read in READS]
    [sample] = samples
    assert abs(sample.offset(zone) - timedelta(seconds=4)) <= sample.uncertainty


def test_drops_are_rewound_nothing_lost_nothing_twice() -> None:
    async def scenario() -> tuple[MemorySink, UltraBox]:
        sink = MemorySink()
        async with UltraBox(READS, rate=700, drops=(3, 20, 21, 55, 90)) as box:
            await capture_from("ultra", box, sink, count=100)
            await asyncio.sleep(0.05)  # any repeat would come now
            return sink, box

    sink, box = asyncio.run(scenario())
    assert log_ids(sink) == LOG_IDS
    assert box.connections >= 4  # a drop after a read that came rewound never happens
    assert box.rewinds  # what was taken during the drops came by rewind


def test_a_restarted_reader_rewinds_from_the_sink() -> None:
    async def scenario() -> tuple[MemorySink, UltraBox]:
        sink = MemorySink()
        async with UltraBox(READS, rate=700) as box:
            await capture_from("ultra", box, sink, count=25)
            await asyncio.sleep(0.03)  # reads taken while no reader runs
            await capture_from("ultra", box, sink, count=100)
            return sink, box

    sink, box = asyncio.run(scenario())
    assert log_ids(sink) == LOG_IDS
    # the first reader asked the whole log, the restarted one from past what was stored
    assert box.rewinds[0][0] == 0
    assert any(first > 29_000 for first, _ in box.rewinds)
