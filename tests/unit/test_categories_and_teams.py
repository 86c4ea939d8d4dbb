"""Categories and teams, hand-worked on the test race (teams of at least 3 members, who
must pass every checkpoint within 2 minutes of each other or lose 30 minutes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from tests.unit.test_reconcile import BIBS, RACE, TAGS, Log, at

from desert_runners.domain.entrant import Entrant
from desert_runners.domain.events import EventKind
from desert_runners.domain.race import Consequence, Race
from desert_runners.results.categories import entrants_frame, rank_within
from desert_runners.results.facts import facts_frame
from desert_runners.results.overall import overall_results
from desert_runners.results.reconcile import reconcile
from desert_runners.results.stage import race_stage_results, stage_results
from desert_runners.results.teams import team_results

ENTRANTS = [
    Entrant(101, "Ana", "Pérez", "F", "CHL", date(1975, 4, 12), team="Cóndores"),
    Entrant(102, "Tom", "Baker", "M", "GBR", date(1968, 11, 2), team="Foxes"),
    Entrant(103, "Kenji", "Sato", "M", "JPN", date(1981, 1, 30), team="Cóndores"),
    Entrant(104, "Marta", "Ólafsdóttir", "F", "ISL", date(1984, 7, 21), team="Cóndores"),
    Entrant(105, "Pierre", "Dubois", "M", "FRA", None, age=40, team="Foxes"),
    Entrant(106, "Li", "Wei", "M", "CHN", date(1970, 3, 8), team="Foxes"),
    Entrant(107, "Sam", "Solo", "M", "USA", date(1990, 3, 8)),  # 19 on 7 March 2010
]


def h(hours: int, minutes: int = 0) -> timedelta:
    return timedelta(hours=hours, minutes=minutes)


def test_age_on_race_day_decides_the_band() -> None:
    frame = entrants_frame(RACE, ENTRANTS)  # the race starts on 2010-03-07
    assert frame.select("bib", "age", "category").rows() == [
        (101, 34, "20-39"),
        (102, 41, "40+"),
        (103, 29, "20-39"),
        (104, 25, "20-39"),
        (105, 40, "40+"),  # no date of birth: the age given
        (106, 39, "20-39"),  # 40 only the day after the start
        (107, 19, ""),  # below every band
    ]


def race_log() -> Log:
    log = Log()
    # Cóndores pass CP1 together, but 104 arrives 5 minutes after the others at the finish.
    for bib in (101, 103, 104):
        log.entry(bib, 1, "CP1", at(7, 9, 30, bib % 10))
    log.entry(101, 1, "finish", at(7, 13, 0))
    log.entry(103, 1, "finish", at(7, 13, 1))
    log.entry(104, 1, "finish", at(7, 13, 5))
    # Foxes: 106 withdraws, so the team is out; 102 and 105 go on as individuals.
    log.entry(102, 1, "finish", at(7, 12, 0))
    log.entry(105, 1, "finish", at(7, 12, 30))
    log.add(
        EventKind.WITHDRAWAL,
        bib=106,
        stage=1,
        occurred_at=at(7, 10, 0),
        payload={"status": "medical", "reason": "knee"},
    )
    log.entry(107, 1, "finish", at(7, 14, 0))
    return log


def test_team_time_is_its_last_member_plus_gap_penalties_and_a_withdrawal_ends_it() -> None:
    log = race_log()
    facts = facts_frame(log.events)
    passings = reconcile(RACE, facts, BIBS, TAGS).passings
    stages = {1: stage_results(RACE, 1, passings, facts, BIBS, final=True)}
    overall = overall_results(RACE, stages, facts, 1)
    teams = team_results(RACE, entrants_frame(RACE, ENTRANTS), stages, overall, passings, 1)
    assert teams.select("team", "status", "time", "gap_penalty", "rank", "note").rows() == [
        ("Cóndores", "ranked", h(5, 5) + h(0, 30), h(0, 30), 1, "apart at 1 checkpoint(s)"),
        ("Foxes", "out", None, h(0, 30), None, "bib 106 is out"),
    ]
    # The individuals keep their own places.
    by_gender = (
        rank_within(overall.join(entrants_frame(RACE, ENTRANTS), on="bib"), "gender")
        .select("gender", "bib", "rank")
        .rows()
    )
    assert by_gender == [
        ("F", 101, 1),
        ("F", 104, 2),
        ("M", 102, 1),
        ("M", 105, 2),
        ("M", 103, 3),
        ("M", 107, 4),
        ("M", 106, None),
    ]


def teams_of(race: Race, log: Log) -> list[tuple[object, ...]]:
    facts = facts_frame(log.events)
    passings = reconcile(race, facts, BIBS, TAGS).passings
    stages = race_stage_results(race, passings, facts, BIBS, {1: True})
    overall = overall_results(race, stages, facts, 1)
    teams = team_results(race, entrants_frame(race, ENTRANTS), stages, overall, passings, 1)
    return teams.select("team", "status", "gap_penalty", "note").rows()


def test_a_member_who_goes_on_unranked_still_ends_the_team() -> None:
    race = replace(RACE, rules=replace(RACE.rules, withdrawn_stage=Consequence.CONTINUE_UNRANKED))
    assert teams_of(race, race_log())[1] == ("Foxes", "out", h(0, 30), "bib 106 is out")


def test_a_bad_passing_is_no_evidence_of_a_gap() -> None:
    log = Log()
    for bib in (101, 103, 102, 105, 106, 107):
        log.entry(bib, 1, "CP1", at(7, 9, 30))
    log.entry(104, 1, "CP1", at(7, 8, 10))  # 10 minutes for 10.5 km: impossible, bad
    for bib in (101, 103, 104):
        log.entry(bib, 1, "finish", at(7, 13, 0))
    for bib in (102, 105, 106):
        log.entry(bib, 1, "finish", at(7, 12, 0))
    assert teams_of(RACE, log) == [
        ("Foxes", "ranked", h(0), None),  # 4:00 for its last member
        ("Cóndores", "ranked", h(0), None),  # 5:00; 104's bad CP1 passing: no gap
    ]
