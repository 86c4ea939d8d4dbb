"""A simulated race: its field, its outcomes, the mess of its timing, its files."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pycountry
import pytest
from tests.conftest import EXAMPLES

from desert_runners.adapters.importers.entrants_file import read_entrants
from desert_runners.adapters.importers.race_definition import load_definitions
from desert_runners.adapters.readers.detect import read_device_file
from desert_runners.domain.race import Race
from desert_runners.simulate.model.entrants import REGULARS_MAX, Person, make_field
from desert_runners.simulate.model.events import ChipRead, Penalty, TypedEntry, Withdrawal
from desert_runners.simulate.model.simulation import SimulatedRace, simulate_race
from desert_runners.simulate.model.timing import local_offsets
from desert_runners.simulate.output import write_simulation

ATACAMA = "atacama-crossing-2010"


@pytest.fixture(scope="module")
def races() -> dict[str, Race]:
    return {item.race.slug: item.race for item in load_definitions(EXAMPLES / "series.yaml").races}


@pytest.fixture(scope="module")
def busy(races: dict[str, Race]) -> SimulatedRace:
    return simulate_race(races[ATACAMA], 600, 2)


def test_the_same_seed_gives_the_same_race_another_seed_another(races: dict[str, Race]) -> None:
    first, again = (simulate_race(races[ATACAMA], 60, 7) for _ in range(2))
    assert first.entrants == again.entrants
    for column in ("device", "tag", "time", "wall", "antenna", "rssi"):
        assert np.array_equal(getattr(first.timing, column), getattr(again.timing, column))
    assert first.entries == again.entries
    assert first.rulings == again.rulings
    other = simulate_race(races[ATACAMA], 60, 8)
    assert other.entrants != first.entrants
    assert not np.array_equal(other.performance.time, first.performance.time)


def test_the_field_mix_within_tolerances(races: dict[str, Race]) -> None:
    """Women 25 % +- 4 %, ages 21-70 on race day, ISO alpha-3 nationalities with the host
    (CHL) well represented, teams of 3-4 on consecutive bibs, unique bibs and tags."""
    race = races[ATACAMA]
    field = make_field(race, 2000, 3)
    assert len(field) == 2000
    women = sum(entrant.person.gender == "F" for entrant in field) / len(field)
    assert 0.21 <= women <= 0.29
    ages = [_age(entrant.person.date_of_birth, race.starts_on) for entrant in field]
    assert min(ages) >= 21
    assert max(ages) <= 70
    assert 0.5 <= np.mean([30 <= age <= 55 for age in ages]) <= 0.95
    nationalities = Counter(entrant.person.nationality for entrant in field)
    assert all(pycountry.countries.get(alpha_3=code) for code in nationalities)
    assert len(nationalities) >= 25
    assert nationalities["CHL"] > 2000 / len(nationalities)  # the host, boosted
    teams: dict[str, list[int]] = {}
    for entrant in field:
        if entrant.team:
            teams.setdefault(entrant.team, []).append(entrant.bib)
    assert len(teams) >= 30
    for bibs in teams.values():
        assert 3 <= len(bibs) <= 4
        assert bibs[-1] - bibs[0] <= len(bibs)  # consecutive, give or take an unused bib
    bibs = [entrant.bib for entrant in field]
    assert bibs == sorted(set(bibs))
    tags = [tag for entrant in field for tag in entrant.tags]
    assert len(tags) == len(set(tags))
    assert all(len(tag) == 10 for tag in tags)
    assert 0.01 <= (len(tags) - len(field)) / len(field) <= 0.06  # a few spare chips


def test_regulars_are_the_same_people_in_every_race_of_the_series(
    races: dict[str, Race],
) -> None:
    def regulars(slug: str, seed: int = 5) -> set[Person]:
        return {e.person for e in make_field(races[slug], 150, seed) if e.regular}

    found = [regulars(slug) for slug in sorted(races)]
    assert len(found[0]) == REGULARS_MAX
    assert all(group == found[0] for group in found)  # names, birth dates, nationalities
    assert regulars(ATACAMA, seed=6) != found[0]


def test_withdrawals_cutoffs_holds_and_penalties_happen(
    busy: SimulatedRace, races: dict[str, Race]
) -> None:
    performance = busy.performance
    causes = Counter(stop.cause for stop in performance.stops)
    assert causes["withdrawal"] >= 3
    assert causes["medical"] >= 3
    assert causes["cutoff"] >= 3
    assert performance.holds
    started = int(performance.started.sum())
    assert 0.97 * 600 <= started < 600  # a few do not start
    finish = len(busy.course.points) - 1
    finished = len(np.unique(performance.runner[performance.point == finish]))
    assert 0.7 <= finished / started <= 0.95
    withdrawals = [r for r in busy.rulings if isinstance(r, Withdrawal)]
    assert len(withdrawals) == causes["withdrawal"] + causes["medical"]
    assert all(w.reason and w.status in {"dnf", "medical"} for w in withdrawals)
    catalogue = {rule.code for rule in races[ATACAMA].penalties}
    penalties = [r for r in busy.rulings if isinstance(r, Penalty)]
    assert penalties
    assert all(p.code in catalogue for p in penalties)
    # Nobody is seen after they stopped.
    for stop in performance.stops:
        later = performance.time[performance.runner == stop.runner].max()
        assert later <= stop.at + 1


def test_the_mess_of_real_timing_is_there(busy: SimulatedRace) -> None:
    timing, performance = busy.timing, busy.performance
    # Duplicate reads: about a dozen per crossing at a checkpoint's raw reader.
    assert len(timing.time) > 8 * len(performance.time)
    # Missed reads, most written down by a volunteer, none by the reader.
    assert len(timing.unread) > 0
    assert 0 < len(busy.entries) < len(timing.unread)
    # A reader off for a while: nothing read in its window.
    off = [device for device in timing.devices if device.outage is not None]
    assert off
    for device in off:
        assert device.outage is not None
        begin, end = device.outage
        mine = timing.time[timing.device == device.index]
        assert not ((mine > begin + 2) & (mine < end - 2)).any()
    # Clocks: one reader a minute off and never measured, one drifting fast.
    unmeasured = [d for d in timing.devices if d.measured_offset_s is None]
    assert len(unmeasured) == 1
    assert abs(unmeasured[0].offset_s) >= 35
    assert any(abs(device.drift_ppm) == 400 for device in timing.devices)
    true_local = timing.time + local_offsets(timing.time, busy.course.zone)
    assert np.abs(timing.wall - true_local).max() >= 35
    # A volunteer who swapped two digits of a bib.
    swapped = [entry for entry in busy.entries if entry.bib != entry.true_bib]
    assert swapped
    assert all(sorted(str(e.bib)) == sorted(str(e.true_bib)) for e in swapped)
    # Entries a few seconds off (or to the minute), never minutes.
    for entry in busy.entries:
        passed = _true_local_time(busy, entry)
        error = abs((entry.typed - passed).total_seconds())
        assert error < (75 if entry.to_the_minute else 20)
    # A chip nobody has.
    assert len(timing.tags) > sum(len(entrant.tags) for entrant in busy.entrants)


def test_one_stream_of_events_in_time_order(races: dict[str, Race]) -> None:
    busy = simulate_race(races[ATACAMA], 150, 2)
    kinds: Counter[str] = Counter()
    last = -np.inf
    for event in busy.events():
        assert event.at >= last
        last = event.at
        kinds[type(event).__name__] += 1
    assert kinds["ChipRead"] == len(busy.timing.time)
    assert {"TypedEntry", "Withdrawal", "Penalty", "MedicalHold"} <= set(kinds)
    first = next(busy.reads())
    assert isinstance(first, ChipRead)
    assert first.device.split()[0] == first.kind


def test_the_files_are_what_the_importers_read(races: dict[str, Race], tmp_path: Path) -> None:
    simulated = simulate_race(races[ATACAMA], 40, 4)
    written = write_simulation(simulated, tmp_path)
    entrants = read_entrants(written.entrants)
    assert not entrants.problems
    assert len(entrants.rows) == 40
    total = 0
    for found in written.devices:
        reads = read_device_file(found.path, None, None)
        assert reads.format == found.device.kind
        assert not reads.problems
        assert len(reads.reads) == found.reads
        total += found.reads
    assert total == len(simulated.timing.time)
    for name in ("entries.csv", "rulings.csv", "timing-points.csv", "truth.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8").count("\n") > 1


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _true_local_time(simulated: SimulatedRace, entry: TypedEntry) -> datetime:
    performance = simulated.performance
    points = simulated.course.points
    rows = [
        row
        for row in np.flatnonzero(performance.runner == simulated.bibs.index(entry.true_bib))
        if points[performance.point[row]][0] == entry.stage
        and points[performance.point[row]][1].point == entry.point
    ]
    moments = [float(performance.time[row]) for row in rows]
    moment = min(moments, key=lambda m: abs(m - entry.at))
    offset = local_offsets(np.array([moment]), simulated.course.zone)[0]
    return datetime.fromtimestamp(moment, UTC).replace(tzinfo=None) + timedelta(seconds=offset)
