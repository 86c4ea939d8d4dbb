"""Stage results, hand-worked on the long march of the test race (stage 2: starts
2010-03-08 08:00 in Santiago, CP2 at 36 km with a 23:30 cutoff, finish at 80 km with a
12:00 cutoff the next day)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.unit.test_reconcile import BIBS, RACE, TAGS, Log, at

from desert_runners.domain.events import Direction, EventKind
from desert_runners.domain.race import Cutoff
from desert_runners.results.facts import facts_frame
from desert_runners.results.reconcile import reconcile
from desert_runners.results.stage import stage_results


def results(log: Log) -> list[tuple[object, ...]]:
    facts = facts_frame(log.events)
    passings = reconcile(RACE, facts, BIBS, TAGS).passings
    table = stage_results(RACE, 2, passings, facts, BIBS)
    return [
        (row["bib"], row["status"], row["stage_time"], row["rank"], row["reason"])
        for row in table.iter_rows(named=True)
    ]


def hours(h: int, m: int = 0, s: int = 0) -> timedelta:
    return timedelta(hours=h, minutes=m, seconds=s)


def test_a_long_march_over_midnight_with_holds_penalties_ties_and_withdrawals() -> None:
    log = Log()
    log.add(EventKind.NEUTRALISATION, stage=2, payload={"duration": "0:45", "reason": "sandstorm"})
    log.add(
        EventKind.NEUTRALISATION,
        stage=2,
        bib=103,
        payload={"duration": "0:30:00", "reason": "medical check at CP2"},
    )
    log.add(EventKind.START, bib=104, stage=2, occurred_at=at(8, 8, 20))  # a late start
    log.entry(101, 2, "finish", at(8, 21, 10))
    log.entry(102, 2, "finish", at(9, 2, 55))  # after midnight
    log.entry(103, 2, "finish", at(9, 3, 25))  # 30 min later, less a 30 min medical hold
    log.entry(104, 2, "finish", at(9, 3, 15))  # 20 min later, started 20 min late
    log.add(EventKind.PENALTY, bib=101, stage=2, payload={"code": "lost-bib", "reason": "x"})
    log.entry(105, 2, "CP2", at(8, 23, 45))  # past the 23:30 cutoff
    log.entry(106, 2, "CP1", at(8, 10, 30))
    log.add(
        EventKind.WITHDRAWAL,
        bib=106,
        stage=2,
        occurred_at=at(8, 11, 0),
        payload={"status": "medical", "reason": "heat"},
    )
    log.entry(107, 2, "CP1", at(8, 10, 40))  # still out there
    assert results(log) == [
        (101, "finished", hours(12, 55), 1, None),  # 13:10 - 0:45 hold + 0:30 lost bib
        (102, "finished", hours(18, 10), 2, None),  # 18:55 - 0:45
        (103, "finished", hours(18, 10), 2, None),  # 19:25 - 0:45 - 0:30 medical hold
        (104, "finished", hours(18, 10), 2, None),  # 18:55 from the late start - 0:45
        (105, "missed_cutoff", None, None, "missed the cutoff at CP2"),
        (106, "medical", None, None, "heat (event 11)"),
        (107, "racing", None, None, None),
    ]


def test_no_finish_gives_a_time_that_is_not_positive() -> None:
    log = Log()
    log.entry(101, 2, "finish", at(9, 2, 0))  # 18:00 on the long march
    log.add(EventKind.START, bib=102, stage=2, occurred_at=at(9, 3, 0))  # typed a day late
    log.entry(102, 2, "finish", at(9, 2, 30))
    log.entry(103, 2, "finish", at(9, 1, 0))
    log.add(
        EventKind.NEUTRALISATION,
        bib=103,
        stage=2,
        payload={"duration": "20:00", "reason": "typed 20 h for 2:00"},
    )
    assert results(log)[:3] == [
        (101, "finished", hours(18), 1, None),
        (102, "racing", None, None, None),  # its finish is before its start: bad
        (
            103,
            "racing",
            None,
            None,
            "no positive stage time: check the start, finish and neutralised time",
        ),
    ]


def test_a_checkpoint_cutoff_is_on_arrival_not_on_leaving() -> None:
    log = Log()
    log.entry(101, 2, "CP2", at(8, 23, 20), direction=Direction.IN)
    log.entry(101, 2, "CP2", at(8, 23, 50), direction=Direction.OUT)  # rested past 23:30
    log.entry(102, 2, "CP2", at(8, 23, 40), direction=Direction.IN)
    assert results(log)[:2] == [
        (101, "racing", None, None, None),
        (102, "missed_cutoff", None, None, "missed the cutoff at CP2"),
    ]


def test_an_elapsed_cutoff_runs_from_each_runners_own_start() -> None:
    first, second = RACE.stages
    cp1, finish = first.checkpoints
    cp1 = replace(cp1, cutoff=Cutoff(elapsed=timedelta(hours=2)))
    race = replace(RACE, stages=(replace(first, checkpoints=(cp1, finish)), second))
    log = Log()
    log.entry(101, 1, "CP1", at(7, 10, 30))  # 2:30 after the 08:00 field start
    log.add(EventKind.START, bib=102, stage=1, occurred_at=at(7, 9, 0))  # a late start
    log.entry(102, 1, "CP1", at(7, 10, 30))  # 1:30 after its own start
    facts = facts_frame(log.events)
    passings = reconcile(race, facts, BIBS, TAGS).passings
    table = stage_results(race, 1, passings, facts, BIBS).head(2)
    assert table.select("bib", "status", "reason").rows() == [
        (101, "missed_cutoff", "missed the cutoff at CP1"),
        (102, "racing", None),
    ]


def test_at_a_finish_with_an_in_and_an_out_the_arrival_ends_the_stage() -> None:
    first, second = RACE.stages
    cp1, finish = first.checkpoints
    race = replace(
        RACE, stages=(replace(first, checkpoints=(cp1, replace(finish, in_out=True))), second)
    )
    log = Log()
    # Out after the arrival (kit check in camp); typed out first, so order cannot decide.
    log.entry(101, 1, "finish", at(7, 14, 20), direction=Direction.OUT)
    log.entry(101, 1, "finish", at(7, 14, 0), direction=Direction.IN)
    facts = facts_frame(log.events)
    passings = reconcile(race, facts, BIBS, TAGS).passings
    table = stage_results(race, 1, passings, facts, BIBS).head(1)
    assert table.select("bib", "status", "stage_time").rows() == [(101, "finished", hours(6))]
