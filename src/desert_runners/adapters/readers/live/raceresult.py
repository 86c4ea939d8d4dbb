"""RaceResult decoder, live: we connect to its port 3601.

Handshake: ``GETPROTOCOL``, ``SETPROTOCOL;3.2`` (20-field passings), ``GETTIME`` (the
decoder's clock, answered ``GETTIME;<date>;<time>``: a ``ClockSample``; no answer within
``Timing.answer`` is logged and the session goes on), then ``SETPUSHPASSINGS;1;0`` (new
passings pushed as ``#P;...``) and ``PASSINGS`` (answered ``PASSINGS;<count>[;<file>]``).

Resume: passing numbers count from 1 in the decoder's file, so every passing after the
highest durable one (the sink's resume position, 0 before any) is polled with
``<from>:<count>`` (a block of passings ended by an empty line), ``Timing.batch`` at a
time, pushed ones filling in as they come; the ``Sequencer`` stores them in number
order, each once. A pushed passing past a gap (lost in a drop, or pushed before the
catch-up was done) gets the gap polled. ``PASSINGS`` is asked again every
``Timing.keepalive`` seconds: the keep-alive, and a check that no push went missing.
A count below the resume position means the decoder numbers anew (a new file): the
passings are polled from 1 again, and logged. A number the decoder cannot send (polled
``Timing.gap_tries`` times without coming) is given up and logged.
"""

from __future__ import annotations

import logging
from functools import partial

from desert_runners.adapters.readers import raceresult
from desert_runners.adapters.readers.live.clock import ClockSample
from desert_runners.adapters.readers.live.link import Framing, Link
from desert_runners.adapters.readers.live.sequencer import Sequencer
from desert_runners.adapters.readers.live.session import Setup, dial
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

log = logging.getLogger(__name__)
PORT = 3601
FRAMING = Framing(end=b"\r\n", keep_empty=True, strip="\n")
GET_TIME = "GETTIME"


async def run(host: str, port: int, setup: Setup) -> None:
    name = f"raceresult {setup.device}"
    handler = partial(_session, setup)
    await dial(
        host, port, handler, framing=FRAMING, timing=setup.timing, stop=setup.stop, name=name
    )


async def _session(setup: Setup, link: Link) -> None:
    await _Session(setup, link).run()


class _Session:
    def __init__(self, setup: Setup, link: Link) -> None:
        self.setup = setup
        self.link = link
        self.delivery = setup.delivery()
        self.sequencer = Sequencer(0)
        self.count: int | None = None  # the decoder's passings, as it last said
        self.polling: int | None = None  # the first number of the poll under way
        self.tries: dict[int, int] = {}  # polls that brought nothing, per first number

    async def run(self) -> None:
        timing = self.setup.timing
        self.link.idle = timing.idle
        self.sequencer = Sequencer(await self.delivery.resume() or 0)
        await self._command(raceresult.GET_PROTOCOL)
        await self._command(raceresult.SET_PROTOCOL)
        await self._clock()
        self.link.established = True
        await self._command(raceresult.PUSH_PASSINGS)
        await self._send(raceresult.GET_PASSINGS_COUNT)
        while True:
            frame = await self.link.frame(wait=timing.keepalive)
            if frame is None:
                await self._send(raceresult.GET_PASSINGS_COUNT)
                continue
            await self._handle([frame, *self.link.buffered()])
            await self._ask()

    async def _send(self, command: str) -> None:
        await self.link.send(command + raceresult.EOL)

    async def _command(self, command: str) -> str | None:
        """Send ``command``; its answer (None when none came in time)."""
        await self._send(command)
        word = command.split(";")[0]
        loop_time = self.setup.timing.answer
        while True:
            frame = await self.link.frame(wait=loop_time)
            if frame is None:
                log.warning("%s: no answer to %s", self.setup.device, word)
                return None
            if frame.split(";")[0] == word:
                return frame
            await self._handle([frame])

    async def _clock(self) -> None:
        asked = self.setup.clock()
        answer = await self._command(GET_TIME)
        answered = self.setup.clock()
        said = _clock_answer(answer) if answer is not None else None
        if said is None:
            log.warning("%s: no usable clock answer: %r", self.setup.device, answer)
            return
        self.setup.report_clock(ClockSample(self.setup.device, said, asked, answered))

    async def _handle(self, frames: list[str]) -> None:
        problems: list[LineProblem] = []
        for text in frames:
            kind = raceresult.classify(text)
            if kind == "passing":
                read = raceresult.parse_line(text)
                if isinstance(read, DeviceRead):
                    self.sequencer.offer(read)
                else:
                    problems.append(read)
            elif text == "":
                self._poll_ended()
            elif text.startswith("PASSINGS;"):
                self._count(text)
        await self.delivery.reject(problems)
        await self.delivery.store(self.sequencer.ready())

    def _count(self, text: str) -> None:
        fields = text.split(";")
        if len(fields) < 2 or not fields[1].isdigit():
            return
        self.count = int(fields[1])
        last = self.sequencer.last or 0
        if self.count < last:
            log.warning(
                "%s: the decoder has %s passings, we stored up to %s: it numbers anew "
                "(a new file?); polling from 1",
                self.setup.device,
                self.count,
                last,
            )
            self.sequencer.restart(1)
            self.tries.clear()

    def _poll_ended(self) -> None:
        asked, self.polling = self.polling, None
        if asked is not None and self.sequencer.next == asked:  # nothing came
            self.tries[asked] = self.tries.get(asked, 0) + 1

    async def _ask(self) -> None:
        """Poll what is missing, one block at a time."""
        if self.polling is not None:
            return
        sequencer, timing = self.sequencer, self.setup.timing
        start = sequencer.next or 1
        if self.tries.get(start, 0) >= timing.gap_tries:
            given_up = sequencer.skip_gap()
            if given_up is None:  # nothing past it is held: give up this one number
                given_up = range(start, start + 1)
                sequencer.restart(start + 1)
            log.error(
                "%s: passings %s-%s never came: given up",
                self.setup.device,
                given_up.start,
                given_up.stop - 1,
            )
            await self.delivery.store(sequencer.ready())
            start = sequencer.next or 1
        gap = sequencer.missing()
        if gap is not None:
            count = min(len(gap), timing.batch)
        elif self.count is not None and start <= self.count:
            count = min(self.count - start + 1, timing.batch)
        else:
            return
        self.polling = start
        await self._send(raceresult.request_passings(start, count))


def _clock_answer(text: str) -> DeviceTime | None:
    """``GETTIME;YYYY-MM-DD;HH:MM:SS.mmm`` (date ``0000-00-00`` when it has none)."""
    fields = text.split(";")
    if len(fields) < 3:
        return None
    probe = raceresult.parse_line(f"1;0;{fields[1]};{fields[2]};0;0;;")
    if not isinstance(probe, DeviceRead):
        return None
    return probe.time
