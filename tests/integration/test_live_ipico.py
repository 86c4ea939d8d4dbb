"""iPico live over loopback: no sequence, no rewind; a replayed line is stored once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from desert_runners.adapters.readers import ipico
from desert_runners.adapters.readers.model import DeviceRead
from desert_runners.simulate.devices.base import SimRead, sample_reads
from desert_runners.simulate.devices.ipico import IpicoReader
from desert_runners.simulate.harness import capture_from
from desert_runners.simulate.memory_sink import MemorySink

TAGS = [f"0580001{n:05x}" for n in range(100)]
READS = sample_reads(
    100, start=datetime(2026, 3, 7, 13, 48, 50), every=timedelta(milliseconds=730), tags=TAGS
)


async def release_on_connection(reader: IpicoReader, connections: int) -> None:
    """Let the reader take reads once the client is connected (it streams live only)."""
    while reader.connections < connections:
        await asyncio.sleep(0.002)
    reader.hold_after = None


def test_the_simulated_line_is_the_documented_sample() -> None:
    reader = IpicoReader([SimRead("058000123b32", datetime(2026, 3, 7, 13, 48, 50, 500_000))])
    assert reader.line(1) == "aa00058000123b3200012603071348503277"
    read = ipico.parse_line(IpicoReader(READS).line(42))
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time.local) == (
        TAGS[41].upper(),
        READS[41].time.replace(microsecond=READS[41].time.microsecond // 10_000 * 10_000),
    )


def test_the_full_stream_in_order() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with IpicoReader(READS, rate=1000) as reader:
            reader.hold_after = 0
            release = asyncio.ensure_future(release_on_connection(reader, 1))
            await capture_from("ipico", reader, sink, count=100)
            await release
        return sink

    assert asyncio.run(scenario()).tags == [tag.upper() for tag in TAGS]


def test_drops_with_a_reader_that_replays_its_buffer_lose_nothing_repeat_nothing() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with IpicoReader(READS, rate=500, drops=(10, 40, 41, 75), replay=30) as reader:
            await capture_from("ipico", reader, sink, count=100)
            await asyncio.sleep(0.05)  # a late repeat would come now
        return sink

    assert asyncio.run(scenario()).tags == [tag.upper() for tag in TAGS]


def test_drops_without_a_replay_lose_what_was_read_meanwhile_and_repeat_nothing() -> None:
    sink = MemorySink()

    async def scenario() -> None:
        async with IpicoReader(READS, rate=500, drops=(10, 40, 75)) as reader:
            # the reader stops on the last read: wait past it, then stop the client
            with contextlib.suppress(TimeoutError):
                await capture_from("ipico", reader, sink, count=100, timeout=2.0)

    asyncio.run(scenario())
    wanted = [tag.upper() for tag in TAGS]
    positions = [wanted.index(tag) for tag in sink.tags]
    assert positions == sorted(set(positions))  # in order, none twice
    assert 0 < len(positions) < 100  # the reads taken during the drops are gone


def test_a_restarted_client_stores_a_replayed_line_again() -> None:
    # Documented: the dedupe is per process; the capture service's key removes these.
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with IpicoReader(READS, rate=500, replay=5) as reader:
            reader.hold_after = 30
            await capture_from("ipico", reader, sink, count=30)
            release = asyncio.ensure_future(release_on_connection(reader, 2))
            await capture_from("ipico", reader, sink, count=105)
            await release
        return sink

    sink = asyncio.run(scenario())
    wanted = [tag.upper() for tag in TAGS]
    assert sink.tags == wanted[:30] + wanted[25:]
