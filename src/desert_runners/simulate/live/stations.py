"""The checkpoint stations of a live run: one laptop per timing point with typed entries.

Each is made as a real one is: a kit issued at camp (``station_kit.issue_kit``), set up
in the station's own SQLite database (``set_up_station``), entries saved through the
desk (``draft_entry`` then ``save_draft``: the warnings a volunteer would see are kept,
and the volunteer confirms), a caught typo undone with ``void_entry`` and typed again,
and everything sent to the camp server over HTTP (``sync_to``). Not thread-safe: one
worker thread runs all the stations, in time order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.events import Direction
from desert_runners.domain.race import Race
from desert_runners.domain.station.commands import TypedTime
from desert_runners.services.station_desk import (
    Station,
    draft_entry,
    open_station,
    save_draft,
    void_entry,
)
from desert_runners.services.station_kit import issue_kit, set_up_station
from desert_runners.services.station_send import sync_to
from desert_runners.simulate.live.clock import RaceClock
from desert_runners.simulate.model.events import EntryVoid, TypedEntry

VOLUNTEER = "volunteer (simulated)"


@dataclass
class Laptop:
    context: Context
    station: Station
    last_seq: int = 0  # the highest number saved here (entries and voids)
    synced_through: int = 0  # the highest number the camp confirmed


@dataclass
class StationCounts:
    stations: int = 0
    saved: int = 0
    voided: int = 0
    sent: int = 0
    stored_at_camp: int = 0
    syncs: int = 0


class Stations:
    def __init__(self, camp: Context, race: Race, folder: Path, clock: RaceClock) -> None:
        self.camp = camp
        self.race = race
        self.folder = folder
        self.clock = clock
        self.zone = race.zone
        self.laptops: dict[str, Laptop] = {}  # STAGE/POINT -> its laptop
        self.saved_as: dict[str, tuple[str, int]] = {}  # entry key -> (point, number)
        self.counts = StationCounts()

    def laptop(self, stage: int, point: str) -> Laptop:
        """The point's laptop, set up from a kit issued now (the morning of its stage)."""
        where = f"{stage}/{point}"
        if where not in self.laptops:
            name = f"s{stage}-{point.casefold()}"[:24].rstrip("-")
            kit = self.folder / f"{name}.kit"
            issue_kit(self.camp, self.race.slug, where, name, kit)
            url = f"sqlite:///{self.folder / (name + '.db')}"
            context = bootstrap(url, author=VOLUNTEER, clock=self.clock.now)
            set_up_station(context, kit)
            self.laptops[where] = Laptop(context, open_station(context))
            self.counts.stations += 1
        return self.laptops[where]

    def enter(self, entry: TypedEntry) -> None:
        """The volunteer types the bib and the time off the sheet, and confirms."""
        laptop = self.laptop(entry.stage, entry.point)
        text = entry.typed.strftime("%H:%M" if entry.to_the_minute else "%H:%M:%S")
        typed = TypedTime(entry.typed.time(), text)
        direction = Direction(entry.direction) if entry.direction else None
        draft = draft_entry(laptop.context, laptop.station, entry.bib, typed, direction)
        written = _written(entry.typed, self.zone)
        if draft.at != written:  # late on the long march: the sheet has the date too
            draft = replace(draft, at=written)
        saved = save_draft(laptop.context, laptop.station, draft)
        self.saved_as[entry.key] = (f"{entry.stage}/{entry.point}", saved.seq)
        laptop.last_seq = max(laptop.last_seq, saved.seq)
        self.counts.saved += 1

    def void_and_retype(self, void: EntryVoid) -> bool:
        """The office found a wrong bib: the station voids its entry and types the right
        one. False when the wrong entry is not on a laptop of this run (a rerun)."""
        found = self.saved_as.get(void.key)
        if found is not None:
            laptop = self.laptops[found[0]]
            undone = void_entry(laptop.context, laptop.station, found[1], void.reason)
            laptop.last_seq = max(laptop.last_seq, undone.seq)
            self.counts.voided += 1
        self.enter(void.corrected)
        return found is not None

    def sync(self, camp_url: str) -> int:
        """Every laptop with something new sends it to camp over HTTP; how many facts."""
        sent = 0
        for laptop in self.laptops.values():
            if laptop.synced_through < laptop.last_seq:
                report = sync_to(laptop.context, camp_url)
                laptop.synced_through = report.through
                sent += report.sent
                self.counts.sent += report.sent
                self.counts.stored_at_camp += report.stored
        self.counts.syncs += 1
        return sent

    def close(self) -> None:
        for laptop in self.laptops.values():
            laptop.context.store.close()


def _written(typed: datetime, zone: ZoneInfo) -> datetime:
    return typed.replace(tzinfo=zone)
