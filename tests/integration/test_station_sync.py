"""Stations and the camp on both backends: the camp store on ``database_url``, each
station on its own SQLite file. Kits, entries, bundles, compact messages, conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from station_world import (
    RACE,
    at,
    enter,
    issue,
    load_camp,
    set_clock,
    station,
    station_facts,
    void,
    withdraw,
)

from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction
from desert_runners.domain.station.kit import decode_kit, encode_kit
from desert_runners.services.conflicts import list_conflicts
from desert_runners.services.races import load_race_file
from desert_runners.services.recording import record_entry
from desert_runners.services.results import compute
from desert_runners.services.rulings import void as camp_void
from desert_runners.services.rulings import withdraw as camp_withdraw
from desert_runners.services.station_camp import receive_text
from desert_runners.services.station_desk import due_list, open_station, void_entry
from desert_runners.services.station_kit import issue_kit, set_up_station
from desert_runners.services.station_send import export_bundle, export_compact, station_status


@pytest.fixture
def camp(context: Context) -> Context:
    return load_camp(context)


@pytest.fixture
def cp1(camp: Context, tmp_path: Path) -> Iterator[Context]:
    built = station(tmp_path, issue(camp, tmp_path, "cp1-a"), "cp1-a")
    yield built
    built.store.close()


def test_a_station_is_set_up_from_its_kit(cp1: Context) -> None:
    found = open_station(cp1)
    assert (found.name, found.race.slug, found.where) == ("cp1-a", RACE, "1/CP1")
    due, names = due_list(cp1, found, None)
    assert due.due == (101, 102, 103, 104, 105)
    assert names[101] == "Ana Pérez"


def test_a_newer_kit_moves_the_station_and_keeps_its_entries(
    camp: Context, cp1: Context, tmp_path: Path
) -> None:
    enter(cp1, 101, at(9, 32))
    install = open_station(cp1).setup.install
    result = set_up_station(cp1, issue(camp, tmp_path, "cp1-a", "2/CP2", Direction.OUT))
    assert (result.again, result.point, result.direction) == (True, "2/CP2", Direction.OUT)
    moved = open_station(cp1)
    assert (moved.where, moved.setup.install) == ("2/CP2", install)
    saved = enter(cp1, 101, at(16, 0, day=8))
    assert saved.seq == 2
    assert saved.fact.direction is Direction.OUT
    assert station_status(cp1).facts == 2


def test_a_kit_for_another_station_or_race_is_refused(
    camp: Context, cp1: Context, tmp_path: Path
) -> None:
    other = issue(camp, tmp_path, "cp2")
    with pytest.raises(UserError) as raised:
        set_up_station(cp1, other)
    assert str(raised.value) == (
        f"{other} is a kit for station cp2, but this laptop is station cp1-a: "
        "give it a database of its own (--db)"
    )
    text = (Path(__file__).parents[1] / "fixtures" / "race" / "race.yaml").read_text()
    (tmp_path / "race2.yaml").write_text(text.replace("dune-run-2010", "dune-run-2011"))
    load_race_file(camp, tmp_path / "race2.yaml")
    kit2 = tmp_path / "r2.kit"
    issue_kit(camp, "dune-run-2011", "1/CP1", "cp1-a", kit2)
    with pytest.raises(UserError) as raised:
        set_up_station(cp1, kit2)
    assert str(raised.value) == (
        f"{kit2} is a kit for dune-run-2011, but this station records dune-run-2010: "
        "give it a database of its own (--db)"
    )
    with pytest.raises(UserError) as raised:
        set_up_station(camp, kit2)
    assert str(raised.value) == (
        f"{kit2}: this database holds races (dune-run-2010, dune-run-2011) and is not a "
        "station's: give the station a database of its own (--db)"
    )


def test_runners_out_of_the_race_travel_in_the_kit(camp: Context, tmp_path: Path) -> None:
    set_clock(camp, at(12, 0))
    for bib in (101, 102, 104):
        record_entry(camp, RACE, bib, "1/finish", at="15:00")
    withdrawn = camp_withdraw(camp, RACE, 103, stage=1, status="dnf", reason="knee", at="11:00")
    set_clock(camp, at(20, 0))
    built = station(tmp_path, issue(camp, tmp_path, "cp1-b", "2/CP1"), "cp1-b")
    setup = open_station(built).setup
    assert setup.out_of_race == {
        103: f"out since stage 1: knee (event {withdrawn.event.id})",
        105: "out since stage 1: never seen on the course",
    }
    due, _ = due_list(built, open_station(built), None)
    assert 103 not in due.due
    built.store.close()


def test_a_bundle_is_received_once_and_its_void_reaches_the_results(
    camp: Context, cp1: Context
) -> None:
    enter(cp1, 101, at(9, 32, 5))
    enter(cp1, 102, at(9, 45), typed="09:41")
    void(cp1, 2, at(9, 46), "wrong bib")
    enter(cp1, 105, at(9, 47), typed="09:41")
    text, count = export_bundle(cp1)
    assert count == 4
    [first] = receive_text(camp, text, "cp1-a.jsonl")
    assert (len(first.stored), len(first.already), first.through) == (4, 0, 4)
    [again] = receive_text(camp, text, "cp1-a.jsonl")
    assert (len(again.stored), len(again.already)) == (0, 4)
    set_clock(camp, at(20, 0))
    passings = compute(camp, RACE).reconciliation.passings
    assert sorted(passings["bib"].to_list()) == [101, 105]


def test_compact_messages_store_what_the_bundle_stores(
    camp: Context, cp1: Context, database_url: str, tmp_path: Path
) -> None:
    enter(cp1, 101, at(9, 32, 5))
    enter(cp1, 102, at(9, 45), typed="09:41:30")
    withdraw(cp1, 104, at(10, 5), "blisters")
    void(cp1, None, at(10, 6))
    enter(cp1, 999, at(10, 7))
    exported = export_compact(cp1, max_bytes=80)
    messages = exported.messages
    assert (exported.facts, exported.passings) == (5, 3)
    assert len(messages) > 1
    received = receive_text(camp, "\n".join(messages), "standard input")
    assert sum(len(r.stored) for r in received) == 5
    by_compact = station_facts(camp)
    text, _ = export_bundle(cp1)
    [again] = receive_text(camp, text, "cp1-a.jsonl")
    assert (len(again.stored), len(again.already)) == (0, 5)
    assert station_facts(camp) == by_compact


def test_only_the_facts_after_since(camp: Context, cp1: Context) -> None:
    for minute, bib in enumerate((101, 102, 103), start=30):
        enter(cp1, bib, at(9, minute))
    messages = export_compact(cp1, since=2).messages
    assert len(messages) == 1
    [received] = receive_text(camp, messages[0], "-")
    assert received.stored == ("station:cp1-a:" + open_station(cp1).setup.install + ":3",)
    with pytest.raises(UserError) as raised:
        export_compact(cp1, since=3)
    assert str(raised.value) == "nothing after #3: the last entry saved here is #3"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text[: len(text) // 2], "the bundle is incomplete"),
        (lambda text: text.replace('"bib":101', '"bib":108'), "the bundle is damaged"),
        (lambda text: "hello", "not a station bundle"),
    ],
)
def test_a_damaged_bundle_stores_nothing(
    camp: Context, cp1: Context, damage: object, message: str
) -> None:
    enter(cp1, 101, at(9, 32))
    enter(cp1, 102, at(9, 33))
    text, _ = export_bundle(cp1)
    with pytest.raises(UserError) as raised:
        receive_text(camp, damage(text), "usb.jsonl")  # type: ignore[operator]
    assert str(raised.value).startswith(f"usb.jsonl: {message}")
    assert station_facts(camp) == {}


def test_a_station_without_a_kit_at_this_camp_is_refused(
    camp: Context, cp1: Context, tmp_path: Path
) -> None:
    other_camp = load_camp(bootstrap(f"sqlite:///{tmp_path / 'other-camp.db'}"))
    enter(cp1, 101, at(9, 32))
    text, _ = export_bundle(cp1)
    with pytest.raises(UserError) as raised:
        receive_text(other_camp, text, "usb.jsonl")
    assert str(raised.value) == (
        "station cp1-a has no kit for dune-run-2010 at this camp: "
        "issue one with `desert-runners station kit`"
    )
    other_camp.store.close()


def test_two_stations_that_disagree_are_a_conflict_until_one_is_voided(
    camp: Context, cp1: Context, tmp_path: Path
) -> None:
    cp1_b = station(tmp_path, issue(camp, tmp_path, "cp1-b"), "cp1-b", author="Bo")
    enter(cp1, 101, at(9, 32))
    enter(cp1_b, 101, at(9, 40))
    withdraw(cp1, 104, at(10, 10), "blisters")
    enter(cp1_b, 104, at(10, 30))
    enter(cp1_b, 102, at(9, 50))
    enter(cp1, 102, at(9, 51))  # a minute apart: two watches, not a conflict
    for built, name in ((cp1, "a"), (cp1_b, "b")):
        receive_text(camp, export_bundle(built)[0], name)
    set_clock(camp, at(20, 0))
    _, found = list_conflicts(camp, RACE)
    assert [(c.bib, c.stage, c.checkpoint, c.kind) for c in found] == [
        (101, 1, "CP1", "times"),
        (104, 1, "CP1", "after_withdrawal"),
    ]
    times = found[0]
    assert [(claim.source, claim.at) for claim in times.claims] == [
        ("station:cp1-a", at(9, 32)),
        ("station:cp1-b", at(9, 40)),
    ]
    camp_void(camp, RACE, times.claims[1].event, reason="CP1 sheet says 09:32")
    _, left = list_conflicts(camp, RACE)
    assert [(c.bib, c.kind) for c in left] == [(104, "after_withdrawal")]
    cp1_b.store.close()


def test_a_kit_that_swaps_two_runners_bibs_is_refused_whole(cp1: Context, tmp_path: Path) -> None:
    kit = tmp_path / "cp1-a-1-CP1.kit"
    original = decode_kit(kit.read_text())
    swapped = [dict(record) for record in original.entrants]
    swapped[0]["bib"], swapped[1]["bib"] = swapped[1]["bib"], swapped[0]["bib"]
    edited = tmp_path / "swapped.kit"
    edited.write_text(encode_kit(replace(original, entrants=swapped)))
    with pytest.raises(UserError) as raised:
        set_up_station(cp1, edited)
    assert str(raised.value) == (
        f"{edited}: Ana Pérez is bib 102 in the kit but bib 101 on this station: export what "
        "it saved, then set the kit up in a new database (--db)"
    )
    assert open_station(cp1).setup.kit == original.kit


def test_what_cannot_be_voided(cp1: Context) -> None:
    found = open_station(cp1)
    with pytest.raises(UserError) as raised:
        void_entry(cp1, found, None, "")
    assert str(raised.value) == "nothing to undo: no entry is in force here"
    enter(cp1, 101, at(9, 32))
    void(cp1, 1, at(9, 33))
    for number, message in (
        (1, "#1 is already voided (#2)"),
        (2, "#2 is not an entry of this station"),
        (9, "#9 is not an entry of this station"),
    ):
        with pytest.raises(UserError) as raised:
            void_entry(cp1, found, number, "")
        assert str(raised.value) == message


def test_a_kit_that_cannot_be_read(camp: Context, tmp_path: Path) -> None:
    laptop = bootstrap(f"sqlite:///{tmp_path / 'laptop.db'}")
    binary = tmp_path / "photo.kit"
    binary.write_bytes(b"\xff\xd8\xff\xe0")
    good = decode_kit(issue(camp, tmp_path, "cp1-a").read_text())
    no_stage = tmp_path / "no-stage.kit"
    no_stage.write_text(encode_kit(replace(good, stage=7)))
    unreadable = tmp_path / "unreadable.kit"
    unreadable.write_text(encode_kit(replace(good, race=good.race | {"definition": {}})))
    cases = {
        tmp_path / "missing.kit": "cannot read the file: No such file or directory",
        binary: "not a text file",
        no_stage: "the kit's race has no stage 7",
        unreadable: "the kit's race definition cannot be read",
    }
    for path, message in cases.items():
        with pytest.raises(UserError) as raised:
            set_up_station(laptop, path)
        assert str(raised.value) == f"{path}: {message}"
    with pytest.raises(UserError) as raised:
        issue_kit(camp, RACE, "1/CP1", "cp1-a", tmp_path / "no-such-folder" / "x.kit")
    assert str(raised.value) == (
        f"{tmp_path / 'no-such-folder' / 'x.kit'}: cannot write the file: No such file or directory"
    )
    with pytest.raises(UserError) as raised:
        list_conflicts(camp, RACE, timedelta(0))
    assert str(raised.value) == "--window must be above 0 minutes"
    laptop.store.close()


def test_a_bundle_for_a_race_the_camp_does_not_hold(cp1: Context, tmp_path: Path) -> None:
    empty = bootstrap(f"sqlite:///{tmp_path / 'empty-camp.db'}")
    enter(cp1, 101, at(9, 32))
    for text, where in (
        (export_bundle(cp1)[0], "usb.jsonl"),
        (export_compact(cp1).messages[0], "usb.jsonl: line 1"),
    ):
        with pytest.raises(UserError) as raised:
            receive_text(empty, text, "usb.jsonl")
        assert str(raised.value) == f"{where}: no race 'dune-run-2010' (races: none loaded yet)"
    empty.store.close()
