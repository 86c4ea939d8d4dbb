"""Impinj (any LLRP reader), live: we connect to its port 5084; binary LLRP, built and
read with ``pyllrp``'s message classes.

Handshake: the reader opens with a ``READER_EVENT_NOTIFICATION`` (connection attempt:
success) stamped with its UTC clock in microseconds: that stamp, against our clock
before connecting and on receipt, is the ``ClockSample``. We then set
``SET_READER_CONFIG`` (a ``KEEPALIVE`` every ``Timing.keepalive`` seconds, answered
``KEEPALIVE_ACK``; reports held while no client is connected:
``HoldEventsAndReportsUponReconnect``), ask ``GET_ROSPECS`` and, when our ROSpec is not
there (a first connection, a rebooted reader), ``ADD_ROSPEC`` (a report per tag read:
EPC, antenna, first-seen UTC time, peak RSSI, count) and ``ENABLE_ROSPEC``; last,
``ENABLE_EVENTS_AND_REPORTS`` releases what the reader held.

Resume: LLRP numbers no tag report and cannot send one again. The ROSpec keeps reading
while we are away and the reader holds its reports until we reconnect, so a drop or a
restart of this process loses only reports in flight when the link died. A report is a
read; the same EPC, first-seen time and antenna again (a report both held and sent) is
dropped by this process (``Recent``); ``sequence`` stays None. ``raw`` is a text
rendering of the report (LLRP is binary). ``time`` is ``utc``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import bitstring
import pyllrp.pyllrp as llrp  # type: ignore[import-untyped]

from desert_runners.adapters.readers.live.clock import ClockSample
from desert_runners.adapters.readers.live.link import ENCODING, Framing, Link
from desert_runners.adapters.readers.live.sequencer import Recent
from desert_runners.adapters.readers.live.session import ProtocolError, Setup, dial
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime

log = logging.getLogger(__name__)
PORT = 5084
FORMAT = "impinj"
FRAMING = Framing(end=b"", length_at=(2, 4))  # LLRP header: type, length, message id
ROSPEC_ID = 1207  # ours; any other ROSpec on the reader is left alone
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def pack(message: Any) -> bytes:
    return bytes(message.pack(bitstring.BitStream()).bytes)


def unpack(frame: str) -> Any:
    return llrp.UnpackMessage(bitstring.ConstBitStream(bytes=frame.encode(ENCODING)))


async def run(host: str, port: int, setup: Setup) -> None:
    name = f"impinj {setup.device}"
    handler = partial(_session, setup, Recent())
    await dial(
        host, port, handler, framing=FRAMING, timing=setup.timing, stop=setup.stop, name=name
    )


async def _session(setup: Setup, recent: Recent, link: Link) -> None:
    # The reader stamps its notification when it accepts us: before this handler runs.
    since = asyncio.get_running_loop().time() - link.opened_at
    asked = setup.clock() - timedelta(seconds=since)
    link.idle = setup.timing.idle
    ids = itertools.count(1)
    backlog: list[str] = []  # what came during the set-up: reports are kept for later
    hello = await _next(link, setup, backlog)
    answered = setup.clock()
    _clock(setup, hello, asked, answered)
    backlog.clear()
    await _transact(
        link,
        setup,
        backlog,
        llrp.SET_READER_CONFIG_Message(
            MessageID=next(ids),
            Parameters=[
                llrp.KeepaliveSpec_Parameter(
                    KeepaliveTriggerType=llrp.KeepaliveTriggerType.Periodic,
                    PeriodicTriggerValue=int(setup.timing.keepalive * 1000),
                ),
                llrp.EventsAndReports_Parameter(HoldEventsAndReportsUponReconnect=True),
            ],
        ),
    )
    specs = await _transact(link, setup, backlog, llrp.GET_ROSPECS_Message(MessageID=next(ids)))
    present = {spec.ROSpecID for spec in specs.getAllParametersByClass(llrp.ROSpec_Parameter)}
    if ROSPEC_ID not in present:
        await _transact(link, setup, backlog, rospec(next(ids)))
        await _transact(
            link,
            setup,
            backlog,
            llrp.ENABLE_ROSPEC_Message(MessageID=next(ids), ROSpecID=ROSPEC_ID),
        )
    await link.send(
        pack(llrp.ENABLE_EVENTS_AND_REPORTS_Message(MessageID=next(ids))).decode(ENCODING)
    )
    link.established = True
    delivery = setup.delivery()
    while True:
        frame = await link.frame() if not backlog else None
        reads: list[DeviceRead] = []
        for text in [*backlog, frame or "", *link.buffered()]:
            message = unpack(text) if text else None
            if isinstance(message, llrp.KEEPALIVE_Message):
                await link.send(
                    pack(llrp.KEEPALIVE_ACK_Message(MessageID=message.MessageID)).decode(ENCODING)
                )
            elif isinstance(message, llrp.RO_ACCESS_REPORT_Message):
                for data in message.getTagData():
                    read = tag_read(data)
                    if recent.first_time(read.raw):
                        reads.append(read)
        backlog = []
        await delivery.store(reads)


def rospec(message_id: int) -> Any:
    """Our ROSpec: read on every antenna from now on, a report per tag read."""
    return llrp.ADD_ROSPEC_Message(
        MessageID=message_id,
        Parameters=[
            llrp.ROSpec_Parameter(
                ROSpecID=ROSPEC_ID,
                CurrentState=llrp.ROSpecState.Disabled,
                Parameters=[
                    llrp.ROBoundarySpec_Parameter(
                        Parameters=[
                            llrp.ROSpecStartTrigger_Parameter(
                                ROSpecStartTriggerType=llrp.ROSpecStartTriggerType.Immediate
                            ),
                            llrp.ROSpecStopTrigger_Parameter(
                                ROSpecStopTriggerType=llrp.ROSpecStopTriggerType.Null
                            ),
                        ]
                    ),
                    llrp.AISpec_Parameter(
                        AntennaIDs=[0],
                        Parameters=[
                            llrp.AISpecStopTrigger_Parameter(
                                AISpecStopTriggerType=llrp.AISpecStopTriggerType.Null
                            ),
                            llrp.InventoryParameterSpec_Parameter(
                                InventoryParameterSpecID=1,
                                ProtocolID=llrp.AirProtocols.EPCGlobalClass1Gen2,
                            ),
                        ],
                    ),
                    llrp.ROReportSpec_Parameter(
                        ROReportTrigger=llrp.ROReportTriggerType.Upon_N_Tags_Or_End_Of_ROSpec,
                        N=1,
                        Parameters=[
                            llrp.TagReportContentSelector_Parameter(
                                EnableAntennaID=True,
                                EnablePeakRSSI=True,
                                EnableFirstSeenTimestamp=True,
                                EnableTagSeenCount=True,
                            )
                        ],
                    ),
                ],
            )
        ],
    )


def tag_read(data: Mapping[str, Any]) -> DeviceRead:
    """One tag report (``RO_ACCESS_REPORT.getTagData()`` item) as a read."""
    epc = data.get("EPC", 0)
    tag = f"{epc:024X}" if isinstance(epc, int) else bytes(epc).hex().upper()
    micros = int(data.get("Timestamp", 0))
    antenna = data.get("AntennaID")
    rssi = data.get("PeakRSSI")
    raw = ";".join(f"{key}={value}" for key, value in _raw_fields(tag, data))
    return DeviceRead(
        format=FORMAT,
        tag=tag,
        time=DeviceTime(utc=EPOCH + timedelta(microseconds=micros)),
        raw=raw,
        antenna=None if antenna is None else int(antenna),
        rssi=None if rssi is None else float(rssi),
    )


def _raw_fields(tag: str, data: Mapping[str, Any]) -> Iterator[tuple[str, object]]:
    yield "EPC", tag
    names = {"AntennaID": "AntennaID", "Timestamp": "FirstSeenTimestampUTC"}
    names |= {"PeakRSSI": "PeakRSSI", "TagSeenCount": "TagSeenCount"}
    for key, name in names.items():
        if key in data:
            yield name, data[key]


def _clock(setup: Setup, hello: Any, asked: datetime, answered: datetime) -> None:
    if not isinstance(hello, llrp.READER_EVENT_NOTIFICATION_Message):
        raise ProtocolError(f"expected the reader's event notification, got {hello!r}")
    data = hello.getFirstParameterByClass(llrp.ReaderEventNotificationData_Parameter)
    attempt = data.getFirstParameterByClass(llrp.ConnectionAttemptEvent_Parameter)
    if attempt is not None and attempt.Status != llrp.ConnectionAttemptStatusType.Success:
        raise ProtocolError(f"the reader refused the connection: {attempt.Status}")
    stamp = data.getFirstParameterByClass(llrp.UTCTimestamp_Parameter)
    if stamp is not None:
        said = DeviceTime(utc=EPOCH + timedelta(microseconds=int(stamp.Microseconds)))
        setup.report_clock(ClockSample(setup.device, said, asked, answered))


async def _next(link: Link, setup: Setup, backlog: list[str]) -> Any:
    frame = await link.frame(wait=setup.timing.answer)
    if frame is None:
        raise ProtocolError("the reader said nothing")
    backlog.append(frame)
    return unpack(frame)


async def _transact(link: Link, setup: Setup, backlog: list[str], message: Any) -> Any:
    """Send ``message``; its response, which must say success."""
    await link.send(pack(message).decode(ENCODING))
    while True:
        answer = await _next(link, setup, backlog)
        if getattr(answer, "MessageID", None) != message.MessageID:
            continue  # a report, a keep-alive: the backlog keeps it for later
        if not answer.success():
            raise ProtocolError(f"the reader refused {type(message).__name__}: {answer!r}")
        return answer
