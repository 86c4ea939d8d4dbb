"""What every simulated timing device shares: its reads, its clock, its connections.

A device holds a list of ``SimRead``s and "takes" them at ``rate`` reads a second from
``start`` (0: all at once), the way a box at a checkpoint takes runners' chips; it
streams them over TCP on 127.0.0.1 in its protocol's exact lines. ``drops`` are read
numbers (1-based, in the list) right after which the device drops the connection, once
each, as the desert does; ``drop()`` drops it now. Its clock (``DeviceClock``) is ours
plus an offset and a drift, for the clients to measure.

``ROLE`` says who opens the connection, as with the real hardware: a ``server`` device
(RaceResult, RFID Ultra, iPico) listens and ``start`` returns its port (0 asks for any
free one); a ``client`` device (ChronoTrack, JChip, MyLaps) dials the port it is given
and dials again ``reconnect_delay`` seconds after each drop.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from types import TracebackType
from typing import ClassVar, Literal

HOST = "127.0.0.1"
ENCODING = "latin-1"


@dataclass(frozen=True)
class SimRead:
    tag: str  # as the device sends it (iPico: 12 hex digits)
    time: datetime  # the device's wall clock when it read the chip (naive)
    antenna: int = 1
    rssi: int = -60


def sample_reads(
    count: int, *, start: datetime, every: timedelta, tags: Sequence[str] | None = None
) -> list[SimRead]:
    """``count`` reads ``every`` apart from ``start``; tags cycle through ``tags``."""
    names = tags or [f"{1000 + n}" for n in range(count)]
    return [
        SimRead(tag=names[n % len(names)], time=start + every * n, antenna=1 + n % 4)
        for n in range(count)
    ]


def utc_now() -> datetime:
    return datetime.now(UTC)


class DeviceClock:
    """The device's wall clock: ours, plus ``offset``, drifting ``drift_ppm`` a million."""

    def __init__(
        self,
        offset: timedelta = timedelta(0),
        drift_ppm: float = 0.0,
        zone: tzinfo = UTC,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.offset = offset
        self.drift_ppm = drift_ppm
        self.zone = zone
        self._now = now
        self._start = now()

    def wall(self) -> datetime:
        now = self._now()
        drift = (now - self._start) * (self.drift_ppm / 1e6)
        return (now + self.offset + drift).astimezone(self.zone).replace(tzinfo=None)


class SimulatedDevice(ABC):
    ROLE: ClassVar[Literal["server", "client"]]

    def __init__(
        self,
        reads: Iterable[SimRead],
        *,
        rate: float = 0.0,
        clock: DeviceClock | None = None,
        drops: Iterable[int] = (),
        name: str = "SIM1",
        reconnect_delay: float = 0.05,
    ) -> None:
        self.reads = list(reads)
        self.rate = rate
        self.clock = clock or DeviceClock()
        self.name = name
        self.reconnect_delay = reconnect_delay
        self.connections = 0  # connections opened so far
        self.lines_sent = 0  # read lines sent, again-sent ones included
        self._drops = set(drops)
        self.port = 0  # the port it listens on or dials, once started
        self.hold_after: int | None = None  # takes no read past this number (a quiet spell)
        self._t0: float | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self._dialer: asyncio.Task[None] | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        self._stopping = False

    # --- what a protocol writes ----------------------------------------------------------

    @abstractmethod
    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Speak the protocol on one connection until it ends."""

    # --- the reads ---------------------------------------------------------------------------

    def available(self) -> int:
        """How many reads the device has taken so far."""
        if self._t0 is None:
            return 0
        taken = len(self.reads)
        if self.rate > 0:
            elapsed = asyncio.get_running_loop().time() - self._t0
            taken = min(taken, int(elapsed * self.rate) + 1)
        return taken if self.hold_after is None else min(taken, self.hold_after)

    async def until_available(self, count: int) -> None:
        """Wait until the device has taken ``count`` reads (forever past the last)."""
        while self.available() < count:
            await asyncio.sleep(0.005 if self.rate <= 0 else min(0.02, 1 / self.rate))

    def take_drop(self, number: int) -> bool:
        """Whether to drop the connection right after read ``number`` (once each)."""
        if number in self._drops:
            self._drops.discard(number)
            return True
        return False

    def drop(self) -> None:
        """Drop every open connection now, with a reset, mid-stream."""
        for writer in list(self._writers):
            writer.transport.abort()

    # --- the connection ----------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._t0 is not None

    async def start(self, host: str = HOST, port: int = 0) -> int:
        """Start taking reads; listen (``server``) or dial (``client``). Returns the port."""
        self._t0 = asyncio.get_running_loop().time()
        if self.ROLE == "server":
            self._server = await asyncio.start_server(self._serve, host, port)
            self.port = int(self._server.sockets[0].getsockname()[1])
        else:
            self.port = port
            self._dialer = asyncio.ensure_future(self._dial(host, port))
        return self.port

    async def stop(self) -> None:
        self._stopping = True
        if self._dialer is not None:
            self._dialer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dialer
        if self._server is not None:
            self._server.close()
        self.drop()
        for task in list(self._sessions):
            task.cancel()
        await asyncio.gather(*self._sessions, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> SimulatedDevice:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._sessions.add(task)
        self.connections += 1
        self._writers.add(writer)
        try:
            await self.session(reader, writer)
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the other side went away: what a device sees all the time
        finally:
            self._writers.discard(writer)
            writer.transport.abort()
            if task is not None:
                self._sessions.discard(task)

    async def _dial(self, host: str, port: int) -> None:
        while not self._stopping:
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                pass  # nobody listens yet: try again, as a real box does
            else:
                await self._serve(reader, writer)
            await asyncio.sleep(self.reconnect_delay)

    # --- helpers for the protocols -----------------------------------------------------------

    async def send(self, writer: asyncio.StreamWriter, text: str) -> None:
        writer.write(text.encode(ENCODING))
        await writer.drain()

    async def hang_up(self, writer: asyncio.StreamWriter) -> None:
        """Drop the connection the way this device does: a reset by default."""
        writer.transport.abort()

    @staticmethod
    async def finish(*tasks: asyncio.Task[None] | None) -> None:
        """Cancel a session's helper tasks and wait for them, whatever they raised."""
        running = [task for task in tasks if task is not None]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    @staticmethod
    async def read_until(reader: asyncio.StreamReader, end: bytes) -> str:
        data = await reader.readuntil(end)
        return data[: -len(end)].decode(ENCODING)
