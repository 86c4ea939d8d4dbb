"""One timing point, live: a simulated RaceResult decoder on a free loopback port, and
the real reader client (``services.readers.connect_reader``, what ``reader connect``
runs) capturing it into the event log.

The decoder takes each read when the race clock reaches its true moment (``release``);
its clock runs on the race clock, off and drifting as the model says, so ``GETTIME``
answers what the box would. The reader is given the crew's measured clock offset, as
instant mode's file import is (``--clock-offset``). A point is done once the store holds
its last passing number: what is stored is the only truth, never what was sent.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from desert_runners.adapters.readers.live import Timing
from desert_runners.adapters.storage.event_log import highest_sequence
from desert_runners.bootstrap import Context
from desert_runners.services.readers import ReaderSession, connect_reader
from desert_runners.simulate.devices.base import HOST, DeviceClock
from desert_runners.simulate.devices.raceresult import RaceResultDecoder
from desert_runners.simulate.live.clock import RaceClock
from desert_runners.simulate.live.plan import KIND, PointPlan

READER_TIMING = Timing(
    connect=2.0, answer=2.0, idle=10.0, keepalive=0.5, backoff_first=0.05, backoff_cap=1.0
)


class LivePoint:
    def __init__(
        self, context: Context, race_id: int, race_slug: str, plan: PointPlan, clock: RaceClock
    ) -> None:
        self.context = context
        self.race_id = race_id
        self.race_slug = race_slug
        self.plan = plan
        self.clock = clock
        self.decoder: RaceResultDecoder | None = None
        self.released = 0
        self.stored = 0  # the highest passing number the store holds
        self._stop = asyncio.Event()
        self._reader: asyncio.Task[ReaderSession] | None = None
        self.finished = False

    @property
    def total(self) -> int:
        return len(self.plan.reads)

    @property
    def running(self) -> bool:
        return self.decoder is not None and not self.finished

    async def start(self, zone: ZoneInfo) -> None:
        """Switch the decoder on (the crew sets it up before the first runner) and
        connect the reader to it; it resumes after what the store already holds."""
        device = self.plan.device
        now = self.clock.timestamp()
        ahead = device.offset_s + (now - device.sync) * device.drift_ppm / 1e6
        clock = DeviceClock(timedelta(seconds=ahead), device.drift_ppm, zone, self.clock.now)
        decoder = RaceResultDecoder(self.plan.reads, dated=True, clock=clock, name=self.plan.name)
        decoder.hold_after = self.released
        port = await decoder.start(HOST)
        self.decoder = decoder
        self._reader = asyncio.ensure_future(
            connect_reader(
                self.context,
                KIND,
                f"{HOST}:{port}",
                self.plan.checkpoint,
                race_slug=self.race_slug,
                device=self.plan.name,
                clock_offset_s=device.clock_offset_s,
                stop=self._stop,
                timing=READER_TIMING,
            )
        )

    def release(self, moment: float) -> int:
        """Let the decoder take every read up to ``moment``; how many are newly taken."""
        due = self.plan.due(moment)
        new, self.released = due - self.released, max(due, self.released)
        if self.decoder is not None:
            self.decoder.hold_after = self.released
        return max(new, 0)

    def check_stored(self) -> int:
        with self.context.store.read() as connection:
            found = highest_sequence(connection, self.race_id, self.plan.name)
        self.stored = found or 0
        return self.stored

    @property
    def complete(self) -> bool:
        return self.stored >= self.total

    async def stop(self) -> None:
        """Stop the reader (a store under way completes), then the decoder; then count
        what the store holds. Counted before the reader ended, a batch it was storing
        would be missing from the count (a busy machine once showed 659 for 660)."""
        self._stop.set()
        try:
            if self._reader is not None:
                await self._reader  # its error, if any, is the caller's to see
                await asyncio.sleep(0.05)  # the decoder sees the reader go, ends its session
        finally:
            if self.decoder is not None:
                await self.decoder.stop()
                await asyncio.to_thread(self.check_stored)
            self.finished = True
