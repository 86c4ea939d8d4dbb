"""The use cases on both backends: load definitions, import entrants, record entries,
read the log. Real files, real databases."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind
from desert_runners.services.entrants import import_entrants, list_entrants
from desert_runners.services.events import list_events
from desert_runners.services.races import find_race, list_races, load_race_file
from desert_runners.services.recording import record_entry
from desert_runners.services.rulings import void

FIXTURES = Path(__file__).parents[1] / "fixtures" / "race"
SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture
def loaded(context: Context) -> Context:
    load_race_file(context, FIXTURES / "series.yaml")
    report = import_entrants(context, "dune-run-2010", FIXTURES / "entrants.csv")
    assert report.problems == []
    return context


def test_loading_a_series_stores_its_races_and_logs_the_definition(context: Context) -> None:
    series, results = load_race_file(context, FIXTURES / "series.yaml")
    assert series == "test-series"
    assert [(r.slug, r.outcome, r.stages, r.checkpoints) for r in results] == [
        ("dune-run-2010", "added", 2, 5)
    ]
    _, again = load_race_file(context, FIXTURES / "series.yaml")
    assert again[0].outcome == "unchanged"
    _, _, log = list_events(context, "dune-run-2010", kinds=[EventKind.DEFINITION])
    assert [event.fact.payload["outcome"] for event in log] == ["added"]
    assert find_race(context, None).race.stages[1].long_march


def test_a_changed_definition_is_updated_and_logged(context: Context, tmp_path: Path) -> None:
    load_race_file(context, FIXTURES / "series.yaml")
    changed = tmp_path / "race.yaml"
    text = (FIXTURES / "race.yaml").read_text(encoding="utf-8")
    changed.write_text(text.replace("km: 38.2", "km: 38.6"), encoding="utf-8")
    _, results = load_race_file(context, changed)
    assert results[0].outcome == "updated"
    assert find_race(context, "dune-run-2010").race.stages[0].distance_km == 38.6
    _, _, log = list_events(context, "dune-run-2010", kinds=[EventKind.DEFINITION])
    assert [event.fact.payload["outcome"] for event in log] == ["added", "updated"]


def test_a_race_whose_series_is_not_loaded_is_refused(context: Context) -> None:
    with pytest.raises(UserError, match="series 'test-series' is not loaded"):
        load_race_file(context, FIXTURES / "race.yaml")
    assert list_races(context) == []


def test_a_race_file_alone_must_name_an_event_of_its_series(
    context: Context, tmp_path: Path
) -> None:
    load_race_file(context, FIXTURES / "series.yaml")
    text = (FIXTURES / "race.yaml").read_text(encoding="utf-8")
    (tmp_path / "race.yaml").write_text(text.replace("event: dune-run", "event: sand-run"))
    with pytest.raises(UserError) as raised:
        load_race_file(context, tmp_path / "race.yaml")
    assert str(raised.value) == (
        f"{tmp_path / 'race.yaml'}: event: 'sand-run' is not an event of the series (dune-run)"
    )


def test_an_invalid_file_stores_nothing(context: Context, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path)
    text = (FIXTURES / "race.yaml").read_text(encoding="utf-8")
    (tmp_path / "race.yaml").write_text(text.replace("km: 36.0", "km: 3.0"), encoding="utf-8")
    with pytest.raises(UserError, match=r"race.yaml:38: stages\[1\]\.checkpoints\[1\]\.km"):
        load_race_file(context, tmp_path / "series.yaml")
    assert list_races(context) == []


def test_import_keeps_good_rows_and_reports_bad_ones(context: Context, tmp_path: Path) -> None:
    load_race_file(context, FIXTURES / "series.yaml")
    rows = (FIXTURES / "entrants.csv").read_text(encoding="utf-8").splitlines()
    rows.insert(2, "106,Young,Runner,M,1995-01-01,USA,,A106,")  # 15 on race day
    rows.insert(3, "107,No,Country,F,1980-01-01,Atlantis,,A107,")
    (tmp_path / "entrants.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = import_entrants(context, "dune-run-2010", tmp_path / "entrants.csv")
    assert (report.added, report.rejected) == (5, 2)
    assert report.problems == [
        "entrants.csv:4: nationality: expected an ISO 3166 country code such as GBR or GB, "
        "got 'Atlantis'",
        "entrants.csv:3: date_of_birth: age 15 on 2010-03-07 is outside the entry rule (21-70)",
    ]
    _, entrants = list_entrants(context, "dune-run-2010")
    assert [entrant.bib for entrant in entrants] == [101, 102, 103, 104, 105]
    assert entrants[1].tags == ("A102", "B102")


def test_reimport_changes_only_what_changed_and_logs_it(loaded: Context, tmp_path: Path) -> None:
    text = (FIXTURES / "entrants.csv").read_text(encoding="utf-8")
    (tmp_path / "entrants.csv").write_text(text.replace("A105", "C105"), encoding="utf-8")
    report = import_entrants(loaded, "dune-run-2010", tmp_path / "entrants.csv")
    assert (report.added, report.updated, report.unchanged) == (0, 1, 4)
    _, entrants = list_entrants(loaded, "dune-run-2010")
    assert entrants[-1].tags == ("C105",)
    _, _, log = list_events(loaded, "dune-run-2010", bib=105, kinds=[EventKind.ENTRANT])
    assert log[-1].fact.payload["changes"] == {"tags": [["A105"], ["C105"]]}
    (tmp_path / "entrants.csv").write_text(text.replace(",Dubois,", ",Du Bois,"), encoding="utf-8")
    report = import_entrants(loaded, "dune-run-2010", tmp_path / "entrants.csv")
    assert (report.updated, report.unchanged) == (1, 4)
    _, _, log = list_events(loaded, "dune-run-2010", bib=105, kinds=[EventKind.ENTRANT])
    assert [event.fact.payload["outcome"] for event in log] == ["added", "updated", "updated"]
    assert log[-1].fact.payload["changes"] == {
        "family_name": ["Dubois", "Du Bois"],
        "tags": [["C105"], ["A105"]],
    }


def test_a_person_keeps_one_identity_across_the_races_of_a_series(context: Context) -> None:
    examples = Path(__file__).parents[2] / "examples" / "4deserts-2010"
    load_race_file(context, examples / "series.yaml")
    people: dict[int, set[str]] = {}
    for race in list_races(context):
        report = import_entrants(context, race.slug, examples / "entrants" / f"{race.slug}.csv")
        assert report.problems == [], report.problems[:3]
        with context.store.read() as connection:
            from desert_runners.adapters.storage.entrant_repo import list_entrants as rows
            from desert_runners.adapters.storage.race_repo import race_id

            found = race_id(connection, race.slug)
            assert found is not None
            for _, person in rows(connection, found):
                people.setdefault(person, set()).add(race.event)
    in_all_four = [person for person, events in people.items() if len(events) == 4]
    assert len(in_all_four) >= 25  # the Grand Slam hopefuls of 2010


def test_record_resolves_times_of_day_across_midnight(loaded: Context) -> None:
    # Stage 2 is a long march starting 2010-03-08 08:00 in Santiago (UTC-3).
    at_cp2 = record_entry(loaded, None, 101, "2/CP2", at="23:58:30")
    out_cp2 = record_entry(loaded, None, 101, "2/CP2", at="00:20", direction=Direction.OUT)
    finish = record_entry(loaded, None, 101, "2/finish", at="09:15")
    start = record_entry(loaded, None, 102, "2/start", at="07:59:58")
    assert [item.event.fact.occurred_at for item in (at_cp2, out_cp2, finish, start)] == [
        datetime(2010, 3, 8, 23, 58, 30, tzinfo=SANTIAGO),
        datetime(2010, 3, 9, 0, 20, tzinfo=SANTIAGO),
        datetime(2010, 3, 9, 9, 15, tzinfo=SANTIAGO),  # 80 km: not 1 h 15 after the start
        datetime(2010, 3, 8, 7, 59, 58, tzinfo=SANTIAGO),
    ]
    assert at_cp2.event.fact.direction is Direction.IN  # the default at an in/out checkpoint
    assert finish.event.fact.device_time == "09:15"
    assert finish.event.fact.author == "test-director"


def test_the_same_entry_twice_is_one_event(loaded: Context) -> None:
    first = record_entry(loaded, "dune-run-2010", 103, "1/CP1", at="09:32")
    again = record_entry(loaded, "dune-run-2010", 103, "1/cp1", at="09:32:00")
    assert first.new
    assert not again.new
    assert again.event.id == first.event.id
    keyed = record_entry(loaded, None, 103, "1/finish", at="13:00", key="phone-7:1")
    assert record_entry(loaded, None, 103, "1/finish", at="13:00", key="phone-7:1").new is False
    assert keyed.event.fact.key == "phone-7:1"


@pytest.mark.parametrize(
    ("bib", "where", "options", "message"),
    [
        (999, "1/CP1", {}, "bib 999 is not an entrant of dune-run-2010"),
        (101, "1/CP9", {}, "stage 1 has no checkpoint 'CP9' (start, CP1, finish)"),
        (
            101,
            "7/CP1",
            {},
            "checkpoint '7/CP1': expected STAGE/CHECKPOINT such as 1/CP2 or "
            "1/finish (stages of dune-run-2010: 1, 2)",
        ),
        (101, "CP1", {}, "checkpoint 'CP1': expected STAGE/CHECKPOINT"),
        (
            101,
            "1/CP1",
            {"direction": Direction.OUT},
            "1/CP1 records a single time: --direction "
            "is only for checkpoints with in and out times",
        ),
        (101, "1/CP1", {"at": "9.32"}, "time '9.32': expected HH:MM[:SS]"),
        (101, "1/CP1", {"at": ""}, "time '': expected HH:MM[:SS]"),  # not "now"
        (101, "1/CP1", {"at": "  "}, "time '': expected HH:MM[:SS]"),
        (
            101,
            "1/CP1",
            {"at": "9999-12-31T23:59"},
            "time '9999-12-31T23:59' is not during dune-run-2010 "
            "(2010-03-07 to 2010-03-13, give or take 2 days): check the date",
        ),
        (101, "1/CP1", {"at": "0001-01-01T00:00+05:00"}, "time '0001-01-01T00:00+05:00' is not"),
        (101, "1/CP1", {"at": "2010-03-04 23:59"}, "time '2010-03-04 23:59' is not during"),
        (101, "1/CP1", {"at": "2010-03-16T03:00:00Z"}, "time '2010-03-16T03:00:00Z' is not"),
        (101, "1/CP1", {"at": "2011-03-07 10:00"}, "time '2011-03-07 10:00' is not during"),
    ],
)
def test_record_refuses_mistakes_clearly(
    loaded: Context, bib: int, where: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError) as raised:
        record_entry(loaded, None, bib, where, **options)  # type: ignore[arg-type]
    assert str(raised.value).startswith(message)
    _, _, log = list_events(loaded, None, kinds=[EventKind.ENTRY])
    assert log == []


def test_times_up_to_two_days_around_the_race_are_taken(loaded: Context) -> None:
    early = record_entry(loaded, None, 101, "1/start", at="2010-03-05 00:00")
    late = record_entry(loaded, None, 101, "2/finish", at="2010-03-15T23:59:59-03:00")
    assert early.event.fact.occurred_at == datetime(2010, 3, 5, tzinfo=SANTIAGO)
    assert late.event.fact.occurred_at == datetime(2010, 3, 15, 23, 59, 59, tzinfo=SANTIAGO)


def test_events_are_listed_in_order_and_by_bib(loaded: Context) -> None:
    record_entry(loaded, None, 101, "1/CP1", at="09:30")
    record_entry(loaded, None, 102, "1/CP1", at="09:31")
    record_entry(loaded, None, 101, "1/finish", at="12:40")
    _, zone, log = list_events(loaded, None, bib=101, kinds=[EventKind.ENTRY])
    assert zone == "America/Santiago"
    assert [event.fact.checkpoint for event in log] == ["CP1", "finish"]
    _, _, limited = list_events(loaded, None, kinds=[EventKind.ENTRY], limit=2)
    assert [event.fact.bib for event in limited] == [102, 101]  # the latest two, oldest first


def test_which_race_must_be_said_when_there_are_several(context: Context) -> None:
    with pytest.raises(UserError, match="no race is loaded yet"):
        find_race(context, None)
    examples = Path(__file__).parents[2] / "examples" / "4deserts-2010"
    load_race_file(context, examples / "series.yaml")
    with pytest.raises(UserError, match=r"say which race with --race \(or DR_RACE\): atacama"):
        find_race(context, None)
    with pytest.raises(UserError, match="no race 'atacama' \\(races: atacama-crossing-2010, "):
        find_race(context, "atacama")


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_numbers_beyond_a_database_integer_find_nothing(loaded: Context, number: int) -> None:
    assert list_events(loaded, None, bib=number)[2] == []
    assert len(list_events(loaded, None, limit=number)[2]) == 6
    for target in (number, -number):
        with pytest.raises(UserError, match=f"no event {target} in dune-run-2010"):
            void(loaded, None, target, reason="typo")
