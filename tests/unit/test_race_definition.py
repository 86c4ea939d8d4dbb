"""The race-definition loader: a valid file builds the race; each mistake is reported
as file:line: field.path: message, with the exact message a director will read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desert_runners.adapters.importers.race_definition import DefinitionError, load_definitions
from desert_runners.domain.race import Consequence, TieBreak

FIXTURES = Path(__file__).parents[1] / "fixtures" / "race"
RACE = (FIXTURES / "race.yaml").read_text(encoding="utf-8")


def load_text(tmp_path: Path, text: str, name: str = "race.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as raised:
        load_definitions(path)
    return raised.value.problems


def mutated(old: str, new: str) -> str:
    assert old in RACE, f"fixture no longer contains {old!r}"
    return RACE.replace(old, new, 1)


def test_valid_race_builds_the_domain() -> None:
    loaded = load_definitions(FIXTURES / "race.yaml")
    assert loaded.series is None
    race = loaded.races[0].race
    assert race.slug == "dune-run-2010"
    assert race.country == "CL"
    assert [stage.distance_km for stage in race.stages] == [38.2, 80.0]
    long_march = race.stages[1]
    assert long_march.long_march
    assert long_march.start == datetime(2010, 3, 8, 11, 0, tzinfo=UTC)  # 08:00 at UTC-3 (DST)
    finish_cutoff = long_march.finish.cutoff
    assert finish_cutoff is not None
    assert finish_cutoff.deadline(long_march.start) - long_march.start == timedelta(hours=28)
    assert long_march.checkpoint("cp2") is not None
    assert long_march.checkpoints[1].in_out
    assert race.rules.missed_cutoff is Consequence.OUT
    assert race.rules.tie_breaks == (TieBreak.STAGE_PLACINGS, TieBreak.LAST_STAGE)
    assert race.teams.max_gap == timedelta(minutes=2)
    assert race.penalty("no-sleeping-bag") is not None
    band = race.categories.age_band(45)
    assert band is not None
    assert band.name == "40+"


def test_series_file_loads_its_races() -> None:
    loaded = load_definitions(FIXTURES / "series.yaml")
    assert loaded.series is not None
    assert loaded.series.slug == "test-series"
    assert [item.race.slug for item in loaded.races] == ["dune-run-2010"]


def test_digest_ignores_formatting_but_not_content(tmp_path: Path) -> None:
    original = load_definitions(FIXTURES / "race.yaml").races[0].digest
    reformatted = tmp_path / "race.yaml"
    reformatted.write_text("# a comment\n" + RACE.replace('"08:00"', "08:00"), encoding="utf-8")
    assert load_definitions(reformatted).races[0].digest == original
    changed = tmp_path / "changed.yaml"
    changed.write_text(RACE.replace("km: 38.2", "km: 38.4"), encoding="utf-8")
    assert load_definitions(changed).races[0].digest != original


MISTAKES = [
    (
        ("km: 36.0", "km: 11.0"),
        "race.yaml:38: stages[1].checkpoints[1].km: "
        "11.0 is not beyond the previous checkpoint (12.0)",
    ),
    (
        ("{id: CP1, km: 10.5,", "{id: CP1, km: -1,"),
        "race.yaml:30: stages[0].checkpoints[0].km: input should be greater than 0, got -1",
    ),
    (
        ('"23:30"', '"25:30"'),
        "race.yaml:38: stages[1].checkpoints[1].cutoff.time: "
        "expected a time of day as HH:MM or HH:MM:SS, got '25:30'",
    ),
    (
        ("time_zone: America/Santiago", "time_zone: Mars/Olympus"),
        "race.yaml:6: time_zone: 'Mars/Olympus' is not an IANA time zone (e.g. America/Santiago)",
    ),
    (
        ("time_zone: America/Santiago", "time_zone: Europe"),  # a folder of zones
        "race.yaml:6: time_zone: 'Europe' is not an IANA time zone (e.g. America/Santiago)",
    ),
    (
        ("starts_on: 2010-03-07", "starts_on: 0001-01-01"),
        "race.yaml:9: starts_on: expected a year from 1900 to 2199, got '0001-01-01'",
    ),
    (
        ("    date: 2010-03-08", "    date: 9999-12-31"),
        "race.yaml:33: stages[1].date: expected a year from 1900 to 2199, got '9999-12-31'",
    ),
    (
        ('  gap_penalty: "0:30"', '  gap_penalty: "99999999999999:00"'),
        "race.yaml:21: teams.gap_penalty: expected a duration of at most 999 hours, "
        "got '99999999999999:00'",
    ),
    (
        ('  gap_penalty: "0:30"', "  gap_penalty: 30"),
        "race.yaml:21: teams.gap_penalty: expected a duration as H:MM or H:MM:SS, got 30",
    ),
    (
        ("starts_on: 2010-03-07", "starts_on: 2010-02-30"),
        "race.yaml:9: starts_on: input should be a valid date or datetime, "
        "day value is outside expected range, got '2010-02-30'",
    ),
    (
        ("number: 2", "number: 3"),
        "race.yaml:32: stages[1].number: 3 is out of sequence (expected 2)",
    ),
    (
        ("country: CL", "country: XX"),
        "race.yaml:8: country: 'XX' is not an ISO 3166 country code (e.g. CL or CHL)",
    ),
    (
        ("km: 12.0}", "km: 12.0, colour: red}"),
        "race.yaml:37: stages[1].checkpoints[0].colour: "
        "is not a known field (see docs/race-definition.md)",
    ),
    (
        (" dq: true}", ' time: "1:00", dq: true}'),
        "race.yaml:24: penalties[1]: give either a time or dq: true (exactly one of them)",
    ),
    (
        ('{time: "12:00", day: 1}', '{time: "12:00", elapsed: "30:00"}'),
        "race.yaml:39: stages[1].checkpoints[2].cutoff: "
        "give either time (a time of day) or elapsed, not both or neither",
    ),
    (
        ('{time: "12:00", day: 1}', '{elapsed: "12:00", day: 1}'),
        "race.yaml:39: stages[1].checkpoints[2].cutoff: day goes with time, not with elapsed",
    ),
    (
        ('{time: "12:00", day: 1}', '{time: "07:00"}'),
        "race.yaml:39: stages[1].checkpoints[2].cutoff: 07:00 (2010-03-08 07:00) "
        "is not after an earlier cutoff (2010-03-08 23:30)",
    ),
    (
        ('cutoff: {time: "18:00"}', 'cutoff: {time: "07:30"}'),
        "race.yaml:31: stages[0].checkpoints[1].cutoff: 07:30 (2010-03-07 07:30) "
        "is not after the stage start (2010-03-07 08:00)",
    ),
    (
        ('- {name: "40+", min: 40}', '- {name: "40+", min: 35}'),
        "race.yaml:17: categories.age_bands[1].min: 35 overlaps the previous band '20-39'",
    ),
    (
        ('- {name: "20-39", min: 20, max: 39}', '- {name: "20-39", min: 20, max: 19}'),
        "race.yaml:16: categories.age_bands[0].max: 19 is below the band's min (20)",
    ),
    (
        ('- {name: "40+", min: 40}', '- {name: "20-39", min: 40}'),
        "race.yaml:17: categories.age_bands[1].name: '20-39' is used twice",
    ),
    (
        ("ends_on: 2010-03-13", "ends_on: 2010-03-01"),
        "race.yaml:10: ends_on: 2010-03-01 is before the race starts (2010-03-07)",
    ),
    (
        ("    date: 2010-03-08", "    date: 2010-03-20"),
        "race.yaml:33: stages[1].date: 2010-03-20 is outside the race dates "
        "(2010-03-07 to 2010-03-13)",
    ),
    (
        ("    date: 2010-03-08", "    date: 2010-03-07"),
        "race.yaml:34: stages[1].start_time: stage 2 starts before stage 1 "
        "(2010-03-07 08:00 is not after 2010-03-07 08:00)",
    ),
    (
        ("{id: CP2, km: 36.0", "{id: CP1, km: 36.0"),
        "race.yaml:38: stages[1].checkpoints[1].id: 'CP1' is used twice in this stage",
    ),
    (
        ("{id: CP1, km: 12.0}", "{id: start, km: 12.0}"),
        "race.yaml:37: stages[1].checkpoints[0].id: 'start' is reserved for the stage's start",
    ),
    (
        ("{id: CP1, km: 12.0}", "{id: finish, km: 12.0}"),
        "race.yaml:37: stages[1].checkpoints[0].id: 'finish' is reserved for the stage's finish",
    ),
    (
        (
            "  - {code: lost-bib, description: Lost bib",
            "  - {code: no-sleeping-bag, description: x",
        ),
        "race.yaml:24: penalties[1].code: 'no-sleeping-bag' is used twice",
    ),
    (
        ("  - {code: lost-bib,", "  - {code: Lost Bib,"),
        "race.yaml:23: penalties[0].code: string should match pattern '^[a-z0-9][a-z0-9-]*$', "
        "got 'Lost Bib'",
    ),
    (
        ("  tie_breaks: [stage_placings, last_stage]", "  tie_breaks: [stage_placings, coin]"),
        "race.yaml:12: rules.tie_breaks[1]: input should be 'stage_placings' or 'last_stage', "
        "got 'coin'",
    ),
    (
        ("  tie_breaks: [stage_placings, last_stage]", "  tie_breaks: [last_stage, last_stage]"),
        "race.yaml:12: rules.tie_breaks: lists the same tie-break twice",
    ),
    (
        ("rules:\n", "rules:\n  missed_cutoff: penalty\n"),
        "race.yaml:11: rules.missed_cutoff_penalty: is required when missed_cutoff is 'penalty'",
    ),
    (
        ("rules:\n", 'rules:\n  withdrawn_stage_penalty: "2:00"\n'),
        "race.yaml:12: rules.withdrawn_stage_penalty: "
        "is only used when withdrawn_stage is 'penalty' (it is 'out')",
    ),
    (
        ("rules:\n", "rules:\n  missed_cutoff: later\n"),
        "race.yaml:12: rules.missed_cutoff: "
        "input should be 'out', 'continue_unranked' or 'penalty', got 'later'",
    ),
    (
        ("  min_members: 3\n", "  min_members: 3\n  max_members: 2\n"),
        "race.yaml:20: teams.max_members: 2 is below min_members (3)",
    ),
    (
        ('  max_gap: "0:02:00"\n', ""),
        "race.yaml:20: teams.gap_penalty: needs max_gap, the gap it punishes",
    ),
    (
        ("  genders: [M, F]", "  genders: [M, W]"),
        "race.yaml:14: categories.genders[1]: input should be 'M', 'F' or 'X', got 'W'",
    ),
    (
        ('  gap_penalty: "0:30"', '  gap_penalty: "-0:30"'),
        "race.yaml:21: teams.gap_penalty: -0:30:00 is not above zero",
    ),
    (
        ("rules:\n", 'rules:\n  missed_cutoff: penalty\n  missed_cutoff_penalty: "0:00"\n'),
        "race.yaml:13: rules.missed_cutoff_penalty: 0:00:00 is not above zero",
    ),
    (
        ("{id: CP1, km: 12.0}", "{id: CP1, km: 12.0, km: 13.0}"),
        "race.yaml:37: stages[1].checkpoints[0].km: is given twice (first on line 37)",
    ),
    (
        ("rules:\n", "entry:\n  min_age: 30\n  max_age: 25\nrules:\n"),
        "race.yaml:13: entry.max_age: 25 is below the minimum age (30)",
    ),
    (
        ("series: test-series\n", ""),
        "race.yaml:2: series: is required",
    ),
    (
        (
            "categories:\n  genders: [M, F]\n  age_bands:\n"
            '    - {name: "20-39", min: 20, max: 39}\n    - {name: "40+", min: 40}\n',
            "categories: many\n",
        ),
        "race.yaml:13: categories: expected a mapping of fields, got 'many'",
    ),
    (
        ('    start_time: "08:00"\n    checkpoints:', '    start_time: "8am"\n    checkpoints:'),
        "race.yaml:28: stages[0].start_time: "
        "expected a time of day as HH:MM or HH:MM:SS, got '8am'",
    ),
]


@pytest.mark.parametrize(("change", "expected"), MISTAKES, ids=[m[1][:60] for m in MISTAKES])
def test_each_mistake_is_reported_exactly(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    assert load_text(tmp_path, mutated(*change)) == [expected]


def test_all_problems_are_reported_not_only_the_first(tmp_path: Path) -> None:
    text = mutated("country: CL", "country: XX").replace('"23:30"', '"25:30"')
    assert len(load_text(tmp_path, text)) == 2


def test_a_start_time_skipped_by_daylight_saving_is_refused(tmp_path: Path) -> None:
    # Chile moved its clocks forward at 00:00 on 2010-10-10: 00:30 never happened.
    text = (
        mutated("starts_on: 2010-03-07", "starts_on: 2010-10-09")
        .replace("ends_on: 2010-03-13", "ends_on: 2010-10-15")
        .replace(
            '    date: 2010-03-07\n    start_time: "08:00"',
            '    date: 2010-10-10\n    start_time: "00:30"',
        )
        .replace("    date: 2010-03-08", "    date: 2010-10-11")
        .replace('cutoff: {time: "18:00"}', 'cutoff: {elapsed: "10:00"}')
    )
    assert load_text(tmp_path, text) == [
        "race.yaml:28: stages[0].start_time: 00:30 does not exist on 2010-10-10 in "
        "America/Santiago (the clocks jump forward)"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    assert load_text(tmp_path, RACE.replace("stages:\n", "stages: [\n", 1)) == [
        "race.yaml:26: expected the node content, but found '-'"
    ]


def test_a_file_that_is_neither_race_nor_series(tmp_path: Path) -> None:
    assert load_text(tmp_path, "name: something\n") == [
        "race.yaml:1: expected a race definition (with stages) or a series definition (with races)"
    ]


def test_missing_file() -> None:
    with pytest.raises(DefinitionError, match=r"^/nonexistent/race.yaml: no such file$"):
        load_definitions(Path("/nonexistent/race.yaml"))


def test_series_reports_problems_of_all_its_races(tmp_path: Path) -> None:
    (tmp_path / "race.yaml").write_text(mutated("country: CL", "country: XX"), encoding="utf-8")
    series = (FIXTURES / "series.yaml").read_text(encoding="utf-8")
    problems = load_text(tmp_path, series + "  - missing.yaml\n", name="series.yaml")
    assert problems == [
        "race.yaml:8: country: 'XX' is not an ISO 3166 country code (e.g. CL or CHL)",
        "series.yaml:8: races[1]: no such race file 'missing.yaml'",
    ]


def test_series_refuses_a_race_of_another_series(tmp_path: Path) -> None:
    (tmp_path / "race.yaml").write_text(
        mutated("series: test-series", "series: other-series"), encoding="utf-8"
    )
    series = (FIXTURES / "series.yaml").read_text(encoding="utf-8")
    assert load_text(tmp_path, series, name="series.yaml") == [
        "race.yaml: series: 'other-series' is not this series ('test-series')"
    ]


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "race.yaml"
    path.write_bytes(RACE.replace("Atacama", "Atacam\xe1").encode("latin-1"))
    with pytest.raises(DefinitionError) as raised:
        load_definitions(path)
    assert str(raised.value) == f"{path}:7: not UTF-8 text (byte 0xe1: save the file as UTF-8)"


def test_series_refuses_a_race_of_another_event(tmp_path: Path) -> None:
    (tmp_path / "race.yaml").write_text(
        mutated("event: dune-run", "event: sand-run"), encoding="utf-8"
    )
    series = (FIXTURES / "series.yaml").read_text(encoding="utf-8")
    assert load_text(tmp_path, series, name="series.yaml") == [
        "race.yaml: event: 'sand-run' is not an event of the series (dune-run)"
    ]
