"""A simulated RFID Ultra: listens like the real box on its port 23.

On connection it greets ``1,Connected,<name>``; every ``heartbeat`` seconds it sends a
voltage line ``V=12.60``. Commands come without line ends: ``r`` (its clock, answered
``H:M:S D-M-YYYY``, not zero-padded), ``R`` (start reading), ``t HH:MM:SS DD-MM-YYYY``
(set its clock) and the rewind ``6``, two NULs, first and last LogID each ended by CR
(both included; flagged rewind). It logs every read it takes with a LogID from
``first_log_id``; a connected client gets the reads taken while it is connected, live::

    0,<chip>,<s since 1980>,<ms>,<port>,<RSSI>,<rewind>,<reader>,<id>,0000000000000000,0,<LogID>
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from desert_runners.simulate.devices.base import SimRead, SimulatedDevice

EOL = "\r\n"
EPOCH = datetime(1980, 1, 1)


class UltraBox(SimulatedDevice):
    ROLE = "server"

    def __init__(
        self,
        reads: Iterable[SimRead],
        *,
        first_log_id: int = 29_000,
        ultra_id: str = "1",
        heartbeat: float = 0.5,
        **options: Any,
    ) -> None:
        super().__init__(reads, **options)
        self.first_log_id = first_log_id
        self.ultra_id = ultra_id
        self.heartbeat = heartbeat
        self.rewinds: list[tuple[int, int]] = []  # the rewinds asked, for tests

    def log_id(self, number: int) -> int:
        return self.first_log_id + number - 1

    def line(self, number: int, rewind: bool = False) -> str:
        """Read ``number`` (from 1) as the box sends it."""
        read = self.reads[number - 1]
        since = read.time - EPOCH
        seconds, millis = since.days * 86_400 + since.seconds, since.microseconds // 1000
        reader, port = (1, read.antenna) if read.antenna <= 4 else (2, read.antenna - 4)
        fields = [0, read.tag, seconds, millis, port, read.rssi, int(rewind), reader]
        tail = [self.ultra_id, "0000000000000000", 0, self.log_id(number)]
        return ",".join(str(field) for field in fields + tail)

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.send(writer, f"1,Connected,{self.name}{EOL}")
        tasks = [
            asyncio.ensure_future(self._live(writer, self.available() + 1)),
            asyncio.ensure_future(self._beat(writer)),
        ]
        try:
            while await self._command(reader, writer):
                pass
        finally:
            await self.finish(*tasks)

    async def _command(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = (await reader.readexactly(1)).decode()
        if head == "r":
            now = self.clock.wall()
            answer = f"{now.hour}:{now.minute}:{now.second} {now.day}-{now.month}-{now.year}"
            await self.send(writer, answer + EOL)
        elif head == "t":
            text = (await reader.readexactly(20)).decode().strip()
            self.clock.offset += datetime.strptime(text, "%H:%M:%S %d-%m-%Y") - self.clock.wall()
            await self.send(writer, f"{text}{EOL}")
        elif head == "6":
            await reader.readexactly(2)
            first = int(await self.read_until(reader, b"\r"))
            last = int(await self.read_until(reader, b"\r"))
            self.rewinds.append((first, last))
            return await self._rewind(writer, first, last)
        return True

    async def _rewind(self, writer: asyncio.StreamWriter, first: int, last: int) -> bool:
        start = max(first - self.first_log_id + 1, 1)
        end = min(last - self.first_log_id + 1, self.available())
        for number in range(start, end + 1):
            await self.send(writer, self.line(number, rewind=True) + EOL)
            self.lines_sent += 1
        return True

    async def _live(self, writer: asyncio.StreamWriter, number: int) -> None:
        while True:
            await self.until_available(number)
            await self.send(writer, self.line(number) + EOL)
            self.lines_sent += 1
            if self.take_drop(number):
                await self.hang_up(writer)
                return
            number += 1

    async def _beat(self, writer: asyncio.StreamWriter) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            await self.send(writer, f"V=12.60{EOL}")
