"""JChip (and CrossMgr's Impinj/Alien relays), live: the reader connects to us, on port
53135 by default; we listen. Lines end with CR.

Handshake: the reader names itself ``N0000<name>``; we ask its clock with ``GT``, it
answers ``GT0HHMMSShh date=YYYYMMDD`` (a ``ClockSample``), and ``S0000`` starts the
passings. The passings do not name the reader: ``device`` is filled from ``N0000``.

Resume: the protocol has none. A reader (a relay) queues what it could not send and
sends it once reconnected; nothing can be asked again. So: every read is stored except
a line already seen by this process (same raw line, ``Recent``: a relay sends again the
passing whose send failed); the hex index is only watched: a jump is logged as reads
lost in flight (they cannot be recovered), a step back as a relay that restarted (its
reads are kept: dropping by index would lose them). ``resume_position`` is not used.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from functools import partial

from desert_runners.adapters.readers import jchip
from desert_runners.adapters.readers.live.clock import ClockSample
from desert_runners.adapters.readers.live.link import Framing, Link
from desert_runners.adapters.readers.live.sequencer import Recent
from desert_runners.adapters.readers.live.session import ProtocolError, Setup, listen
from desert_runners.adapters.readers.model import DeviceRead, LineProblem

log = logging.getLogger(__name__)
PORT = 53135
FRAMING = Framing(end=b"\r\n", any_of=True)
EOL = jchip.EOL


async def run(host: str, port: int, setup: Setup) -> None:
    name = f"jchip {setup.device}"
    state = _State(Recent())  # across connections: a relay's resend comes on the next one
    handler = partial(_session, setup, state)
    await listen(
        host, port, handler, framing=FRAMING, timing=setup.timing, stop=setup.stop, name=name
    )


@dataclasses.dataclass
class _State:
    recent: Recent
    index: int | None = None  # the last index received


async def _session(setup: Setup, state: _State, link: Link) -> None:
    delivery = setup.delivery()
    hello = await _expect(link, setup, lambda text: jchip.reader_name(text) is not None)
    reader = jchip.reader_name(hello) or ""
    asked = setup.clock()
    await link.send(jchip.get_time() + EOL)
    answer = await _expect(link, setup, lambda text: text.startswith("GT"))
    answered = setup.clock()
    said = jchip.parse_clock(answer)
    if isinstance(said, LineProblem):
        log.warning("%s: %s", setup.device, said)
    else:
        setup.report_clock(ClockSample(setup.device, said, asked, answered))
    await link.send(jchip.start_sending() + EOL)
    link.established = True
    while True:
        frame = await link.frame()
        reads: list[DeviceRead] = []
        problems: list[LineProblem] = []
        for text in [frame or "", *link.buffered()]:
            if jchip.classify(text) != "passing":
                continue
            read = jchip.parse_line(text)
            if isinstance(read, LineProblem):
                problems.append(read)
            elif state.recent.first_time(text):
                _watch(setup, state, read)
                reads.append(dataclasses.replace(read, device=read.device or reader))
        await delivery.reject(problems)
        await delivery.store(reads)


def _watch(setup: Setup, state: _State, read: DeviceRead) -> None:
    index, last = read.sequence, state.index
    if index is not None and last is not None:
        if index > last + 1:
            log.warning("%s: indexes %X-%X never came", setup.device, last + 1, index - 1)
        elif index <= last:
            log.warning(
                "%s: index back to %X after %X: relay restarted?", setup.device, index, last
            )
    state.index = index


async def _expect(link: Link, setup: Setup, wanted: Callable[[str], bool]) -> str:
    while True:
        frame = await link.frame(wait=setup.timing.answer)
        if frame is None:
            raise ProtocolError("the reader did not answer the handshake")
        if wanted(frame):
            return frame
