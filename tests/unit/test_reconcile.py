"""Reconciliation, hand-worked: raw reads and entries -> one passing per runner per
timing point, with every read that is not used set aside with its reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desert_runners.adapters.importers.race_definition import load_definitions
from desert_runners.domain.events import Direction, Event, EventKind, Fact
from desert_runners.results import parallel
from desert_runners.results.crossings import reading_order
from desert_runners.results.facts import UTC_TIME, facts_frame
from desert_runners.results.reconcile import Reconciliation, reconcile

RACE = load_definitions(Path(__file__).parents[1] / "fixtures" / "race" / "race.yaml").races[0].race
LOCAL = ZoneInfo("America/Santiago")
BIBS = pl.Series("bib", [101, 102, 103, 104, 105, 106, 107], dtype=pl.Int64)
TAGS = pl.DataFrame({"tag": ["A101", "A102", "A103"], "bib": [101, 102, 103]})


def at(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2010, 3, day, hour, minute, second, tzinfo=LOCAL)


class Log:
    """Builds an event log the way the services would store it."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: EventKind, **fields: Any) -> int:
        event_id = len(self.events) + 1
        fact = Fact(kind=kind, source=fields.pop("source", "test"), author="t", **fields)
        self.events.append(Event(event_id, RACE.slug, datetime(2010, 3, 14, tzinfo=UTC), fact))
        return event_id

    def read(self, tag: str, stage: int, checkpoint: str, when: datetime, **more: Any) -> int:
        return self.add(
            EventKind.READ, tag=tag, stage=stage, checkpoint=checkpoint, occurred_at=when, **more
        )

    def entry(
        self, bib: int, stage: int, checkpoint: str, when: datetime | None, **more: Any
    ) -> int:
        return self.add(
            EventKind.ENTRY, bib=bib, stage=stage, checkpoint=checkpoint, occurred_at=when, **more
        )

    def run(self) -> Reconciliation:
        return reconcile(RACE, facts_frame(self.events), BIBS, TAGS)


def passings(result: Reconciliation) -> list[tuple[Any, ...]]:
    return [
        (
            row["bib"],
            row["stage"],
            row["checkpoint"],
            row["direction"],
            row["at"].astimezone(LOCAL).strftime("%d %H:%M:%S"),
            row["by"],
            row["status"],
        )
        for row in result.passings.sort("bib", "stage", "order").iter_rows(named=True)
    ]


def aside(result: Reconciliation) -> list[tuple[int, str]]:
    return [(row["event_id"], row["reason"]) for row in result.set_aside.iter_rows(named=True)]


def test_repeated_chip_reads_are_one_crossing_at_the_earliest_read() -> None:
    log = Log()
    for second in (12, 3, 40):
        log.read("A101", 1, "CP1", at(7, 9, 30, second))
    result = log.run()
    assert passings(result) == [(101, 1, "cp1", None, "07 09:30:03", "chip", "good")]
    assert result.passings["events"].to_list() == [[2, 1, 3]]  # in the order read
    assert aside(result) == []


def test_chip_time_wins_and_a_manual_entry_fills_a_missed_read() -> None:
    log = Log()
    log.entry(101, 1, "CP1", at(7, 9, 29, 50))  # the volunteer's watch is 13 s early
    log.read("A101", 1, "CP1", at(7, 9, 30, 3))
    log.entry(102, 1, "CP1", at(7, 9, 45))  # the chip was not read
    assert passings(log.run()) == [
        (101, 1, "cp1", None, "07 09:30:03", "chip", "good"),
        (102, 1, "cp1", None, "07 09:45:00", "manual", "good"),
    ]


def test_voids_and_corrections_apply_and_can_themselves_be_voided() -> None:
    log = Log()
    typo = log.entry(142, 1, "CP1", at(7, 9, 40))  # 142 typed for 124: not an entrant
    log.add(EventKind.CORRECTION, payload={"target": typo, "bib": 104, "reason": "typo"})
    wrong = log.entry(103, 1, "CP1", at(7, 19, 40))
    log.add(
        EventKind.CORRECTION,
        payload={"target": wrong, "reason": "pm for am", "occurred_at": at(7, 9, 40).isoformat()},
    )
    double = log.entry(105, 1, "CP1", at(7, 9, 50))
    log.add(EventKind.VOID, payload={"target": double, "reason": "entered at the wrong CP"})
    undone = log.entry(102, 1, "CP1", at(7, 10, 0))
    fix = log.add(EventKind.CORRECTION, payload={"target": undone, "bib": 101, "reason": "?"})
    log.add(EventKind.VOID, payload={"target": fix, "reason": "the first entry was right"})
    result = log.run()
    assert passings(result) == [
        (102, 1, "cp1", None, "07 10:00:00", "manual", "good"),
        (103, 1, "cp1", None, "07 09:40:00", "manual", "good"),
        (104, 1, "cp1", None, "07 09:40:00", "manual", "good"),
    ]
    assert aside(result) == [(double, "voided by event 6: entered at the wrong CP")]


def test_reads_that_cannot_be_placed_are_set_aside_with_their_reason() -> None:
    log = Log()
    log.read("FFFF", 1, "CP1", at(7, 9, 30))
    log.entry(999, 1, "CP1", at(7, 9, 30))
    log.entry(101, 1, "CP9", at(7, 9, 30))
    log.entry(101, 7, "CP1", at(7, 9, 30))
    log.entry(101, 1, "CP1", None, device_time="9h30")
    log.add(  # a device line the capture could not read, kept as a read without a time
        EventKind.READ,
        stage=1,
        checkpoint="CP1",
        payload={"rejected": "line 7: time: expected HH:MM:SS.fff", "raw": "1;A101;;9h30"},
    )
    assert aside(log.run()) == [
        (1, "unknown tag FFFF"),
        (2, "bib 999 is not an entrant"),
        (3, "no timing point 1/cp9"),
        (4, "no timing point 7/cp1"),
        (5, "no time"),
        (6, "rejected: line 7: time: expected HH:MM:SS.fff"),
    ]


def test_a_later_crossing_is_a_repeat_and_in_out_checkpoints_take_first_and_last() -> None:
    log = Log()
    log.read("A101", 1, "finish", at(7, 13, 0))
    log.read("A101", 1, "finish", at(7, 13, 25))  # walked back over the mat
    log.read("A102", 2, "CP2", at(8, 15, 0))  # CP2 of the long march records in and out
    log.read("A102", 2, "CP2", at(8, 15, 0, 2))
    log.read("A102", 2, "CP2", at(8, 15, 0, 10))
    log.read("A102", 2, "CP2", at(8, 15, 20))  # went back in for water
    log.read("A102", 2, "CP2", at(8, 15, 40, 30))
    log.entry(103, 2, "CP2", at(8, 23, 50), direction=Direction.IN)  # overnight
    log.entry(103, 2, "CP2", at(9, 0, 20), direction=Direction.OUT)
    result = log.run()
    assert passings(result) == [
        (101, 1, "finish", None, "07 13:00:00", "chip", "good"),
        (102, 2, "cp2", "in", "08 15:00:00", "chip", "good"),
        (102, 2, "cp2", "out", "08 15:40:30", "chip", "good"),
        (103, 2, "cp2", "in", "08 23:50:00", "manual", "good"),
        (103, 2, "cp2", "out", "09 00:20:00", "manual", "good"),
    ]
    assert aside(result) == [
        (2, "a repeat crossing at 1/finish (the first was at 2010-03-07 16:00:00 UTC)"),
        (6, "a repeat crossing at 2/cp2 (the first was at 2010-03-08 18:00:00 UTC)"),
    ]


def test_passings_after_a_withdrawal_are_bad_and_out_of_order_ones_questionable() -> None:
    log = Log()
    log.entry(101, 1, "CP1", at(7, 9, 30))
    log.add(
        EventKind.WITHDRAWAL,
        bib=101,
        stage=1,
        occurred_at=at(7, 10, 0),
        payload={"status": "medical", "reason": "heat exhaustion"},
    )
    log.entry(101, 1, "finish", at(7, 14, 0))
    log.entry(101, 2, "CP1", at(8, 9, 50))
    log.entry(102, 1, "CP1", at(7, 11, 0))
    log.entry(102, 1, "finish", at(7, 10, 30))  # before CP1: one of the two is wrong
    assert [row[-1] for row in passings(log.run())] == [
        "good",
        "bad",
        "bad",
        "good",
        "questionable",
    ]


def test_segments_far_faster_or_slower_than_the_field_are_flagged() -> None:
    log = Log()
    minutes_taken = (80, 85, 90, 95, 100, 20, 500, 35, 48)  # 20 min: typed 08:20 for 09:20?
    for bib, minutes in zip(range(101, 110), minutes_taken, strict=True):
        log.entry(bib, 1, "CP1", at(7, 8, 0) + timedelta(minutes=minutes))
    result = reconcile(RACE, facts_frame(log.events), pl.Series("bib", range(101, 110)), TAGS)
    table = result.passings.sort("bib")
    assert table["status"].to_list() == ["good"] * 5 + ["bad"] + ["questionable"] * 2 + ["good"]
    assert table["reason"].to_list()[5:] == [
        "impossibly fast: 20 min on a segment the field typically takes 85 min",
        "very slow: 500 min on a segment the field typically takes 85 min",
        "suspiciously fast: 35 min on a segment the field typically takes 85 min",
        None,  # 48 min: a winner's pace, about half the field's
    ]


def test_an_impossible_first_crossing_does_not_hide_the_good_one_after_it() -> None:
    log = Log()
    for bib, minutes in zip(range(102, 108), (280, 290, 300, 310, 320, 330), strict=True):
        log.entry(bib, 1, "finish", at(7, 8, 0) + timedelta(minutes=minutes))
    typo = log.entry(101, 1, "finish", at(7, 8, 30))  # 08:30 typed for 13:30
    log.read("A101", 1, "finish", at(7, 13, 30))
    result = log.run()
    assert passings(result)[0] == (101, 1, "finish", None, "07 13:30:00", "chip", "good")
    assert aside(result) == [
        (
            typo,
            "impossibly fast: 30 min on a segment the field typically takes 300 min: "
            "a later crossing is used",
        )
    ]


def test_a_passing_before_the_runners_own_start_is_bad() -> None:
    log = Log()
    log.entry(101, 1, "finish", at(7, 13, 0))
    log.add(EventKind.START, bib=101, stage=1, occurred_at=at(7, 14, 0))  # typed for 08:00?
    assert passings(log.run()) == [
        (101, 1, "finish", None, "07 13:00:00", "manual", "bad"),
    ]
    assert log.run().passings["reason"].to_list() == [
        "before the runner's start (2010-03-07 17:00:00 UTC)"
    ]


def test_a_void_of_a_void_restores_its_target_down_any_chain() -> None:
    log = Log()
    entry = log.entry(101, 1, "CP1", at(7, 9, 30))
    first = log.add(EventKind.VOID, payload={"target": entry, "reason": "wrong runner"})
    second = log.add(EventKind.VOID, payload={"target": first, "reason": "it was him"})
    assert [row[4] for row in passings(log.run())] == ["07 09:30:00"]
    log.add(EventKind.VOID, payload={"target": second, "reason": "it was not"})
    assert passings(log.run()) == []
    assert aside(log.run()) == [(entry, f"voided by event {first}: wrong runner")]


LOG = Log()
for _bib, _tag in ((101, "A101"), (102, "A102"), (103, "A103")):
    LOG.read(_tag, 1, "CP1", at(7, 9, 30 + _bib % 10))
    LOG.read(_tag, 1, "CP1", at(7, 9, 30 + _bib % 10, 20))
    LOG.entry(_bib, 1, "finish", at(7, 13, _bib % 10))
LOG.add(EventKind.VOID, payload={"target": 3, "reason": "x"})
LOG.add(EventKind.CORRECTION, payload={"target": 6, "occurred_at": at(7, 12, 0).isoformat()})


def as_arrived(permuted: list[Event]) -> list[Event]:
    """The events numbered as a store would number them had they arrived in this order.
    Facts that refer to another (voids, corrections, appeals) can only arrive after it:
    they come last, in their own order (the latest decision on a penalty wins)."""
    primary = [event for event in permuted if "target" not in event.fact.payload]
    referring = sorted((e for e in permuted if "target" in e.fact.payload), key=lambda e: e.id)
    arrived = primary + referring
    new_id = {event.id: position for position, event in enumerate(arrived, start=1)}
    renumbered = []
    for event in arrived:
        payload = dict(event.fact.payload)
        if "target" in payload:
            payload["target"] = new_id[payload["target"]]
        fact = replace(event.fact, payload=payload)
        renumbered.append(replace(event, id=new_id[event.id], fact=fact))
    return renumbered


@settings(max_examples=60, deadline=None)
@given(st.permutations(LOG.events))
def test_the_order_of_the_events_changes_nothing(events: list[Event]) -> None:
    expected = reconcile(RACE, facts_frame(LOG.events), BIBS, TAGS)
    shuffled = reconcile(RACE, facts_frame(as_arrived(events)), BIBS, TAGS)
    key = ["bib", "stage", "order"]
    # Event ids depend on the order of arrival: compare what they stand for.
    assert (
        shuffled.passings.drop("events")
        .sort(key)
        .equals(expected.passings.drop("events").sort(key))
    )
    assert (
        shuffled.passings["events"].list.len().sum() == expected.passings["events"].list.len().sum()
    )
    assert (
        shuffled.set_aside["reason"]
        .str.replace(r"event \d+", "event")
        .sort()
        .equals(expected.set_aside["reason"].str.replace(r"event \d+", "event").sort())
    )


def test_two_stations_that_disagree_make_a_conflict_not_a_silent_winner() -> None:
    log = Log()
    first = log.entry(101, 1, "CP1", at(7, 9, 30), source="station:cp1-a")
    second = log.entry(101, 1, "CP1", at(7, 9, 52), source="station:cp1-b")
    log.entry(102, 1, "CP1", at(7, 9, 40), source="station:cp1-a")
    log.entry(102, 1, "CP1", at(7, 9, 41), source="station:cp1-b")  # a minute: one crossing
    log.entry(103, 1, "CP1", at(7, 9, 45), source="station:cp1-a")
    log.entry(103, 1, "CP1", at(7, 10, 45), source="station:cp1-a")  # its own repeat
    result = log.run()
    assert [row[-1] for row in passings(result)] == ["questionable", "good", "good"]
    assert result.passings.sort("bib")["reason"][0] == (
        f"sources disagree: station:cp1-a 09:30:00 (event {first}), "
        f"station:cp1-b 09:52:00 (event {second}); void the wrong one"
    )
    assert result.conflicts.select("bib", "kind", "events").rows() == [
        (101, "times", [first, second])
    ]
    log.add(EventKind.VOID, payload={"target": second, "reason": "typed 9:52 for 9:32"})
    assert log.run().conflicts.is_empty()


def test_a_station_that_sees_a_runner_another_withdrew_makes_a_conflict() -> None:
    log = Log()
    out = log.add(
        EventKind.WITHDRAWAL,
        bib=101,
        stage=1,
        source="station:cp1",
        occurred_at=at(7, 10, 0),
        payload={"status": "dnf"},
    )
    seen = log.entry(101, 1, "finish", at(7, 14, 0), source="station:finish")
    result = log.run()
    assert result.conflicts.select("bib", "kind", "sources", "events").rows() == [
        (101, "after_withdrawal", ["station:cp1", "station:finish"], [out, seen])
    ]
    assert passings(result)[0][-1] == "bad"  # still not used: the withdrawal stands


def test_a_typed_in_then_a_chip_read_at_an_in_out_checkpoint_are_in_and_out() -> None:
    log = Log()
    typed = log.entry(101, 2, "CP2", at(8, 13, 50), direction=Direction.IN)
    log.read("A101", 2, "CP2", at(8, 14, 11, 56))  # the mat as the runner leaves
    typed_late = log.entry(102, 2, "CP2", at(8, 13, 0), direction=Direction.IN)
    log.read("A102", 2, "CP2", at(8, 12, 59, 30))  # read just before the typing
    result = log.run()
    assert passings(result) == [
        (101, 2, "cp2", "in", "08 13:50:00", "manual", "good"),
        (101, 2, "cp2", "out", "08 14:11:56", "chip", "good"),
        (102, 2, "cp2", "in", "08 12:59:30", "chip", "good"),
    ]
    # Nothing is lost: the typed "in" of 102 is set aside behind the earlier chip read.
    assert aside(result) == [
        (typed_late, "a repeat crossing at 2/cp2 (the first was at 2010-03-08 15:59:30 UTC)")
    ]
    assert typed in result.passings.explode("events")["events"].to_list()


def test_a_short_rest_between_in_and_out_is_not_judged_for_speed() -> None:
    log = Log()
    for bib, rest in zip(range(101, 108), (60, 65, 70, 55, 62, 58, 3), strict=True):
        log.entry(bib, 2, "CP2", at(8, 14, 0), direction=Direction.IN)
        log.entry(bib, 2, "CP2", at(8, 14, 0) + timedelta(minutes=rest), direction=Direction.OUT)
    outs = log.run().passings.filter(pl.col("direction") == "out").sort("bib")
    assert outs["status"].to_list() == ["good"] * 7  # 107 rested 3 minutes: allowed


def test_a_log_spanning_more_than_twelve_days_is_reconciled_the_same() -> None:
    # Reads are sorted on one packed integer; a log too long to pack (a wrong year
    # typed) takes the plain sort, with the same result.
    expected = reconcile(RACE, facts_frame(LOG.events), BIBS, TAGS)
    log = Log()
    log.events = list(LOG.events)
    typo = log.read("A101", 1, "CP1", at(7, 9, 30).replace(year=2011))
    result = log.run()
    key = ["bib", "stage", "order"]
    assert result.passings.sort(key).equals(expected.passings.sort(key))
    assert aside(result)[-1][0] == typo
    assert aside(result)[-1][1].startswith("a repeat crossing at 1/cp1")


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, 2, 99_999, 2**40]),  # the last is too large to pack
            st.integers(0, 3_000),  # point
            st.integers(0, 2),  # direction
            st.integers(0, 2**21),  # seconds: some logs too long to pack
        ),
        max_size=40,
    )
)
def test_reads_are_put_in_bib_point_direction_time_order(
    rows: list[tuple[int, int, int, int]],
) -> None:
    start = datetime(2010, 3, 7, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "bib": [row[0] for row in rows],
            "point": [row[1] for row in rows],
            "direction_code": [row[2] for row in rows],
            "at": [start + timedelta(seconds=row[3]) for row in rows],
        },
        schema={"bib": pl.Int64, "point": pl.Int64, "direction_code": pl.Int8, "at": UTC_TIME},
    )
    rows, new_key = reading_order(frame)
    ordered = frame[pl.Series(rows, dtype=pl.Int64)]
    assert ordered.rows() == sorted(frame.rows())
    keys = [row[:3] for row in ordered.rows()]
    assert new_key.tolist() == [i == 0 or keys[i] != keys[i - 1] for i in range(len(keys))]


def test_early_and_late_stages_done_in_two_parts_give_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A large log is reconciled in two parts at once (the early and the late stages);
    # forced here on a small one, it must give exactly what one part gives.
    log = Log()
    for index, bib in enumerate(range(101, 108)):
        tag = f"A{bib}" if bib <= 103 else None
        for second in (0, 4):
            if tag:
                log.read(tag, 1, "CP1", at(7, 9, 30 + index, second))
            log.entry(bib, 2, "CP1", at(8, 9, 40 + index, second))
        log.entry(bib, 1, "finish", at(7, 13, index))
        log.entry(bib, 2, "CP2", at(8, 14, index), direction=Direction.IN)
        log.entry(bib, 2, "CP2", at(8, 14, 30 + index), direction=Direction.OUT)
        log.entry(bib, 2, "finish", at(9, 1, index))  # after midnight
    typo = log.entry(104, 2, "CP1", at(8, 8, 1))  # impossibly fast: a later one is used
    moved = log.read("A101", 1, "CP1", at(7, 10, 0))  # a repeat, then moved to stage 2
    log.add(EventKind.CORRECTION, payload={"target": moved, "stage": 2})
    log.read("ZZZ", 2, "CP1", at(8, 9, 50))  # an unknown tag
    log.entry(105, 9, "CP1", at(8, 9, 50))  # no such stage
    log.add(EventKind.WITHDRAWAL, bib=106, stage=2, occurred_at=at(8, 12, 0))
    facts = facts_frame(log.events)
    whole = reconcile(RACE, facts, BIBS, TAGS)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    parts = reconcile(RACE, facts, BIBS, TAGS)
    in_order = ["bib", "stage", "order"]  # passings come in no particular order
    assert parts.passings.sort(in_order).equals(whole.passings.sort(in_order))
    assert parts.set_aside.equals(whole.set_aside)
    assert parts.conflicts.equals(whole.conflicts)
    assert typo in parts.set_aside["event_id"].to_list()
    assert parts.passings.height > 30
    only_early = facts.filter(pl.col("stage").is_null() | (pl.col("stage") == 1))
    assert reconcile(RACE, only_early, BIBS, TAGS).passings.height > 0  # one part empty
