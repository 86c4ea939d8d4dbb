"""Result sheets from the store: what a race's definition allows to be asked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.services.entrants import import_entrants
from desert_runners.services.races import load_race_file
from desert_runners.services.recording import record_entry
from desert_runners.services.results import result_sheet

FIXTURES = Path(__file__).parents[1] / "fixtures" / "race"


def load_with(context: Context, tmp_path: Path, categories_line: str) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    race = (FIXTURES / "race.yaml").read_text(encoding="utf-8")
    race = race.replace("categories:\n", f"categories:\n  {categories_line}\n", 1)
    (tmp_path / "race.yaml").write_text(race, encoding="utf-8")
    load_race_file(context, tmp_path / "series.yaml")


def test_by_nationality_only_where_the_race_ranks_by_nationality(
    context: Context, tmp_path: Path
) -> None:
    load_with(context, tmp_path, "by_nationality: false")
    with pytest.raises(UserError) as error:
        result_sheet(context, "dune-run-2010", by="nationality")
    assert str(error.value) == (
        "dune-run-2010 has no results by nationality (categories.by_nationality)"
    )
    assert result_sheet(context, "dune-run-2010", by="gender").title.endswith("by gender")


def test_results_by_nationality_place_each_runner_within_their_country(
    context: Context, tmp_path: Path
) -> None:
    load_with(context, tmp_path, "by_nationality: true")
    import_entrants(context, "dune-run-2010", FIXTURES / "entrants.csv")
    for bib, finish in ((101, "13:00"), (102, "12:00")):
        record_entry(context, "dune-run-2010", bib, "1/finish", at=f"2010-03-07T{finish}")
    sheet = result_sheet(context, "dune-run-2010", stage=None, after_stage=1, by="nationality")
    places = {
        name: [(row["bib"], row["rank"]) for row in rows.iter_rows(named=True) if row["rank"]]
        for name, rows in sheet.sections
    }
    assert places["CHL"] == [(101, 1)]  # 2nd overall, 1st of Chile
    assert places["GBR"] == [(102, 1)]
