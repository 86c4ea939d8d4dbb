"""Corrections of reads and entries, and passings added afterwards: each a new fact with
who and why; the original stays in the log as it was received."""

from __future__ import annotations

from pathlib import Path

import pytest

from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind
from desert_runners.services.corrections import correct
from desert_runners.services.entrants import import_entrants
from desert_runners.services.events import list_events
from desert_runners.services.races import load_race_file
from desert_runners.services.recording import record_entry
from desert_runners.services.results import compute
from desert_runners.services.rulings import void

FIXTURES = Path(__file__).parents[1] / "fixtures" / "race"
RACE = "dune-run-2010"


@pytest.fixture
def loaded(context: Context) -> Context:
    load_race_file(context, FIXTURES / "series.yaml")
    import_entrants(context, RACE, FIXTURES / "entrants.csv")
    return context


def cp1_passings(context: Context) -> list[tuple[int, str]]:
    passings = compute(context, RACE).reconciliation.passings
    rows = passings.filter(passings["checkpoint"] == "cp1").sort("bib")
    return [(row["bib"], f"{row['at']:%H:%M}") for row in rows.iter_rows(named=True)]


def test_a_wrong_bib_and_a_wrong_time_are_corrected_and_can_be_undone(loaded: Context) -> None:
    wrong_bib = record_entry(loaded, RACE, 102, "1/CP1", at="09:40").event.id  # was 104
    wrong_time = record_entry(loaded, RACE, 103, "1/CP1", at="19:45").event.id  # pm for am
    fixed = correct(loaded, RACE, wrong_bib, bib=104, reason="the sheet says 104")
    correct(loaded, RACE, wrong_time, at="09:45", reason="typed pm for am")
    assert cp1_passings(loaded) == [(103, "12:45"), (104, "12:40")]  # UTC
    void(loaded, RACE, fixed.event.id, reason="102 it was, after all")
    assert cp1_passings(loaded) == [(102, "12:40"), (103, "12:45")]
    _, _, history = list_events(loaded, RACE, bib=104)
    # The runner's whole history: registered, given the entry, then not.
    assert [(event.fact.kind, event.fact.payload.get("reason")) for event in history] == [
        (EventKind.ENTRANT, None),
        (EventKind.CORRECTION, "the sheet says 104"),
        (EventKind.VOID, "102 it was, after all"),
    ]
    assert fixed.event.fact.author == "test-director"


def test_a_passing_added_afterwards_keeps_its_reason(loaded: Context) -> None:
    added = record_entry(
        loaded, RACE, 105, "1/CP1", at="10:02", reason="missed by the mat; CP1 paper sheet"
    )
    assert added.event.fact.payload == {"reason": "missed by the mat; CP1 paper sheet"}
    assert cp1_passings(loaded) == [(105, "13:02")]


def test_corrections_refuse_mistakes_clearly(loaded: Context) -> None:
    entry = record_entry(loaded, RACE, 101, "1/CP1", at="09:30").event.id
    lost = record_entry(loaded, RACE, 101, "2/CP2", at="20:00").event.id
    cases = [
        (
            {"target": entry, "reason": "x"},
            "say what to correct: --at, --bib, --checkpoint or --direction",
        ),
        (
            {"target": entry, "bib": 104, "reason": " "},
            "a correction needs --reason: what was wrong, and how it is known",
        ),
        ({"target": entry, "bib": 999, "reason": "x"}, f"bib 999 is not an entrant of {RACE}"),
        (
            {"target": entry, "direction": Direction.OUT, "reason": "x"},
            "1/CP1 records a single time: --direction is only for checkpoints with in and "
            "out times",
        ),
        ({"target": 99999, "bib": 104, "reason": "x"}, f"no event 99999 in {RACE}"),
        (
            {"target": entry, "checkpoint": "1/CP9", "reason": "x"},
            "stage 1 has no checkpoint 'CP9' (start, CP1, finish)",
        ),
    ]
    for arguments, message in cases:
        with pytest.raises(UserError) as error:
            correct(loaded, RACE, **arguments)  # type: ignore[arg-type]
        assert str(error.value) == message
    definition = list_events(loaded, RACE, kinds=[EventKind.DEFINITION])[2][0].id
    with pytest.raises(UserError) as error:
        correct(loaded, RACE, definition, bib=101, reason="x")
    assert str(error.value) == (
        f"event {definition} is a definition: only a read or an entry is corrected "
        "(void a ruling and give it again)"
    )
    moved = correct(loaded, RACE, lost, direction=Direction.OUT, reason="left, not arrived")
    assert moved.event.fact.payload["direction"] == "out"
