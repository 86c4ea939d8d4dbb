"""The sink a live reader hands its reads to, and one device's connection loop.

``ReadSink`` is what the capture service implements: ``store(reads)`` returns only when
the reads are durable (it may be a plain or an ``async`` method; a plain one blocks the
event loop while it writes, which only delays reading: TCP holds the bytes), and
``resume_position(device)`` gives the sequence of the highest durable read of the device
(None before the first). A client asks it at every connection, so a restarted process
resumes from what is stored, never from memory. A sink may also have
``reject(problems)`` (``RejectSink``) for the lines a client could not parse.

``dial`` connects to a device (RaceResult, RFID Ultra, iPico), ``listen`` waits for one
to connect (ChronoTrack, JChip, MyLaps: the device is the TCP client). Both run one
``Handler`` per connection, reconnect (``dial``: with a doubling backoff, reset once a
connection got through its handshake) and end when ``stop`` is set. A handler is never
cancelled: to end it its ``Link`` is aborted, so a store under way always completes.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar, cast, runtime_checkable

from desert_runners.adapters.readers.live.clock import ClockListener, ClockSample
from desert_runners.adapters.readers.live.link import Framing, Link, LinkClosedError
from desert_runners.adapters.readers.model import DeviceRead, LineProblem

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReadSink(Protocol):
    def store(self, reads: Sequence[DeviceRead]) -> Awaitable[None] | None:
        """Return only when ``reads`` are durable; raise when they are not."""

    def resume_position(self, device: str) -> Awaitable[int | None] | int | None:
        """The sequence of the highest durable read of ``device``, None before any."""


@runtime_checkable
class RejectSink(Protocol):
    def reject(self, problems: Sequence[LineProblem]) -> object:
        """Keep the lines that could not be parsed, with why."""


class ProtocolError(Exception):
    """The device said something the protocol does not allow here: reconnect."""


def utc_now() -> datetime:
    return datetime.now(UTC)


Clock = Callable[[], datetime]  # our clock, zone-aware UTC


@dataclass(frozen=True)
class Timing:
    """Every wait of a session, in seconds (tests shorten them)."""

    connect: float = 5.0  # to open a connection
    answer: float = 5.0  # for the device to answer a command of the handshake
    idle: float = 30.0  # silence after which a link that has a heartbeat is dead
    keepalive: float = 10.0  # how often we probe a device whose protocol can be probed
    backoff_first: float = 0.5  # first wait before reconnecting, doubled up to the cap
    backoff_cap: float = 30.0
    gap: float = 2.0  # how long a requested rewind has to fill a gap before we ask again
    gap_tries: int = 3  # rewinds asked for one gap before it is given up (and logged)
    batch: int = 200  # passings asked per RaceResult poll


async def settle(value: Awaitable[T] | T) -> T:
    """The value of a sink method, whether the sink is plain or ``async``."""
    if inspect.isawaitable(value):
        return cast(T, await value)
    return value


class Delivery:
    """One device's reads into the sink, and its resume position out of it."""

    def __init__(self, sink: ReadSink, device: str) -> None:
        self.sink = sink
        self.device = device

    async def resume(self) -> int | None:
        return await settle(self.sink.resume_position(self.device))

    async def store(self, reads: Sequence[DeviceRead]) -> None:
        if reads:
            await settle(self.sink.store(list(reads)))

    async def reject(self, problems: Sequence[LineProblem]) -> None:
        for problem in problems:
            log.warning("%s: unreadable line kept aside: %s", self.device, problem)
        if problems and isinstance(self.sink, RejectSink):
            await settle(self.sink.reject(list(problems)))


@dataclass(frozen=True)
class Setup:
    """What every protocol's client is given: where reads go, and how to behave."""

    sink: ReadSink
    device: str  # the name the reads are stored under and resumed by
    stop: asyncio.Event
    clock: Clock = utc_now
    on_clock: ClockListener | None = None  # told each clock measurement
    timing: Timing = Timing()
    location: str | None = None  # ChronoTrack: the timing point to stream

    def delivery(self) -> Delivery:
        return Delivery(self.sink, self.device)

    def report_clock(self, sample: ClockSample) -> None:
        log.info(
            "%s: device clock said %s (round trip %s)",
            self.device,
            sample.said,
            (sample.answered - sample.asked),
        )
        if self.on_clock is not None:
            self.on_clock(sample)


Handler = Callable[[Link], Awaitable[None]]
_ENDED = (LinkClosedError, ProtocolError, OSError, EOFError, asyncio.IncompleteReadError)


async def dial(
    host: str,
    port: int,
    handler: Handler,
    *,
    framing: Framing,
    timing: Timing,
    stop: asyncio.Event,
    name: str,
) -> None:
    """Connect to the device, run ``handler``, reconnect with backoff until ``stop``."""
    delay = timing.backoff_first
    while not stop.is_set():
        began = asyncio.get_running_loop().time()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), timing.connect
            )
        except (OSError, TimeoutError) as error:
            log.info("%s: cannot connect to %s:%s (%s)", name, host, port, error)
        else:
            link = Link(reader, writer, framing)
            link.opened_at = began
            _keep_alive(writer)
            await _run(link, handler, stop, name)
            if link.established:
                delay = timing.backoff_first
        await _sleep(stop, delay)
        delay = min(delay * 2, timing.backoff_cap)


async def listen(
    host: str,
    port: int,
    handler: Handler,
    *,
    framing: Framing,
    timing: Timing,
    stop: asyncio.Event,
    name: str,
) -> None:
    """Wait for the device to connect, run ``handler`` per connection until ``stop``.

    One device per listener: a new connection is the device back after a drop, so the
    link it left is aborted and its handler allowed to finish before the new one starts.
    """
    turn = asyncio.Lock()
    links: set[Link] = set()
    tasks: set[asyncio.Task[None]] = set()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        link = Link(reader, writer, framing)
        if stop.is_set():
            link.abort()
            return
        _keep_alive(writer)
        for old in links:
            old.abort()
        links.add(link)
        try:
            async with turn:
                await _run(link, handler, stop, name)
        finally:
            links.discard(link)

    def track(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(connected(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(track, host, port)
    log.info("%s: listening on %s:%s", name, host, port)
    try:
        await stop.wait()
    finally:
        server.close()
        for link in links:
            link.abort()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def _run(link: Link, handler: Handler, stop: asyncio.Event, name: str) -> None:
    task = asyncio.ensure_future(handler(link))
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not task.done():
        link.abort()  # the handler sees the link end; a store under way completes
    try:
        await task
    except _ENDED as error:
        if not stop.is_set():
            log.info("%s: connection ended: %s", name, error or type(error).__name__)
    except Exception:
        # A sink that failed (a database gone away) or a bug: capture must go on. The
        # connection starts again from what is durable, so nothing is lost or doubled.
        log.exception("%s: connection ended by an error", name)
    finally:
        link.abort()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def _keep_alive(writer: asyncio.StreamWriter) -> None:
    # Protocols without a heartbeat (iPico, JChip) still notice a dead peer this way.
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, option):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)
