"""Impinj (LLRP via pyllrp) live over loopback: ROSpec kept, reports held while away."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import bitstring
import pyllrp.pyllrp as llrp  # type: ignore[import-untyped]

from desert_runners.adapters.readers.live import ClockSample, impinj
from desert_runners.simulate.devices.base import DeviceClock, sample_reads
from desert_runners.simulate.devices.impinj import LlrpReader
from desert_runners.simulate.harness import capture_from
from desert_runners.simulate.memory_sink import MemorySink

TAGS = [f"20200201FC{n:014X}" for n in range(80)]
READS = sample_reads(
    80, start=datetime(2020, 2, 1, 14, 11, 29, 139_089), every=timedelta(seconds=1), tags=TAGS
)


def test_a_report_is_the_read_the_reader_took() -> None:
    data = impinj.pack(LlrpReader(READS).report(3))
    message = llrp.UnpackMessage(bitstring.ConstBitStream(bytes=data))
    [read] = [impinj.tag_read(item) for item in message.getTagData()]
    assert (read.tag, read.antenna, read.rssi) == (TAGS[2], 3, -60.0)
    assert read.time.utc == READS[2].time.replace(tzinfo=UTC)
    assert read.raw.startswith(f"EPC={TAGS[2]};AntennaID=3;FirstSeenTimestampUTC=")


def test_handshake_the_full_stream_and_the_clock() -> None:
    samples: list[ClockSample] = []

    async def scenario() -> tuple[MemorySink, LlrpReader]:
        sink = MemorySink()
        clock = DeviceClock(offset=timedelta(seconds=-0.75))
        async with LlrpReader(READS, clock=clock) as reader:
            await capture_from("impinj", reader, sink, count=80, on_clock=samples.append)
            return sink, reader

    sink, reader = asyncio.run(scenario())
    assert sink.tags == TAGS
    assert list(reader.rospecs) == [impinj.ROSPEC_ID]
    [sample] = samples
    error = sample.offset(UTC) + timedelta(seconds=0.75)
    assert abs(error) <= sample.uncertainty + timedelta(milliseconds=20)


def test_drops_lose_nothing_the_reader_held_the_reports() -> None:
    async def scenario() -> tuple[MemorySink, LlrpReader]:
        sink = MemorySink()
        async with LlrpReader(READS, rate=500, drops=(5, 30, 31, 66)) as reader:
            await capture_from("impinj", reader, sink, count=80)
            return sink, reader

    sink, reader = asyncio.run(scenario())
    assert sink.tags == TAGS
    assert reader.connections == 5


def test_a_restarted_reader_keeps_the_rospec_and_gets_the_held_reports() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with LlrpReader(READS, rate=500) as reader:
            reader.hold_after = 20
            await capture_from("impinj", reader, sink, count=20)
            reader.hold_after = None
            await asyncio.sleep(0.03)  # read while no client is connected: held
            await capture_from("impinj", reader, sink, count=80)
        return sink

    assert asyncio.run(scenario()).tags == TAGS
