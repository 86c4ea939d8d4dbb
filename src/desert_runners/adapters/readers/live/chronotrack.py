"""ChronoTrack CTP01, live: the reader (ChronoTrack's SimpleClient) connects to us, on
port 61611 by default; we listen.

Handshake: the reader says ``SimpleClient~<version>~CTP01``; we answer with our hello
and features (``chronotrack.server_hello``: push mode, ``HH:MM:SS.cc`` times), ask
``getlocations`` (answered ``ack~getlocations~<loc>~...``) and ``start~<location>``:
``Setup.location``, or the first location the reader announces (one timing point per
connection, as one sink holds one device at one point). Its ``ping`` is answered
``ack~ping``; ours, every ``Timing.keepalive`` seconds, keeps the link checked.

Resume: every line carries the reader's sequence number. After a drop or a restart we
ask ``start~<location>~<from>`` with ``from`` one past the sink's resume position
(CTP01's "start from a line number", taken as inclusive); a line at or below the
highest durable one is a repeat and dropped, so a reader that ignores ``<from>`` and
sends its whole file again costs time, not duplicates. A jump in the numbers is logged
(CTP01 cannot ask for one line again). CTP01 has no clock query: the device's clock
offset stays whatever is configured for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from desert_runners.adapters.readers import chronotrack
from desert_runners.adapters.readers.live.link import Framing, Link
from desert_runners.adapters.readers.live.session import ProtocolError, Setup, listen
from desert_runners.adapters.readers.model import DeviceRead, LineProblem

log = logging.getLogger(__name__)
PORT = 61611
FRAMING = Framing(end=b"\r\n", any_of=True)
SERVER = "DesertRunners"
VERSION = "1.0"
EOL = chronotrack.EOL


async def run(host: str, port: int, setup: Setup) -> None:
    name = f"chronotrack {setup.device}"
    handler = partial(_session, setup)
    await listen(
        host, port, handler, framing=FRAMING, timing=setup.timing, stop=setup.stop, name=name
    )


async def _session(setup: Setup, link: Link) -> None:
    timing, delivery = setup.timing, setup.delivery()
    link.idle = timing.idle
    hello = await _expect(link, setup, lambda text: text.endswith(f"~{chronotrack.PROTOCOL}"))
    log.info("%s: reader %s connected", setup.device, hello)
    for line in chronotrack.server_hello(SERVER, VERSION):
        await link.send(line + EOL)
    await link.send(chronotrack.get_locations() + EOL)
    answer = await _expect(link, setup, lambda text: text.startswith("ack~getlocations"))
    announced = [name for name in answer.split("~")[2:] if name]
    location = setup.location or (announced[0] if announced else None)
    if location is None:
        raise ProtocolError("the reader announced no location")
    last = await delivery.resume()
    start = chronotrack.start(location) + ("" if last is None else f"~{last + 1}")
    await link.send(start + EOL)
    link.established = True
    while True:
        frame = await link.frame(wait=timing.keepalive)
        if frame is None:
            await link.send(chronotrack.ping() + EOL)
            continue
        reads: list[DeviceRead] = []
        problems: list[LineProblem] = []
        for text in [frame, *link.buffered()]:
            if text == "ping":
                await link.send(chronotrack.ack_ping() + EOL)
            if chronotrack.classify(text) != "passing":
                continue
            read = chronotrack.parse_line(text)
            if isinstance(read, LineProblem):
                problems.append(read)
            elif read.location == location and _is_new(setup, read, last):
                reads.append(read)
                last = read.sequence
        await delivery.reject(problems)
        await delivery.store(reads)


def _is_new(setup: Setup, read: DeviceRead, last: int | None) -> bool:
    number = read.sequence
    if number is None or last is None:
        return True
    if number <= last:
        return False
    if number > last + 1:
        log.warning("%s: lines %s-%s never came", setup.device, last + 1, number - 1)
    return True


async def _expect(link: Link, setup: Setup, wanted: Callable[[str], bool]) -> str:
    """The first frame ``wanted`` accepts, answering pings meanwhile."""
    while True:
        frame = await link.frame(wait=setup.timing.answer)
        if frame is None:
            raise ProtocolError("the reader did not answer the handshake")
        if wanted(frame):
            return frame
        if frame == "ping":
            await link.send(chronotrack.ack_ping() + EOL)
