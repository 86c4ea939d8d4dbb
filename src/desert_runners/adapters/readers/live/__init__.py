"""Live timing devices over TCP: capture that never loses a read.

The whole API::

    await run_reader(kind, host, port, sink, device="cp5-finish", stop=stop_event)

runs until ``stop`` is set: it opens the connection (or, for a device that connects to
us, listens on ``host:port``), does the protocol's handshake, measures the device's
clock where the protocol can ask it, hands every parsed ``DeviceRead`` (keeping the
device's own sequence number) to ``sink.store``, acknowledges to the device only after
``store`` returned, and reconnects with backoff when the desert drops the link, resuming
from ``sink.resume_position(device)``: from what is durable, never from memory.

``KINDS`` maps each kind to what it does (``Kind``): who connects, its usual port, how
it resumes and whether its clock can be asked. In short:

=============  ========  ==========================================  ==================
kind           connects  resume after a drop or a restart             clock offset
=============  ========  ==========================================  ==================
raceresult     we        poll ``<from>:<count>`` after the highest    ``GETTIME``
                         durable passing number; pushes in between
chronotrack    device    ``start~<location>~<from>`` (seq); repeats   none: configure it
                         at or below the resume position dropped
jchip          device    none in the protocol: the relay sends what   ``GT`` at connect
                         it queued; index gaps logged; same line
                         twice dropped
ultra          we        rewind by LogID from the resume position,    ``r`` (whole
                         and each LogID gap rewound                   seconds)
ipico          we        none: the reader streams; the same line      none: configure it
                         twice dropped (a reader that replays its
                         buffer on connect)
mylaps         device    the reader sends again what we did not ack   none: configure it
                         (we ack after ``store``); a message number
                         at or below the resume position dropped
impinj (LLRP)  we        the ROSpec keeps reading and the reader      the connection
                         holds its reports while we are away;         event's UTC stamp
                         the same report twice dropped
=============  ========  ==========================================  ==================

"connects: device" means the device is the TCP client, as with the real hardware
(ChronoTrack, JChip, MyLaps): ``run_reader`` then listens on ``host:port`` and takes one
device at a time (a new connection is the device back after a drop). Where nothing can
be asked again (JChip, iPico, and LLRP reports in flight), what was lost in the drop is
lost: JChip's index gaps are logged. Each protocol's module says exactly what it does.
Reads are handed on as parsed: ``DeviceRead.device`` is the device's own name for itself
when its lines carry one; the ``device`` argument is the name the sink knows it by.
``on_clock`` is told each ``ClockSample``; ``ClockSample.offset(zone)`` is the device's
clock minus the truth.
``timing`` sets every timeout (``Timing``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from desert_runners.adapters.readers.live import (
    chronotrack,
    impinj,
    ipico,
    jchip,
    mylaps,
    raceresult,
    ultra,
)
from desert_runners.adapters.readers.live.clock import ClockListener, ClockSample
from desert_runners.adapters.readers.live.session import (
    Clock,
    ReadSink,
    RejectSink,
    Setup,
    Timing,
    utc_now,
)

Runner = Callable[[str, int, Setup], Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    run: Runner
    connects: Literal["we", "device"]  # "device": we listen on host:port
    port: int  # the port the device uses unless told otherwise
    clock_query: bool  # whether the protocol can ask the device's clock
    resume: str  # how it resumes, in one line


KINDS: Mapping[str, Kind] = {
    "raceresult": Kind(
        raceresult.run, "we", raceresult.PORT, True, "poll passings after the resume position"
    ),
    "chronotrack": Kind(
        chronotrack.run, "device", chronotrack.PORT, False, "start~<location>~<from>"
    ),
    "ultra": Kind(ultra.run, "we", ultra.PORT, True, "rewind by LogID from the resume position"),
    "mylaps": Kind(
        mylaps.run, "device", mylaps.PORT, False, "the reader resends what is not acked"
    ),
    "impinj": Kind(impinj.run, "we", impinj.PORT, True, "the reader holds reports while away"),
    "ipico": Kind(ipico.run, "we", ipico.PORT, False, "none: the same line twice is dropped"),
    "jchip": Kind(
        jchip.run, "device", jchip.PORT, True, "none: the relay's queue; same line dropped"
    ),
}


async def run_reader(
    kind: str,
    host: str,
    port: int,
    sink: ReadSink,
    *,
    device: str,
    stop: asyncio.Event | None = None,
    clock: Clock = utc_now,
    on_clock: ClockListener | None = None,
    timing: Timing | None = None,
    location: str | None = None,
) -> None:
    """Capture one device until ``stop`` is set (forever without one).

    ``device`` names the device in the sink (reads are resumed by it); ``clock`` is our
    UTC clock; ``location`` picks a ChronoTrack reader's timing point (default: the
    first it announces).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown reader kind {kind!r}: expected one of {', '.join(KINDS)}")
    if not device.strip():
        raise ValueError("device: give the device a name")
    setup = Setup(
        sink=sink,
        device=device,
        stop=stop or asyncio.Event(),
        clock=clock,
        on_clock=on_clock,
        timing=timing or Timing(),
        location=location,
    )
    await KINDS[kind].run(host, port, setup)


__all__ = [
    "KINDS",
    "ClockSample",
    "Kind",
    "ReadSink",
    "RejectSink",
    "Timing",
    "run_reader",
]
