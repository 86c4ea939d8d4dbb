"""What a live run plays, and when: taken from a ``SimulatedRace`` (pure, no I/O).

- ``PointPlan``: one timing point's reads, as its device will take them, each with the
  true moment it is released (the device's own clock, offset and drift, is in the
  read's time, as the model says);
- ``desk``: the volunteers' typed entries and the race director's rulings, in the order
  they happen (a corrected entry travels with the void that fixes it, as in instant mode).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desert_runners.simulate.devices.base import SimRead
from desert_runners.simulate.model.events import EntryVoid, Ruling, TypedEntry
from desert_runners.simulate.model.simulation import SimulatedRace
from desert_runners.simulate.model.timing import Device

# Every timing point gets a RaceResult decoder: it numbers its passings (so a reader
# that reconnects resumes exactly), answers GETTIME, and sends the chip's code as is.
KIND = "raceresult"

DeskItem = TypedEntry | Ruling


@dataclass(frozen=True)
class PointPlan:
    device: Device  # the model's device at this point: its clock, the crew's offset
    reads: list[SimRead]  # in the order the device takes them
    release: list[float]  # each read's true moment (UTC timestamp), ascending

    @property
    def checkpoint(self) -> str:
        return f"{self.device.stage}/{self.device.point}"

    @property
    def name(self) -> str:
        """The name its reads are stored and resumed under."""
        return f"{KIND} {self.checkpoint}"

    def due(self, moment: float) -> int:
        """How many of its reads the device has taken by ``moment``."""
        return int(np.searchsorted(np.asarray(self.release), moment, side="right"))


def point_plans(simulated: SimulatedRace) -> list[PointPlan]:
    timing = simulated.timing
    plans = []
    for number, device in enumerate(timing.devices):
        rows = np.flatnonzero(timing.device == number)  # rows are in true time order
        if len(rows) == 0:
            continue
        reads = [
            SimRead(
                tag=timing.tags[int(timing.tag[row])],
                time=timing.wall_time(int(row)),
                antenna=int(timing.antenna[row]),
                rssi=int(timing.rssi[row]),
            )
            for row in rows.tolist()
        ]
        plans.append(PointPlan(device, reads, timing.time[rows].tolist()))
    return plans


def desk(simulated: SimulatedRace) -> list[DeskItem]:
    """Typed entries and rulings in time order; a corrected entry is not listed on its
    own: it comes with the ``EntryVoid`` that fixes the wrong one."""
    fixes = {id(r.corrected) for r in simulated.rulings if isinstance(r, EntryVoid)}
    entries = [e for e in simulated.entries if id(e) not in fixes]
    return sorted([*entries, *simulated.rulings], key=lambda item: item.at)


def first_moment(simulated: SimulatedRace) -> float:
    """When the first thing happens: the first read or desk item (UTC timestamp)."""
    times = [float(simulated.timing.time[0])] if len(simulated.timing.time) else []
    items = desk(simulated)
    if items:
        times.append(items[0].at)
    return min(times) if times else simulated.race.stages[0].start.timestamp()
