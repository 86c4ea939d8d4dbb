"""Timing capture from the command line, as a real process: device files imported at a
checkpoint with their report, tags assigned and released, reads shown by bib; every
mistake one exact line on the error output with exit code 1 (2 for wrong usage)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "4deserts-2010"
CP5 = EXAMPLES / "readers" / "atacama-5-cp5-wiclax.txt"
FINISH = EXAMPLES / "readers" / "atacama-5-finish-raceresult.txt"
RACE = "atacama-crossing-2010"
RACES = "atacama-crossing-2010, gobi-march-2010, sahara-race-2010, the-last-desert-2010"


def run(*args: str, db: str, race: str | None = RACE) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DR_")}
    environment |= {"DR_AUTHOR": "cli-test", "DR_DATABASE_URL": db}
    if race is not None:
        environment["DR_RACE"] = race
    return subprocess.run(
        [sys.executable, "-m", "desert_runners", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def mistake(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def _season(db: str) -> str:
    ok(run("race", "load", str(EXAMPLES / "series.yaml"), db=db))
    entrants = EXAMPLES / "entrants" / f"{RACE}.csv"
    ok(run("entrants", "import", str(entrants), db=db))
    return db


def test_a_long_march_from_device_files_on_each_backend(database_url: str) -> None:
    db = _season(database_url)
    first = run("import", str(CP5), "--checkpoint", "5/CP5", db=db)
    assert mistake(first) == [
        "rejected: atacama-5-cp5-wiclax.txt:7: time: expected dd-mm-yyyy hh:mm:ss.ccc, "
        "got '12-03-2010 0:52'"
    ]
    assert first.stdout == (
        "atacama-5-cp5-wiclax.txt at atacama-crossing-2010 5/CP5 (wiclax, device "
        "'wiclax 5/CP5'): 8 lines, 6 reads, 6 stored, 0 already stored, 1 with an unknown "
        "tag, 1 rejected\nunknown tag: D00DFEED (1 read)\n"
    )
    again = run("import", str(CP5), "--checkpoint", "5/cp5", db=db)
    assert again.returncode == 1
    assert "6 reads, 0 stored, 6 already stored, 1 with an unknown tag" in again.stdout
    finish = json.loads(
        ok(
            run(
                "import",
                str(FINISH),
                "--checkpoint",
                "5/finish",
                "--device",
                "finish mat 1",
                "--clock-offset",
                "1.5",
                "--json",
                db=db,
            )
        )
    )
    assert {key: finish[key] for key in ("device", "format", "lines", "reads", "stored")} == {
        "device": "finish mat 1",
        "format": "raceresult",
        "lines": 4,
        "reads": 4,
        "stored": 4,
    }
    assert (finish["unknown"], finish["unknown_tags"], finish["rejected"]) == (0, {}, [])

    assigned = ok(run("tags", "assign", "d00dfeed", "7", "--reason", "spare chip at CP4", db=db))
    assert assigned == "assigned: tag D00DFEED to bib 7 from the race's start\n"
    assert ok(run("tags", "assign", "D00DFEED", "7", db=db)) == (
        "unchanged: tag D00DFEED is already bib 7's\n"
    )
    swapped = ok(run("tags", "assign", "8AEAFF07", "8", "--from", "2010-03-12 06:00", db=db))
    assert swapped == (
        "assigned: tag 8AEAFF07 to bib 8 from 2010-03-12 06:00:00 -0300 (was bib 2's)\n"
    )
    released = ok(
        run("tags", "release", "3F9EA753", "--from", "2010-03-12 07:00", "--reason", "lost", db=db)
    )
    assert released == "released: tag 3F9EA753 (was bib 6's) from 2010-03-12 07:00:00 -0300\n"

    current = json.loads(ok(run("tags", "list", "--json", db=db)))
    assert {item["tag"]: item["bib"] for item in current}["D00DFEED"] == 7
    assert "3F9EA753" not in {item["tag"] for item in current}
    history = json.loads(ok(run("tags", "list", "--history", "--json", db=db)))
    assert [
        (h["tag"], h["bib"], h["from"], h["source"], h["author"], h["reason"]) for h in history[-3:]
    ] == [
        ("D00DFEED", 7, None, "tags", "cli-test", "spare chip at CP4"),
        ("8AEAFF07", 8, "2010-03-12T06:00:00-03:00", "tags", "cli-test", ""),
        ("3F9EA753", None, "2010-03-12T07:00:00-03:00", "tags", "cli-test", "lost"),
    ]
    table = ok(run("tags", "list", "--history", db=db))
    assert "race start" in table
    assert "released" in table

    seven = json.loads(ok(run("events", "list", "--bib", "7", "--json", db=db)))
    assert [(e["kind"], e["bib"], e["tag"], e["checkpoint"]) for e in seven] == [
        ("entrant", 7, None, None),
        ("read", 7, "D00DFEED", "CP5"),
    ]
    assert seven[1]["occurred_at"] == "2010-03-12T00:41:09-03:00"
    assert seven[1]["device_time"] == "2010-03-12 00:41:09"
    reads = json.loads(ok(run("events", "list", "--kind", "read", "--json", db=db)))
    rejected = [e for e in reads if "rejected" in e["payload"]]
    assert [(e["tag"], e["occurred_at"], e["payload"]["line"]) for e in rejected] == [
        (None, None, 7)
    ]
    assert "rejected: time: expected dd-mm-yyyy" in ok(
        run("events", "list", "--kind", "read", db=db)
    )

    passings = json.loads(ok(run("passings", "--bib", "1", "--json", db=db)))
    assert [(p["checkpoint"], p["direction"], p["at"]) for p in passings] == [
        ("CP5", "in", "2010-03-11T23:48:05.120000-03:00"),
        ("CP5", "out", "2010-03-12T00:35:41.800000-03:00"),
        ("finish", None, "2010-03-12T05:55:21.810000-03:00"),
    ]


def test_any_csv_through_a_column_mapping(tmp_path: Path) -> None:
    db = _season(f"sqlite:///{tmp_path / 'csv.db'}")
    export = tmp_path / "cp3-export.csv"
    export.write_text(
        "Nr,Chip,Time,Antenna\n1,84B3ED37,13:02:05.5,1\n2,8AEAFF07,13:40:00,2\n", encoding="utf-8"
    )
    imported = ok(
        run(
            "import",
            str(export),
            "--checkpoint",
            "2/CP3",
            "--columns",
            "tag=2,time=3,antenna=4",
            db=db,
        )
    )
    assert imported == (
        "cp3-export.csv at atacama-crossing-2010 2/CP3 (csv, device 'csv 2/CP3'): 3 lines, "
        "2 reads, 2 stored, 0 already stored, 0 with an unknown tag, 0 rejected\n"
    )


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _season(f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'season.db'}")


NOT_DEVICE = (
    "error: atacama-crossing-2010.csv: not a timing device file this program knows (Alien "
    "taglist, ChronoTrack CTP01, Impinj log, iPico, JChip, MyLaps Exchange, RaceResult decoder, "
    "RFID Ultra, Wiclax): give --format, or --columns for any other CSV"
)


@pytest.mark.parametrize(
    ("args", "race", "message"),
    [
        (
            ["import", str(CP5)],
            RACE,
            "error: atacama-5-cp5-wiclax.txt is a timing device file (wiclax): say where it "
            "was read with --checkpoint STAGE/CP",
        ),
        (
            [
                "import",
                str(CP5),
                "--checkpoint",
                "5/CP5",
                "--start",
                "2010-03-11 08:00",
                "--time-zone",
                "UTC",
            ],
            RACE,
            "error: --start, --time-zone: for historical results, not with --checkpoint",
        ),
        (
            ["import", str(CP5), "--device", "mat", "--clock-offset", "2"],
            RACE,
            "error: --device, --clock-offset: for a timing device file, with --checkpoint STAGE/CP",
        ),
        (
            ["import", str(CP5), "--checkpoint", "5/CP9"],
            RACE,
            "error: stage 5 has no checkpoint 'CP9' (start, CP1, CP2, CP3, CP4, CP5, CP6, CP7, "
            "finish)",
        ),
        (
            ["import", str(CP5), "--checkpoint", "5/CP5"],
            None,
            f"error: say which race with --race (or DR_RACE): {RACES}",
        ),
        (
            ["import", str(CP5), "--checkpoint", "5/CP5", "--race", "atacama"],
            None,
            f"error: no race 'atacama' (races: {RACES})",
        ),
        (
            ["import", str(CP5), "--checkpoint", "5/CP5", "--clock-offset", "nan"],
            RACE,
            "error: --clock-offset nan: expected a number of seconds",
        ),
        (
            ["import", str(CP5), "--checkpoint", "5/CP5", "--device", ""],
            RACE,
            "error: device: give the device a name (--device)",
        ),
        (
            ["import", str(CP5), "--checkpoint", "5/CP5", "--format", "csv"],
            RACE,
            "error: --format csv needs --columns (tag=2,time=3, or a YAML file)",
        ),
        (
            [
                "import",
                str(CP5),
                "--checkpoint",
                "5/CP5",
                "--columns",
                "tag=1,time=2",
                "--format",
                "wiclax",
            ],
            RACE,
            "error: --columns is for CSV files: it cannot go with --format wiclax",
        ),
        (
            ["import", str(CP5), "--checkpoint", "5/CP5", "--columns", "tag=2"],
            RACE,
            "error: --columns: time: missing (tag and time are needed)",
        ),
        (
            ["import", str(EXAMPLES / "entrants" / f"{RACE}.csv"), "--checkpoint", "5/CP5"],
            RACE,
            NOT_DEVICE,
        ),
        (
            ["import", "no-such-file.txt", "--checkpoint", "5/CP5"],
            RACE,
            "error: no such file: no-such-file.txt",
        ),
        (
            ["tags", "assign", "12 03", "1"],
            RACE,
            "error: tag '12 03': expected 1 to 64 letters and digits (the chip's id)",
        ),
        (
            ["tags", "assign", "84B3ED37", "4"],
            RACE,
            "error: bib 4 is not an entrant of atacama-crossing-2010",
        ),
        (
            ["tags", "release", "FEEDFACE"],
            RACE,
            "error: tag FEEDFACE is not assigned to anyone in atacama-crossing-2010",
        ),
        (
            ["tags", "assign", "FEEDFACE", "1", "--from", "yesterday"],
            RACE,
            "error: --from 'yesterday': expected start, now, YYYY-MM-DD HH:MM[:SS] or an ISO "
            "time with offset (2010-03-10T04:30:00+00:00)",
        ),
        (
            ["tags", "release", "84B3ED37", "--from", "2010-10-10 00:30"],
            RACE,
            "error: 2010-10-10 00:30 does not exist in America/Santiago "
            "(the clocks jumped forward)",
        ),
        (["tags", "list"], None, f"error: say which race with --race (or DR_RACE): {RACES}"),
    ],
)
def test_each_mistake_is_one_exact_line(
    season: str, args: list[str], race: str | None, message: str
) -> None:
    assert mistake(run(*args, db=season, race=race)) == [message]


@pytest.mark.parametrize(
    "args",
    [
        ["import", str(CP5), "--checkpoint", "5/CP5", "--format", "sideways"],
        ["import", str(CP5), "--checkpoint", "5/CP5", "--clock-offset", "soon"],
        ["tags", "assign", "84B3ED37", "one"],
        ["tags", "release"],
    ],
)
def test_wrong_usage_is_exit_code_2(season: str, args: list[str]) -> None:
    result = run(*args, db=season)
    assert result.returncode == 2, result.stderr
    assert "Usage:" in result.stderr
