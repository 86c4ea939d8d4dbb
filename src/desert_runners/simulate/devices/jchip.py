"""A simulated JChip reader (or CrossMgr relay): it dials the timing software.

It says ``N0000<name>``, answers ``GT`` with ``GT0HHMMSShh date=YYYYMMDD`` from its
clock, and after ``S0000`` sends its passings, CR-ended::

    DA<tag> HH:MM:SS.ffff 10  <index:05X>      C7 date=YYYYMMDD

Like a relay, it keeps a queue: what it took while disconnected is sent once it is
connected again (it notices the software closing before it sends), and a drop is a
clean close (what was sent arrives). ``resend_last``
makes it send again, on the next connection, the line sent last before a drop (a relay
whose send failed); ``restart_relay()`` starts the index at 0 again (a new process).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from desert_runners.simulate.devices.base import SimRead, SimulatedDevice

EOL = "\r"


class JChipReader(SimulatedDevice):
    ROLE = "client"

    def __init__(self, reads: Iterable[SimRead], *, resend_last: bool = False, **options: Any):
        super().__init__(reads, **options)
        self.resend_last = resend_last
        self._sent = 0  # reads sent so far (the relay's queue position)
        self._index_base = 0  # the read number whose index is 0
        self._again: str | None = None

    def line(self, number: int) -> str:
        """Read ``number`` (from 1) as the reader sends it."""
        read = self.reads[number - 1]
        clock = f"{read.time:%H:%M:%S.%f}"[:-2]
        index = number - 1 - self._index_base
        return f"DA{read.tag} {clock} 10  {index:05X}      C7 date={read.time:%Y%m%d}"

    def restart_relay(self) -> None:
        self._index_base = self._sent

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.send(writer, f"N0000{self.name}{EOL}")
        while (await self.read_until(reader, b"\r")).strip() != "GT":
            pass
        now = self.clock.wall()
        await self.send(
            writer, f"GT0{now:%H%M%S}{now.microsecond // 10_000:02d} date={now:%Y%m%d}\r"
        )
        while not (await self.read_until(reader, b"\r")).strip().startswith("S"):
            pass
        if self._again is not None:
            await self.send(writer, self._again + EOL)
            self._again = None
        while True:
            await self.until_available(self._sent + 1)
            if reader.at_eof():  # the software closed: keep the read queued
                return
            number = self._sent + 1
            line = self.line(number)
            await self.send(writer, line + EOL)
            self._sent = number
            self.lines_sent += 1
            if self.take_drop(number):
                self._again = line if self.resend_last else None
                await self.hang_up(writer)
                return

    async def hang_up(self, writer: asyncio.StreamWriter) -> None:
        writer.close()  # a relay closes cleanly: what it sent arrives
        await writer.wait_closed()
