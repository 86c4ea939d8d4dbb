"""ChronoTrack CTP01 live over loopback: the reader dials us; resume by line number."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from desert_runners.adapters.readers import chronotrack
from desert_runners.adapters.readers.model import DeviceRead
from desert_runners.simulate.devices.base import SimRead, sample_reads
from desert_runners.simulate.devices.chronotrack import ChronoTrackReader
from desert_runners.simulate.harness import capture_from
from desert_runners.simulate.memory_sink import MemorySink

START = datetime(2024, 3, 15, 7, 45, 1, 10_000)
READS = [SimRead("guntime", START), *sample_reads(99, start=START, every=timedelta(seconds=1))]


def numbers(sink: MemorySink) -> list[int | None]:
    return [read.sequence for read in sink.reads]


def test_the_simulated_lines_are_what_the_parser_reads() -> None:
    reader = ChronoTrackReader(READS)
    gun, chip = chronotrack.parse_line(reader.line(1)), chronotrack.parse_line(reader.line(3))
    assert isinstance(gun, DeviceRead)
    assert isinstance(chip, DeviceRead)
    assert (gun.tag, gun.antenna, gun.location) == ("guntime", 0, "finish")
    assert (chip.sequence, chip.tag, chip.device) == (3, "1001", "0F2A38")
    assert chip.time.time_of_day == READS[2].time.time()


def test_handshake_and_the_full_stream_in_order() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with ChronoTrackReader(READS) as reader:
            await capture_from("chronotrack", reader, sink, count=100)
            assert reader.connections == 1
        return sink

    sink = asyncio.run(scenario())
    assert numbers(sink) == list(range(1, 101))
    assert sink.tags == [read.tag for read in READS]


def test_drops_mid_stream_lose_nothing_and_repeat_nothing() -> None:
    async def scenario() -> tuple[MemorySink, int]:
        sink = MemorySink()
        async with ChronoTrackReader(READS, rate=800, drops=(5, 6, 50, 77)) as reader:
            await capture_from("chronotrack", reader, sink, count=100)
            return sink, reader.connections

    sink, connections = asyncio.run(scenario())
    assert numbers(sink) == list(range(1, 101))
    assert connections == 5


def test_a_reader_that_sends_its_whole_file_again_adds_no_duplicate() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with ChronoTrackReader(READS, rate=800, drops=(30, 60), honours_from=False) as r:
            await capture_from("chronotrack", r, sink, count=100)
            await asyncio.sleep(0.05)  # whatever came after the 100th would be a repeat
        return sink

    sink = asyncio.run(scenario())
    assert numbers(sink) == list(range(1, 101))


def test_a_restarted_reader_resumes_from_the_sink() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with ChronoTrackReader(READS, rate=800) as reader:
            await capture_from("chronotrack", reader, sink, count=30)
            await capture_from("chronotrack", reader, sink, count=100)
        return sink

    sink = asyncio.run(scenario())
    assert numbers(sink) == list(range(1, 101))
