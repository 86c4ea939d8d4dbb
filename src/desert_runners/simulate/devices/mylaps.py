"""A simulated MyLaps Exchange reader (Timing & Scoring): it dials the timing software.

It greets ``<source>@Pong@$``, answers ``Ping`` (``AckPing``) and ``GetLocations``
(``<source>@GetLocations@ln=<source>@$``), and sends its reads in numbered ``Passing``
messages of up to ``per_message`` passings, at most ``window`` of them not yet
acknowledged; a message stays in its outbox until ``AckPassing@<n>`` comes, and all
that are left are sent again, in order, on the next connection::

    <source>@Passing@t=13:11:30.904|c=0000041|ct=UH|d=120606|l=1|dv=4|re=0|an=00001111|g=0|b=41|n=41@...@<n>@$
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from desert_runners.simulate.devices.base import SimRead, SimulatedDevice

END = "$"


class MyLapsReader(SimulatedDevice):
    ROLE = "client"

    def __init__(
        self,
        reads: Iterable[SimRead],
        *,
        source: str = "Finish",
        first_message: int = 1000,
        per_message: int = 3,
        window: int = 4,
        **options: Any,
    ) -> None:
        super().__init__(reads, **options)
        self.source = source
        self.per_message = per_message
        self.window = window
        self.outbox: dict[int, tuple[str, range]] = {}  # number -> message, its reads
        self.acked: list[int] = []
        self._next = first_message
        self._formed = 0  # reads put in a message so far

    def record(self, number: int) -> str:
        """Read ``number`` (from 1) as one passing record."""
        read = self.reads[number - 1]
        lap = sum(1 for other in self.reads[:number] if other.tag == read.tag)
        mask = format(1 << (read.antenna - 1), "08b")
        fields = [
            f"t={read.time:%H:%M:%S}.{read.time.microsecond // 1000:03d}",
            f"c={read.tag}",
            "ct=UH",
            f"d={read.time:%y%m%d}",
            f"l={lap}",
            "dv=4",
            "re=0",
            f"an={mask}",
            "g=0",
        ]
        if read.tag.isdigit():
            fields += [f"b={int(read.tag)}", f"n={int(read.tag)}"]
        return "|".join(fields)

    def message(self, number: int, reads: range) -> str:
        records = "@".join(self.record(read) for read in reads)
        return f"{self.source}@Passing@{records}@{number}@{END}"

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.send(writer, f"{self.source}@Pong@{END}")
        await self.read_until(reader, END.encode())  # the software's AckPong
        listener = asyncio.ensure_future(self._listen(reader, writer))
        try:
            for _, (text, reads) in sorted(self.outbox.items()):  # not acknowledged
                if not await self._send_message(writer, text, reads):
                    return
            while True:
                # Wait for room in the window and a read to send, noticing a link that
                # died meanwhile (its listener ended): redial and send the outbox again.
                while len(self.outbox) >= self.window or self.available() <= self._formed:
                    if listener.done():
                        return
                    await asyncio.sleep(0.002)
                last = min(self.available(), self._formed + self.per_message)
                reads = range(self._formed + 1, last + 1)
                number, self._next, self._formed = self._next, self._next + 1, last
                self.outbox[number] = (self.message(number, reads), reads)
                if not await self._send_message(writer, self.outbox[number][0], reads):
                    return
        finally:
            await self.finish(listener)

    async def _send_message(self, writer: asyncio.StreamWriter, text: str, reads: range) -> bool:
        await self.send(writer, text)
        self.lines_sent += len(reads)
        if any(self.take_drop(read) for read in reads):
            await self.hang_up(writer)
            return False
        return True

    async def _listen(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            parts = (await self.read_until(reader, END.encode())).strip().split("@")
            command = parts[1] if len(parts) > 1 else ""
            if command == "AckPassing" and parts[2].isdigit():
                self.outbox.pop(int(parts[2]), None)
                self.acked.append(int(parts[2]))
            elif command == "Ping":
                await self.send(writer, f"{self.source}@AckPing@{END}")
            elif command == "GetLocations":
                await self.send(writer, f"{self.source}@GetLocations@ln={self.source}@{END}")
