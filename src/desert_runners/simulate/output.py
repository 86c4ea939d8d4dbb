"""A simulated race as the files a race office would have, without a database.

- ``entrants.csv``: the entrants file (docs/entrants.md), for ``entrants import``;
- ``readers/S-POINT-KIND.txt``: one device file per timing point, as the reader wrote it:
  RaceResult passings (``PassingNo;TranspCode;Date;Time;EventID;Hits;MaxRSSI;
  InternalData``) at starts and finishes, Impinj logs (``Tag ID,Discover Time``) at
  checkpoints; each in its device's clock order, for ``import --checkpoint``;
- ``timing-points.csv``: which file was read where, by which device, and the clock
  offset the crew measured (``--clock-offset``);
- ``entries.csv``: the volunteers' typed entries, as written (for ``record``), the race
  office's corrections included;
- ``rulings.csv``: withdrawals, penalties, medical holds and voids, in time order;
- ``truth.csv``: what really happened, each crossing's true time (for checking results
  and predictions against it);
- ``simulation.json``: the race, the seed and the counts.

Large fields are written from the numpy columns directly (millions of lines a minute).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import numpy as np

from desert_runners.domain.race import format_duration
from desert_runners.simulate.model.entrants import SimEntrant
from desert_runners.simulate.model.entries import local_text
from desert_runners.simulate.model.events import (
    EntryVoid,
    MedicalHold,
    Penalty,
    Ruling,
    TypedEntry,
    Withdrawal,
)
from desert_runners.simulate.model.performance import IN, OUT
from desert_runners.simulate.model.simulation import SimulatedRace
from desert_runners.simulate.model.timing import Device

# The entrants file's columns (docs/entrants.md).
ENTRANT_COLUMNS: tuple[str, ...] = ("bib", "given_name", "family_name", "gender")
ENTRANT_COLUMNS += ("date_of_birth", "nationality", "team", "tags", "emergency_contact")
RULING_COLUMNS: tuple[str, ...] = ("at", "ruling", "bib", "stage", "status", "code")
RULING_COLUMNS += ("duration", "reason", "evidence", "entry_key")
DEVICE_COLUMNS = ("file", "checkpoint", "device", "format", "clock_offset_s", "reads")
ENTRY_COLUMNS: tuple[str, ...] = ("key", "bib", "checkpoint", "direction", "at", "source")
ENTRY_COLUMNS += ("written_at", "true_bib")


@dataclass(frozen=True)
class DeviceFile:
    path: Path
    checkpoint: str  # STAGE/POINT
    device: Device
    reads: int


@dataclass(frozen=True)
class Written:
    folder: Path
    entrants: Path
    devices: list[DeviceFile]
    entries: Path
    rulings: Path
    truth: Path


def write_simulation(simulated: SimulatedRace, folder: Path, *, truth: bool = True) -> Written:
    folder.mkdir(parents=True, exist_ok=True)
    entrants = _write_entrants(simulated, folder / "entrants.csv")
    devices = _write_readers(simulated, folder / "readers")
    _write_table(folder / "timing-points.csv", DEVICE_COLUMNS, map(_device_row, devices))
    entries = folder / "entries.csv"
    rows = (_entry_row(simulated, entry) for entry in all_entries(simulated))
    _write_table(entries, ENTRY_COLUMNS, rows)
    rulings = folder / "rulings.csv"
    _write_table(rulings, RULING_COLUMNS, (_ruling_row(simulated, r) for r in simulated.rulings))
    truth_path = folder / "truth.csv"
    if truth:
        _write_truth(simulated, truth_path)
    (folder / "simulation.json").write_text(
        json.dumps(summary(simulated), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return Written(folder, entrants, devices, entries, rulings, truth_path)


def all_entries(simulated: SimulatedRace) -> list[TypedEntry]:
    """The volunteers' entries and the office's corrections, in the order written."""
    fixed = [r.corrected for r in simulated.rulings if isinstance(r, EntryVoid)]
    return sorted([*simulated.entries, *fixed], key=lambda entry: entry.at)


def summary(simulated: SimulatedRace) -> dict[str, object]:
    performance = simulated.performance
    causes = [stop.cause for stop in performance.stops]
    last = simulated.course.stages[-1]
    finish = len(simulated.course.points) - 1
    return {
        "race": simulated.race.slug,
        "seed": simulated.seed,
        "entrants": len(simulated.entrants),
        "starters": int(performance.started.sum()),
        "finishers": int(np.unique(performance.runner[performance.point == finish]).size),
        "withdrawn": causes.count("withdrawal"),
        "medical": causes.count("medical"),
        "missed_cutoff": causes.count("cutoff"),
        "medical_holds": len(performance.holds),
        "crossings": len(performance.time),
        "reads": len(simulated.timing.time),
        "devices": len(simulated.timing.devices),
        "typed_entries": len(simulated.entries),
        "rulings": len(simulated.rulings),
        "last_stage": last.number,
    }


def _write_entrants(simulated: SimulatedRace, path: Path) -> Path:
    _write_table(path, ENTRANT_COLUMNS, map(_entrant_row, simulated.entrants))
    return path


def _entrant_row(entrant: SimEntrant) -> list[object]:
    person = entrant.person
    born = person.date_of_birth.isoformat()
    names = [entrant.bib, person.given_name, person.family_name, person.gender, born]
    return [*names, person.nationality, entrant.team or "", ";".join(entrant.tags), person.contact]


def _device_row(found: DeviceFile) -> list[object]:
    device = found.device
    where = [f"readers/{found.path.name}", found.checkpoint, device.name, device.kind]
    return [*where, device.clock_offset_s, found.reads]


def _write_table(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_readers(simulated: SimulatedRace, folder: Path) -> list[DeviceFile]:
    folder.mkdir(parents=True, exist_ok=True)
    timing = simulated.timing
    order = np.lexsort((timing.wall, timing.device))  # by device, then its own clock
    bounds = np.searchsorted(timing.device[order], np.arange(len(timing.devices) + 1))
    tags = np.array(timing.tags)
    written = []
    for number, device in enumerate(timing.devices):
        rows = order[bounds[number] : bounds[number + 1]]
        path = folder / f"{device.stage}-{device.point}-{device.kind}.txt"
        microseconds = np.round(timing.wall[rows] * 1e6).astype(np.int64)
        stamps = np.datetime_as_string(microseconds.astype("datetime64[us]"), unit="us")
        chips: list[str] = tags[timing.tag[rows]].tolist()
        with path.open("w", encoding="ascii", newline="") as handle:
            if device.kind == "impinj":
                _impinj(handle, chips, stamps.tolist())
            else:
                _raceresult(handle, chips, stamps.tolist(), timing.rssi[rows].tolist())
        checkpoint = f"{device.stage}/{device.point}"
        written.append(DeviceFile(path, checkpoint, device, len(rows)))
    return written


def _impinj(handle: IO[str], tags: Iterable[str], stamps: Iterable[str]) -> None:
    handle.write("Tag ID,Discover Time\n")
    lines = zip(tags, stamps, strict=True)
    handle.writelines(f"{tag},{stamp.replace('T', ' ')}\n" for tag, stamp in lines)


def _raceresult(
    handle: IO[str], tags: Iterable[str], stamps: Iterable[str], rssi: Iterable[int]
) -> None:
    """Passings numbered from 1, with the box's date, the time to the millisecond."""
    handle.writelines(
        f"{number};{tag};{stamp[:10]};{stamp[11:23]};1;{3 + number % 9};{level};0\r\n"
        for number, (tag, stamp, level) in enumerate(zip(tags, stamps, rssi, strict=True), start=1)
    )


def _entry_row(simulated: SimulatedRace, entry: TypedEntry) -> list[object]:
    stage = simulated.race.stage(entry.stage)
    assert stage is not None
    typed = local_text(entry, stage.start.astimezone(simulated.race.zone))
    where = [entry.key, entry.bib, f"{entry.stage}/{entry.point}", entry.direction or ""]
    return [*where, typed, entry.source, _local(simulated, entry.at), entry.true_bib]


def _ruling_row(simulated: SimulatedRace, ruling: Ruling) -> list[object]:
    """``RULING_COLUMNS``: at, ruling, bib, stage, status, code, duration, reason, ..."""
    at = _local(simulated, ruling.at)
    if isinstance(ruling, Withdrawal):
        what = ["withdrawal", ruling.bib, ruling.stage, ruling.status, "", ""]
        return [at, *what, ruling.reason, "", ""]
    if isinstance(ruling, Penalty):
        what = ["penalty", ruling.bib, ruling.stage, "", ruling.code, ""]
        return [at, *what, ruling.reason, ruling.evidence, ""]
    if isinstance(ruling, MedicalHold):
        held = format_duration_s(ruling.seconds)
        what = ["neutralisation", ruling.bib, ruling.stage, "", "", held]
        return [at, *what, ruling.reason, "", ""]
    fixed = ruling.corrected
    return [at, "void", fixed.bib, fixed.stage, "", "", "", ruling.reason, "", ruling.key]


def format_duration_s(seconds: float) -> str:
    return format_duration(timedelta(seconds=round(seconds)))


def _local(simulated: SimulatedRace, at: float) -> str:
    return datetime.fromtimestamp(at, simulated.race.zone).isoformat(timespec="seconds")


def _write_truth(simulated: SimulatedRace, path: Path) -> None:
    performance, points = simulated.performance, simulated.course.points
    order = np.lexsort((performance.time, performance.runner))
    bibs = np.array(simulated.bibs)[performance.runner[order]].tolist()
    where = [f"{stage}/{leg.point}" for stage, leg in points]
    places = [where[p] for p in performance.point[order].tolist()]
    direction = {IN: "in", OUT: "out"}
    ways = [direction.get(d, "") for d in performance.direction[order].tolist()]
    moments = np.round(performance.time[order] * 1e6).astype(np.int64).astype("datetime64[us]")
    stamps = np.datetime_as_string(moments, unit="us", timezone="UTC").tolist()
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("bib,checkpoint,direction,at\n")
        handle.writelines(
            f"{bib},{place},{way},{stamp}\n"
            for bib, place, way, stamp in zip(bibs, places, ways, stamps, strict=True)
        )
