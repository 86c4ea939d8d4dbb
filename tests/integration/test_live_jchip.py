"""JChip live over loopback: the reader dials us; no resume in the protocol."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from desert_runners.adapters.readers import jchip
from desert_runners.adapters.readers.live import ClockSample
from desert_runners.adapters.readers.model import DeviceRead
from desert_runners.simulate.devices.base import DeviceClock, sample_reads
from desert_runners.simulate.devices.jchip import JChipReader
from desert_runners.simulate.harness import capture_from
from desert_runners.simulate.memory_sink import MemorySink

READS = sample_reads(100, start=datetime(2024, 1, 15, 10, 11, 16), every=timedelta(seconds=3))


def test_the_simulated_lines_are_what_the_parser_reads() -> None:
    read = jchip.parse_line(JChipReader(READS).line(32))
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.sequence) == ("1031", 31)
    assert read.time.time_of_day == READS[31].time.time()
    assert read.time.date_hint == READS[31].time.date()


def test_handshake_names_the_reader_stream_in_order_and_the_clock() -> None:
    samples: list[ClockSample] = []

    async def scenario() -> MemorySink:
        sink = MemorySink()
        clock = DeviceClock(offset=timedelta(seconds=-1.25))
        async with JChipReader(READS, clock=clock, name="CP5") as reader:
            await capture_from("jchip", reader, sink, count=100, on_clock=samples.append)
        return sink

    sink = asyncio.run(scenario())
    assert sink.tags == [read.tag for read in READS]
    assert [read.sequence for read in sink.reads] == list(range(100))
    assert {read.device for read in sink.reads} == {"CP5"}
    [sample] = samples
    error = sample.offset(UTC) - timedelta(seconds=-1.25)
    assert abs(error) <= sample.uncertainty + timedelta(milliseconds=20)


def test_drops_and_a_relay_sending_a_line_again_store_each_read_once() -> None:
    async def scenario() -> tuple[MemorySink, int]:
        sink = MemorySink()
        drops = (10, 11, 60, 99)
        async with JChipReader(READS, rate=800, drops=drops, resend_last=True) as reader:
            await capture_from("jchip", reader, sink, count=100)
            await asyncio.sleep(0.05)  # the line sent again after the last drop comes
            return sink, reader.connections

    sink, connections = asyncio.run(scenario())
    assert sink.tags == [read.tag for read in READS]
    assert connections == 5


def test_a_relay_that_restarts_its_index_loses_no_read() -> None:
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with JChipReader(READS, rate=800) as reader:
            reader.hold_after = 40  # nothing in flight when the relay goes down
            await capture_from("jchip", reader, sink, count=40)
            reader.restart_relay()
            reader.drop()
            reader.hold_after = None
            await capture_from("jchip", reader, sink, count=100)
        return sink

    sink = asyncio.run(scenario())
    assert sink.tags == [read.tag for read in READS]


def test_a_restarted_reader_gets_what_the_relay_queued() -> None:
    # Stopped in a quiet spell: JChip cannot ask for lines lost in flight (a stop while
    # lines flow loses those the relay wrote into the dead connection: an index gap).
    async def scenario() -> MemorySink:
        sink = MemorySink()
        async with JChipReader(READS, rate=800) as reader:
            reader.hold_after = 30
            await capture_from("jchip", reader, sink, count=30)
            reader.hold_after = None
            await asyncio.sleep(0.03)  # reads taken while nobody listens wait in the queue
            await capture_from("jchip", reader, sink, count=100)
        return sink

    sink = asyncio.run(scenario())
    assert sink.tags == [read.tag for read in READS]
