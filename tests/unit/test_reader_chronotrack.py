"""ChronoTrack CTP01 lines: the documented sample, the gun, a stream, bad lines, replies."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers import chronotrack
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "chronotrack_passings.txt"
SAMPLE = "CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1"
GUN = "CT01_33~4~start~guntime~07:45:01.01~0~DF239A~0"


def stream() -> list[tuple[int, str]]:
    lines = FIXTURE.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    return list(enumerate(lines, start=1))


def test_the_documented_sample() -> None:
    assert chronotrack.parse_line(SAMPLE, 2) == DeviceRead(
        format="chronotrack",
        tag="9478",
        time=DeviceTime(time_of_day=time(14, 2, 15, 310000)),
        raw=SAMPLE,
        device="0F2A38",
        sequence=1,
        antenna=1,
        location="start",
    )


def test_the_gun_is_a_read_with_tag_guntime() -> None:
    assert chronotrack.parse_line(GUN) == DeviceRead(
        format="chronotrack",
        tag="guntime",
        time=DeviceTime(time_of_day=time(7, 45, 1, 10000)),
        raw=GUN,
        device="DF239A",
        sequence=4,
        antenna=0,
        location="start",
    )


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        ("14:02:15", DeviceTime(time_of_day=time(14, 2, 15))),
        ("14:02:15.317", DeviceTime(time_of_day=time(14, 2, 15, 317000))),
        ("2024-03-14T14:02:15.31", DeviceTime(local=datetime(2024, 3, 14, 14, 2, 15, 310000))),
        (
            "2024-03-14T14:02:15.31Z",
            DeviceTime(utc=datetime(2024, 3, 14, 14, 2, 15, 310000, tzinfo=UTC)),
        ),
        (
            "2024-03-14T14:02:15.31+02:00",
            DeviceTime(utc=datetime(2024, 3, 14, 12, 2, 15, 310000, tzinfo=UTC)),
        ),
        ("1710425535.31", DeviceTime(utc=datetime(2024, 3, 14, 14, 12, 15, 310000, tzinfo=UTC))),
    ],
)
def test_time_formats_a_reader_can_be_set_to(clock: str, expected: DeviceTime) -> None:
    read = chronotrack.parse_line(f"CT01_33~1~start~9478~{clock}~0~0F2A38~1")
    assert isinstance(read, DeviceRead)
    assert read.time == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (SAMPLE, "passing"),
        (GUN, "passing"),
        ("CT01_13~24~START~50101~15:54:48.90~1~117F37~8", "passing"),
        ("CT01_33~2038~30k~newlocation~09:15:21.00~0~ED932A~0", "control"),
        ("SimpleClient~1.4.2~CTP01", "control"),
        ("ping", "control"),
        ("ack~ping", "control"),
        ("ack~getlocations~start~cp3", "control"),
        ("stream-mode=push", "control"),
        ("", "unknown"),
        ("hello~world", "unknown"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert chronotrack.classify(text) == kind


def test_the_stream() -> None:
    lines = dict(stream())
    results = [chronotrack.parse_line(text, n) for n, text in stream()]
    kinds = [chronotrack.classify(text) for text in lines.values()]
    assert (kinds.count("passing"), kinds.count("control"), kinds.count("unknown")) == (17, 8, 1)

    problems = [
        (r.line, r.reason)
        for r in results
        if isinstance(r, LineProblem) and r.reason != chronotrack.CONTROL_REASON
    ]
    assert problems == [
        (
            18,
            "time: expected HH:MM:SS.cc, YYYY-MM-DDTHH:MM:SS.cc or Unix seconds, got '24:00:01.00'",
        ),
        (19, "expected 8 '~'-separated fields, got 4"),
        (20, "tag: expected letters and digits, got '12 03'"),
        (21, "protocol id: expected CT01_13 or CT01_33, got 'CT01_99'"),
        (22, "lap: expected a whole number, got 'x'"),
        (26, "protocol id: expected CT01_13 or CT01_33, got '#garbage after a power cut'"),
    ]
    controls = [
        r.line
        for r in results
        if isinstance(r, LineProblem) and r.reason == chronotrack.CONTROL_REASON
    ]
    assert controls == [1, 2, 3, 9, 10, 15, 24, 25]

    reads = [r for r in results if isinstance(r, DeviceRead)]
    assert [r.sequence for r in reads] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 11, 17]
    assert reads[0].tag == "guntime"
    # One crossing, two antennas: 1042 read 0.05 s apart at the start mat.
    assert [(r.tag, r.antenna) for r in reads[1:3]] == [("1042", 1), ("1042", 2)]
    # The long march crosses midnight at cp3: the time of day wraps, the parser keeps it.
    assert [r.time.time_of_day for r in reads[6:8]] == [
        time(23, 59, 59, 910000),
        time(0, 0, 0, 120000),
    ]
    # A line sent twice stays two reads; deduplication is the caller's.
    assert reads[9] == reads[10]
    assert {r.location for r in reads} == {"start", "cp3"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "CT01_33~1~start~9478~25:61:00.00~0~0F2A38~1",
            "time: expected HH:MM:SS.cc, YYYY-MM-DDTHH:MM:SS.cc or Unix seconds, got '25:61:00.00'",
        ),
        (
            "CT01_33~1~start~9478~2024-02-30T14:02:15.31~0~0F2A38~1",
            "time: expected HH:MM:SS.cc, YYYY-MM-DDTHH:MM:SS.cc or Unix seconds, "
            "got '2024-02-30T14:02:15.31'",
        ),
        (
            "CT01_33~1~start~9478~2024-03-14T14:02:15.31+25:00~0~0F2A38~1",
            "time: expected HH:MM:SS.cc, YYYY-MM-DDTHH:MM:SS.cc or Unix seconds, "
            "got '2024-03-14T14:02:15.31+25:00'",
        ),
        ("CT01_33~x~start~9478~14:02:15.31~0~0F2A38~1", "seq: expected a whole number, got 'x'"),
        ("CT01_33~1~~9478~14:02:15.31~0~0F2A38~1", "location: expected a name, got ''"),
        ("CT01_33~1~start~~14:02:15.31~0~0F2A38~1", "tag: expected letters and digits, got ''"),
        ("CT01_33~1~start~9478~14:02:15.31~0~0F2A38~", "antenna: expected a whole number, got ''"),
        ("CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1~x", "expected 8 '~'-separated fields, got 9"),
        ("CT01_33~10~cp3~newlocation~00:04:00.00~0~ED932B~0", "not a passing (control message)"),
        ("ping", "not a passing (control message)"),
        ("9478~14:02:15.31", "protocol id: expected CT01_13 or CT01_33, got '9478'"),
    ],
)
def test_problems_say_what_was_expected(text: str, reason: str) -> None:
    result = chronotrack.parse_line(text, 5)
    assert result == LineProblem(format="chronotrack", line=5, raw=text, reason=reason)


def test_only_the_exact_word_guntime_is_the_gun() -> None:
    read = chronotrack.parse_line("CT01_33~1~start~GunTime~14:02:15.31~0~0F2A38~1")
    assert isinstance(read, DeviceRead)
    assert read.tag == "GUNTIME"  # a chip that happens to spell it, upper-cased like any chip


def test_what_we_send() -> None:
    assert chronotrack.ack_ping() == "ack~ping"
    assert chronotrack.ping() == "ping"
    assert chronotrack.get_locations() == "getlocations"
    assert chronotrack.start("cp3") == "start~cp3"
    assert chronotrack.server_hello("DesertRunners", "0.1.0") == [
        "DesertRunners~0.1.0~5",
        "guntimes=true",
        "newlocations=true",
        "connection-id=false",
        "stream-mode=push",
        "time-format=normal",
    ]
    assert chronotrack.server_hello("DR", "1", {"time-format": "iso"}) == [
        "DR~1~1",
        "time-format=iso",
    ]
    assert chronotrack.EOL == "\r\n"


@pytest.mark.parametrize("bad", ["", "cp~3", "cp3\r\n"])
def test_what_we_send_cannot_break_the_framing(bad: str) -> None:
    with pytest.raises(ValueError, match="not usable"):
        chronotrack.start(bad)
    with pytest.raises(ValueError, match="not usable"):
        chronotrack.server_hello(bad, "1")
    with pytest.raises(ValueError, match="'='"):
        chronotrack.server_hello("DR", "1", {"a=b": "c"})


# --- fuzz ----------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    """A valid line with a few characters replaced, dropped or added."""
    chars = list(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(chars)))
        new = draw(st.sampled_from(list("~:.-TZ+0123456789 x\r\x00é")))
        match draw(st.sampled_from(["replace", "delete", "insert"])):
            case "replace" if at < len(chars):
                chars[at] = new
            case "delete" if at < len(chars):
                del chars[at]
            case _:
                chars.insert(at, new)
    return "".join(chars)


def check(text: str, line: int) -> None:
    result = chronotrack.parse_line(text, line)
    assert isinstance(result, DeviceRead | LineProblem)
    assert result.raw == text
    assert chronotrack.classify(text) in {"passing", "control", "unknown"}
    if isinstance(result, LineProblem):
        assert result.line == line
        assert result.reason
    else:
        assert result.tag


@given(st.text(), st.integers(1, 10**6))
def test_any_text_gives_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


ISO = "CT01_33~1~start~9478~2024-03-14T14:02:15.31+02:00~0~0F2A38~1"
UNIX = "CT01_33~1~start~9478~1710425535.31~0~0F2A38~1"


@given(st.one_of(mutated(SAMPLE), mutated(GUN), mutated(ISO), mutated(UNIX)))
def test_mutated_lines_give_a_read_or_a_problem(text: str) -> None:
    check(text, 1)
