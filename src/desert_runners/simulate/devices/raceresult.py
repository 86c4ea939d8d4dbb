"""A simulated RaceResult decoder: listens like the real one on its port 3601.

Answers ``GETPROTOCOL`` (``GETPROTOCOL;<current>;1.0;3.2``), ``SETPROTOCOL;<v>`` (up to
3.2), ``GETTIME`` (``GETTIME;<date>;<time>`` from its clock), ``PASSINGS``
(``PASSINGS;<count>;<file>``), the poll ``<from>:<count>`` (the passings it has in that
range, then an empty line) and ``SETPUSHPASSINGS;1;0`` (each new passing pushed with
``#P;``). Passings are numbered from 1 in list order, in the 20 fields of protocol 3.2
(8 fields before a ``SETPROTOCOL`` to 3.x), date ``0000-00-00`` unless ``dated``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from desert_runners.simulate.devices.base import SimRead, SimulatedDevice

EOL = "\r\n"
PROTOCOL = "3.2"


class RaceResultDecoder(SimulatedDevice):
    ROLE = "server"

    def __init__(
        self,
        reads: Iterable[SimRead],
        *,
        dated: bool = False,
        file_number: int = 1,
        box_id: str = "D-5127",
        **options: Any,
    ) -> None:
        super().__init__(reads, **options)
        self.dated = dated
        self.file_number = file_number
        self.box_id = box_id

    def passing(self, number: int, protocol: str = PROTOCOL) -> str:
        """Passing ``number`` (from 1) as the decoder writes it."""
        read = self.reads[number - 1]
        day = f"{read.time:%Y-%m-%d}" if self.dated else "0000-00-00"
        clock = f"{read.time:%H:%M:%S.%f}"[:-3]
        head = [str(number), read.tag, day, clock, "0", "12", str(read.rssi), "09ca52"]
        if not protocol.startswith("3"):
            return ";".join(head)
        active = ["0", "", "", "", "", "", "", ""]  # IsActive .. InternalActiveData
        tail = [self.name, str(self.file_number), str(read.antenna), self.box_id]
        return ";".join(head + active + tail)

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state = _State()
        pusher = asyncio.ensure_future(self._push(writer, state))
        try:
            while True:
                command = (await self.read_until(reader, b"\r\n")).strip()
                if not await self._answer(writer, command, state):
                    return
        finally:
            await self.finish(pusher)

    async def _answer(self, writer: asyncio.StreamWriter, command: str, state: _State) -> bool:
        """Answer one command; False once the connection is dropped."""
        word, _, rest = command.partition(";")
        if word == "GETPROTOCOL":
            await self.send(writer, f"GETPROTOCOL;{state.protocol};1.0;{PROTOCOL}{EOL}")
        elif word == "SETPROTOCOL":
            state.protocol = min(rest or PROTOCOL, PROTOCOL, key=float)
            await self.send(writer, f"SETPROTOCOL;{state.protocol}{EOL}")
        elif word == "GETTIME":
            now = self.clock.wall()
            day = f"{now:%Y-%m-%d}" if self.dated else "0000-00-00"
            await self.send(writer, f"GETTIME;{day};{now:%H:%M:%S.%f}"[:-3] + EOL)
        elif word == "PASSINGS":
            await self.send(writer, f"PASSINGS;{self.available()};{self.file_number}{EOL}")
        elif word == "SETPUSHPASSINGS":
            state.push = rest.startswith("1")
            state.pushed = self.available()  # push only what comes from now on
            await self.send(writer, f"SETPUSHPASSINGS;{rest}{EOL}")
        elif ":" in word:
            first, _, count = word.partition(":")
            last = min(int(first) + int(count) - 1, self.available())
            for number in range(int(first), last + 1):
                if not await self._passing(writer, number, "", state):
                    return False
            await self.send(writer, EOL)
        return True

    async def _push(self, writer: asyncio.StreamWriter, state: _State) -> None:
        while True:
            await self.until_available(state.pushed + 1)
            if not state.push:
                await asyncio.sleep(0.01)
                continue
            state.pushed += 1
            if not await self._passing(writer, state.pushed, "#P;", state):
                return

    async def _passing(
        self, writer: asyncio.StreamWriter, number: int, prefix: str, state: _State
    ) -> bool:
        await self.send(writer, prefix + self.passing(number, state.protocol) + EOL)
        self.lines_sent += 1
        if self.take_drop(number):
            await self.hang_up(writer)
            return False
        return True


class _State:
    def __init__(self) -> None:
        self.protocol = "1.0"
        self.push = False
        self.pushed = 0  # the last passing pushed on this connection
