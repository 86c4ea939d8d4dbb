"""Run one live timing device into the event log (``desert-runners reader connect``).

The device's reads go through ``StoreSink``, so each is durable before the client
acknowledges it or asks for more, and a restarted process resumes from what is stored.
Every clock measurement (or the offset the crew set) is kept as a ``clock`` fact: the
offset applied to a read can always be traced. A device's wall clock is taken to run in
the race's time zone, as the timing crew sets it up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from desert_runners.adapters.readers.live import KINDS, ClockSample, Timing, run_reader
from desert_runners.adapters.storage.event_log import append
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import EventKind, Fact
from desert_runners.services.capture import StoreSink
from desert_runners.services.races import find_race

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Address:
    host: str
    port: int


def parse_address(text: str, default_port: int) -> Address:
    """``HOST:PORT`` or ``HOST`` (the kind's usual port)."""
    host, colon, port_text = text.rpartition(":")
    if not colon:
        host, port_text = text, str(default_port)
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UserError(f"address {text!r}: expected HOST:PORT such as 192.168.1.20:3601")
    return Address(host, int(port_text))


@dataclass
class ReaderSession:
    """What a running reader did so far, for the terminal and the tests."""

    device: str
    clock_offset_s: float | None  # set by the crew: None means measured
    measured: list[float] = field(default_factory=list)  # device ahead of us, seconds


async def connect_reader(
    context: Context,
    kind: str,
    address: str,
    checkpoint: str,
    *,
    race_slug: str | None = None,
    device: str | None = None,
    clock_offset_s: float | None = None,
    stop: asyncio.Event | None = None,
    timing: Timing | None = None,
    on_clock: Callable[[ReaderSession], None] | None = None,
) -> ReaderSession:
    """Capture the device until ``stop`` is set (forever without one)."""
    if kind not in KINDS:
        raise UserError(f"reader kind {kind!r}: expected one of {', '.join(sorted(KINDS))}")
    where = parse_address(address, KINDS[kind].port)
    name = device or f"{kind}@{where.host}:{where.port}"
    sink = StoreSink(context, race_slug, checkpoint, name, clock_offset_s or 0.0)
    zone = find_race(context, sink.race_slug).race.zone
    session = ReaderSession(name, clock_offset_s)
    if clock_offset_s is not None:
        _keep_clock(context, sink, {"set_offset_s": clock_offset_s}, context.clock())

    def measured(sample: ClockSample) -> None:
        ahead = sample.offset(zone).total_seconds()
        session.measured.append(ahead)
        if clock_offset_s is None:  # the crew's setting wins over a measurement
            sink.clock_offset_s = -ahead
        payload = {
            "device_ahead_s": round(ahead, 3),
            "uncertainty_s": round(sample.uncertainty.total_seconds(), 3),
            "applied_offset_s": round(sink.clock_offset_s, 3),
        }
        _keep_clock(context, sink, payload, sample.answered)
        if on_clock is not None:
            on_clock(session)

    await run_reader(
        kind,
        where.host,
        where.port,
        sink,
        device=name,
        stop=stop,
        clock=context.clock,
        on_clock=measured,
        timing=timing,
    )
    return session


def _keep_clock(context: Context, sink: StoreSink, payload: dict[str, float], at: datetime) -> None:
    stage, _, checkpoint = sink.checkpoint.partition("/")
    fact = Fact(
        kind=EventKind.CLOCK,
        source=sink.device,
        author=context.author,
        occurred_at=at,
        stage=int(stage),
        checkpoint=checkpoint,
        payload=payload,
    )
    with context.store.write() as connection:
        append(connection, sink.race_id, sink.race_slug, [fact], context.clock())
