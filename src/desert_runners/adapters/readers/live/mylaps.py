"""MyLaps Exchange (ASCII 2.1), live: the reader (MyLaps Timing & Scoring, a BibTag
decoder) connects to us, on port 3097 by default; we listen. Messages end with ``$``.

Handshake: the reader greets with ``<source>@Pong@$`` (or ``Ping``); we answer
``AckPong@Version2.1`` (``AckPing``) and ask ``GetLocations``. Our ``Ping``, every
``Timing.keepalive`` seconds, keeps the link checked; its ``Ping`` is answered.

Resume: a ``Passing`` message (several passings, then the message number) is
acknowledged ``<us>@AckPassing@<n>@$`` only after ``store`` returned; the reader sends
again every message not acknowledged, so a drop or a restart loses nothing. Each read
carries its message's number as ``sequence``; a message numbered at or below the
sink's resume position (and less than ``RESTART_WINDOW`` below it) was stored already
(its ack was lost in the drop): it is acknowledged again, not stored. A number far
below means the reader numbers anew (restarted): stored. A gun ``Marker`` is stored as
a ``guntime`` read and acknowledged ``AckMarker``. No clock query: the offset stays
configured.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from functools import partial

from desert_runners.adapters.readers import mylaps
from desert_runners.adapters.readers.live.link import Framing, Link
from desert_runners.adapters.readers.live.session import ProtocolError, Setup, listen
from desert_runners.adapters.readers.model import DeviceRead, LineProblem

log = logging.getLogger(__name__)
PORT = 3097
FRAMING = Framing(end=b"$", keep_end=True, strip="\r\n\0 ")
SERVER = mylaps.DEFAULT_SERVER
RESTART_WINDOW = 1000  # a number this far below the last stored is a renumbered reader


async def run(host: str, port: int, setup: Setup) -> None:
    name = f"mylaps {setup.device}"
    handler = partial(_session, setup)
    await listen(
        host, port, handler, framing=FRAMING, timing=setup.timing, stop=setup.stop, name=name
    )


async def _session(setup: Setup, link: Link) -> None:
    timing, delivery = setup.timing, setup.delivery()
    link.idle = timing.idle
    welcome = await _expect(link, setup, lambda text: _command(text) in ("Ping", "Pong"))
    await _answer(link, welcome)
    await link.send(f"{SERVER}@GetLocations@{mylaps.END}")
    link.established = True
    last = await delivery.resume()
    while True:
        frame = await link.frame(wait=timing.keepalive)
        if frame is None:
            await link.send(f"{SERVER}@Ping@{mylaps.END}")
            continue
        reads: list[DeviceRead] = []
        problems: list[LineProblem] = []
        acks: list[str] = []
        for text in [frame, *link.buffered()]:
            if mylaps.classify(text) != "passing":
                await _answer(link, text)
                continue
            number = _number(text)
            if number is not None and not _repeat(number, last):
                for result in mylaps.parse_message(text):
                    if isinstance(result, LineProblem):
                        problems.append(result)
                    else:
                        reads.append(dataclasses.replace(result, sequence=number))
                last = number
            acks.append(text)
        await delivery.reject(problems)
        await delivery.store(reads)
        for text in acks:  # only now: what is acknowledged is durable
            await _answer(link, text)


def _repeat(number: int, last: int | None) -> bool:
    return last is not None and last - RESTART_WINDOW < number <= last


def _parts(text: str) -> list[str]:
    parts = text.strip().removesuffix(mylaps.END).split("@")
    return parts[:-1] if len(parts) > 1 and parts[-1] == "" else parts


def _command(text: str) -> str:
    parts = _parts(text)
    return parts[1] if len(parts) > 1 else ""


def _number(text: str) -> int | None:
    parts = _parts(text)
    return int(parts[-1]) if len(parts) > 2 and parts[-1].isdigit() else None


async def _answer(link: Link, text: str) -> None:
    answer = mylaps.ack_for(text, SERVER)
    if answer is not None:
        await link.send(answer)


async def _expect(link: Link, setup: Setup, wanted: Callable[[str], bool]) -> str:
    while True:
        frame = await link.frame(wait=setup.timing.answer)
        if frame is None:
            raise ProtocolError("the reader did not greet")
        if wanted(frame):
            return frame
