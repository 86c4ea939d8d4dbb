"""Capture on both backends: device files of every format imported at a checkpoint,
every read stored once, every unusable line kept aside with its reason, and the reads'
bibs worked out from the tag history when results are computed."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desert_runners.adapters.readers import raceresult
from desert_runners.adapters.readers.model import DeviceRead, LineProblem
from desert_runners.adapters.storage.event_log import query_events
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import EventKind
from desert_runners.services.capture import Rejection, StoreSink, ingest_reads
from desert_runners.services.device_files import device_file_kind, import_device_file
from desert_runners.services.entrants import import_entrants
from desert_runners.services.events import list_events
from desert_runners.services.races import load_race_file

ROOT = Path(__file__).parents[2]
READERS = ROOT / "tests" / "fixtures" / "readers"
RACE = ROOT / "tests" / "fixtures" / "race"
SANTIAGO = ZoneInfo("America/Santiago")
SLUG = "atacama-crossing-2010"


def _shift(device_day: str) -> float:
    """The clock offset that moves a fixture's day onto the dune run's long march."""
    device = datetime.fromisoformat(device_day).replace(tzinfo=SANTIAGO)
    return (datetime(2010, 3, 8, tzinfo=SANTIAGO) - device).total_seconds()


@pytest.fixture
def dune(context: Context) -> Context:
    load_race_file(context, RACE / "series.yaml")
    assert import_entrants(context, "dune-run-2010", RACE / "entrants.csv").problems == []
    return context


# file, clock offset onto 8 March 2010, problem lines, start gun markers
FILES = [
    ("alien_taglist.txt", _shift("2026-03-10"), 5, 0),
    ("chronotrack_passings.txt", 0.0, 6, 1),
    ("impinj_log.txt", _shift("2026-03-10"), 4, 0),
    ("ipico_stream.txt", _shift("2026-03-10"), 4, 0),
    ("jchip_passings.txt", _shift("2024-03-14"), 9, 0),
    ("mylaps_messages.txt", _shift("2024-03-14"), 9, 1),
    ("raceresult_passings.txt", _shift("2024-03-14"), 5, 0),
    ("ultra_stream.txt", _shift("2026-03-10"), 4, 0),
    ("wiclax_generic.txt", _shift("2026-03-10"), 5, 0),
]


@pytest.mark.parametrize(("name", "offset", "problems", "guns"), FILES)
def test_every_read_of_every_format_is_stored_once(
    dune: Context, name: str, offset: float, problems: int, guns: int
) -> None:
    report = import_device_file(dune, READERS / name, "2/cp2", clock_offset_s=offset)
    assert report.checkpoint == "2/CP2"
    assert report.stored + report.already_stored == report.reads > 0
    assert len(report.rejected) == problems  # parse problems only: no impossible date
    assert report.guns == guns
    assert report.unknown == report.reads - guns  # none of these tags is assigned
    _, _, log = list_events(dune, None, kinds=[EventKind.READ])
    kept = [event for event in log if "rejected" in event.fact.payload]
    assert len(log) - len(kept) == report.stored
    assert {event.fact.payload["line"] for event in kept} == {r.line for r in report.rejected}
    days = {e.fact.occurred_at.astimezone(SANTIAGO).date() for e in log if e.fact.occurred_at}
    assert days <= {date(2010, 3, 8), date(2010, 3, 9), date(2010, 3, 10)}  # stage 2's night
    again = import_device_file(dune, READERS / name, "2/CP2", clock_offset_s=offset)
    assert (again.stored, again.already_stored) == (0, report.reads)
    assert again.rejected == report.rejected
    assert len(list_events(dune, None, kinds=[EventKind.READ])[2]) == len(log)


def test_impossible_dates_are_kept_aside_until_the_clock_offset_is_given(dune: Context) -> None:
    path = READERS / "wiclax_generic.txt"
    report = import_device_file(dune, path, "2/CP2")
    assert (report.reads, report.stored, len(report.rejected)) == (16, 0, 21)
    assert report.rejected[0] == Rejection(
        2,
        "date: 2026-03-10 23:59:20 is 5846 days after stage 2 (2010-03-08): the device's "
        "clock is off or the read is from another day",
        "01207;10-03-2026 23:59:20.620;0A;551;;0",
    )
    _, _, log = list_events(dune, None, kinds=[EventKind.READ])
    first = log[0].fact
    assert (first.tag, first.bib, first.occurred_at) == (None, None, None)
    assert first.device_time == "2026-03-10 23:59:20.620000"
    assert first.payload == {
        "rejected": report.rejected[0].reason,
        "format": "wiclax",
        "raw": "01207;10-03-2026 23:59:20.620;0A;551;;0",
        "tag": "01207",
        "sequence": 551,
        "file": "wiclax_generic.txt",
        "line": 2,
    }
    fixed = import_device_file(dune, path, "2/CP2", clock_offset_s=_shift("2026-03-10"))
    assert (fixed.stored, fixed.already_stored, len(fixed.rejected)) == (15, 1, 5)


def test_reads_from_a_live_reader_resume_and_are_stored_once(dune: Context) -> None:
    sink = StoreSink(dune, "dune-run-2010", "2/finish", "finish box")
    assert sink.resume_position("finish box") is None
    lines = [f"{n};A10{n};0000-00-00;0{n}:15:0{n}.250;0;9;-64;0a1f3{n}" for n in range(1, 5)]
    reads = [raceresult.parse_line(line) for line in lines]
    assert all(isinstance(read, DeviceRead) for read in reads)
    sink.store(reads[:3])  # type: ignore[arg-type]
    assert sink.last_report is not None
    assert (sink.last_report.stored, sink.last_report.unknown) == (3, 0)
    assert sink.resume_position("finish box") == 3
    sink.clock_offset_s = 0.4  # measured anew after a reconnection: no conflict
    sink.store(reads[1:])  # type: ignore[arg-type]
    assert (sink.last_report.stored, sink.last_report.already_stored) == (1, 2)
    assert sink.resume_position("finish box") == 4
    assert sink.resume_position("another box") is None
    sink.reject([LineProblem("raceresult", 9, "5;A105;garbage", "time: expected HH:MM:SS")])
    _, _, log = list_events(dune, None, kinds=[EventKind.READ])
    # Stored with their tags only; the log shows the bib each tag had at the read's time.
    assert [event.fact.bib for event in log] == [101, 102, 103, 104, None]
    with dune.store.read() as connection:
        stored = query_events(connection, sink.race_id, "dune-run-2010", kinds=[EventKind.READ])
    assert [event.fact.bib for event in stored] == [None] * 5
    assert log[0].fact.occurred_at == datetime(2010, 3, 9, 1, 15, 1, 250000, tzinfo=SANTIAGO)
    assert log[3].fact.occurred_at == datetime(2010, 3, 9, 4, 15, 4, 650000, tzinfo=SANTIAGO)
    assert log[3].fact.payload["clock_offset_s"] == 0.4
    assert log[4].fact.payload == {
        "rejected": "time: expected HH:MM:SS",
        "format": "raceresult",
        "raw": "5;A105;garbage",
        "line": 9,
    }
    _, _, runner = list_events(dune, None, bib=102)
    assert [event.fact.kind for event in runner] == [EventKind.ENTRANT, EventKind.READ]


@pytest.mark.parametrize(
    ("race", "where", "device", "offset", "message"),
    [
        (
            "dune-run-2010",
            "2/CP9",
            "mat",
            0.0,
            "stage 2 has no checkpoint 'CP9' (start, CP1, CP2, finish)",
        ),
        ("dune", "2/CP2", "mat", 0.0, "no race 'dune' (races: dune-run-2010)"),
        ("dune-run-2010", "2/CP2", " ", 0.0, "device: give the device a name (--device)"),
        (
            "dune-run-2010",
            "2/CP2",
            "mat",
            math.nan,
            "--clock-offset nan: expected a number of seconds",
        ),
        (
            "dune-run-2010",
            "2/CP2",
            "mat",
            math.inf,
            "--clock-offset inf: expected a number of seconds",
        ),
    ],
)
def test_capture_refuses_mistakes_and_stores_nothing(
    dune: Context, race: str, where: str, device: str, offset: float, message: str
) -> None:
    with pytest.raises(UserError) as raised:
        ingest_reads(dune, race, where, device, [], offset)
    assert str(raised.value) == message
    assert list_events(dune, None, kinds=[EventKind.READ])[2] == []


def test_a_live_sink_for_a_checkpoint_that_does_not_exist_fails_at_once(dune: Context) -> None:
    with pytest.raises(UserError) as raised:
        StoreSink(dune, None, "3/finish", "finish box")
    assert str(raised.value) == (
        "checkpoint '3/finish': expected STAGE/CHECKPOINT such as 1/CP2 or 1/finish "
        "(stages of dune-run-2010: 1, 2)"
    )


def test_the_example_long_march_from_device_files_to_passings(context: Context) -> None:
    from desert_runners.services.results import compute
    from desert_runners.services.tags import assign_tag

    examples = ROOT / "examples" / "4deserts-2010"
    load_race_file(context, examples / "series.yaml")
    import_entrants(
        context, "atacama-crossing-2010", examples / "entrants" / "atacama-crossing-2010.csv"
    )
    cp5 = import_device_file(
        context, examples / "readers" / "atacama-5-cp5-wiclax.txt", "5/CP5", race_slug=SLUG
    )
    assert (cp5.device, cp5.stored, cp5.unknown_tags) == ("wiclax 5/CP5", 6, {"D00DFEED": 1})
    finish = import_device_file(
        context,
        examples / "readers" / "atacama-5-finish-raceresult.txt",
        "5/finish",
        race_slug=SLUG,
        device="finish mat 1",
        clock_offset_s=1.5,
    )
    assert (finish.stored, finish.unknown, finish.rejected) == (4, 0, [])

    def passings() -> dict[tuple[int, str, str | None], datetime]:
        frame = compute(context, SLUG).reconciliation.passings
        return {
            (bib, checkpoint, direction): at
            for bib, checkpoint, direction, at in frame.select(
                "bib", "checkpoint", "direction", "at"
            ).iter_rows()
        }

    found = passings()
    assert found[(1, "cp5", "in")] == datetime(2010, 3, 12, 2, 48, 5, 120000, tzinfo=UTC)
    assert found[(1, "cp5", "out")] == datetime(2010, 3, 12, 3, 35, 41, 800000, tzinfo=UTC)
    # 05:55:20.31 at the finish is the next morning; the mat's clock was 1.5 s behind.
    assert found[(1, "finish", None)] == datetime(2010, 3, 12, 8, 55, 21, 810000, tzinfo=UTC)
    assert (7, "cp5", "in") not in found
    aside = compute(context, SLUG).reconciliation.set_aside
    assert "unknown tag D00DFEED" in aside["reason"].to_list()
    # The unknown tag is named after the import: its read is bib 7's at once.
    assign_tag(context, SLUG, "d00dfeed", 7, reason="spare chip handed out at CP4")
    # A chip given to bib 8 at 06:00 by mistake: bib 2's finish read (06:40) is bib 8's.
    assign_tag(context, SLUG, "8AEAFF07", 8, effective="2010-03-12 06:00")
    found = passings()
    assert found[(7, "cp5", "in")] == datetime(2010, 3, 12, 3, 41, 9, tzinfo=UTC)
    assert (2, "cp5", "in") in found
    assert (2, "finish", None) not in found
    assert (8, "finish", None) in found
    _, _, two = list_events(context, SLUG, bib=2)
    assert [(e.fact.kind, e.fact.checkpoint) for e in two] == [
        (EventKind.ENTRANT, None),
        (EventKind.READ, "CP5"),
    ]
    _, _, eight = list_events(context, SLUG, bib=8, kinds=[EventKind.READ], limit=1)
    assert [(e.fact.bib, e.fact.tag, e.fact.source) for e in eight] == [
        (8, "8AEAFF07", "finish mat 1")
    ]
    _, _, ones = list_events(context, SLUG, bib=1, limit=2)
    assert [e.fact.checkpoint for e in ones] == ["CP5", "finish"]


def test_a_device_file_is_told_from_historical_results() -> None:
    assert device_file_kind(READERS / "ultra_stream.txt") == "ultra"
    historical = next((ROOT / "tests" / "fixtures" / "historical").iterdir())
    assert device_file_kind(historical) is None
    assert device_file_kind(RACE / "entrants.csv") is None
