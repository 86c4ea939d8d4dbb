"""Series standings from each race's final overall results and the person matching.

A race *counts* for a person only if they finished it with an overall rank: a DNF, DNS,
DQ, missed cutoff, or an unranked (continuing) finish does not. A race's year is the
year it starts (``starts_on``); the date a finish is achieved is its official finish
date, the race's ``ends_on``. Core events (``SeriesEvent.core``) make the Club and the
Grand Slam; a roving event (``SeriesEvent.roving``) makes the Plus.

- **4 Deserts Club**: a finish of every core event, at any time. Completed on the date
  of the first finish of the last core event still missing (the fourth distinct one).
- **Grand Slam**: a finish of every core event in races of one calendar year.
- **Grand Slam Plus**: the Grand Slam plus a finish of a roving race of that year.
- **4 Deserts Champion**: among a year's Grand Slam finishers, the lowest sum of overall
  ranks over that year's core races. The whole table is given: equal sums share a place
  (1, 1, 3) and there is no tie-break, so a year may have two champions. Should a person
  finish two editions of one event in a year, the better rank counts.

The standings are frozen dataclasses, sorted (Club by completion date, the others by
year, then place, then person id), each naming the person by ``Person.id``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from desert_runners.domain.race import Race, Series
from desert_runners.results.matching import Matching

RANKED = "ranked"  # the overall status of a ranked finisher (results.overall)


@dataclass(frozen=True)
class Finish:
    """One bib's final overall result in a race."""

    finished: bool
    overall_rank: int | None = None

    @property
    def counts(self) -> bool:
        return self.finished and self.overall_rank is not None


RaceResults = Mapping[int, Finish] | pl.DataFrame


@dataclass(frozen=True)
class ClubMember:
    person: str
    completed_on: date  # the official finish date of the race that completed the set
    races: tuple[str, ...]  # the first finish of each core event, by date

    @property
    def year(self) -> int:
        return self.completed_on.year


@dataclass(frozen=True)
class GrandSlam:
    year: int
    person: str
    races: tuple[str, ...]  # the core races (and the roving race, for the Plus), by date


@dataclass(frozen=True)
class ChampionPlace:
    year: int
    place: int  # 1 is the champion; equal sums share a place
    person: str
    rank_sum: int
    ranks: tuple[tuple[str, int], ...]  # (race slug, overall rank) per core race, by date


@dataclass(frozen=True)
class Standings:
    club: tuple[ClubMember, ...]
    grand_slam: tuple[GrandSlam, ...]
    grand_slam_plus: tuple[GrandSlam, ...]
    championship: tuple[ChampionPlace, ...]  # every Grand Slam finisher, per year

    def champions(self, year: int) -> tuple[ChampionPlace, ...]:
        return tuple(p for p in self.championship if p.year == year and p.place == 1)


def finishes(results: RaceResults) -> dict[int, Finish]:
    """A race's results by bib. A frame has columns ``bib``, ``finished`` and
    ``overall_rank``, or is an ``overall_results`` table (``bib``, ``status``, ``rank``),
    where only a ``ranked`` status is a finish."""
    if not isinstance(results, pl.DataFrame):
        return dict(results)
    columns = set(results.columns)
    if {"bib", "finished", "overall_rank"} <= columns:
        rows = results.select("bib", "finished", "overall_rank").iter_rows()
        found = [(int(bib), Finish(bool(done), rank)) for bib, done, rank in rows]
    elif {"bib", "status", "rank"} <= columns:
        rows = results.select("bib", "status", "rank").iter_rows()
        found = [(int(bib), Finish(status == RANKED, rank)) for bib, status, rank in rows]
    else:
        raise ValueError(f"results need bib, finished, overall_rank; got {sorted(columns)}")
    table = dict(found)
    if len(table) != len(found):
        raise ValueError("results name a bib twice")
    return table


@dataclass(frozen=True)
class _Counted:
    """A finish that counts: the race, its event, year, finish date and rank."""

    race: str
    event: str
    year: int
    on: date
    rank: int


def series_standings(
    series: Series,
    races: Sequence[Race],
    matching: Matching,
    results: Mapping[str, RaceResults],
) -> Standings:
    """The Club, Grand Slam (Plus) and Champion standings (see the module doc).

    ``results`` maps a race slug to its final results; a race without results has no
    finishes yet. Raises ValueError for a race not of the series, results or entries of
    a race not in ``races``, and a result bib that belongs to no person."""
    by_slug = {race.slug: race for race in races}
    for race in races:
        if race.series != series.slug or series.event(race.event) is None:
            raise ValueError(f"race {race.slug} is not a race of the series {series.slug}")
    core = {event.slug for event in series.events if event.core}
    roving = {event.slug for event in series.events if event.roving}
    unknown = (set(results) | {e.race for p in matching.persons for e in p.entries}) - set(by_slug)
    if unknown:
        raise ValueError(f"results or entries of unknown races: {sorted(unknown)}")
    tables = {slug: finishes(table) for slug, table in results.items()}
    for slug, table in tables.items():
        matched = {e.bib for p in matching.persons for e in p.entries if e.race == slug}
        if set(table) - matched:
            raise ValueError(f"race {slug}: bibs of no person: {sorted(set(table) - matched)}")

    club: list[ClubMember] = []
    slams: list[GrandSlam] = []
    pluses: list[GrandSlam] = []
    sums: defaultdict[int, list[tuple[int, str, tuple[tuple[str, int], ...]]]] = defaultdict(list)
    for person in matching.persons:
        counted = []
        for entry in person.entries:
            finish = tables.get(entry.race, {}).get(entry.bib)
            if finish is None or not finish.counts or finish.overall_rank is None:
                continue
            race = by_slug[entry.race]
            counted.append(
                _Counted(
                    race.slug, race.event, race.starts_on.year, race.ends_on, finish.overall_rank
                )
            )
        if not core or not counted:
            continue  # no core events: nobody can complete the set
        first = _best(counted, by_rank=False)
        if core <= set(first):
            done = [first[event] for event in core]
            completed_on = max(c.on for c in done)
            club.append(ClubMember(person.id, completed_on, _by_date(done)))
        for year in sorted({c.year for c in counted}):
            best = _best([c for c in counted if c.year == year], by_rank=True)
            if not core <= set(best):
                continue
            slam = [best[event] for event in core]
            slams.append(GrandSlam(year, person.id, _by_date(slam)))
            ranks = tuple((c.race, c.rank) for c in sorted(slam, key=lambda c: (c.on, c.race)))
            sums[year].append((sum(rank for _, rank in ranks), person.id, ranks))
            plus = [best[event] for event in sorted(roving & set(best))][:1]
            if plus:
                pluses.append(GrandSlam(year, person.id, _by_date(slam + plus)))

    championship = []
    for year, finishers in sorted(sums.items()):
        finishers.sort()
        for rank_sum, person_id, ranks in finishers:
            place = 1 + sum(1 for other, _, _ in finishers if other < rank_sum)
            championship.append(ChampionPlace(year, place, person_id, rank_sum, ranks))
    club.sort(key=lambda member: (member.completed_on, member.person))
    slams.sort(key=lambda slam: (slam.year, slam.person))
    pluses.sort(key=lambda slam: (slam.year, slam.person))
    return Standings(tuple(club), tuple(slams), tuple(pluses), tuple(championship))


def _best(counted: Sequence[_Counted], by_rank: bool) -> dict[str, _Counted]:
    """Per event, the first finish (by date) or the best ranked one."""
    best: dict[str, _Counted] = {}
    for item in sorted(counted, key=lambda c: (c.rank if by_rank else c.on.toordinal(), c.race)):
        best.setdefault(item.event, item)
    return best


def _by_date(counted: Sequence[_Counted]) -> tuple[str, ...]:
    return tuple(c.race for c in sorted(counted, key=lambda c: (c.on, c.race)))
