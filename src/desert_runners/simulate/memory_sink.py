"""A ``ReadSink`` in memory, for tests and the live demo: the reads in order.

One sink, one device (as the capture service's): ``resume_position`` is the highest
sequence stored, whatever device name it is asked with. ``fail_next`` makes the next
``store`` calls raise, as a database that went away does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from desert_runners.adapters.readers.model import DeviceRead, LineProblem


class MemorySink:
    def __init__(self) -> None:
        self.reads: list[DeviceRead] = []
        self.problems: list[LineProblem] = []
        self.last: int | None = None  # the highest sequence stored
        self.stores = 0
        self.fail_next = 0
        self._changed = asyncio.Event()

    def store(self, reads: Sequence[DeviceRead]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise OSError("the store is down")
        self.stores += 1
        self.reads.extend(reads)
        numbers = [read.sequence for read in reads if read.sequence is not None]
        if numbers:
            self.last = max([*numbers, self.last or numbers[0]])
        self._changed.set()

    def reject(self, problems: Sequence[LineProblem]) -> None:
        self.problems.extend(problems)

    def resume_position(self, device: str) -> int | None:
        return self.last

    @property
    def tags(self) -> list[str]:
        return [read.tag for read in self.reads]

    async def wait_for(self, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` reads are stored; TimeoutError past ``timeout``."""
        async with asyncio.timeout(timeout):
            while len(self.reads) < count:
                self._changed.clear()
                await self._changed.wait()
