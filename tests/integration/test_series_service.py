"""Series standings end to end on the example 2010 season: entrants matched across the
four races, every stage finished, the Club, Grand Slam and Champion computed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desert_runners.adapters.storage.entrant_repo import list_entrants
from desert_runners.adapters.storage.event_log import append
from desert_runners.adapters.storage.link_repo import add_link, links_of
from desert_runners.adapters.storage.race_repo import race_id, series_id
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import EventKind, Fact
from desert_runners.results.matching import Link
from desert_runners.services.entrants import import_entrants
from desert_runners.services.races import list_races, load_race_file
from desert_runners.services.series import link, standings

EXAMPLES = Path(__file__).parents[2] / "examples" / "4deserts-2010"


def run_season(context: Context) -> None:
    """Every entrant finishes every stage, at a pace set by their bib."""
    load_race_file(context, EXAMPLES / "series.yaml")
    for race in list_races(context):
        report = import_entrants(context, race.slug, EXAMPLES / "entrants" / f"{race.slug}.csv")
        assert report.problems == []
        with context.store.write() as connection:
            found = race_id(connection, race.slug)
            assert found is not None
            facts = []
            for entrant, _ in list_entrants(connection, found):
                for stage in race.stages:
                    minutes_per_km = 7 + entrant.bib % 97 / 20  # 7 to 11.8 min/km
                    at = stage.start + timedelta(minutes=stage.distance_km * minutes_per_km)
                    facts.append(
                        Fact(
                            kind=EventKind.ENTRY,
                            source="test",
                            author="t",
                            occurred_at=at,
                            bib=entrant.bib,
                            stage=stage.number,
                            checkpoint="finish",
                        )
                    )
            append(connection, found, race.slug, facts, datetime.now(UTC))


def test_the_2010_season_gives_grand_slams_and_a_champion(context: Context) -> None:
    run_season(context)
    report = standings(context, None)
    found = report.standings
    assert len(found.club) == 30  # the example's 30 people entered in all four races
    assert len(found.grand_slam) == 30
    assert {slam.year for slam in found.grand_slam} == {2010}
    assert found.grand_slam_plus == ()  # no Roving Race in 2010
    champions = found.champions(2010)
    assert len(champions) >= 1
    best = min(place.rank_sum for place in found.championship)
    assert all(place.rank_sum == best for place in champions)
    assert report.matching.candidates == ()


def test_a_missing_finish_loses_the_grand_slam(context: Context) -> None:
    run_season(context)
    report = standings(context, None)
    slams = {slam.person for slam in report.standings.grand_slam}
    # One Grand Slam person withdraws on the last stage of the Sahara Race.
    person = report.matching.person(sorted(slams)[0])
    sahara = next(e for e in person.entries if e.race == "sahara-race-2010")
    with context.store.write() as connection:
        found = race_id(connection, "sahara-race-2010")
        assert found is not None
        append(
            connection,
            found,
            "sahara-race-2010",
            [
                Fact(
                    kind=EventKind.WITHDRAWAL,
                    source="test",
                    author="t",
                    bib=sahara.bib,
                    stage=6,
                    occurred_at=datetime(2010, 11, 6, 9, 0, tzinfo=UTC),
                    payload={"status": "medical", "reason": "heat stroke"},
                )
            ],
            datetime.now(UTC),
        )
    after = standings(context, None).standings
    assert person.id not in {slam.person for slam in after.grand_slam}
    assert len(after.grand_slam) == len(slams) - 1


def test_links_join_or_separate_people(context: Context) -> None:
    run_season(context)
    report = standings(context, None)
    person = next(p for p in report.matching.persons if len(p.entries) == 4)
    first, second = person.entries[0], person.entries[1]
    made = link(
        context,
        f"{first.race}/{first.bib}",
        f"{second.race}/{second.bib}",
        same=False,
        reason="two different people with the same name and birthday",
    )
    assert made.same is False
    after = standings(context, None)
    assert person.id not in {slam.person for slam in after.standings.grand_slam}
    with pytest.raises(UserError, match="bib 9999 is not an entrant of gobi-march-2010"):
        link(context, "gobi-march-2010/9999", f"{first.race}/{first.bib}", same=True, reason="")
    with pytest.raises(UserError, match="'gobi': expected RACE/BIB"):
        link(context, "gobi", f"{first.race}/{first.bib}", same=True, reason="")


def _entrants_of_the_season(context: Context) -> None:
    load_race_file(context, EXAMPLES / "series.yaml")
    for race in list_races(context):
        import_entrants(context, race.slug, EXAMPLES / "entrants" / f"{race.slug}.csv")


@pytest.mark.parametrize(
    ("earlier", "refused", "message"),
    [
        (  # two entrants of one race would become one person
            [("atacama-crossing-2010/1", "gobi-march-2010/1", True)],
            ("gobi-march-2010/1", "atacama-crossing-2010/2", True),
            "would put two entries of atacama-crossing-2010 in one person",
        ),
        (  # kept apart, then joined through a third race
            [
                ("atacama-crossing-2010/1", "sahara-race-2010/1", False),
                ("atacama-crossing-2010/1", "gobi-march-2010/1", True),
            ],
            ("gobi-march-2010/1", "sahara-race-2010/1", True),
            "a link keeps atacama-crossing-2010/1 and sahara-race-2010/1 apart",
        ),
        (  # joined through a third race, then kept apart
            [
                ("atacama-crossing-2010/1", "gobi-march-2010/1", True),
                ("gobi-march-2010/1", "sahara-race-2010/1", True),
            ],
            ("sahara-race-2010/1", "atacama-crossing-2010/1", False),
            "a link keeps atacama-crossing-2010/1 and sahara-race-2010/1 apart",
        ),
    ],
)
def test_a_link_that_contradicts_earlier_links_is_refused_and_not_stored(
    context: Context,
    earlier: list[tuple[str, str, bool]],
    refused: tuple[str, str, bool],
    message: str,
) -> None:
    _entrants_of_the_season(context)
    for first, second, same in earlier:
        link(context, first, second, same=same, reason="")
    first, second, same = refused
    with pytest.raises(UserError, match=f"cannot link {first} and {second}: .*{message}"):
        link(context, first, second, same=same, reason="")
    series_id = race_repo_series_id(context)
    with context.store.read() as connection:
        assert len(links_of(connection, series_id)) == len(earlier)  # nothing stored
    assert standings(context, None).series.slug == "4-deserts"  # still computes


def test_a_later_ruling_on_the_same_pair_replaces_the_earlier(context: Context) -> None:
    _entrants_of_the_season(context)
    link(context, "atacama-crossing-2010/1", "gobi-march-2010/1", same=True, reason="")
    made = link(context, "gobi-march-2010/1", "atacama-crossing-2010/1", same=False, reason="")
    assert made.same is False
    assert standings(context, None).series.slug == "4-deserts"


def race_repo_series_id(context: Context) -> int:
    with context.store.read() as connection:
        found = series_id(connection, "4-deserts")
    assert found is not None
    return found


def test_contradicting_links_stored_earlier_are_a_clear_mistake(context: Context) -> None:
    _entrants_of_the_season(context)
    series = race_repo_series_id(context)
    with context.store.write() as connection:  # as a version without the check stored them
        for bib in (1, 2):
            found = Link("atacama-crossing-2010", bib, "gobi-march-2010", 1)
            add_link(connection, series, found, "", "t", datetime.now(UTC))
    with pytest.raises(UserError, match="the links of 4-deserts contradict each other"):
        standings(context, None)
