"""JChip lines: the documented sample, a relay's stream across midnight, bad lines, clock."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers import jchip
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

# The fixture is one reader line per line; on the wire each ends with CR only.
FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "jchip_passings.txt"
SAMPLE = "DJ413A35 10:11:16.4433 10  0001F      C7 date=20240115"
CONTROL = "not a passing (control message)"


def stream() -> list[tuple[int, str]]:
    lines = FIXTURE.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    return list(enumerate(lines, start=1))


def test_the_documented_sample() -> None:
    assert jchip.parse_line(SAMPLE, 8) == DeviceRead(
        format="jchip",
        tag="413A35",
        time=DeviceTime(
            time_of_day=time(10, 11, 16, 443300), day_offset=0, date_hint=date(2024, 1, 15)
        ),
        raw=SAMPLE,
        sequence=0x1F,
    )


def test_older_readers_send_no_date_and_count_days() -> None:
    read = jchip.parse_line("DJ413A35 00:02:16.4433 12  0004D      C7")
    assert isinstance(read, DeviceRead)
    assert read.time == DeviceTime(time_of_day=time(0, 2, 16, 443300), day_offset=2)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (SAMPLE, "passing"),
        ("N0000CP5-IMPINJ", "control"),
        ("GT", "control"),
        ("GT0235930120 date=20240314", "control"),
        ("S0000", "control"),
        ("", "unknown"),
        ("hello", "unknown"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert jchip.classify(text) == kind


def test_the_stream() -> None:
    lines = dict(stream())
    results = [jchip.parse_line(text, n) for n, text in stream()]
    kinds = [jchip.classify(text) for text in lines.values()]
    assert (kinds.count("passing"), kinds.count("control"), kinds.count("unknown")) == (19, 3, 1)

    problems = [(r.line, r.reason) for r in results if isinstance(r, LineProblem)]
    assert problems == [
        (1, CONTROL),
        (2, CONTROL),
        (9, "time: expected HH:MM:SS.ffff, got '24:00:00.000000'"),
        (10, "expected at least 4 space-separated fields, got 3"),
        (11, "day count: expected a digit as the 2nd character, got '1'"),
        (12, "index: expected hex digits, got '00G48'"),
        (13, "date: expected date=YYYYMMDD, got 'date=20240230'"),
        (14, "tag: expected 'D', a letter, then letters and digits, got 'D'"),
        (17, CONTROL),
        (20, "day count: expected a digit as the 2nd character, got '1x'"),
        (21, "time: expected HH:MM:SS.ffff, got '0:03:01.000000'"),
        (22, "not a passing: expected a line starting with 'D'"),
    ]
    reads = [r for r in results if isinstance(r, DeviceRead)]
    assert [r.sequence for r in reads] == [
        0x41,
        0x42,
        0x43,
        0x44,
        0x44,
        0x45,
        0x4B,
        0x4C,
        0x4D,
        0x4E,
        0x51,
    ]
    # Midnight: the time of day wraps, the day count and the date move on.
    assert [r.time for r in reads[2:4]] == [
        DeviceTime(time_of_day=time(23, 59, 59, 950000), date_hint=date(2024, 3, 14)),
        DeviceTime(time_of_day=time(0, 0, 0, 310221), day_offset=1, date_hint=date(2024, 3, 15)),
    ]
    # The relay sent index 0x44 twice: two equal reads, deduplication is the caller's.
    assert reads[3] == reads[4]
    assert [r.tag for r in reads[:2]] == ["1042", "1042"]
    assert {r.device for r in reads} == {""}  # the name comes from the N0000 line
    assert jchip.reader_name(lines[1]) == "CP5-IMPINJ"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "DJ413A35 25:61:00.0000 10  0001F      C7",
            "time: expected HH:MM:SS.ffff, got '25:61:00.0000'",
        ),
        (
            "DJ413A35 10:11:16.1234567 10  0001F C7",
            "time: expected HH:MM:SS.ffff, got '10:11:16.1234567'",
        ),
        (
            "D9413A35 10:11:16.4433 10  0001F      C7",
            "tag: expected 'D', a letter, then letters and digits, got 'D9413A35'",
        ),
        (
            "DJ 10:11:16.4433 10  0001F      C7",
            "tag: expected 'D', a letter, then letters and digits, got 'DJ'",
        ),
        ("DJ413A35 10:11:16.4433 10", "expected at least 4 space-separated fields, got 3"),
        (
            "DJ413A35 10:11:16.4433 1 0001F C7",
            "day count: expected a digit as the 2nd character, got '1'",
        ),
        ("DJ413A35 10:11:16.4433 10 -1 C7", "index: expected hex digits, got '-1'"),
        (
            "DJ413A35 10:11:16.4433 10 0001F C7 date=2024-01-15",
            "date: expected date=YYYYMMDD, got 'date=2024-01-15'",
        ),
        (
            "DJ413A35 10:11:16.4433 10 0001F C7 date=20241301",
            "date: expected date=YYYYMMDD, got 'date=20241301'",
        ),
        ("N0000CP5-IMPINJ", CONTROL),
        ("S0000", CONTROL),
        ("413A35 10:11:16.4433 10 0001F C7", "not a passing: expected a line starting with 'D'"),
    ],
)
def test_problems_say_what_was_expected(text: str, reason: str) -> None:
    assert jchip.parse_line(text, 4) == LineProblem(format="jchip", line=4, raw=text, reason=reason)


@pytest.mark.parametrize(
    ("answer", "clock"),
    [
        (
            "GT0235930120 date=20240314",
            DeviceTime(time_of_day=time(23, 59, 30, 120000), date_hint=date(2024, 3, 14)),
        ),
        ("GT1000110250", DeviceTime(time_of_day=time(0, 1, 10, 250000), day_offset=1)),
        ("GT0101116443\r", DeviceTime(time_of_day=time(10, 11, 16, 443000))),  # Alien: ms
        ("GT0101116", DeviceTime(time_of_day=time(10, 11, 16))),
    ],
)
def test_the_reader_clock(answer: str, clock: DeviceTime) -> None:
    assert jchip.parse_clock(answer) == clock


@pytest.mark.parametrize(
    "answer", ["GT", "GT0256000", "GT0101116 date=20240230", "GTx101116", "GT0101116 when=now"]
)
def test_a_clock_that_cannot_be_read_is_a_problem(answer: str) -> None:
    problem = jchip.parse_clock(answer, 3)
    assert isinstance(problem, LineProblem)
    assert problem.line == 3
    assert problem.reason == (
        f"clock: expected GT<day>HHMMSS<decimals> [date=YYYYMMDD], got {answer!r}"
    )


def test_what_we_send_and_the_reader_name() -> None:
    assert jchip.get_time() == "GT"
    assert jchip.start_sending() == "S0000"
    assert jchip.EOL == "\r"
    assert jchip.reader_name("N0000CP5-IMPINJ\r") == "CP5-IMPINJ"
    assert jchip.reader_name("N0000") == ""
    assert jchip.reader_name(SAMPLE) is None


# --- fuzz ----------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    """A valid line with a few characters replaced, dropped or added."""
    chars = list(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(chars)))
        new = draw(st.sampled_from(list(" :.=DGNS0123456789AFx\r\x00é")))
        match draw(st.sampled_from(["replace", "delete", "insert"])):
            case "replace" if at < len(chars):
                chars[at] = new
            case "delete" if at < len(chars):
                del chars[at]
            case _:
                chars.insert(at, new)
    return "".join(chars)


def check(text: str, line: int) -> None:
    result = jchip.parse_line(text, line)
    assert isinstance(result, DeviceRead | LineProblem)
    assert result.raw == text
    assert jchip.classify(text) in {"passing", "control", "unknown"}
    if isinstance(result, LineProblem):
        assert result.line == line
        assert result.reason
    else:
        assert result.tag
        assert 0 <= result.time.day_offset <= 9
    assert isinstance(jchip.parse_clock(text, line), DeviceTime | LineProblem)
    name = jchip.reader_name(text)
    assert name is None or isinstance(name, str)


@given(st.text(), st.integers(1, 10**6))
def test_any_text_gives_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(st.one_of(mutated(SAMPLE), mutated("GT0235930120 date=20240314")))
def test_mutated_lines_give_a_read_or_a_problem(text: str) -> None:
    check(text, 1)
