"""A simulated iPico reader: listens like the real one on its port 10000.

It streams each read it takes to the connected client, CRLF-ended::

    aa<reader:2 hex><tag:12 hex><I:2><Q:2><YYMMDD><HHMMSS><hundredths:2 hex><checksum>

Reads taken while nobody is connected are sent to nobody, except the last ``replay``
ones, which it sends again to each new connection (a reader that replays its buffer).
A drop is a clean close.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from desert_runners.adapters.readers import ipico
from desert_runners.simulate.devices.base import SimRead, SimulatedDevice

EOL = "\r\n"


class IpicoReader(SimulatedDevice):
    ROLE = "server"

    def __init__(
        self, reads: Iterable[SimRead], *, reader_id: int = 0, replay: int = 0, **options: Any
    ) -> None:
        super().__init__(reads, **options)
        self.reader_id = reader_id
        self.replay = replay

    def line(self, number: int) -> str:
        """Read ``number`` (from 1) as the reader sends it."""
        read = self.reads[number - 1]
        stamp = f"{read.time:%y%m%d%H%M%S}{read.time.microsecond // 10_000:02x}"
        body = f"aa{self.reader_id:02x}{read.tag.lower():0>12}0001{stamp}"
        return body + f"{ipico.checksum(body[2:34]):02x}"

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        taken = self.available()
        for number in range(max(taken - self.replay, 0) + 1, taken + 1):
            await self.send(writer, self.line(number) + EOL)
            self.lines_sent += 1
        number = taken + 1
        while True:
            await self.until_available(number)
            if reader.at_eof():  # the client went away
                return
            await self.send(writer, self.line(number) + EOL)
            self.lines_sent += 1
            if self.take_drop(number):
                await self.hang_up(writer)
                return
            number += 1

    async def hang_up(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        await writer.wait_closed()
