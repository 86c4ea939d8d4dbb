"""The race clock of a race played in accelerated time.

Race time = ``start`` + wall time elapsed x ``speed``, plus the jumps over idle gaps
(``skip_to``: a night between stages). It only moves forward. Thread-safe: the readers,
the camp server and the stations all read it as their "now".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime


class RaceClock:
    def __init__(
        self, start: float, speed: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        self.speed = speed
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._base = start  # race time (UTC timestamp) at wall time _since
        self._since = monotonic()
        self.skipped = 0.0  # race seconds jumped over so far

    def timestamp(self) -> float:
        """The race's time now, as a UTC timestamp."""
        with self._lock:
            return self._base + (self._monotonic() - self._since) * self.speed

    def now(self) -> datetime:
        """The race's time now, zone-aware UTC: what the services take as their clock."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def skip_to(self, moment: float) -> None:
        """Jump forward to ``moment`` (nothing happens when it is not ahead)."""
        with self._lock:
            wall = self._monotonic()
            current = self._base + (wall - self._since) * self.speed
            if moment > current:
                self.skipped += moment - current
                self._base, self._since = moment, wall

    def wall_seconds(self, race_seconds: float) -> float:
        """How long ``race_seconds`` of race time last on the wall clock."""
        return race_seconds / self.speed
