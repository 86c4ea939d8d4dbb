"""The real results files in shared/data, imported and recomputed by our engine, give the
official results: every UTMB 2015/2016 finisher the official rank and time, every 100
Meilen Berlin 2013-2016 finisher the official place in their gender and time.

Real files are large: this runs on SQLite only (the store is tested on both backends
elsewhere). Under DR_STRICT=1 a missing data folder fails instead of skipping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from tests.conftest import SHARED_DATA, missing_service

from desert_runners.adapters.importers.historical.detect import read_historical
from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.errors import UserError
from desert_runners.services.entrants import list_entrants
from desert_runners.services.historical import import_historical
from desert_runners.services.races import list_races, load_race_file
from desert_runners.services.results import compute

FILES = [
    ("utmb/utmb_2015.csv", "utmb/checkpoints_2015_2016.csv", 1631),
    ("utmb/utmb_2016.csv", "utmb/checkpoints_2015_2016.csv", 1468),
    *[
        (f"berlin-100/result_course_{year}.csv", "berlin-100/vp_list.yaml", finishers)
        for year, finishers in ((2013, 182), (2014, 208), (2015, 214), (2016, 247))
    ],
]


@pytest.mark.parametrize(("file", "course", "finishers"), FILES, ids=[f[0] for f in FILES])
def test_official_results_are_reproduced(
    tmp_path: Path, file: str, course: str, finishers: int
) -> None:
    if not (SHARED_DATA / file).is_file():
        missing_service(f"the real data file {SHARED_DATA / file} is missing")
    context = bootstrap(f"sqlite:///{tmp_path / 'history.db'}", author="test")
    reports = import_historical(context, SHARED_DATA / file, course_file=SHARED_DATA / course)
    main = reports[0]
    official = next(
        race
        for race in read_historical(SHARED_DATA / file, SHARED_DATA / course)
        if race.course == main.course
    )
    context.clock = lambda: datetime(2030, 1, 1, tzinfo=UTC)
    computed = compute(context, main.race)
    ours = computed.overall(1).join(computed.entrants, on="bib")
    if official.ranks_by == "gender":  # Berlin's places count per gender
        ours = ours.with_columns(
            pl.col("rank").rank("min").over("gender").cast(pl.Int64).alias("rank")
        )
    by_bib = {row["bib"]: row for row in ours.iter_rows(named=True)}
    expected = [row for row in official.rows if row.status == "finished"]
    assert len(expected) == finishers
    differences = [
        (row.bib, row.official_rank, row.official_time, by_bib.get(row.bib))
        for row in expected
        if row.bib not in by_bib
        or (by_bib[row.bib]["rank"], by_bib[row.bib]["time"])
        != (row.official_rank, row.official_time)
    ]
    assert differences == []
    # Nobody else is ranked: a runner who did not finish has no rank.
    ranked = ours.filter(pl.col("rank").is_not_null()).height
    assert ranked == finishers


def test_importing_again_adds_nothing(tmp_path: Path) -> None:
    file = SHARED_DATA / "berlin-100" / "result_course_2015.csv"
    if not file.is_file():
        missing_service(f"the real data file {file} is missing")
    context = bootstrap(f"sqlite:///{tmp_path / 'history.db'}", author="test")
    first = import_historical(context, file)
    again = import_historical(context, file)
    assert [report.added for report in again] == [False] * len(first)
    assert sum(report.entries for report in first) > 5000
    assert [report.entries for report in again] == [0] * len(first)


FIXTURES = Path(__file__).parents[1] / "fixtures" / "historical"


@pytest.fixture
def history(tmp_path: Path) -> Context:
    return bootstrap(f"sqlite:///{tmp_path / 'history.db'}", author="test")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"time_zone": "Mars/Olympus"},
            "--time-zone 'Mars/Olympus': expected an IANA time zone such as Europe/Paris",
        ),
        ({"time_zone": "Europe"}, "--time-zone 'Europe': expected an IANA time zone such as"),
        ({"time_zone": ""}, "--time-zone '': expected an IANA time zone such as Europe/Paris"),
        ({"start": ""}, "--start '': expected YYYY-MM-DD HH:MM"),
        ({"start": "9999-12-31 23:59"}, "--start '9999-12-31 23:59': expected a year from 1900"),
        ({"start": "0001-01-01 00:00"}, "--start '0001-01-01 00:00': expected a year from 1900"),
        (
            {"race_slug": "UTMB!"},
            "--race 'UTMB!': expected a slug of lower-case letters, digits and -, e.g. utmb-2015",
        ),
        ({"race_slug": ""}, "--race '': expected a slug of lower-case letters, digits and -"),
    ],
)
def test_options_that_cannot_be_are_refused_and_nothing_is_stored(
    history: Context, options: dict[str, str], message: str
) -> None:
    with pytest.raises(UserError) as raised:
        import_historical(history, FIXTURES / "utmb_2015_slice.csv", **options)  # type: ignore[arg-type]
    assert str(raised.value).startswith(message)
    assert list_races(history) == []


def test_a_file_of_rejected_rows_only_creates_no_race(history: Context, tmp_path: Path) -> None:
    lines = (FIXTURES / "utmb_broken.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "utmb_bad.csv"
    bad.write_text("\n".join([lines[0], lines[4], *lines[6:]]) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        import_historical(history, bad)
    assert str(raised.value).splitlines() == [
        "utmb_bad.csv: no row of UTMB could be read: nothing imported",
        "utmb_bad.csv:2: bib: '8a' is not a whole number",
        "utmb_bad.csv:3: time: '25:61:00' is not a time H:MM:SS",
        "utmb_bad.csv:4: rank: missing for a finisher",
        "utmb_bad.csv:5: StGer: '01:49:0' is not a time H:MM:SS",
        "utmb_bad.csv:6: row: has 20 fields, the header has 34",
    ]
    assert list_races(history) == []


def test_results_are_never_imported_into_a_race_of_another_series(
    history: Context, tmp_path: Path
) -> None:
    load_race_file(history, Path(__file__).parents[1] / "fixtures" / "race" / "series.yaml")
    undated = tmp_path / "results.csv"  # no year in the name: the slug is --race as given
    undated.write_bytes((FIXTURES / "utmb_2015_slice.csv").read_bytes())
    with pytest.raises(UserError) as raised:
        import_historical(history, undated, race_slug="dune-run-2010")
    assert str(raised.value) == (
        "--race dune-run-2010: a race of the series test-series has that slug; "
        "historical results go to a race of their own: give another --race"
    )
    assert [race.slug for race in list_races(history)] == ["dune-run-2010"]
    assert list_entrants(history, "dune-run-2010") == ("dune-run-2010", [])
