"""Load a simulated race into the database, through the same doors as a real one.

Nothing is written behind the services' backs: the entrants go through the entrants
import (a CSV file), the chip reads through the device file import (one file per timing
point, with the crew's measured clock offset), and the typed entries and the director's
rulings through ``record_entry`` and ``rulings``, in the order they happened. An entry
the services refuse (a swapped bib that is nobody's) is counted and reported, as a
volunteer's typo would be.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from desert_runners.adapters.importers.race_definition import load_definitions
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction
from desert_runners.domain.race import Race
from desert_runners.services import rulings
from desert_runners.services.device_files import import_device_file
from desert_runners.services.entrants import import_entrants, list_entrants
from desert_runners.services.recording import record_entry
from desert_runners.simulate.model.entries import local_text
from desert_runners.simulate.model.events import (
    EntryVoid,
    MedicalHold,
    Penalty,
    TypedEntry,
    Withdrawal,
)
from desert_runners.simulate.model.simulation import SimulatedRace
from desert_runners.simulate.output import all_entries, format_duration_s, write_simulation


@dataclass
class Loaded:
    race: str
    entrants: int = 0
    reads_stored: int = 0
    reads_unknown_tag: int = 0
    files: int = 0
    entries_stored: int = 0
    refused: list[str] = field(default_factory=list)  # entries the services refused, why
    entry_events: dict[str, int] = field(default_factory=dict)  # an entry's key -> event id
    withdrawals: int = 0
    penalties: int = 0
    holds: int = 0
    voids: int = 0


def race_from_file(path: Path, slug: str | None) -> Race:
    """The race ``slug`` of a series or race file (the only one when ``slug`` is None)."""
    races = {item.race.slug: item.race for item in load_definitions(path).races}
    if slug is None and len(races) == 1:
        return next(iter(races.values()))
    if slug in races:
        return races[slug]
    known = ", ".join(races) or "none"
    if slug is None:
        raise UserError(f"{path.name} has several races: say which with --race ({known})")
    raise UserError(f"{path.name} has no race '{slug}' (races: {known})")


def load_simulation(
    context: Context,
    simulated: SimulatedRace,
    say: Callable[[str], None] = lambda _: None,
) -> Loaded:
    """Store ``simulated`` in its race, which must have no entrants yet (a race with
    real entrants is never mixed with invented ones)."""
    slug = simulated.race.slug
    _, already = list_entrants(context, slug)
    if already:
        raise UserError(
            f"{slug} already has {len(already)} entrants: simulate into a race that has "
            "none (a new database, or --output DIR for files only)"
        )
    loaded = Loaded(slug)
    with tempfile.TemporaryDirectory(prefix="desert-runners-sim-") as folder:
        written = write_simulation(simulated, Path(folder), truth=False)
        say("importing the entrants")
        report = import_entrants(context, slug, written.entrants)
        loaded.entrants = report.added + report.updated + report.unchanged
        if report.problems:
            raise UserError("the simulated entrants were refused:\n" + "\n".join(report.problems))
        for number, found in enumerate(written.devices, start=1):
            say(f"importing reader file {number}/{len(written.devices)} ({found.checkpoint})")
            ingested = import_device_file(
                context,
                found.path,
                found.checkpoint,
                race_slug=slug,
                kind=found.device.kind,
                device=found.device.name,
                clock_offset_s=found.device.clock_offset_s,
            )
            loaded.files += 1
            loaded.reads_stored += ingested.stored
            loaded.reads_unknown_tag += ingested.unknown
    say("recording typed entries and rulings")
    _record_all(context, simulated, loaded)
    return loaded


def _record_all(context: Context, simulated: SimulatedRace, loaded: Loaded) -> None:
    slug, zone = simulated.race.slug, simulated.race.zone
    stored = loaded.entry_events  # for a void to name the entry it voids
    fixes = {id(r.corrected) for r in simulated.rulings if isinstance(r, EntryVoid)}
    entries = [e for e in all_entries(simulated) if id(e) not in fixes]
    happenings = sorted([*entries, *simulated.rulings], key=lambda item: item.at)
    for item in happenings:
        if isinstance(item, TypedEntry):
            _entry(context, simulated, item, stored, loaded)
        elif isinstance(item, Withdrawal):
            at = datetime.fromtimestamp(item.at, zone).isoformat(timespec="seconds")
            rulings.withdraw(
                context,
                slug,
                item.bib,
                stage=item.stage,
                status=item.status,
                reason=item.reason,
                at=at,
            )
            loaded.withdrawals += 1
        elif isinstance(item, Penalty):
            evidence = item.evidence
            rulings.penalty(
                context,
                slug,
                item.bib,
                item.code,
                stage=item.stage,
                reason=item.reason,
                evidence=evidence,
            )
            loaded.penalties += 1
        elif isinstance(item, MedicalHold):
            held = format_duration_s(item.seconds)
            rulings.neutralise(
                context, slug, stage=item.stage, duration=held, reason=item.reason, bib=item.bib
            )
            loaded.holds += 1
        elif isinstance(item, EntryVoid):
            target = stored.get(item.key)
            if target is not None:  # the wrong entry was stored: void it
                rulings.void(context, slug, target, reason=item.reason)
                loaded.voids += 1
            _entry(context, simulated, item.corrected, stored, loaded)


def _entry(
    context: Context,
    simulated: SimulatedRace,
    entry: TypedEntry,
    stored: dict[str, int],
    loaded: Loaded,
) -> None:
    stage = simulated.race.stage(entry.stage)
    assert stage is not None
    at = local_text(entry, stage.start.astimezone(simulated.race.zone))
    try:
        appended = record_entry(
            context,
            simulated.race.slug,
            entry.bib,
            f"{entry.stage}/{entry.point}",
            at=at,
            direction=Direction(entry.direction) if entry.direction else None,
            source=entry.source,
            key=entry.key,
        )
    except UserError as refused:
        loaded.refused.append(f"{entry.source}: bib {entry.bib} at {at}: {refused}")
        return
    stored[entry.key] = appended.event.id
    loaded.entries_stored += 1
