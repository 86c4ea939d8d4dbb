"""MyLaps Exchange live over loopback: the reader dials us; acks after the store."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from desert_runners.adapters.readers import mylaps
from desert_runners.adapters.readers.model import DeviceRead
from desert_runners.simulate.devices.base import sample_reads
from desert_runners.simulate.devices.mylaps import MyLapsReader
from desert_runners.simulate.harness import capture_from
from desert_runners.simulate.memory_sink import MemorySink

READS = sample_reads(
    100, start=datetime(2012, 6, 6, 13, 11, 30, 904_000), every=timedelta(seconds=5)
)
TAGS = [read.tag for read in READS]


def test_the_simulated_message_is_what_the_parser_reads() -> None:
    reader = MyLapsReader(READS)
    text = reader.message(1016, range(1, 3))
    reads = mylaps.parse_message(text)
    assert all(isinstance(read, DeviceRead) for read in reads)
    assert [read.tag for read in reads if isinstance(read, DeviceRead)] == TAGS[:2]
    first = reads[0]
    assert isinstance(first, DeviceRead)
    assert (first.time.local, first.bib, first.location) == (READS[0].time, 1000, "Finish")
    assert mylaps.ack_for(text) == "DesertRunners@AckPassing@1016@$"


def test_handshake_the_full_stream_in_order_every_message_acknowledged() -> None:
    async def scenario() -> tuple[MemorySink, MyLapsReader]:
        sink = MemorySink()
        async with MyLapsReader(READS, per_message=4) as reader:
            await capture_from("mylaps", reader, sink, count=100)
            await asyncio.sleep(0.05)  # the last acks arrive
            return sink, reader

    sink, reader = asyncio.run(scenario())
    assert sink.tags == TAGS
    assert reader.outbox == {}
    assert reader.acked == list(range(1000, 1025))


def test_drops_lose_nothing_and_a_message_sent_again_is_stored_once() -> None:
    async def scenario() -> tuple[MemorySink, MyLapsReader]:
        sink = MemorySink()
        async with MyLapsReader(READS, rate=700, drops=(4, 5, 33, 70, 99)) as reader:
            await capture_from("mylaps", reader, sink, count=100)
            await asyncio.sleep(0.05)  # messages sent again after the last drop come now
            return sink, reader

    sink, reader = asyncio.run(scenario())
    assert sink.tags == TAGS
    assert reader.connections >= 4


def test_a_restarted_reader_acknowledges_what_it_had_stored() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with MyLapsReader(READS, rate=700, window=8) as reader:
            await capture_from("mylaps", reader, sink, count=40)
            await capture_from("mylaps", reader, sink, count=100)
            await asyncio.sleep(0.05)
        return sink

    sink = asyncio.run(scenario())
    assert sink.tags == TAGS
