"""``desert-runners simulate`` as a person uses it: files without a database, the same
seed the same files, a race stored through the imports and never twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
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


def test_live_plays_the_race_sums_it_up_and_refuses_in_one_line(tmp_path: Path) -> None:
    """A live run in JSON; before it, what it cannot do is refused in one line and
    writes nothing (not even the entrants: the run after is not a resumed one)."""
    db = f"sqlite:///{tmp_path / 'live.db'}"
    args = ("simulate", "--definition", SERIES, "--entrants", "15", "--seed", "3", "--live")
    unknown = user_mistake(run("simulate", "--race", "nope", "--live", db=db))
    assert unknown[0].startswith("error: no race 'nope'")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = user_mistake(run(*args, "--port", port, db=db))
    assert busy == [
        f"error: the camp server cannot listen on 127.0.0.1:{port}: address already in use "
        "(--port: give another one, or none for any free one)"
    ]
    endless = user_mistake(run(*args, "--speed", "inf", db=db))
    assert endless == ["error: --speed inf: expected a number above 0"]
    facts = json.loads(ok(run(*args, "--speed", "50000", "--json", db=db)))
    assert facts["live"]
    assert facts["finished"]
    assert not facts["resumed"]
    assert facts["errors"] == []
    assert facts["reads_stored"] == facts["reads_total"] > 15 * 7
    assert facts["camp_url"].startswith("http://127.0.0.1:")
    sheet = ok(run("results", "--race", "dune-run-2010", "--format", "csv", db=db))
    assert sheet.splitlines()[1].startswith("1,")
    refused = user_mistake(run(*args, "--output", str(tmp_path / "x"), db=db))
    assert refused == ["error: --live stores the race as it is played: it cannot go with --output"]
    other = user_mistake(run("simulate", "--race", "dune-run-2010", "--live", db=db))
    assert other[0].startswith("error: dune-run-2010 already has 15 entrants that are not")


def test_ctrl_c_stops_a_live_race_cleanly(tmp_path: Path) -> None:
    """SIGINT mid-race: exit 0, the one-line summary, no traceback, nothing left behind
    (the run's folder of station databases is gone; no process, so no port or thread)."""
    db = f"sqlite:///{tmp_path / 'live.db'}"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DR_")}
    environment |= {"DR_AUTHOR": "cli-test", "TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "desert_runners", "--db", db, "simulate"]
    command += ["--definition", SERIES, "--entrants", "10", "--live", "--speed", "500"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    ) as process:
        assert process.stderr is not None
        started = process.stderr.readline()  # the camp server is up: the race is on
        assert started.startswith("camp server on http://127.0.0.1:"), started
        assert list(scratch.iterdir())  # the run's folder, while it runs
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("stopped dune-run-2010 live at x500 in "), lines
    assert list(scratch.iterdir()) == []
