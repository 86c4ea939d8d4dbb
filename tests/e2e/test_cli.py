"""The command line as a person uses it: a real process, real files, real databases,
exit codes 0 / 1 (a person's mistake: one clear line, no traceback) / 2 (wrong usage)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desert_runners.adapters.storage.store import Store

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "race"
HISTORICAL = ROOT / "tests" / "fixtures" / "historical"
EXAMPLES = ROOT / "examples" / "4deserts-2010"


def run(
    *args: str, db: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "desert_runners"]
    if db is not None:
        command += ["--db", db]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DR_")}
    environment |= {"DR_AUTHOR": "cli-test", **(env or {})}
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=environment,
        timeout=120,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def user_mistake(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines
    assert all(line.startswith(("error: ", "rejected: ")) for line in lines), lines
    return lines


def test_a_whole_session_on_each_backend(database_url: str) -> None:
    ok(run("init", db=database_url))
    loaded = ok(run("race", "load", str(FIXTURES / "series.yaml"), db=database_url))
    assert "added     dune-run-2010: Dune Run 2010, 2 stages, 5 checkpoints, 118.2 km" in loaded
    races = json.loads(ok(run("race", "show", "--json", db=database_url)))
    assert [race["slug"] for race in races] == ["dune-run-2010"]
    imported = json.loads(
        ok(run("entrants", "import", str(FIXTURES / "entrants.csv"), "--json", db=database_url))
    )
    assert (imported["added"], imported["rejected"]) == (5, 0)
    stored = json.loads(
        ok(
            run(
                "record",
                "104",
                "2/CP2",
                "--at",
                "00:20",
                "--direction",
                "out",
                "--json",
                db=database_url,
            )
        )
    )
    assert stored["new"] is True
    assert stored["occurred_at"] == "2010-03-09T00:20:00-03:00"
    shown = json.loads(ok(run("race", "show", "dune-run-2010", "--json", db=database_url)))
    assert shown["stages"][0]["checkpoints"][1]["cutoff"]["time_of_day"] == "18:00:00"
    again = ok(
        run("record", "104", "2/CP2", "--at", "00:20:00", "--direction", "out", db=database_url)
    )
    assert again == (
        f"already stored (same entry): event {stored['id']}, bib 104 at 2/CP2 (out), "
        "2010-03-09 00:20:00 -0300\n"
    )
    events = json.loads(ok(run("events", "list", "--bib", "104", "--json", db=database_url)))
    assert [(e["kind"], e["checkpoint"], e["direction"]) for e in events] == [
        ("entrant", None, None),
        ("entry", "CP2", "out"),
    ]
    assert events[1]["author"] == "cli-test"
    assert events[1]["occurred_at"] == "2010-03-09T00:20:00-03:00"
    table = ok(run("events", "list", "--kind", "entry", db=database_url))
    assert "2010-03-09 00:20:00" in table
    assert "104" in table


def test_the_default_database_is_a_file_in_the_current_folder(tmp_path: Path) -> None:
    ok(run("init", cwd=tmp_path))
    assert (tmp_path / "desert-runners.db").is_file()
    head = Store(f"sqlite:///{tmp_path / 'desert-runners.db'}").head()
    assert ok(run("init", cwd=tmp_path)).endswith(f"schema up to date (revision {head})\n")


def test_the_database_url_comes_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    ok(run("init", env={"DR_DATABASE_URL": url}))
    assert (tmp_path / "from-env.db").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("race", "load", "missing.yaml"), "error: missing.yaml: no such file"),
        (("race", "show", "nowhere"), "error: no race 'nowhere' (races: none loaded yet)"),
        (
            ("events", "list"),
            "error: no race is loaded yet: run `desert-runners race load FILE` first",
        ),
    ],
)
def test_mistakes_end_in_one_clear_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "entrants.txt").write_text("bib\n1\n", encoding="utf-8")
    lines = user_mistake(run(*args, db=f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path))
    assert lines[0].startswith(message)


def test_an_entrants_file_that_cannot_be_read(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    ok(run("race", "load", str(FIXTURES / "series.yaml"), db=db))
    (tmp_path / "entrants.txt").write_text("bib\n1\n", encoding="utf-8")
    (tmp_path / "entrants.csv").write_text("bib,name\n1,x\n", encoding="utf-8")
    assert user_mistake(run("entrants", "import", "entrants.txt", db=db, cwd=tmp_path)) == [
        "error: entrants.txt: not an entrants file; expected .csv or .xlsx"
    ]
    assert user_mistake(run("entrants", "import", "entrants.csv", db=db, cwd=tmp_path)) == [
        "error: entrants.csv:1: missing columns: gender (named gender, sex); nationality "
        "(named nationality, nation, country, nat); date_of_birth (named date_of_birth, dob, "
        "birth_date, birthdate)"
    ]


def test_an_invalid_race_file_lists_every_problem(tmp_path: Path) -> None:
    text = (FIXTURES / "race.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "race.yaml"
    bad.write_text(
        text.replace("km: 36.0", "km: -3").replace("country: CL", "country: XX"), encoding="utf-8"
    )
    assert user_mistake(run("race", "load", str(bad), db=f"sqlite:///{tmp_path / 'x.db'}")) == [
        "error: race.yaml:8: country: 'XX' is not an ISO 3166 country code (e.g. CL or CHL)",
        "error: race.yaml:38: stages[1].checkpoints[1].km: input should be greater than 0, got -3",
    ]


def test_bad_entrant_rows_are_reported_and_good_rows_kept(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    ok(run("race", "load", str(FIXTURES / "series.yaml"), db=db))
    rows = (FIXTURES / "entrants.csv").read_text(encoding="utf-8")
    rows = rows.replace("emergency_contact\n", "emergency_contact,Shirt\n", 1)
    (tmp_path / "entrants.csv").write_text(
        rows + "A12,Bad,Bib,M,1970-01-01,FRA,,,\n", encoding="utf-8"
    )
    result = run("entrants", "import", str(tmp_path / "entrants.csv"), db=db)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "ignored columns (not entrant fields): Shirt",
        "rejected: entrants.csv:7: bib: expected a whole number above 0, got 'A12'",
    ]
    assert result.stdout.startswith("dune-run-2010: 5 added, 0 updated, 0 unchanged, 1 rejected")
    listed = json.loads(ok(run("entrants", "list", "--json", db=db)))
    assert [entrant["bib"] for entrant in listed] == [101, 102, 103, 104, 105]


def test_an_unreachable_database_is_a_clear_mistake() -> None:
    lines = user_mistake(run("init", db="postgresql://nobody:secret@127.0.0.1:1/none"))
    assert lines[0].startswith(
        "error: cannot open the database postgresql+psycopg://nobody:***@127.0.0.1:1/none: "
    )


@pytest.mark.parametrize(
    "args",
    [
        ("nosuch",),
        ("record",),
        ("record", "abc", "1/CP1"),
        ("record", "101", "1/CP1", "--direction", "sideways"),
        ("events", "list", "--kind", "gossip"),
        ("events", "list", "--limit", "0"),
    ],
)
def test_wrong_usage_exits_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run(*args, db=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_has_help() -> None:
    commands = [
        (),
        ("init",),
        ("race",),
        ("race", "load"),
        ("race", "show"),
        ("entrants",),
        ("entrants", "import"),
        ("entrants", "list"),
        ("record",),
        ("events",),
        ("events", "list"),
    ]
    for command in commands:
        assert "Usage:" in ok(run(*command, "--help")), command


def test_results_in_every_format(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    ok(run("race", "load", str(FIXTURES / "series.yaml"), db=db))
    ok(run("entrants", "import", str(FIXTURES / "entrants.csv"), db=db))
    for bib, first, second in (
        (101, "13:00", "02:10"),
        (102, "12:30", "23:40"),
        (103, "13:00", "01:55"),
        (104, "14:10", "04:00"),
    ):
        ok(run("record", str(bib), "1/finish", "--at", first, db=db))
        ok(run("record", str(bib), "2/finish", "--at", second, db=db))
    csv_text = ok(run("results", "--format", "csv", db=db))
    lines = csv_text.splitlines()
    assert lines[0] == "rank,bib,name,gender,category,time,status,nationality,team,gap,penalty,note"
    assert lines[1].startswith("1,102,Tom Baker,M,40+,20:10:00,ranked,GBR,")
    assert lines[-1].startswith(",105,Pierre Dubois,M,40+,,dns,FRA,")  # never seen: out
    stage = ok(run("results", "--stage", "2", "--by", "gender", "--format", "csv", db=db))
    assert stage.splitlines()[1].startswith("F,1,101,Ana Pérez,F,20-39,18:10:00,finished,")
    document = json.loads(ok(run("results", "--by", "team", "--format", "json", db=db)))
    assert document["title"] == "Overall: teams"
    for fmt in ("xlsx", "pdf"):
        ok(run("results", "--format", fmt, "--output", str(tmp_path / f"gc.{fmt}"), db=db))
        assert (tmp_path / f"gc.{fmt}").stat().st_size > 1000
    assert (tmp_path / "gc.pdf").read_bytes().startswith(b"%PDF")
    assert user_mistake(run("results", "--format", "pdf", db=db)) == [
        "error: pdf needs an output file: give --output, e.g. results.pdf"
    ]
    assert user_mistake(run("results", "--stage", "3", db=db)) == [
        "error: dune-run-2010 has no stage 3 (stages 1 to 2)"
    ]
    assert "Tom Baker" in ok(run("results", db=db))


def test_rulings_change_the_results_and_stay_in_the_log(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    ok(run("race", "load", str(FIXTURES / "series.yaml"), db=db))
    ok(run("entrants", "import", str(FIXTURES / "entrants.csv"), db=db))
    for bib, finish in ((101, "13:00"), (102, "13:10"), (103, "13:20"), (104, "13:30")):
        ok(run("record", str(bib), "1/finish", "--at", finish, db=db))
    typo = json.loads(ok(run("record", "105", "1/finish", "--at", "11:00", "--json", db=db)))
    ok(run("void", str(typo["id"]), "--reason", "typed 105 for 104", db=db))
    penalised = ok(run("penalty", "101", "lost-bib", "--stage", "1", "--reason", "no bib", db=db))
    penalty_id = penalised.split("event ")[1].split(",")[0]
    ok(
        run(
            "neutralise",
            "--stage",
            "1",
            "--duration",
            "0:20",
            "--bib",
            "103",
            "--reason",
            "medical check",
            db=db,
        )
    )
    ok(run("start", "104", "--stage", "1", "--at", "08:30", "--reason", "late", db=db))
    ok(
        run(
            "withdraw",
            "102",
            "--stage",
            "1",
            "--status",
            "medical",
            "--reason",
            "heat",
            "--at",
            "13:05",
            db=db,
        )
    )
    rows = json.loads(ok(run("results", "--stage", "1", "--format", "json", db=db)))
    stage = [(r["bib"], r["rank"], r["time"], r["status"]) for r in rows["sections"][0]["rows"]]
    assert stage == [
        (103, 1, "5:00:00", "finished"),  # 5:20 less a 0:20 medical hold
        (104, 1, "5:00:00", "finished"),  # 5:30 from a late 08:30 start
        (101, 3, "5:30:00", "finished"),  # 5:00 + 0:30 lost bib
        (102, None, None, "medical"),
        (105, None, None, "dns"),  # the typo was voided
    ]
    ok(run("appeal", penalty_id, "--decision", "upheld", "--reason", "bib under jacket", db=db))
    rows = json.loads(ok(run("results", "--stage", "1", "--format", "json", db=db)))
    assert rows["sections"][0]["rows"][0]["bib"] == 101  # 5:00, the penalty reversed
    aside = json.loads(ok(run("passings", "--aside", "--json", db=db)))
    assert aside == [
        {"event_id": typo["id"], "reason": f"voided by event {typo['id'] + 1}: typed 105 for 104"}
    ]
    bad = json.loads(ok(run("passings", "--status", "bad", "--json", db=db)))
    # The director withdrew 102 at 13:05; an entry typed at the CLI saw them at 13:10.
    assert [(p["bib"], p["reason"]) for p in bad] == [
        (
            102,
            "recorded after the withdrawal (event 16); seen after a withdrawal: "
            "director 13:05:00 (event 16), cli 13:10:00 (event 8); void the wrong one",
        )
    ]
    assert user_mistake(run("penalty", "101", "nope", "--reason", "x", db=db))[0].startswith(
        "error: no penalty 'nope' in the catalogue of dune-run-2010 (lost-bib, "
    )
    assert user_mistake(run("appeal", "1", "--decision", "upheld", "--reason", "x", db=db)) == [
        "error: event 1 is a definition, not a penalty"
    ]
    assert user_mistake(
        run("neutralise", "--stage", "1", "--duration", "20 min", "--reason", "x", db=db)
    ) == ["error: --duration: expected a duration as H:MM or H:MM:SS, got '20 min'"]


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small race and its entrants, for commands that only read it or refuse."""
    db = f"sqlite:///{tmp_path_factory.mktemp('loaded') / 'x.db'}"
    ok(run("race", "load", str(FIXTURES / "series.yaml"), db=db))
    ok(run("entrants", "import", str(FIXTURES / "entrants.csv"), db=db))
    return db


HUGE = "9" * 23  # beyond any database integer
DUNE_DAYS = "dune-run-2010 (2010-03-07 to 2010-03-13, give or take 2 days): check the date"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("record", "101", "1/CP1", "--at", "9999-12-31T23:59"),
            f"error: time '9999-12-31T23:59' is not during {DUNE_DAYS}",
        ),
        (("record", "101", "1/CP1", "--at", ""), "error: time '': expected HH:MM[:SS]"),
        (
            ("record", "101", "1/CP1", "--at", "2010-03-16 00:00"),
            f"error: time '2010-03-16 00:00' is not during {DUNE_DAYS}",
        ),
        (
            ("withdraw", "101", "--stage", "1", "--status", "dnf", "--reason", "x", "--at", ""),
            "error: time '': expected HH:MM[:SS]",
        ),
        (
            ("start", "101", "--stage", "1", "--at", "2011-03-07 08:00"),
            f"error: time '2011-03-07 08:00' is not during {DUNE_DAYS}",
        ),
        (("record", "101", "²/CP1", "--at", "09:00"), "error: checkpoint '²/CP1': expected"),
        (
            ("import", str(HISTORICAL / "utmb_2015_slice.csv"), "--time-zone", "Mars/Olympus"),
            "error: --time-zone 'Mars/Olympus': expected an IANA time zone such as Europe/Paris",
        ),
        (
            ("import", str(HISTORICAL / "utmb_2015_slice.csv"), "--start", "9999-12-31 23:59"),
            "error: --start '9999-12-31 23:59': expected a year from 1900 to 2199",
        ),
        (
            ("import", str(HISTORICAL / "utmb_2015_slice.csv"), "--race", "UTMB!"),
            "error: --race 'UTMB!': expected a slug of lower-case letters, digits and -",
        ),
        (
            ("penalty", "101", "lost-bib", "--reason", " "),
            "error: a penalty needs --reason: why it is given",
        ),
        (
            ("withdraw", "101", "--stage", "1", "--status", "dnf", "--reason", ""),
            "error: a withdrawal needs --reason: why the runner is out",
        ),
        (("void", HUGE, "--reason", "x"), f"error: no event {HUGE} in dune-run-2010"),
        (
            ("appeal", HUGE, "--decision", "upheld", "--reason", "x"),
            f"error: no event {HUGE} in dune-run-2010",
        ),
    ],
)
def test_silly_input_is_one_clear_line(loaded_db: str, args: tuple[str, ...], message: str) -> None:
    assert user_mistake(run(*args, db=loaded_db))[0].startswith(message)


def test_events_of_a_huge_bib_or_limit_are_listed_without_fuss(loaded_db: str) -> None:
    assert json.loads(ok(run("events", "list", "--bib", HUGE, "--json", db=loaded_db))) == []
    listed = json.loads(ok(run("events", "list", "--limit", HUGE, "--json", db=loaded_db)))
    assert len(listed) == 6  # the definition and five entrants


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "pdf"])
def test_results_into_a_folder_or_a_missing_folder_are_refused(
    loaded_db: str, tmp_path: Path, fmt: str
) -> None:
    assert user_mistake(
        run("results", "--format", fmt, "--output", f"{tmp_path}/", db=loaded_db)
    ) == [
        f"error: cannot write {tmp_path}: it is a folder; give a file name, e.g. "
        f"{tmp_path / f'results.{fmt}'}"
    ]
    missing = tmp_path / "nowhere" / f"gc.{fmt}"
    assert user_mistake(
        run("results", "--format", fmt, "--output", str(missing), db=loaded_db)
    ) == [f"error: cannot write {missing}: there is no folder {missing.parent}"]
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file


def test_a_file_that_is_not_a_database_is_a_clear_mistake(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100, encoding="utf-8")
    url = f"sqlite:///{text}"
    for command in (("init",), ("race", "show")):
        assert user_mistake(run(*command, db=url)) == [
            f"error: {url} is not a Desert Runners database (file is not a database)"
        ]
    assert text.read_text(encoding="utf-8") == "not a database\n" * 100
    other = tmp_path / "other.db"
    sqlite3.connect(other).executescript(
        "CREATE TABLE alembic_version (version_num TEXT); "
        "INSERT INTO alembic_version VALUES ('zzz');"
    )
    assert user_mistake(run("init", db=f"sqlite:///{other}")) == [
        f"error: sqlite:///{other} is not a Desert Runners database, or one of a newer "
        "version (its schema revision 'zzz' is unknown)"
    ]


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused(tmp_path: Path, url: str) -> None:
    assert user_mistake(run("init", db=url, cwd=tmp_path)) == [
        f"error: database URL {url!r} names no file: a database in memory keeps nothing; "
        "use sqlite:///FILE"
    ]


NOT_VALID = " is not valid: use sqlite:///FILE or postgresql://USER@HOST/DB"
NOT_SUPPORTED = ": only sqlite:// and postgresql:// are supported"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://x:y@127.0.0.1:abc/db", NOT_VALID),
        ("sqlite:///x.db?timeout=abc", NOT_VALID),
        ("postgresql+asyncpg://x@127.0.0.1/db", NOT_SUPPORTED),  # not installed
        ("sqlite+pysqlcipher:///x.db", NOT_SUPPORTED),
    ],
)
def test_a_database_url_that_cannot_be_used_is_a_clear_mistake(
    tmp_path: Path, url: str, message: str
) -> None:
    assert user_mistake(run("init", db=url, cwd=tmp_path)) == [
        f"error: database URL {url!r}{message}"
    ]
    assert list(tmp_path.iterdir()) == []
