"""The general classification, hand-worked on the two-stage test race (stage 1 starts
2010-03-07 08:00, stage 2, a long march, 2010-03-08 08:00; Santiago time), under each
rule a race may choose, plus properties that must hold for any log."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.test_reconcile import BIBS, RACE, TAGS, Log, as_arrived, at

from desert_runners.domain.events import Event, EventKind
from desert_runners.domain.race import (
    Consequence,
    Cutoff,
    PenaltyRule,
    Race,
    RaceRules,
    TieBreak,
)
from desert_runners.results.facts import facts_frame
from desert_runners.results.overall import overall_results
from desert_runners.results.reconcile import reconcile
from desert_runners.results.stage import race_stage_results, stage_results

PENALTIES = (
    *RACE.penalties,
    PenaltyRule("missed-checkpoint", "Missed a checkpoint", timedelta(hours=4), dq_on_repeat=2),
    PenaltyRule("time-credit", "Helped another runner", timedelta(minutes=-30)),
)


def race_with(**rules: object) -> Race:
    return replace(RACE, penalties=PENALTIES, rules=replace(RaceRules(), **rules))


def gc(race: Race, log: Log, after_stage: int = 2) -> list[tuple[object, ...]]:
    facts = facts_frame(log.events)
    passings = reconcile(race, facts, BIBS, TAGS).passings
    final = dict.fromkeys(range(1, after_stage + 1), True)
    stages = race_stage_results(race, passings, facts, BIBS, final)
    table = overall_results(race, stages, facts, after_stage)
    return [
        (row["bib"], row["status"], row["time"], row["rank"]) for row in table.iter_rows(named=True)
    ]


def h(hours: int, minutes: int = 0) -> timedelta:
    return timedelta(hours=hours, minutes=minutes)


def two_stages(log: Log, bib: int, first: tuple[int, int], second: tuple[int, int, int]) -> None:
    """Finish stage 1 at 7 March ``first`` and stage 2 at ``second`` (day, hour, minute)."""
    log.entry(bib, 1, "finish", at(7, *first))
    log.entry(bib, 2, "finish", at(*second))


def test_gc_is_the_sum_of_stage_times_and_penalties_with_shared_places() -> None:
    log = Log()
    two_stages(log, 101, (13, 0), (8, 22, 0))  # 5:00 + 14:00 = 19:00
    two_stages(log, 102, (14, 0), (8, 21, 0))  # 6:00 + 13:00 = 19:00: shares 1st
    two_stages(log, 103, (12, 0), (8, 21, 30))  # 4:00 + 13:30 = 17:30 + 2:00 = 19:30
    log.add(EventKind.PENALTY, bib=103, payload={"code": "lost-bib", "reason": "x"})
    log.add(EventKind.PENALTY, bib=103, payload={"code": "lost-bib", "reason": "again"})
    log.add(EventKind.PENALTY, bib=103, payload={"code": "lost-bib", "reason": "and again"})
    log.add(EventKind.PENALTY, bib=103, payload={"code": "lost-bib", "reason": "fourth"})
    two_stages(log, 104, (15, 0), (9, 3, 0))  # 7:00 + 19:00 = 26:00 - 0:30 credit
    log.add(EventKind.PENALTY, bib=104, payload={"code": "time-credit", "reason": "helped 105"})
    log.entry(105, 1, "finish", at(7, 16, 0))  # still on the long march
    assert gc(race_with(), log)[:5] == [
        (101, "ranked", h(19), 1),
        (102, "ranked", h(19), 1),
        (103, "ranked", h(19, 30), 3),
        (104, "ranked", h(25, 30), 4),
        (105, "dns", h(8), None),  # final: never seen on stage 2; 4 Deserts rules: out
    ]


def test_tie_breaks_sum_of_stage_placings_then_the_last_stage() -> None:
    log = Log()
    two_stages(log, 101, (13, 0), (8, 22, 0))  # stage places 2, 2
    two_stages(log, 102, (14, 0), (8, 21, 0))  # 3, 1
    two_stages(log, 103, (12, 0), (8, 23, 0))  # 1, 3
    race = race_with(tie_breaks=(TieBreak.STAGE_PLACINGS, TieBreak.LAST_STAGE))
    assert [(bib, rank) for bib, _, _, rank in gc(race, log)[:3]] == [
        (102, 1),  # sum 4 like the others; best on the last stage
        (101, 2),
        (103, 3),
    ]


def scenario_with_a_missed_cutoff_and_a_withdrawal() -> Log:
    log = Log()
    two_stages(log, 101, (13, 0), (8, 22, 0))
    log.entry(102, 1, "finish", at(7, 19, 0))  # after the 18:00 cutoff of stage 1: 11:00
    log.entry(102, 2, "finish", at(8, 21, 0))
    log.entry(103, 1, "CP1", at(7, 10, 0))
    log.add(
        EventKind.WITHDRAWAL,
        bib=103,
        stage=1,
        occurred_at=at(7, 11, 0),
        payload={"status": "dnf", "reason": "blisters"},
    )
    log.entry(103, 2, "finish", at(8, 20, 0))  # walked the long march anyway
    return log


def test_4_deserts_rules_take_runners_out() -> None:
    assert gc(race_with(), scenario_with_a_missed_cutoff_and_a_withdrawal())[:3] == [
        (101, "ranked", h(19), 1),
        (102, "missed_cutoff", None, None),  # out: no GC time
        (103, "dnf", None, None),  # its stage 2 finish is after the withdrawal: bad
    ]


def test_haute_route_rules_keep_them_racing_unranked() -> None:
    race = race_with(
        missed_cutoff=Consequence.CONTINUE_UNRANKED, withdrawn_stage=Consequence.CONTINUE_UNRANKED
    )
    assert gc(race, scenario_with_a_missed_cutoff_and_a_withdrawal())[:3] == [
        (101, "ranked", h(19), 1),
        (102, "unranked", h(13), None),
        (103, "unranked", h(12), None),  # may continue: stage 2 counts
    ]


def test_penalty_rules_keep_them_ranked_with_the_penalty() -> None:
    race = race_with(
        missed_cutoff=Consequence.PENALTY,
        missed_cutoff_penalty=h(1),
        withdrawn_stage=Consequence.PENALTY,
        withdrawn_stage_penalty=h(3),
    )
    assert gc(race, scenario_with_a_missed_cutoff_and_a_withdrawal())[:3] == [
        (101, "ranked", h(19), 1),
        (102, "ranked", h(11) + h(1) + h(13), 2),  # own time + 1 h, then 13 h
        (103, "ranked", h(10) + h(3) + h(12), 2),  # stage 1's limit (10 h) + 3 h, then 12 h
    ]


def test_dq_by_catalogue_and_by_repeat_and_reversal_by_void_or_appeal() -> None:
    log = Log()
    for bib in (101, 102, 103, 104):
        two_stages(log, bib, (13, bib % 10), (8, 22, bib % 10))
    log.add(EventKind.PENALTY, bib=101, payload={"code": "no-sleeping-bag", "reason": "kit"})
    log.add(EventKind.PENALTY, bib=102, stage=1, payload={"code": "missed-checkpoint"})
    log.add(EventKind.PENALTY, bib=102, stage=2, payload={"code": "missed-checkpoint"})
    wrong = log.add(EventKind.PENALTY, bib=103, payload={"code": "no-sleeping-bag"})
    log.add(EventKind.VOID, payload={"target": wrong, "reason": "it was in the tent"})
    appealed = log.add(EventKind.PENALTY, bib=104, payload={"code": "no-sleeping-bag"})
    log.add(
        EventKind.APPEAL,
        payload={"target": appealed, "decision": "upheld", "reason": "photo evidence"},
    )
    assert gc(race_with(), log)[:4] == [
        (103, "ranked", h(19, 6), 1),
        (104, "ranked", h(19, 8), 2),
        (101, "dq", h(19, 2), None),
        (102, "dq", h(9, 2), None),  # DQ on stage 2: only stage 1 (5:02 + 4:00) counted
    ]
    assert stage_row(race_with(), log, 2, 102) == (
        "dq",
        None,
        None,
        "penalty missed-checkpoint (event 11)",
    )
    # After stage 1 the second missed checkpoint has not happened yet.
    assert gc(race_with(), log, after_stage=1)[2] == (102, "ranked", h(9, 2), 3)


def stage_row(race: Race, log: Log, number: int, bib: int) -> tuple[object, ...]:
    facts = facts_frame(log.events)
    passings = reconcile(race, facts, BIBS, TAGS).passings
    final = dict.fromkeys(range(1, number + 1), True)
    table = race_stage_results(race, passings, facts, BIBS, final)[number]
    row = table.filter(pl.col("bib") == bib).row(0, named=True)
    return (row["status"], row["stage_time"], row["rank"], row["reason"])


def test_a_void_of_an_upheld_appeal_brings_the_penalty_back_and_the_latest_decision_wins() -> None:
    log = Log()
    for bib in (101, 102):
        two_stages(log, bib, (13, bib % 10), (8, 22, bib % 10))
    penalty = log.add(EventKind.PENALTY, bib=101, payload={"code": "lost-bib"})
    upheld = log.add(EventKind.APPEAL, payload={"target": penalty, "decision": "upheld"})
    assert gc(race_with(), log)[0] == (101, "ranked", h(19, 2), 1)
    log.add(EventKind.VOID, payload={"target": upheld, "reason": "decided by the wrong jury"})
    assert gc(race_with(), log)[1] == (101, "ranked", h(19, 32), 2)
    log.add(EventKind.APPEAL, payload={"target": penalty, "decision": "upheld"})
    log.add(EventKind.APPEAL, payload={"target": penalty, "decision": "rejected"})
    assert gc(race_with(), log)[1] == (101, "ranked", h(19, 32), 2)


def test_a_runner_out_on_a_cutoff_is_out_of_every_later_stage() -> None:
    log = Log()
    for bib in (101, 102):
        log.entry(bib, 1, "finish", at(7, 13, bib % 10))
    log.entry(103, 1, "finish", at(7, 18, 30))  # past the 18:00 finish cutoff
    for bib in (101, 102, 103):
        log.entry(bib, 2, "finish", at(8, 22, bib % 10))
    assert stage_row(race_with(), log, 2, 103) == (
        "out",
        None,
        None,
        "out since stage 1: missed the cutoff at finish",
    )
    assert gc(race_with(), log)[2] == (103, "missed_cutoff", None, None)
    # Under a rule that lets them go on, stage 2 ranks them.
    unranked = race_with(missed_cutoff=Consequence.CONTINUE_UNRANKED)
    assert stage_row(unranked, log, 2, 103)[0::2] == ("finished", 3)


def test_never_started_is_dns_under_every_rule() -> None:
    log = Log()
    two_stages(log, 101, (13, 0), (8, 22, 0))
    for rules in (
        {},
        {"withdrawn_stage": Consequence.CONTINUE_UNRANKED},
        {"withdrawn_stage": Consequence.PENALTY, "withdrawn_stage_penalty": h(1)},
    ):
        rows = gc(race_with(**rules), log)
        assert rows[1] == (102, "dns", None, None), rules


def test_after_stage_one_only_stage_one_counts() -> None:
    log = scenario_with_a_missed_cutoff_and_a_withdrawal()
    assert gc(race_with(), log, after_stage=1)[:1] == [(101, "ranked", h(5), 1)]


FINISHES = st.lists(
    # Realistic and within the cutoffs (stage 1 by 18:00, stage 2 by 12:00 the next
    # day), so that no finish is judged impossibly fast against the others.
    st.tuples(st.integers(240, 500), st.integers(600, 900)),
    min_size=3,
    max_size=7,
)


def log_of(finishes: list[tuple[int, int]]) -> Log:
    log = Log()
    for bib, (first, second) in zip(range(101, 108), finishes, strict=False):
        log.entry(bib, 1, "finish", at(7, 9, 0) + timedelta(minutes=first))
        log.entry(bib, 2, "finish", at(8, 12, 0) + timedelta(minutes=second))
    return log


def ranks(race: Race, log: Log) -> dict[int, int | None]:
    return {bib: rank for bib, _, _, rank in gc(race, log)}


@settings(max_examples=40, deadline=None)
@given(FINISHES, st.integers(0, 6), st.sampled_from(["lost-bib", "missed-checkpoint"]))
def test_a_penalty_never_improves_the_penalised_runners_rank(
    finishes: list[tuple[int, int]], who: int, code: str
) -> None:
    race = race_with()
    log = log_of(finishes)
    bib = 101 + who % len(finishes)
    before = ranks(race, log)[bib]
    log.add(EventKind.PENALTY, bib=bib, payload={"code": code})
    after = ranks(race, log)[bib]
    assert before is not None
    assert after is not None
    assert after >= before


@settings(max_examples=40, deadline=None)
@given(FINISHES)
def test_gc_is_the_sum_and_tied_times_share_a_place(finishes: list[tuple[int, int]]) -> None:
    race = race_with()
    log = log_of(finishes)
    facts = facts_frame(log.events)
    bibs = pl.Series("bib", list(range(101, 101 + len(finishes))), dtype=pl.Int64)
    passings = reconcile(race, facts, bibs, TAGS).passings
    stages = {n: stage_results(race, n, passings, facts, bibs, final=True) for n in (1, 2)}
    table = overall_results(race, stages, facts, 2)
    sums = pl.concat(stages.values()).group_by("bib").agg(pl.col("stage_time").sum())
    joined = table.join(sums, on="bib")
    assert (joined["time"] == joined["stage_time"]).all()
    for gc_time, group in table.group_by("time"):
        assert group["rank"].n_unique() == 1, gc_time
    times = table.filter(pl.col("rank").is_not_null()).sort("rank")["time"].to_list()
    assert times == sorted(times)


def rulings_log() -> Log:
    log = log_of([(300, 700), (320, 650), (310, 720), (400, 800)])
    log.add(EventKind.PENALTY, bib=101, stage=1, payload={"code": "lost-bib"})
    appealed = log.add(EventKind.PENALTY, bib=102, payload={"code": "lost-bib"})
    log.add(EventKind.APPEAL, payload={"target": appealed, "decision": "upheld"})
    log.add(EventKind.NEUTRALISATION, stage=2, payload={"duration": "0:30"})
    log.add(
        EventKind.WITHDRAWAL, bib=104, stage=2, occurred_at=at(8, 13, 0), payload={"status": "dnf"}
    )
    for stage in (1, 2):  # the second missed checkpoint is a DQ, whichever came first
        log.add(EventKind.PENALTY, bib=103, stage=stage, payload={"code": "missed-checkpoint"})
    restored = log.add(EventKind.PENALTY, bib=101, payload={"code": "lost-bib"})
    void = log.add(EventKind.VOID, payload={"target": restored, "reason": "wrong runner"})
    log.add(EventKind.VOID, payload={"target": void, "reason": "it was him after all"})
    later = (at(7, 9, 0) + timedelta(minutes=330)).isoformat()
    log.add(EventKind.CORRECTION, payload={"target": 3, "occurred_at": later, "reason": "typo"})
    return log


RULINGS = rulings_log()


@settings(max_examples=40, deadline=None)
@given(st.permutations(RULINGS.events))
def test_the_order_of_the_events_changes_no_result(events: list[Event]) -> None:
    def results(log_events: list[Event]) -> pl.DataFrame:
        facts = facts_frame(log_events)
        bibs = pl.Series("bib", [101, 102, 103, 104], dtype=pl.Int64)
        passings = reconcile(race_with(), facts, bibs, TAGS).passings
        stages = race_stage_results(race_with(), passings, facts, bibs, {1: True, 2: True})
        # Reasons name event ids, which depend on the order of arrival.
        return overall_results(race_with(), stages, facts, 2).drop("reason").sort("bib")

    assert results(as_arrived(events)).equals(results(RULINGS.events))


def penalty_race(**rules: object) -> Race:
    """Penalty rules on a stage 1 with no finish cutoff (the slowest finisher's time is
    its limit) and a 09:30 cutoff at CP1."""
    first, second = RACE.stages
    cp1, finish = first.checkpoints
    first = replace(
        first,
        checkpoints=(
            replace(cp1, cutoff=Cutoff(time_of_day=time(9, 30))),
            replace(finish, cutoff=None),
        ),
    )
    race = race_with(
        missed_cutoff=Consequence.PENALTY,
        missed_cutoff_penalty=h(1),
        withdrawn_stage=Consequence.PENALTY,
        withdrawn_stage_penalty=h(3),
        **rules,
    )
    return replace(race, stages=(first, second))


def withdrawal(log: Log, bib: int, stage: int, when: datetime) -> None:
    log.add(EventKind.WITHDRAWAL, bib=bib, stage=stage, occurred_at=when, payload={"status": "dnf"})


def test_the_slowest_finisher_sets_the_limit_and_the_rule_penalty_shows() -> None:
    log = Log()
    log.entry(101, 1, "finish", at(7, 13, 0))  # 5:00
    log.entry(102, 1, "finish", at(7, 14, 0))  # 6:00: the slowest finisher
    log.entry(103, 1, "CP1", at(7, 10, 0))  # past the 09:30 cutoff
    log.entry(103, 1, "finish", at(7, 20, 0))  # 12:00, not a finisher's time
    log.entry(104, 1, "CP1", at(7, 9, 0))
    withdrawal(log, 104, 1, at(7, 9, 30))
    facts = facts_frame(log.events)
    race = penalty_race()
    passings = reconcile(race, facts, BIBS, TAGS).passings
    stages = race_stage_results(race, passings, facts, BIBS, {1: True})
    table = overall_results(race, stages, facts, 1).head(4)
    assert table.select("bib", "time", "penalty", "rank").rows() == [
        (101, h(5), h(0), 1),
        (102, h(6), h(0), 2),
        (104, h(9), h(3), 3),  # the limit (6:00) + 3:00
        (103, h(13), h(1), 4),  # its own 12:00 + 1:00
    ]


def test_a_stage_without_a_place_counts_behind_the_last_in_the_placings() -> None:
    log = Log()
    log.entry(101, 1, "finish", at(7, 13, 0))  # 5:00, 1st
    log.entry(103, 1, "finish", at(7, 14, 0))  # 6:00, 2nd: the limit
    log.entry(102, 1, "CP1", at(7, 9, 0))
    withdrawal(log, 102, 1, at(7, 9, 10))  # 6:00 + 3:00 = 9:00, no place
    log.entry(101, 2, "finish", at(8, 22, 0))  # 14:00, 2nd: 19:00 in all
    log.entry(102, 2, "finish", at(8, 18, 0))  # 10:00, 1st: 19:00 in all
    log.entry(103, 2, "finish", at(9, 2, 0))  # 18:00
    race = penalty_race(tie_breaks=(TieBreak.STAGE_PLACINGS,))
    assert gc(race, log)[:3] == [
        (101, "ranked", h(19), 1),  # placings 1 + 2
        (102, "ranked", h(19), 2),  # placings 3 (behind the last) + 1
        (103, "ranked", h(24), 3),
    ]
