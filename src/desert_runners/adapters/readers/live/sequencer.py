"""Reads in sequence order, each let through once, and the gaps worth a rewind.

For devices that number every read and can send a range again (RaceResult's passing
numbers, RFID Ultra's LogIDs): reads are handed to the sink only as an unbroken run
after the last durable one, so the sink's highest sequence is always a position from
which nothing before is missing. A read past a gap is held (in memory, not stored)
until the rewind fills the gap; a gap the device cannot fill is given up after some
tries (``skip_gap``), and logged, so one lost read never stalls the capture.

``Recent`` is the dedupe for devices without a rewind: the same raw line seen again.
"""

from __future__ import annotations

from collections import OrderedDict

from desert_runners.adapters.readers.model import DeviceRead


class Sequencer:
    def __init__(self, last: int | None) -> None:
        self.last = last  # the sequence of the last read handed on (None: none yet)
        self._held: dict[int, DeviceRead] = {}

    @property
    def next(self) -> int | None:
        """The sequence wanted next; None while no read sets where numbering starts."""
        return None if self.last is None else self.last + 1

    def offer(self, read: DeviceRead) -> bool:
        """Hold ``read``; False when it was handed on or held already (a duplicate)."""
        number = _sequence(read)
        if (self.last is not None and number <= self.last) or number in self._held:
            return False
        self._held[number] = read
        return True

    def ready(self) -> list[DeviceRead]:
        """The unbroken run of held reads after the last; they count as handed on."""
        if not self._held:
            return []
        number = self.next if self.next is not None else min(self._held)
        run: list[DeviceRead] = []
        while number in self._held:
            run.append(self._held.pop(number))
            number += 1
        if run:
            self.last = _sequence(run[-1])
        return run

    def missing(self) -> range | None:
        """The sequences between the last read and the first held one, if any."""
        if not self._held or self.next is None:
            return None
        first = min(self._held)
        return range(self.next, first) if first > self.next else None

    def skip_gap(self) -> range | None:
        """Give up on the current gap (the device cannot send it); what was given up."""
        gap = self.missing()
        if gap is not None:
            self.last = gap.stop - 1
        return gap

    def restart(self, number: int) -> None:
        """The device numbers anew from ``number`` (a cleared memory, a new file)."""
        self._held = {n: read for n, read in self._held.items() if n >= number}
        self.last = number - 1


class Recent:
    """The last ``size`` raw lines seen: a line seen again is a duplicate."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_time(self, raw: str) -> bool:
        key = raw.strip()
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


def _sequence(read: DeviceRead) -> int:
    if read.sequence is None:
        raise ValueError(f"a {read.format} read without a sequence: {read.raw!r}")
    return read.sequence
