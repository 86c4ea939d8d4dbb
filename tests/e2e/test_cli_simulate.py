"""``desert-runners simulate`` as a person uses it: files without a database, the same
seed the same files, a race stored through the imports and never twice."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import FIXTURES, ok, run, user_mistake

SERIES = str(FIXTURES / "series.yaml")  # one race: dune-run-2010, two stages


def test_files_without_a_database_the_same_for_the_same_seed(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    args = ("simulate", "--definition", SERIES, "--entrants", "30", "--seed", "4")
    facts = json.loads(ok(run(*args, "--output", str(first), "--json", cwd=tmp_path)))
    assert facts["entrants"] == 30
    assert facts["reads"] > 30 * 7 * 5
    assert not (tmp_path / "desert-runners.db").exists()  # no database at all
    names = sorted(path.name for path in (first / "readers").iterdir())
    assert "1-start-raceresult.txt" in names
    assert "2-CP2-impinj.txt" in names
    ok(run(*args, "--output", str(second), cwd=tmp_path))
    for path in sorted(first.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path
    again = user_mistake(run(*args, "--output", str(first), cwd=tmp_path))
    assert again == [f"error: --output {first}: expected a new or empty folder"]


def test_a_race_stored_through_the_imports_and_never_twice(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'sim.db'}"
    said = ok(run("simulate", "--definition", SERIES, "--entrants", "25", db=db))
    assert said.startswith("simulated dune-run-2010 (seed 1): 25 entrants, ")
    assert "stored: " in said
    sheet = ok(run("results", "--race", "dune-run-2010", "--format", "csv", db=db))
    assert sheet.splitlines()[1].startswith("1,")
    refused = user_mistake(run("simulate", "--race", "dune-run-2010", db=db))
    assert refused[0].startswith("error: dune-run-2010 already has 25 entrants")


def test_live_plays_the_race_and_sums_it_up_in_json(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'live.db'}"
    args = ("simulate", "--definition", SERIES, "--entrants", "15", "--seed", "3")
    facts = json.loads(ok(run(*args, "--live", "--speed", "50000", "--json", db=db)))
    assert facts["live"]
    assert facts["finished"]
    assert facts["errors"] == []
    assert facts["reads_stored"] == facts["reads_total"] > 15 * 7
    assert facts["camp_url"].startswith("http://127.0.0.1:")
    sheet = ok(run("results", "--race", "dune-run-2010", "--format", "csv", db=db))
    assert sheet.splitlines()[1].startswith("1,")
    refused = user_mistake(run(*args, "--live", "--output", str(tmp_path / "x"), db=db))
    assert refused == ["error: --live stores the race as it is played: it cannot go with --output"]
