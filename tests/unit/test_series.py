"""Series standings, hand-worked on a 2009-2011 scenario, plus properties that hold for
any results: a non-finish changes nothing, the Champion has the lowest sum."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desert_runners.domain.race import Race, Series, SeriesEvent
from desert_runners.results.matching import Matching, Person, RaceEntry
from desert_runners.results.series import (
    ChampionPlace,
    ClubMember,
    Finish,
    GrandSlam,
    RaceResults,
    Standings,
    finishes,
    series_standings,
)

SERIES = Series(
    "4-deserts",
    "4 Deserts",
    (
        SeriesEvent("atacama-crossing", "Atacama Crossing"),
        SeriesEvent("gobi-march", "Gobi March"),
        SeriesEvent("sahara-race", "Sahara Race"),
        SeriesEvent("the-last-desert", "The Last Desert"),
        SeriesEvent("roving-race", "Roving Race", core=False, roving=True),
    ),
)


def race(event: str, starts_on: date, ends_on: date) -> Race:
    slug = f"{event}-{starts_on.year}"
    return Race(slug, slug, "4-deserts", event, "UTC", starts_on, ends_on)


RACES = (
    race("atacama-crossing", date(2009, 3, 8), date(2009, 3, 14)),
    race("gobi-march", date(2009, 6, 14), date(2009, 6, 20)),
    race("sahara-race", date(2009, 10, 25), date(2009, 10, 31)),
    race("atacama-crossing", date(2010, 3, 7), date(2010, 3, 13)),
    race("roving-race", date(2010, 5, 9), date(2010, 5, 15)),
    race("gobi-march", date(2010, 6, 27), date(2010, 7, 3)),
    race("sahara-race", date(2010, 10, 31), date(2010, 11, 6)),
    race("the-last-desert", date(2010, 11, 28), date(2010, 12, 4)),
    race("sahara-race", date(2011, 10, 30), date(2011, 11, 5)),
)
A9, G9, S9, A10, R10, G10, S10, L10, S11 = (r.slug for r in RACES)

DNF = Finish(False)
UNRANKED = Finish(True)  # finished the course, without an overall rank


def ranked(rank: int) -> Finish:
    return Finish(True, rank)


Table = Mapping[str, Mapping[str, Finish]]  # person -> race -> result

SCENARIO: Table = {
    # Club through 2009 + 2010; the Grand Slam 2010 and its Plus; shares the title.
    "ana": {
        A9: ranked(4),
        A10: ranked(1),
        R10: ranked(2),
        G10: ranked(2),
        S10: ranked(1),
        L10: ranked(3),
    },
    # The Grand Slam 2010, no roving race; ties with ana on 7.
    "ben": {A10: ranked(2), G10: ranked(1), S10: ranked(3), L10: ranked(1)},
    # The Grand Slam 2010, third on 10 (two share first place).
    "carl": {A10: ranked(3), G10: ranked(3), S10: ranked(2), L10: ranked(2), R10: ranked(1)},
    # DNF in the Sahara 2010: no Grand Slam, but the Sahara 2009 counts for the Club.
    "dora": {S9: ranked(5), A10: ranked(4), G10: ranked(4), S10: DNF, L10: ranked(4)},
    # The Club across 2009-2011: a DNF in the Sahara 2009, finished it in 2011.
    "eva": {A9: ranked(1), G9: ranked(1), S9: DNF, L10: ranked(5), S11: ranked(1)},
    # Unranked at The Last Desert: no Grand Slam, no Club; a roving finish alone is nothing.
    "finn": {A10: ranked(5), G10: ranked(5), S10: ranked(4), L10: UNRANKED, R10: ranked(3)},
}


def build(table: Table) -> tuple[Matching, dict[str, dict[int, Finish]]]:
    """Persons with a bib per race (numbered in order of appearance), and the results."""
    results: dict[str, dict[int, Finish]] = {r.slug: {} for r in RACES}
    persons = []
    for name, races in table.items():
        entries = []
        for slug, result in races.items():
            bib = len(results[slug]) + 1
            results[slug][bib] = result
            entries.append(RaceEntry(slug, bib, name, "", None, "ESP", "F"))
        persons.append(Person(name, tuple(entries), "exact"))
    return Matching(tuple(persons)), results


def standings(table: Table) -> Standings:
    matching, results = build(table)
    return series_standings(SERIES, RACES, matching, results)


def test_the_scenario() -> None:
    result = standings(SCENARIO)
    assert result.club == (
        ClubMember("ana", date(2010, 12, 4), (A9, G10, S10, L10)),
        ClubMember("ben", date(2010, 12, 4), (A10, G10, S10, L10)),
        ClubMember("carl", date(2010, 12, 4), (A10, G10, S10, L10)),
        ClubMember("dora", date(2010, 12, 4), (S9, A10, G10, L10)),
        ClubMember("eva", date(2011, 11, 5), (A9, G9, L10, S11)),
    )
    assert [member.year for member in result.club] == [2010, 2010, 2010, 2010, 2011]
    core_2010 = (A10, G10, S10, L10)
    assert result.grand_slam == (
        GrandSlam(2010, "ana", core_2010),
        GrandSlam(2010, "ben", core_2010),
        GrandSlam(2010, "carl", core_2010),
    )
    assert result.grand_slam_plus == (
        GrandSlam(2010, "ana", (A10, R10, G10, S10, L10)),
        GrandSlam(2010, "carl", (A10, R10, G10, S10, L10)),
    )
    assert result.championship == (
        ChampionPlace(2010, 1, "ana", 7, ((A10, 1), (G10, 2), (S10, 1), (L10, 3))),
        ChampionPlace(2010, 1, "ben", 7, ((A10, 2), (G10, 1), (S10, 3), (L10, 1))),
        ChampionPlace(2010, 3, "carl", 10, ((A10, 3), (G10, 3), (S10, 2), (L10, 2))),
    )
    assert [p.person for p in result.champions(2010)] == ["ana", "ben"]
    assert result.champions(2009) == ()


def test_results_as_frames() -> None:
    matching, results = build(SCENARIO)
    frames: dict[str, RaceResults] = dict(results)
    # An overall_results table: only "ranked" is a finish.
    overall = [
        (bib, "ranked" if f.counts else "dnf", f.overall_rank) for bib, f in results[S10].items()
    ]
    frames[S10] = pl.DataFrame(overall, schema=["bib", "status", "rank"], orient="row")
    plain = [(bib, f.finished, f.overall_rank) for bib, f in results[L10].items()]
    frames[L10] = pl.DataFrame(plain, schema=["bib", "finished", "overall_rank"], orient="row")
    assert series_standings(SERIES, RACES, matching, frames) == standings(SCENARIO)
    assert finishes(frames[L10]) == results[L10]


def test_bad_input() -> None:
    matching, results = build(SCENARIO)
    with pytest.raises(ValueError, match="bibs of no person"):
        series_standings(SERIES, RACES, matching, {**results, A9: {99: ranked(1)}})
    with pytest.raises(ValueError, match="unknown races"):
        series_standings(SERIES, RACES[1:], matching, results)
    other = Race("mds-2010", "MdS", "mds", "mds", "UTC", date(2010, 4, 2), date(2010, 4, 12))
    with pytest.raises(ValueError, match="not a race of the series"):
        series_standings(SERIES, (*RACES, other), matching, results)
    with pytest.raises(ValueError, match="bib twice"):
        finishes(pl.DataFrame({"bib": [1, 1], "finished": [True, True], "overall_rank": [1, 2]}))
    with pytest.raises(ValueError, match="need bib"):
        finishes(pl.DataFrame({"bib": [1]}))


def test_a_race_without_results_has_no_finishes() -> None:
    matching, results = build(SCENARIO)
    del results[L10]
    result = series_standings(SERIES, RACES, matching, results)
    assert result.grand_slam == ()
    assert [member.person for member in result.club] == []


def test_no_core_events_no_standings() -> None:
    matching, results = build(SCENARIO)
    events = tuple(SeriesEvent(e.slug, e.name, core=False) for e in SERIES.events)
    series = Series(SERIES.slug, SERIES.name, events)
    assert series_standings(series, RACES, matching, results) == Standings((), (), (), ())


# --- properties -----------------------------------------------------------------------

PEOPLE = ["ana", "ben", "carl", "dora", "eva", "finn", "gus"]
CORE = {"atacama-crossing", "gobi-march", "sahara-race", "the-last-desert"}
SLAM_2010 = {A10, R10, G10, S10, L10}


@st.composite
def result(draw: st.DrawFn, entered: bool) -> Finish | None:
    """Mostly ranked finishes (ranks 1-4, so ties are common)."""
    kind = draw(st.sampled_from(["none", "dnf", "unranked", *["ranked"] * 5]))
    if kind == "none" and not entered:
        return None
    if kind == "dnf":
        return DNF
    return UNRANKED if kind == "unranked" else ranked(draw(st.integers(1, 4)))


@st.composite
def tables(draw: st.DrawFn) -> dict[str, dict[str, Finish]]:
    """A few people, some of them Grand Slam hopefuls entered in every 2010 race."""
    table = {}
    for name in draw(st.lists(st.sampled_from(PEOPLE), unique=True, max_size=6)):
        hopeful = draw(st.booleans())
        races = {r.slug: draw(result(hopeful and r.slug in SLAM_2010)) for r in RACES}
        table[name] = {slug: finish for slug, finish in races.items() if finish is not None}
    return table


@settings(max_examples=200, deadline=None)
@given(data=st.data(), table=tables())
def test_a_non_finish_changes_nothing(
    data: st.DataObject, table: dict[str, dict[str, Finish]]
) -> None:
    before = standings(table)
    name = data.draw(st.sampled_from(PEOPLE))
    free = [r.slug for r in RACES if r.slug not in table.get(name, {})]
    if not free:
        return
    slug = data.draw(st.sampled_from(free))
    non_finish = data.draw(st.sampled_from([DNF, UNRANKED]))
    added = {**table, name: {**table.get(name, {}), slug: non_finish}}
    assert standings(added) == before


@settings(max_examples=200, deadline=None)
@given(table=tables())
def test_standings_against_brute_force(table: dict[str, dict[str, Finish]]) -> None:
    result = standings(table)
    by_slug = {r.slug: r for r in RACES}

    def counted(name: str, year: int | None = None) -> dict[str, int]:
        """Event -> best rank of the person's counting finishes (of one year)."""
        best: dict[str, int] = {}
        for slug, finish in table[name].items():
            r = by_slug[slug]
            if finish.counts and finish.overall_rank and year in (None, r.starts_on.year):
                best[r.event] = min(best.get(r.event, finish.overall_rank), finish.overall_rank)
        return best

    assert {m.person for m in result.club} == {n for n in table if set(counted(n)) >= CORE}
    slams = {(y, n) for n in table for y in (2009, 2010, 2011) if set(counted(n, y)) >= CORE}
    assert {(s.year, s.person) for s in result.grand_slam} == slams
    assert {(s.year, s.person) for s in result.grand_slam_plus} <= slams
    for year in {y for y, _ in slams}:
        sums = [sum(counted(n, year)[e] for e in CORE) for y, n in slams if y == year]
        champions = result.champions(year)
        assert champions
        assert all(c.rank_sum == min(sums) for c in champions)
        assert len(champions) == sums.count(min(sums))
        places = [p for p in result.championship if p.year == year]
        assert all(p.place == 1 + sum(s < p.rank_sum for s in sums) for p in places)
