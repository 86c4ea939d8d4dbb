"""Checkpoint stations from the command line, as real processes: a kit made at camp, the
bib prompt fed on its standard input, a bundle on a USB stick, compact messages pasted in,
a sync over HTTP to a real camp server; every mistake one exact line, exit code 1, and
nothing half-written."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from desert_runners.cli.app import app

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "race"
RACE = "dune-run-2010"


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def process(*args: str, db: str, author: str = "cli-test", stdin: str | None = None) -> Ran:
    """The command as a separate process, as a volunteer's terminal runs it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DR_")}
    environment |= {"DR_AUTHOR": author, "DR_DATABASE_URL": db}
    done = subprocess.run(
        [sys.executable, "-m", "desert_runners", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        input=stdin,
        timeout=120,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def run(*args: str, db: str, author: str = "cli-test", stdin: str | None = None) -> Ran:
    """The same command line in this process (a process costs two seconds to start)."""
    result = CliRunner().invoke(
        app, ["--db", db, "--author", author, *args], input=stdin, env={"DR_RACE": None}
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def ok(result: Ran) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def mistake(result: Ran) -> str:
    """The one line a person's mistake gives, on the error output, with exit code 1."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    return line


def camp_with_kits(db: str, folder: Path, *stations: str, race: str = RACE) -> dict[str, Path]:
    ok(run("race", "load", str(FIXTURES / "series.yaml"), db=db))
    ok(run("entrants", "import", str(FIXTURES / "entrants.csv"), "--race", RACE, db=db))
    kits = {}
    for name in stations:
        kits[name] = folder / f"{name}.kit"
        made = ok(
            run(
                "station", "kit", "--race", race, "--checkpoint", "1/CP1",
                "--station", name, "--output", str(kits[name]), db=db,
            )
        )  # fmt: skip
        assert re.fullmatch(
            rf"kit k[0-9a-f]{{8}}: station {name} at 1/CP1 of {race}, 5 entrants, "
            rf"0 out of the race -> {re.escape(str(kits[name]))}\n"
            "it holds the station's token: carry it like a key\n",
            made,
        ), made
    return kits


def laptop(folder: Path, kit: Path) -> str:
    db = f"sqlite:///{folder / (kit.stem + '.db')}"
    set_up = ok(run("station", "setup", str(kit), db=db))
    assert re.fullmatch(
        rf"station {kit.stem} set up at 1/CP1 of {RACE} \(kit k[0-9a-f]{{8}}\): "
        "5 entrants, 0 out of the race\n",
        set_up,
    )
    return db


def station_events(db: str) -> list[dict[str, object]]:
    events = json.loads(ok(run("events", "list", "--race", RACE, "--json", db=db)))
    return [event for event in events if str(event["source"]).startswith("station:")]


SESSION = """\
101 09:32
102 0941
999 09:50
y
101 09:51
n
hello
dnf 104 10:10 blisters
undo
void 2 wrong bib
due
last
quit
"""

TRANSCRIPT = """\
station cp1-a: dune-run-2010 at 1/CP1, 5 runners due here. {type}
[1/CP1] > 101 09:32
saved #1: bib 101 Ana Pérez at 09:32:00
[1/CP1] > 102 0941
saved #2: bib 102 Tom Baker at 09:41:00
[1/CP1] > 999 09:50
check: bib 999 is not an entrant of dune-run-2010
save anyway? [y/N] y
saved #3: bib 999 (not an entrant) at 09:50:00
[1/CP1] > 101 09:51
check: bib 101 already passed here at 09:32:00 (#1)
save anyway? [y/N] n
not saved: type it again
[1/CP1] > hello
not understood: 'hello' (type a bib, or help)
[1/CP1] > dnf 104 10:10 blisters
saved #4: bib 104 Marta Ólafsdóttir withdrew (dnf) at 10:10:00
[1/CP1] > undo
saved #5: #4 voided (bib 104)
[1/CP1] > void 2 wrong bib
saved #6: #2 voided (bib 102)
[1/CP1] > due
due here: 4 of 5: 102, 103, 104, 105
[1/CP1] > last
#1 bib 101 Ana Pérez at 09:32:00
#2 bib 102 Tom Baker at 09:41:00 (voided)
#3 bib 999 (not an entrant) at 09:50:00
#4 bib 104 Marta Ólafsdóttir withdrew (dnf) at 10:10:00 (voided)
#5 void of #4 at {now}
#6 void of #2 at {now}
[1/CP1] > quit
bye: 6 saved in this session, all of it on this laptop's disk
"""


def test_the_prompt_checks_before_it_saves(tmp_path: Path) -> None:
    camp = f"sqlite:///{tmp_path / 'camp.db'}"
    kits = camp_with_kits(camp, tmp_path, "cp1-a")
    db = laptop(tmp_path, kits["cp1-a"])
    shown = ok(process("station", "run", db=db, author="Ana", stdin=SESSION))
    now = re.search(r"#5 void of #4 at (\d\d:\d\d:\d\d)", shown)
    later = re.search(r"#6 void of #2 at (\d\d:\d\d:\d\d)", shown)
    assert now is not None
    assert later is not None
    expected = TRANSCRIPT.replace("{type}", "Type a bib and Enter; help for the commands.")
    expected = expected.replace("#5 void of #4 at {now}", f"#5 void of #4 at {now[1]}")
    assert shown == expected.replace("#6 void of #2 at {now}", f"#6 void of #2 at {later[1]}")
    [first] = [e for e in station_events(db) if e["id"] == min(e["id"] for e in station_events(db))]
    assert (first["author"], first["device_time"], first["source"]) == (
        "Ana",
        "09:32",
        "station:cp1-a",
    )
    assert str(first["key"]).endswith(":1")


def _today_race(folder: Path) -> Path:
    """A race running now, so that a bare bib (recorded now) raises no check."""
    today = datetime.now(UTC).date()
    text = f"""\
slug: today-run
name: Today Run
series: test-series
event: dune-run
time_zone: UTC
starts_on: {today}
ends_on: {today + timedelta(days=1)}
stages:
  - number: 1
    date: {today}
    start_time: "00:00"
    checkpoints:
      - {{id: CP1, km: 10.0}}
      - {{id: finish, km: 30.0}}
"""
    path = folder / "today-run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bare_bibs_on_race_day_and_the_due_list(tmp_path: Path) -> None:
    camp = f"sqlite:///{tmp_path / 'camp.db'}"
    ok(run("race", "load", str(FIXTURES / "series.yaml"), db=camp))
    ok(run("race", "load", str(_today_race(tmp_path)), db=camp))
    ok(run("entrants", "import", str(FIXTURES / "entrants.csv"), "--race", "today-run", db=camp))
    kit = tmp_path / "cp1.kit"
    ok(run("station", "kit", "--race", "today-run", "--checkpoint", "1/CP1", "--station", "cp1",
           "--output", str(kit), db=camp))  # fmt: skip
    db = f"sqlite:///{tmp_path / 'cp1.db'}"
    ok(run("station", "setup", str(kit), db=db))
    shown = ok(run("station", "run", db=db, stdin="101\n105\n101\nn\n"))
    assert re.search(r"saved #1: bib 101 Ana Pérez at \d\d:\d\d:\d\d\n", shown)
    assert re.search(r"saved #2: bib 105 Pierre Dubois at \d\d:\d\d:\d\d\n", shown)
    assert re.search(r"check: bib 101 already passed here at \d\d:\d\d:\d\d \(#1\)\n", shown)
    assert shown.endswith("bye: 2 saved in this session, all of it on this laptop's disk\n")
    due = json.loads(ok(run("station", "due", "--json", db=db)))
    assert due == {
        "race": "today-run",
        "station": "cp1",
        "checkpoint": "1/CP1",
        "direction": None,
        "due": [
            {"bib": 102, "name": "Tom Baker"},
            {"bib": 103, "name": "Kenji Sato"},
            {"bib": 104, "name": "Marta Ólafsdóttir"},
        ],
        "inside": [],
    }
    table = ok(run("station", "due", db=db))
    assert "Due at 1/CP1 of today-run: 3 of 5" in table


def free_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


@contextmanager
def camp_server(db: str) -> Iterator[str]:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DR_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "desert_runners", "--db", db, "serve", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "the camp server did not start"
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_three_ways_to_camp_on_each_backend(database_url: str, tmp_path: Path) -> None:
    camp = database_url
    kits = camp_with_kits(camp, tmp_path, "cp1-a", "cp1-b")
    a, b = laptop(tmp_path, kits["cp1-a"]), laptop(tmp_path, kits["cp1-b"])
    ok(run("station", "run", db=a, author="Ana", stdin="101 09:32\n102 09:41\ndnf 104 10:10\n"))
    ok(run("station", "run", db=b, author="Bo", stdin="101 09:40\n104 10:30\n105 10:02:30\n"))

    usb = tmp_path / "cp1-a.jsonl"
    assert ok(run("station", "export", "--output", str(usb), db=a)) == (
        f"3 facts -> {usb} ({usb.stat().st_size} bytes)\n"
    )
    assert ok(run("station", "receive", str(usb), db=camp)) == (
        f"{RACE}: station cp1-a: 3 stored, 0 already here (up to #3)\n"
    )
    assert ok(run("station", "receive", str(usb), db=camp)) == (
        f"{RACE}: station cp1-a: 0 stored, 3 already here (up to #3)\n"
    )

    compact = run("station", "export", "--compact", db=b)
    [message] = ok(compact).splitlines()
    assert message.startswith(f"DR1 {RACE} cp1-b ")
    size = len(message.encode())
    assert (
        compact.stderr
        == f"3 facts (3 passings) in 1 message(s), {size} bytes: {size / 3:.1f} bytes per passing\n"
    )
    assert ok(run("station", "receive", db=camp, stdin=ok(compact))) == (
        f"{RACE}: station cp1-b: 3 stored, 0 already here (up to #3)\n"
    )

    with camp_server(camp) as url:
        assert ok(run("station", "sync", "--to", url, db=b)) == (
            f"sent 3 facts to {url} in 1 batch(es): 0 stored, 3 already there; "
            "it has everything up to #3\n"
        )
        ok(run("station", "run", db=b, author="Bo", stdin="102 09:42\n"))
        assert ok(run("station", "sync", "--to", url, db=b)) == (
            f"sent 1 facts to {url} in 1 batch(es): 1 stored, 0 already there; "
            "it has everything up to #4\n"
        )
        assert ok(run("station", "sync", "--to", url, db=b)) == (
            f"nothing new for {url}: it has everything up to #4\n"
        )
    status = ok(run("station", "status", db=b)).splitlines()
    assert status[1:] == ["4 facts saved here, the last #4", status[2]]
    assert status[2].startswith(f"{url}: has everything up to #4 (")
    assert status[2].endswith(" UTC), 0 to send")

    conflicts = json.loads(ok(run("conflicts", "--race", RACE, "--json", db=camp)))
    assert [(c["bib"], c["checkpoint"], c["kind"]) for c in conflicts] == [
        (101, "CP1", "times"),
        (104, "CP1", "after_withdrawal"),
    ]
    assert [claim["source"] for claim in conflicts[0]["claims"]] == [
        "station:cp1-a",
        "station:cp1-b",
    ]
    assert [claim["at"] for claim in conflicts[0]["claims"]] == [
        "2010-03-07T09:32:00-03:00",
        "2010-03-07T09:40:00-03:00",
    ]
    shown = ok(run("conflicts", "--race", RACE, db=camp))
    assert "Conflicts in dune-run-2010 (2), times in America/Santiago" in shown
    assert shown.endswith(
        'settle each: void the wrong one, e.g. desert-runners void EVENT --reason "..."\n'
    )
    wrong = conflicts[0]["claims"][1]["event"]
    ok(run("void", str(wrong), "--race", RACE, "--reason", "CP1 sheet: 09:32", db=camp))
    left = json.loads(ok(run("conflicts", "--race", RACE, "--json", db=camp)))
    assert [c["kind"] for c in left] == ["after_withdrawal"]


def test_every_mistake_is_one_line_and_stores_nothing(tmp_path: Path) -> None:
    camp = f"sqlite:///{tmp_path / 'camp.db'}"
    kits = camp_with_kits(camp, tmp_path, "cp1-a")
    a = laptop(tmp_path, kits["cp1-a"])
    not_a_station = (
        "error: this database is not set up as a station: run `desert-runners station setup "
        "KIT` with the kit made at camp"
    )
    for command in (("run",), ("due",), ("status",), ("export", "--compact")):
        assert mistake(run("station", *command, db=camp)) == not_a_station
    assert mistake(run("station", "export", "--compact", db=a)) == (
        "error: nothing to send yet: no entry was saved at station cp1-a"
    )
    ok(run("station", "run", db=a, stdin="101 09:32\n102 09:41\n"))
    assert mistake(run("station", "export", db=a)) == (
        "error: say where to write the bundle: --output FILE"
    )
    assert mistake(run("station", "export", "--since", "1", "--output", "x", db=a)) == (
        "error: --since and --max-bytes are for --compact messages"
    )
    assert mistake(run("station", "export", "--compact", "--since", "2", db=a)) == (
        "error: nothing after #2: the last entry saved here is #2"
    )
    assert mistake(
        run(
            "station", "kit", "--checkpoint", "1/CP1", "--station", "CP 1", "--output", "k", db=camp
        )
    ) == (
        "error: station name 'CP 1': use 1 to 24 lowercase letters, digits and dashes, "
        "starting with a letter or digit (e.g. cp3-a)"
    )
    assert mistake(
        run(
            "station",
            "kit",
            "--checkpoint",
            "1/CP1",
            "--station",
            "x",
            "--direction",
            "out",
            "--output",
            "k",
            db=camp,
        )
    ) == (
        "error: 1/CP1 records a single time: --direction is only for checkpoints with in and "
        "out times"
    )

    damaged_kit = tmp_path / "damaged.kit"
    damaged_kit.write_text(kits["cp1-a"].read_text().replace("Pérez", "Perez"))
    assert mistake(run("station", "setup", str(damaged_kit), db=a)) == (
        f"error: {damaged_kit}: the kit is damaged (its checksum does not match): copy it again"
    )
    other_camp = f"sqlite:///{tmp_path / 'other-camp.db'}"
    other_kits = (
        camp_with_kits(other_camp, tmp_path / "other", "cp9")
        if ((tmp_path / "other").mkdir() or True)
        else {}
    )
    assert mistake(run("station", "setup", str(other_kits["cp9"]), db=a)) == (
        f"error: {other_kits['cp9']} is a kit for station cp9, but this laptop is station "
        "cp1-a: give it a database of its own (--db)"
    )

    usb = tmp_path / "cp1-a.jsonl"
    ok(run("station", "export", "--output", str(usb), db=a))
    text = usb.read_text()
    cut = tmp_path / "cut.jsonl"
    cut.write_text(text[: len(text) * 2 // 3])
    assert mistake(run("station", "receive", str(cut), db=camp)) == (
        f"error: {cut}: the bundle is incomplete (1 of 2 facts or no checksum line): "
        "copy it again from the station"
    )
    garbled = run("station", "export", "--compact", db=a).stdout.replace("DR1 ", "DR1  ", 1)
    assert mistake(run("station", "receive", db=camp, stdin=garbled)) == (
        "error: standard input: line 1: not a compact station message (it starts with DR1 "
        "and has 8 parts)"
    )
    flipped = run("station", "export", "--compact", db=a).stdout.replace("@1/CP1;", "@1/CP2;")
    assert mistake(run("station", "receive", "-", db=camp, stdin=flipped)) == (
        "error: standard input: line 1: the message is damaged (its checksum does not match)"
    )
    assert mistake(run("station", "receive", str(FIXTURES / "race.yaml"), db=camp)) == (
        f"error: {FIXTURES / 'race.yaml'}: not a station bundle: expected a file made by "
        "`desert-runners station export` or compact messages (lines starting with DR1)"
    )
    assert mistake(run("station", "receive", str(usb), db=other_camp)) == (
        "error: station cp1-a has no kit for dune-run-2010 at this camp: issue one with "
        "`desert-runners station kit`"
    )
    assert station_events(camp) == []
    assert station_events(other_camp) == []

    port = free_port()  # nothing listens there
    assert mistake(run("station", "sync", "--to", f"http://127.0.0.1:{port}", db=a)) == (
        f"error: cannot reach the camp at http://127.0.0.1:{port} (ConnectError): the entries "
        "are safe here; sync again when the link is back"
    )
    assert mistake(run("station", "sync", "--to", "ftp://camp", db=a)) == (
        "error: 'ftp://camp' is not a camp address: expected http://HOST:PORT, "
        "e.g. http://10.0.0.1:8000"
    )
    with camp_server(other_camp) as url:
        assert mistake(run("station", "sync", "--to", url, db=a)) == (
            f"error: the camp at {url} refused the station: the token is not known at this "
            "camp: set the station up with a kit"
        )
    assert "to send" not in ok(run("station", "status", db=a))


@pytest.mark.parametrize(
    "args",
    [
        ("station", "sync"),  # --to is required
        ("station", "sync", "--to", "http://x", "--batch-size", "0"),
        ("station", "export", "--compact", "--max-bytes", "10"),
        ("conflicts", "--window", "0"),
        ("serve", "--port", "0"),
        ("station", "kit", "--checkpoint", "1/CP1", "--station", "a"),  # no --output
    ],
)
def test_wrong_usage_exits_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run(*args, db=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2, result.stderr


def test_the_prompts_other_keys(tmp_path: Path) -> None:
    camp = f"sqlite:///{tmp_path / 'camp.db'}"
    kits = camp_with_kits(camp, tmp_path, "cp1-a")
    db = laptop(tmp_path, kits["cp1-a"])
    shown = ok(run("station", "run", db=db, stdin="last\nin\nhelp\n"))
    assert "[1/CP1] > last\nnothing saved here yet\n" in shown
    assert "[1/CP1] > in\n1/CP1 records one time: in and out do not apply here\n" in shown
    assert "124 09:32      record bib 124 at 09:32 (also 0932, 09:32:15)\n" in shown
    for bib in (101, 102, 103, 104, 105):  # stage 1 finished: everyone starts stage 2
        ok(run("record", str(bib), "1/finish", "--at", "15:00", "--race", RACE, db=camp))
    kit = tmp_path / "cp2.kit"
    ok(run("station", "kit", "--race", RACE, "--checkpoint", "2/CP2", "--station", "cp2",
           "--output", str(kit), db=camp))  # fmt: skip
    db2 = f"sqlite:///{tmp_path / 'cp2.db'}"
    assert ok(run("station", "setup", str(kit), db=db2)).startswith(
        f"station cp2 set up at 2/CP2 (in) of {RACE} (kit "
    )
    session = "101 15:00\n104 15:10\nout\n101 15:20\n103 15:30\ndue\nquit\n"
    shown = ok(run("station", "run", db=db2, stdin=session))
    assert shown.splitlines()[1:] == [
        "[2/CP2 in] > 101 15:00",
        "saved #1: bib 101 Ana Pérez at 15:00:00 (in)",
        "[2/CP2 in] > 104 15:10",
        "saved #2: bib 104 Marta Ólafsdóttir at 15:10:00 (in)",
        "[2/CP2 in] > out",
        "recording out times now",
        "[2/CP2 out] > 101 15:20",
        "saved #3: bib 101 Ana Pérez at 15:20:00 (out)",
        "[2/CP2 out] > 103 15:30",
        "saved #4: bib 103 Kenji Sato at 15:30:00 (out)",
        "[2/CP2 out] > due",
        "due here: 3 of 5: 102, 104, 105",
        "in the checkpoint (in, not out): 104",
        "[2/CP2 out] > quit",
        "bye: 4 saved in this session, all of it on this laptop's disk",
    ]
    due = json.loads(ok(run("station", "due", "--direction", "out", "--json", db=db2)))
    assert [runner["bib"] for runner in due["inside"]] == [104]
    assert due["direction"] == "out"
