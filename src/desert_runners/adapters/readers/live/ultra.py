"""RFID Timing Systems Ultra / Joey, live: we connect to its port 23.

Handshake: the box greets with a ``...,Connected,...`` line; ``r`` asks its clock,
answered ``H:M:S D-M-YYYY`` in whole seconds (not zero-padded): a ``ClockSample`` with
a one-second resolution; ``R`` starts reading. The box sends a voltage line (``V=``)
every few seconds: ``Timing.idle`` of silence means a dead link.

Resume: every read carries the box's LogID. At each connection we ask a rewind
(``ultra.rewind``) from one past the sink's resume position to an open end, so what the
box logged while we were away comes again (flagged rewind); live reads go on meanwhile.
Before any read is stored (no resume position) the whole log is asked, from LogID 0: its
oldest line sets where numbering starts, so nothing the box took before we first
connected is lost (a box still holding an older event's reads sends those too: the
capture service sets aside reads outside the stage).
The ``Sequencer`` stores them in LogID order, each once. A LogID gap (a read lost in
flight) is rewound (``ultra.rewind_missing``), again every ``Timing.gap`` seconds, and
given up (logged) after ``Timing.gap_tries``. A LogID already stored that comes again
naming another read means the box's log was cleared: numbering restarts there (logged).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from desert_runners.adapters.readers import ultra
from desert_runners.adapters.readers.live.clock import ClockSample
from desert_runners.adapters.readers.live.link import Framing, Link
from desert_runners.adapters.readers.live.sequencer import Sequencer
from desert_runners.adapters.readers.live.session import ProtocolError, Setup, dial
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

log = logging.getLogger(__name__)
PORT = 23
FRAMING = Framing(end=b"\r\n", any_of=True, strip="\0 ")
ASK_CLOCK = "r"
START_READING = "R"
OPEN_END = 999_999_999  # the box sends what it holds up to here
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}) ([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})")


async def run(host: str, port: int, setup: Setup) -> None:
    name = f"ultra {setup.device}"
    handler = partial(_session, setup, _State())
    await dial(
        host, port, handler, framing=FRAMING, timing=setup.timing, stop=setup.stop, name=name
    )


class _State:
    def __init__(self) -> None:
        self.seen: dict[int, str] = {}  # LogID -> what the read said, this process


async def _session(setup: Setup, state: _State, link: Link) -> None:
    timing, delivery = setup.timing, setup.delivery()
    link.idle = timing.idle
    await _expect(link, setup, lambda text: "Connected" in text.split(",")[:2])
    asked = setup.clock()
    await link.send(ASK_CLOCK)
    answer = await _expect(link, setup, lambda text: _CLOCK.search(text) is not None)
    said = clock_answer(answer)
    if said is not None:
        sample = ClockSample(setup.device, said, asked, setup.clock(), timedelta(seconds=1))
        setup.report_clock(sample)
    await link.send(START_READING)
    link.established = True
    sequencer = Sequencer(await delivery.resume())
    gaps = _Gaps(setup, link, sequencer)
    seen = state.seen
    await link.send(ultra.rewind(sequencer.next or 0, OPEN_END))
    early = [] if sequencer.next is not None else await _start_of_log(link, setup, sequencer)
    while True:
        frame = await link.frame(wait=timing.gap) if not early else None
        problems: list[LineProblem] = []
        for text in [*early, frame or "", *link.buffered()]:
            if not text or ultra.skip_line(text) or _CLOCK.search(text):
                continue
            read = ultra.parse_line(text)
            if isinstance(read, LineProblem):
                problems.append(read)
                continue
            if _log_restarted(sequencer, read, seen):
                log.warning(
                    "%s: LogID %s again, another read: the box's log restarted",
                    setup.device,
                    read.sequence,
                )
                sequencer.restart(read.sequence or 0)
            seen[read.sequence or 0] = _content(read)
            sequencer.offer(read)
        early = []
        await delivery.reject(problems)
        await delivery.store(sequencer.ready())
        await gaps.check()
        await delivery.store(sequencer.ready())


class _Gaps:
    """Rewinds a gap every ``Timing.gap`` seconds; gives it up after some tries."""

    def __init__(self, setup: Setup, link: Link, sequencer: Sequencer) -> None:
        self.setup, self.link, self.sequencer = setup, link, sequencer
        self.gap: range | None = None
        self.tries = 0
        self.asked = 0.0  # the event loop's time of the last rewind asked

    async def check(self) -> None:
        gap = self.sequencer.missing()
        if gap is None:
            self.gap = None
            return
        if self.gap is None or gap.start != self.gap.start:
            self.gap, self.tries = gap, 0
        now, timing = asyncio.get_running_loop().time(), self.setup.timing
        if self.tries and now - self.asked < timing.gap:
            return
        if self.tries >= timing.gap_tries:
            log.error(
                "%s: LogIDs %s-%s never came back: given up",
                self.setup.device,
                gap.start,
                gap.stop - 1,
            )
            self.sequencer.skip_gap()
            self.gap = None
            return
        self.tries += 1
        self.asked = now
        await self.link.send(ultra.rewind_missing(gap))


def _content(read: DeviceRead) -> str:
    return ",".join(read.raw.split(",")[1:4])  # chip, seconds, milliseconds


def _log_restarted(sequencer: Sequencer, read: DeviceRead, seen: dict[int, str]) -> bool:
    """A LogID already handed on that now names another read: the log was cleared.

    The same read again (live and rewound overlap after a reconnection) is a repeat.
    After a restart of this process the LogIDs stored before are not known here: a
    cleared box is then seen only once its new LogIDs pass the old ones.
    """
    number, last = read.sequence or 0, sequencer.last
    if last is None or number > last:
        return False
    before = seen.get(number)
    return before is not None and before != _content(read)


async def _start_of_log(link: Link, setup: Setup, sequencer: Sequencer) -> list[str]:
    """Before any read is stored, the whole log was asked: its first line (the oldest,
    rewound) sets where numbering starts. The lines read meanwhile are returned."""
    lines: list[str] = []
    while True:
        frame = await link.frame(wait=setup.timing.answer)
        if frame is None:
            break  # an empty log: the first live read will set it
        lines.append(frame)
        read = ultra.parse_line(frame)
        if isinstance(read, DeviceRead) and ultra.is_rewind(read) and read.sequence is not None:
            sequencer.restart(read.sequence)
            break
    return lines


def clock_answer(text: str) -> DeviceTime | None:
    """The box's ``H:M:S D-M-YYYY`` answer to ``r`` (its wall clock)."""
    match = _CLOCK.search(text)
    if match is None:
        return None
    hour, minute, second, day, month, year = (int(part) for part in match.groups())
    try:
        return DeviceTime(local=datetime(year, month, day, hour, minute, second))
    except ValueError:
        return None


async def _expect(link: Link, setup: Setup, wanted: Callable[[str], bool]) -> str:
    while True:
        frame = await link.frame(wait=setup.timing.answer)
        if frame is None:
            raise ProtocolError("the box did not answer the handshake")
        if wanted(frame):
            return frame
