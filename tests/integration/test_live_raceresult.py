"""RaceResult live over loopback: handshake, polling and push, drops, restart, clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from desert_runners.adapters.readers import raceresult
from desert_runners.adapters.readers.live import ClockSample
from desert_runners.adapters.readers.model import DeviceRead
from desert_runners.simulate.devices.base import DeviceClock, sample_reads
from desert_runners.simulate.devices.raceresult import RaceResultDecoder
from desert_runners.simulate.harness import capture_from
from desert_runners.simulate.memory_sink import MemorySink

START = datetime(2024, 3, 15, 23, 59, 58)
READS = sample_reads(120, start=START, every=timedelta(milliseconds=37))


def numbers(sink: MemorySink) -> list[int | None]:
    return [read.sequence for read in sink.reads]


def test_the_simulated_lines_are_what_the_parser_reads() -> None:
    decoder = RaceResultDecoder(READS, dated=True)
    read = raceresult.parse_line(decoder.passing(2))
    assert isinstance(read, DeviceRead)
    assert (read.sequence, read.tag, read.antenna, read.device) == (2, "1001", 2, "SIM1")
    assert read.time.local == READS[1].time.replace(microsecond=READS[1].time.microsecond)
    old = raceresult.parse_line(RaceResultDecoder(READS).passing(1, "1.0"))
    assert isinstance(old, DeviceRead)
    assert old.time.time_of_day == START.time()


def test_handshake_stream_in_order_and_the_clock() -> None:
    samples: list[ClockSample] = []

    async def scenario() -> MemorySink:
        clock = DeviceClock(offset=timedelta(seconds=2.5))
        sink = MemorySink()
        async with RaceResultDecoder(READS, clock=clock) as decoder:
            await capture_from("raceresult", decoder, sink, count=120, on_clock=samples.append)
            assert decoder.connections == 1
        return sink

    sink = asyncio.run(scenario())
    assert numbers(sink) == list(range(1, 121))
    assert sink.tags == [read.tag for read in READS]
    assert len(samples) == 1
    offset = samples[0].offset(UTC)
    assert (
        abs(offset - timedelta(seconds=2.5)) < timedelta(milliseconds=50) + samples[0].uncertainty
    )


def test_drops_mid_stream_lose_nothing_and_repeat_nothing() -> None:
    async def scenario() -> tuple[MemorySink, int]:
        sink = MemorySink()
        drops = (7, 30, 31, 64, 99)
        async with RaceResultDecoder(READS, rate=600, drops=drops) as decoder:
            await capture_from("raceresult", decoder, sink, count=120)
            return sink, decoder.connections

    sink, connections = asyncio.run(scenario())
    assert numbers(sink) == list(range(1, 121))
    assert connections == 6


def test_a_restarted_reader_resumes_from_the_sink() -> None:
    async def scenario() -> tuple[MemorySink, int]:
        sink = MemorySink()
        async with RaceResultDecoder(READS, rate=600) as decoder:
            await capture_from("raceresult", decoder, sink, count=40)
            stored_before = len(sink.reads)
            await asyncio.sleep(0.05)  # the decoder goes on while no reader runs
            await capture_from("raceresult", decoder, sink, count=120)
            return sink, stored_before

    sink, before = asyncio.run(scenario())
    assert before >= 40
    assert numbers(sink) == list(range(1, 121))


def test_a_store_that_fails_is_retried_from_what_is_durable() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        sink.fail_next = 2
        async with RaceResultDecoder(READS, rate=1000) as decoder:
            await capture_from("raceresult", decoder, sink, count=120)
        return sink

    sink = asyncio.run(scenario())
    assert numbers(sink) == list(range(1, 121))
