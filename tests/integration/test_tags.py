"""Tags on both backends: assigned, handed on, released, each kept with who, when, why
and from when; the entrants import still registers tags; every mistake named."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.services.entrants import import_entrants
from desert_runners.services.races import load_race_file
from desert_runners.services.tags import assign_tag, list_tags, release_tag

RACE = Path(__file__).parents[1] / "fixtures" / "race"
SANTIAGO = ZoneInfo("America/Santiago")
NOW = datetime(2010, 3, 8, 15, 0, tzinfo=UTC)


@pytest.fixture
def dune(context: Context) -> Context:
    load_race_file(context, RACE / "series.yaml")
    assert import_entrants(context, "dune-run-2010", RACE / "entrants.csv").problems == []
    context.clock = lambda: NOW
    return context


def test_the_entrants_file_registers_tags_from_the_race_start(dune: Context) -> None:
    listing = list_tags(dune, None)
    assert (listing.race, listing.time_zone) == ("dune-run-2010", "America/Santiago")
    assert [(a.tag, a.bib) for a in listing.assignments] == [
        ("A101", 101),
        ("A102", 102),
        ("A103", 103),
        ("A104", 104),
        ("A105", 105),
        ("B102", 102),
    ]
    first = listing.assignments[0]
    assert (first.source, first.author, first.reason, first.effective_at) == (
        "entrants",
        "test-director",
        "",
        None,
    )


def test_a_new_tag_counts_from_the_start_and_a_handed_on_tag_from_now(dune: Context) -> None:
    spare = assign_tag(dune, "dune-run-2010", "s900", 101, reason="spare chip at CP1")
    assert spare.stored
    assert spare.previous_bib is None
    assert (spare.assignment.tag, spare.assignment.bib) == ("S900", 101)
    assert spare.assignment.effective_at is None
    assert (spare.assignment.author, spare.assignment.reason) == (
        "test-director",
        "spare chip at CP1",
    )
    moved = assign_tag(dune, None, "A103", 104, reason="swapped at CP2")
    assert (moved.previous_bib, moved.assignment.effective_at) == (103, NOW)
    same = assign_tag(dune, None, "a103", 104)
    assert (same.stored, same.assignment) == (False, moved.assignment)
    fixed = assign_tag(dune, None, "A103", 103, effective="start", reason="it was 103's all along")
    assert fixed.assignment.effective_at is None
    dated = assign_tag(dune, None, "B102", 105, effective="2010-03-08 23:00")
    assert dated.assignment.effective_at == datetime(2010, 3, 8, 23, 0, tzinfo=SANTIAGO)
    iso = assign_tag(dune, None, "B102", 104, effective="2010-03-09T03:00:00Z")
    assert iso.assignment.effective_at == datetime(2010, 3, 9, 3, 0, tzinfo=UTC)
    current = {a.tag: a.bib for a in list_tags(dune, None).assignments}
    assert current == {
        "A101": 101,
        "A102": 102,
        "A103": 103,
        "A104": 104,
        "A105": 105,
        "B102": 104,
        "S900": 101,
    }


def test_a_release_is_kept_in_the_history(dune: Context) -> None:
    released = release_tag(dune, None, "A105", reason="lost at CP1")
    assert (released.previous_bib, released.assignment.bib) == (105, None)
    assert released.assignment.effective_at == NOW
    assert "A105" not in {a.tag for a in list_tags(dune, None).assignments}
    history = list_tags(dune, None, history=True).assignments
    assert [(a.tag, a.bib, a.reason) for a in history if a.tag == "A105"] == [
        ("A105", 105, ""),
        ("A105", None, "lost at CP1"),
    ]
    again = assign_tag(dune, None, "A105", 105)  # handed back: from now, not the start
    assert again.assignment.effective_at == NOW


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            lambda c: assign_tag(c, None, "12 03", 101),
            "tag '12 03': expected 1 to 64 letters and digits (the chip's id)",
        ),
        (
            lambda c: assign_tag(c, None, "", 101),
            "tag '': expected 1 to 64 letters and digits (the chip's id)",
        ),
        (lambda c: assign_tag(c, None, "S900", 999), "bib 999 is not an entrant of dune-run-2010"),
        (lambda c: assign_tag(c, "dune", "S900", 101), "no race 'dune' (races: dune-run-2010)"),
        (
            lambda c: release_tag(c, None, "S900"),
            "tag S900 is not assigned to anyone in dune-run-2010",
        ),
        (
            lambda c: assign_tag(c, None, "S900", 101, effective="yesterday"),
            "--from 'yesterday': expected start, now, YYYY-MM-DD HH:MM[:SS] or an ISO time with "
            "offset (2010-03-10T04:30:00+00:00)",
        ),
        (
            lambda c: release_tag(c, None, "A101", effective="2010-10-10 00:30"),
            "2010-10-10 00:30 does not exist in America/Santiago (the clocks jumped forward)",
        ),
    ],
)
def test_mistakes_are_named_and_nothing_is_recorded(
    dune: Context, action: object, message: str
) -> None:
    before = list_tags(dune, None, history=True).assignments
    with pytest.raises(UserError) as raised:
        action(dune)  # type: ignore[operator]
    assert str(raised.value) == message
    assert list_tags(dune, None, history=True).assignments == before


def test_a_released_tag_cannot_be_released_again(dune: Context) -> None:
    release_tag(dune, None, "A101")
    with pytest.raises(UserError) as raised:
        release_tag(dune, None, "A101")
    assert str(raised.value) == "tag A101 is not assigned to anyone in dune-run-2010"


@pytest.mark.parametrize(
    "statement", ["UPDATE tag_assignments SET bib = 999", "DELETE FROM tag_assignments"]
)
def test_the_tag_history_cannot_be_edited(dune: Context, statement: str) -> None:
    with (
        pytest.raises(DBAPIError, match="tag_assignments is append-only"),
        dune.store.write() as connection,
    ):
        connection.execute(text(statement))
