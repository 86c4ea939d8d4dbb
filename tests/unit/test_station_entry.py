"""The checks before a station saves an entry, and the list of who is still due."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desert_runners.adapters.importers.race_definition import load_definitions
from desert_runners.domain.events import Direction
from desert_runners.domain.race import Race
from desert_runners.domain.station.entry import (
    Due,
    Seen,
    StationView,
    due_here,
    entry_warnings,
    stage_window,
    withdrawal_warnings,
)

RACE_FILE = Path(__file__).parents[1] / "fixtures" / "race" / "race.yaml"
SANTIAGO = ZoneInfo("America/Santiago")
NAMES = {101: "Ana Pérez", 102: "Tom Baker", 103: "Kenji Sato", 104: "Marta Ólafsdóttir"}


def at(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2010, 3, day, hour, minute, second, tzinfo=SANTIAGO)


@pytest.fixture(scope="module")
def race() -> Race:
    return load_definitions(RACE_FILE).races[0].race


def view(race: Race, stage: int = 1, checkpoint: str = "CP1", **changes: object) -> StationView:
    found = race.stage(stage)
    assert found is not None
    point = found.checkpoint(checkpoint)
    assert point is not None
    fields: dict[str, object] = {
        "race": race.slug,
        "stage": found,
        "checkpoint": point.id,
        "in_out": point.in_out,
        "names": NAMES,
        "out": {},
        "withdrawn_here": {},
        "passed": {},
    }
    return StationView(**(fields | changes))  # type: ignore[arg-type]


NOW = at(7, 12, 0)


def test_a_good_entry_raises_nothing(race: Race) -> None:
    assert entry_warnings(view(race), 101, at(7, 9, 32), NOW, None) == []


def test_an_unknown_bib(race: Race) -> None:
    assert entry_warnings(view(race), 999, at(7, 9, 32), NOW, None) == [
        "bib 999 is not an entrant of dune-run-2010"
    ]


def test_a_runner_already_recorded_here(race: Race) -> None:
    seen = view(race, passed={(101, None): Seen(3, at(7, 9, 32, 5))})
    assert entry_warnings(seen, 101, at(7, 9, 40), NOW, None) == [
        "bib 101 already passed here at 09:32:05 (#3)"
    ]


def test_in_and_out_are_separate_passings(race: Race) -> None:
    seen = view(race, 2, "CP2", passed={(101, Direction.IN): Seen(1, at(8, 15, 0))})
    now = at(8, 17, 0)
    assert entry_warnings(seen, 101, at(8, 16, 0), now, Direction.OUT) == []
    assert entry_warnings(seen, 101, at(8, 16, 0), now, Direction.IN) == [
        "bib 101 already passed here (in) at 15:00:00 (#1)"
    ]


def test_a_runner_out_of_the_race_or_withdrawn_here_is_not_due(race: Race) -> None:
    out = view(race, out={102: "out since stage 1: dnf (event 9)"})
    assert entry_warnings(out, 102, at(7, 9, 32), NOW, None) == [
        "bib 102 is not due here: out since stage 1: dnf (event 9)"
    ]
    withdrew = view(race, withdrawn_here={103: Seen(4, at(7, 10, 5))})
    assert withdrawal_warnings(withdrew, 103, at(7, 10, 30), NOW) == [
        "bib 103 is not due here: withdrew here at 10:05:00 (#4)"
    ]


def test_a_time_in_the_future_is_a_typo(race: Race) -> None:
    assert entry_warnings(view(race), 101, at(7, 12, 1), NOW, None) == []  # a minute's grace
    assert entry_warnings(view(race), 101, at(7, 13, 2), NOW, None) == [
        "13:02:00 is in the future: the station's clock says 12:00:00"
    ]


def test_a_time_outside_the_stage_asks_whether_the_station_is_set_up_right(race: Race) -> None:
    late = datetime(2026, 11, 29, 1, 46, tzinfo=SANTIAGO)
    assert entry_warnings(view(race), 101, late, late, None) == [
        "2026-11-29 01:46 is after stage 1 ended (2010-03-07 18:00): "
        "is the station set up for the right stage?"
    ]
    assert entry_warnings(view(race), 101, at(7, 5, 59), NOW, None) == [
        "2010-03-07 05:59 is before stage 1 starts (2010-03-07 08:00): "
        "is the station set up for the right stage?"
    ]


def test_several_doubts_are_all_shown(race: Race) -> None:
    seen = view(race, passed={(101, None): Seen(1, at(7, 9, 32))})
    assert len(entry_warnings(seen, 101, at(7, 13, 0), NOW, None)) == 2


def test_the_stage_window(race: Race) -> None:
    long_march = race.stage(2)
    assert long_march is not None
    assert stage_window(long_march) == (at(8, 6, 0), at(9, 12, 0))


def test_who_is_due(race: Race) -> None:
    found = view(
        race,
        out={102: "out since stage 1: dnf"},
        withdrawn_here={103: Seen(2, at(7, 10, 0))},
        passed={(101, None): Seen(1, at(7, 9, 32))},
    )
    assert due_here(found, None) == Due(due=(104,), inside=())


def test_who_is_inside_an_in_out_checkpoint(race: Race) -> None:
    found = view(
        race,
        2,
        "CP2",
        passed={
            (101, Direction.IN): Seen(1, at(8, 15, 0)),
            (101, Direction.OUT): Seen(2, at(8, 15, 20)),
            (104, Direction.IN): Seen(3, at(8, 16, 0)),
        },
    )
    assert due_here(found, Direction.IN) == Due(due=(102, 103), inside=(104,))
    assert due_here(found, Direction.OUT) == Due(due=(102, 103, 104), inside=(104,))
