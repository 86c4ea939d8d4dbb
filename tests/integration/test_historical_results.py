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
from desert_runners.bootstrap import bootstrap
from desert_runners.services.historical import import_historical
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
