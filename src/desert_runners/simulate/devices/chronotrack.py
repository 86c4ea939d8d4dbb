"""A simulated ChronoTrack reader (SimpleClient, CTP01): it dials the timing software.

It says ``SimpleClient~2.0~CTP01``, reads the server's hello and its feature lines,
answers ``getlocations`` (``ack~getlocations~<location>``), ``ping`` (``ack~ping``) and
``start~<location>[~<from>]`` (``ack~start~<location>``, then its lines from number
``from``, 1 by default or when not ``honours_from``, and each new one as it reads it):
``CT01_33~<seq>~<location>~<tag>~HH:MM:SS.cc~<occurrence>~<reader>~<antenna>``.
A tag ``guntime`` is the gun, on antenna 0.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from desert_runners.simulate.devices.base import SimRead, SimulatedDevice

EOL = "\r\n"


class ChronoTrackReader(SimulatedDevice):
    ROLE = "client"

    def __init__(
        self,
        reads: Iterable[SimRead],
        *,
        location: str = "finish",
        reader_id: str = "0F2A38",
        honours_from: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(reads, **options)
        self.location = location
        self.reader_id = reader_id
        self.honours_from = honours_from  # False: sends its whole file at every start

    def line(self, number: int) -> str:
        """Line ``number`` (from 1) as the reader sends it."""
        read = self.reads[number - 1]
        seen = sum(1 for other in self.reads[:number] if other.tag == read.tag)
        clock = f"{read.time:%H:%M:%S}.{read.time.microsecond // 10_000:02d}"
        antenna = 0 if read.tag == "guntime" else read.antenna
        fields = [str(number), self.location, read.tag, clock, str(seen), self.reader_id]
        return "~".join(["CT01_33", *fields, str(antenna)])

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.send(writer, f"SimpleClient~2.0~CTP01{EOL}")
        hello = await self.read_until(reader, b"\r\n")
        for _ in range(int(hello.split("~")[-1])):  # the features
            await self.read_until(reader, b"\r\n")
        streamer: asyncio.Task[None] | None = None
        try:
            while True:
                command = (await self.read_until(reader, b"\r\n")).split("~")
                if command[0] == "getlocations":
                    await self.send(writer, f"ack~getlocations~{self.location}{EOL}")
                elif command[0] == "ping":
                    await self.send(writer, f"ack~ping{EOL}")
                elif command[0] == "start":
                    first = int(command[2]) if len(command) > 2 and self.honours_from else 1
                    await self.send(writer, f"ack~start~{self.location}{EOL}")
                    if streamer is not None:
                        streamer.cancel()
                    streamer = asyncio.ensure_future(self._stream(writer, first))
        finally:
            await self.finish(streamer)

    async def _stream(self, writer: asyncio.StreamWriter, first: int) -> None:
        number = first
        while True:
            await self.until_available(number)
            await self.send(writer, self.line(number) + EOL)
            self.lines_sent += 1
            if self.take_drop(number):
                await self.hang_up(writer)
                return
            number += 1
