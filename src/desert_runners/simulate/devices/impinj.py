"""A simulated LLRP reader (an Impinj Speedway as far as a timing client can tell):
listens like the real one on its port 5084; binary LLRP built with ``pyllrp``.

On connection it sends ``READER_EVENT_NOTIFICATION`` (connection attempt: success)
stamped with its clock. It answers ``SET_READER_CONFIG`` (keep-alive period, the hold
of reports while no client is connected), ``GET_ROSPECS`` (the ROSpecs it has),
``ADD_ROSPEC``, ``ENABLE_ROSPEC`` and ``DELETE_ROSPEC`` with success; a ROSpec it has
stays across connections, as in the real reader. Once a ROSpec is enabled it reports
each read (``RO_ACCESS_REPORT``: EPC-96, antenna, peak RSSI, first seen in UTC
microseconds, count) to the connected client; what it reads while none is connected
is held when the client asked for it and sent after ``ENABLE_EVENTS_AND_REPORTS``,
otherwise lost (before the first ROSpec is enabled they wait for it). A drop is a clean
close. ``SimRead.time`` is taken as UTC.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import bitstring
import pyllrp.pyllrp as llrp  # type: ignore[import-untyped]

from desert_runners.simulate.devices.base import SimRead, SimulatedDevice

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HEADER = 10  # bytes: version and type, length, message id


def pack(message: Any) -> bytes:
    return bytes(message.pack(bitstring.BitStream()).bytes)


class LlrpReader(SimulatedDevice):
    ROLE = "server"

    def __init__(self, reads: Iterable[SimRead], **options: Any) -> None:
        super().__init__(reads, **options)
        self.rospecs: dict[int, Any] = {}  # id -> ROSpec parameter, kept across connections
        self.enabled = False
        self.hold = False
        self.reported = 0  # reads reported so far (the rest are pending)

    def report(self, number: int) -> Any:
        """Read ``number`` (from 1) as the reader reports it."""
        read = self.reads[number - 1]
        micros = (read.time.replace(tzinfo=UTC) - EPOCH) // _MICROSECOND
        data = [
            llrp.EPC_96_Parameter(EPC=int(read.tag, 16)),
            llrp.AntennaID_Parameter(AntennaID=read.antenna),
            llrp.PeakRSSI_Parameter(PeakRSSI=read.rssi),
            llrp.FirstSeenTimestampUTC_Parameter(Microseconds=micros),
            llrp.TagSeenCount_Parameter(TagCount=1),
        ]
        return llrp.RO_ACCESS_REPORT_Message(
            MessageID=0, Parameters=[llrp.TagReportData_Parameter(Parameters=data)]
        )

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.enabled and not self.hold:
            self.reported = max(self.reported, self.available())  # read meanwhile: gone
        now = (self.clock.wall().replace(tzinfo=UTC) - EPOCH) // _MICROSECOND
        hello = llrp.READER_EVENT_NOTIFICATION_Message(
            MessageID=0,
            Parameters=[
                llrp.ReaderEventNotificationData_Parameter(
                    Parameters=[
                        llrp.UTCTimestamp_Parameter(Microseconds=now),
                        llrp.ConnectionAttemptEvent_Parameter(
                            Status=llrp.ConnectionAttemptStatusType.Success
                        ),
                    ]
                )
            ],
        )
        await self.send_bytes(writer, pack(hello))
        tasks: list[asyncio.Task[None]] = []
        streaming = False
        try:
            while True:
                head = await reader.readexactly(HEADER)
                body = await reader.readexactly(int.from_bytes(head[2:6], "big") - HEADER)
                message = llrp.UnpackMessage(bitstring.ConstBitStream(bytes=head + body))
                started = await self._answer(writer, message)
                if started == "reports" and not streaming:
                    streaming = True
                    tasks.append(asyncio.ensure_future(self._stream(reader, writer)))
                elif isinstance(started, float):
                    tasks.append(asyncio.ensure_future(self._keepalive(writer, started)))
        finally:
            await self.finish(*tasks)

    async def _answer(self, writer: asyncio.StreamWriter, message: Any) -> str | float | None:
        """Answer one message; what it starts: ``"reports"``, a keep-alive period."""
        started: str | float | None = None
        if isinstance(message, llrp.SET_READER_CONFIG_Message):
            events = message.getFirstParameterByClass(llrp.EventsAndReports_Parameter)
            self.hold = bool(events and events.HoldEventsAndReportsUponReconnect)
            spec = message.getFirstParameterByClass(llrp.KeepaliveSpec_Parameter)
            if spec is not None and spec.PeriodicTriggerValue:
                started = spec.PeriodicTriggerValue / 1000
        elif isinstance(message, llrp.ADD_ROSPEC_Message):
            spec = message.getFirstParameterByClass(llrp.ROSpec_Parameter)
            self.rospecs[spec.ROSpecID] = spec
        elif isinstance(message, llrp.ENABLE_ROSPEC_Message):
            self.enabled = True
            started = "reports"
        elif isinstance(message, llrp.DELETE_ROSPEC_Message):
            self.rospecs.clear() if message.ROSpecID == 0 else self.rospecs.pop(
                message.ROSpecID, None
            )
            self.enabled = bool(self.rospecs) and self.enabled
        elif isinstance(message, llrp.ENABLE_EVENTS_AND_REPORTS_Message):
            return "reports" if self.enabled else None  # no response in LLRP
        elif isinstance(message, llrp.KEEPALIVE_ACK_Message):
            return None
        response = llrp.GetResponseClass(message)(
            MessageID=message.MessageID,
            Parameters=[
                llrp.LLRPStatus_Parameter(StatusCode=llrp.StatusCode.M_Success, ErrorDescription="")
            ],
        )
        if isinstance(message, llrp.GET_ROSPECS_Message):
            response.Parameters.extend(self.rospecs.values())
        await self.send_bytes(writer, pack(response))
        return started

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await self.until_available(self.reported + 1)
            if reader.at_eof():
                return
            number = self.reported + 1
            await self.send_bytes(writer, pack(self.report(number)))
            self.reported = number
            self.lines_sent += 1
            if self.take_drop(number):
                await self.hang_up(writer)
                return

    async def _keepalive(self, writer: asyncio.StreamWriter, period: float) -> None:
        while True:
            await asyncio.sleep(period)
            await self.send_bytes(writer, pack(llrp.KEEPALIVE_Message(MessageID=0)))

    async def send_bytes(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await writer.drain()

    async def hang_up(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        await writer.wait_closed()


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - EPOCH
