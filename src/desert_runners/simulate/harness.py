"""A live reader against a simulated device on loopback, until a number of reads.

``capture_from`` starts the device (a listening one first, so the reader can dial it;
for a device that dials, the reader listens on a free port first), runs ``run_reader``
until the sink holds ``count`` reads (or ``timeout`` passes), then stops the reader.
The device keeps running: stop it, or capture from it again (a restarted reader).
"""

from __future__ import annotations

import asyncio
import socket

from desert_runners.adapters.readers.live import KINDS, ReadSink, Timing, run_reader
from desert_runners.adapters.readers.live.clock import ClockListener
from desert_runners.simulate.devices.base import HOST, SimulatedDevice
from desert_runners.simulate.memory_sink import MemorySink

FAST = Timing(
    connect=1.0,
    answer=1.0,
    idle=2.0,
    keepalive=0.2,
    backoff_first=0.01,
    backoff_cap=0.1,
    gap=0.1,
    gap_tries=3,
)


def free_port() -> int:
    """A port nobody listens on now (for a reader that listens)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


async def capture_from(
    kind: str,
    device: SimulatedDevice,
    sink: MemorySink,
    *,
    count: int,
    timeout: float = 30.0,  # generous: a loaded CI machine is slow, a hang still ends
    timing: Timing = FAST,
    name: str = "sim",
    on_clock: ClockListener | None = None,
    location: str | None = None,
) -> None:
    """Run the reader until ``sink`` holds ``count`` reads; the device stays up."""
    stop = asyncio.Event()
    if KINDS[kind].connects == "we":
        port = device.port if device.started else await device.start()
    else:
        port = device.port if device.started else free_port()
    reader_sink: ReadSink = sink
    task = asyncio.ensure_future(
        run_reader(
            kind,
            HOST,
            port,
            reader_sink,
            device=name,
            stop=stop,
            on_clock=on_clock,
            timing=timing,
            location=location,
        )
    )
    if not device.started:  # a device that dials: it retries until the reader listens
        await device.start(HOST, port)
    try:
        await sink.wait_for(count, timeout)
    finally:
        stop.set()
        await task
