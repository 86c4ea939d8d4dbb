"""A whole race, simulated from its definition: ``simulate_race(race, entrants, seed)``.

The same race, entrants and seed give the same race, read for read. Each part draws
from its own random stream (``rng.stream``), so the field does not change when, say,
the timing mess does; and the series' regulars are the same people in every race.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from desert_runners.domain.race import Consequence, Race
from desert_runners.simulate.model.calibrated import (
    DAY_FATIGUE,
    DESERT_ABILITY_WIDENING,
    DESERT_HAZARD_SCALE,
    DESERT_SPEED_KMH,
    PACE,
    PACK_WEIGHT,
    QUALIFIED_FIELD_SPEEDUP,
)
from desert_runners.simulate.model.course import Course, course_from_race
from desert_runners.simulate.model.entrants import SimEntrant, make_field
from desert_runners.simulate.model.entries import typed_entries
from desert_runners.simulate.model.events import ChipRead, Event, Ruling, TypedEntry
from desert_runners.simulate.model.hazard import Hazard
from desert_runners.simulate.model.performance import Conditions, Performance, run_course
from desert_runners.simulate.model.rng import stream
from desert_runners.simulate.model.rulings import holds, penalties, withdrawals
from desert_runners.simulate.model.runners import draw_runners
from desert_runners.simulate.model.timing import Timing, see

DNS_SHARE = 0.01  # entrants who do not start
LATE_START_SHARE = 0.005  # per runner and stage: a few minutes late from the medical tent
HOLD_RATE = 0.002  # per runner and checkpoint: a medic holds them a while


@dataclass
class SimulatedRace:
    race: Race
    seed: int
    entrants: list[SimEntrant]
    course: Course
    performance: Performance  # what really happened
    timing: Timing  # what the readers saw
    entries: list[TypedEntry]  # what the volunteers wrote
    rulings: list[Ruling]  # what the director decided, in time order

    @property
    def bibs(self) -> list[int]:
        return [entrant.bib for entrant in self.entrants]

    def reads(self) -> Iterator[ChipRead]:
        """Every chip read, in true time order."""
        timing, devices = self.timing, self.timing.devices
        for row in range(len(timing.time)):
            device = devices[int(timing.device[row])]
            yield ChipRead(
                at=float(timing.time[row]),
                device=device.name,
                kind=device.kind,
                stage=device.stage,
                point=device.point,
                tag=timing.tags[int(timing.tag[row])],
                wall=timing.wall_time(row),
                antenna=int(timing.antenna[row]),
                rssi=int(timing.rssi[row]),
            )

    def events(self) -> Iterator[Event]:
        """Everything, reads, typed entries and rulings, in the order it happened: what a
        live driver replays, at any speed."""
        others: list[Event] = sorted([*self.entries, *self.rulings], key=lambda e: e.at)
        merged: Iterator[Event] = heapq.merge(self.reads(), others, key=lambda e: e.at)
        yield from merged


def simulate_race(race: Race, entrants: int = 150, seed: int = 1) -> SimulatedRace:
    field = make_field(race, entrants, seed)
    course = course_from_race(race)
    rng = stream(seed, "performance", race.slug)
    qualified = race.entry.required_series_finishes > 0
    runners = draw_runners(
        rng,
        len(field),
        PACE,
        DESERT_SPEED_KMH * (QUALIFIED_FIELD_SPEEDUP if qualified else 1.0),
        widening=1.0 if qualified else DESERT_ABILITY_WIDENING,
        women=[entrant.person.gender == "F" for entrant in field],
        ages=[_age(entrant, race.starts_on) for entrant in field],
        teams=[entrant.team for entrant in field],
    )
    conditions = Conditions(
        PACE,
        Hazard(scale=DESERT_HAZARD_SCALE),
        day_fatigue=DAY_FATIGUE,
        pack_weight=PACK_WEIGHT,
        out_on_withdrawal=race.rules.withdrawn_stage is Consequence.OUT,
        out_on_cutoff=race.rules.missed_cutoff is Consequence.OUT,
        dns_share=DNS_SHARE,
        late_start_share=LATE_START_SHARE,
        hold_rate=HOLD_RATE,
    )
    performance = run_course(course, runners, conditions, rng)
    tags = [entrant.tags for entrant in field]
    timing = see(course, performance, tags, stream(seed, "timing", race.slug))
    bibs = [entrant.bib for entrant in field]
    entries, voids = typed_entries(
        course, performance, timing, bibs, stream(seed, "entries", race.slug)
    )
    decided = stream(seed, "rulings", race.slug)
    rulings: list[Ruling] = [
        *withdrawals(performance, course, bibs, decided),
        *penalties(race, course, performance, bibs, decided),
        *holds(performance, course, bibs),
        *voids,
    ]
    rulings.sort(key=lambda ruling: ruling.at)
    return SimulatedRace(race, seed, field, course, performance, timing, entries, rulings)


def _age(entrant: SimEntrant, day: date) -> int:
    born = entrant.person.date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
