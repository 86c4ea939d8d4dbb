"""RaceResult decoder lines: the documented sample, a recorded-style stream, bad lines."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers import raceresult
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "raceresult_passings.txt"
SAMPLE = "1;33;0000-00-00;00:00:02.773;6692;12;-68;09ca52"
V32 = "8;ACT1042;2024-03-15;00:01:12.775;0;4;-77;0a1f3a;1;2;1;0;1187;2.9;31;64;CP5-Camp;7;1;T-21034"


def stream() -> list[tuple[int, str]]:
    lines = FIXTURE.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    return list(enumerate(lines, start=1))


def test_the_documented_sample() -> None:
    assert raceresult.parse_line(SAMPLE, 3) == DeviceRead(
        format="raceresult",
        tag="33",
        time=DeviceTime(time_of_day=time(0, 0, 2, 773000)),
        raw=SAMPLE,
        sequence=1,
        rssi=-68.0,
    )


def test_a_protocol_3_2_line_names_box_loop_and_antenna() -> None:
    assert raceresult.parse_line(V32) == DeviceRead(
        format="raceresult",
        tag="ACT1042",
        time=DeviceTime(local=datetime(2024, 3, 15, 0, 1, 12, 775000)),
        raw=V32,
        device="CP5-Camp",
        sequence=8,
        antenna=1,
        rssi=-77.0,
        location="1",
    )


def test_a_pushed_passing_is_the_same_read() -> None:
    pushed = raceresult.parse_line("#P;" + V32)
    polled = raceresult.parse_line(V32)
    assert isinstance(pushed, DeviceRead)
    assert pushed.raw == "#P;" + V32
    assert dataclasses.replace(pushed, raw=V32) == polled


def test_box_id_when_the_box_has_no_name_and_lower_case_codes() -> None:
    fields = V32.split(";")
    fields[1], fields[16] = "nhcks28", ""
    read = raceresult.parse_line(";".join(fields))
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.device) == ("NHCKS28", "T-21034")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (SAMPLE, "passing"),
        ("#P;" + V32, "passing"),
        ("GETPROTOCOL;3.2;1.0;3.2", "control"),
        ("SETPROTOCOL;3.2", "control"),
        ("PASSINGS;12;7", "control"),
        ("ONLY 3", "control"),
        ("", "control"),  # the empty line that ends a polled block
        ("hello", "unknown"),
        (";33;0000-00-00;00:00:02.773", "unknown"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert raceresult.classify(text) == kind


def test_the_stream() -> None:
    results = {n: raceresult.parse_line(text, n) for n, text in stream()}
    kinds = [raceresult.classify(text) for _, text in stream()]
    assert (kinds.count("passing"), kinds.count("control"), kinds.count("unknown")) == (16, 9, 1)

    problems = [(r.line, r.reason) for r in results.values() if isinstance(r, LineProblem)]
    assert problems == [
        (1, "not a passing (control message)"),
        (2, "not a passing (control message)"),
        (3, "not a passing (control message)"),
        (4, "not a passing (control message)"),
        (8, "not a passing (control message)"),
        (14, "expected 8 or at least 20 ';'-separated fields, got 4"),
        (15, "time: expected HH:MM:SS.mmm, got '24:01:30.000'"),
        (16, "not a passing (control message)"),
        (17, "not a passing (control message)"),
        (18, "not a passing (control message)"),
        (22, "date: expected YYYY-MM-DD or 0000-00-00, got '2024-02-30'"),
        (24, "MaxRSSI: expected dBm like -68, got 'weak'"),
        (25, "not a passing (control message)"),
        (26, "not a passing: expected 'PassingNo;TranspCode;Date;Time;...'"),
    ]
    reads = [r for r in results.values() if isinstance(r, DeviceRead)]
    at = {r.raw: r for r in reads}
    lines = dict(stream())
    assert [r.sequence for r in reads] == [1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 10, 12]
    # The tag is read several times per crossing: two reads of NHCKS28 0.8 s apart.
    assert [r.tag for r in reads[:2]] == ["NHCKS28", "NHCKS28"]
    # Past midnight the date moves on with the time.
    assert at[lines[10]].time == DeviceTime(local=datetime(2024, 3, 14, 23, 59, 58, 901000))
    assert at[lines[11]].time == DeviceTime(local=datetime(2024, 3, 15, 0, 0, 0, 244000))
    # Asked again after a reconnect, passing 8 comes back identical but for the prefix.
    assert at[lines[13]] == dataclasses.replace(at[lines[19]], raw=lines[13])
    # A box without a date gives the time of day only.
    assert at[lines[23]] == DeviceRead(
        format="raceresult",
        tag="NBWSE88",
        time=DeviceTime(time_of_day=time(0, 2, 5, 660000)),
        raw=lines[23],
        device="T-21034",
        sequence=12,
        antenna=3,
        rssi=-74.0,
    )
    assert {r.time.local.date() for r in reads if r.time.local} == {
        date(2024, 3, 14),
        date(2024, 3, 15),
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "1;33;0000-00-00;25:61:00.000;6692;12;-68;09ca52",
            "time: expected HH:MM:SS.mmm, got '25:61:00.000'",
        ),
        (
            "1;33;0000-00-00;00:00:60.000;6692;12;-68;09ca52",
            "time: expected HH:MM:SS.mmm, got '00:00:60.000'",
        ),
        (
            "1;33;0000-00-00;0:00:02.773;6692;12;-68;09ca52",
            "time: expected HH:MM:SS.mmm, got '0:00:02.773'",
        ),
        ("1;33;0000-00-00;;6692;12;-68;09ca52", "time: expected HH:MM:SS.mmm, got ''"),
        (
            "1;33;2024-13-01;00:00:02.773;6692;12;-68;09ca52",
            "date: expected YYYY-MM-DD or 0000-00-00, got '2024-13-01'",
        ),
        (
            "1;33;0000-01-01;00:00:02.773;6692;12;-68;09ca52",
            "date: expected YYYY-MM-DD or 0000-00-00, got '0000-01-01'",
        ),
        (
            "1;33;15.03.2024;00:00:02.773;6692;12;-68;09ca52",
            "date: expected YYYY-MM-DD or 0000-00-00, got '15.03.2024'",
        ),
        (
            "1;;0000-00-00;00:00:02.773;6692;12;-68;09ca52",
            "TranspCode: expected letters and digits, got ''",
        ),
        (
            "1;3 3;0000-00-00;00:00:02.773;6692;12;-68;09ca52",
            "TranspCode: expected letters and digits, got '3 3'",
        ),
        (
            "1;33;0000-00-00;00:00:02.773;6692;12;-68",
            "expected 8 or at least 20 ';'-separated fields, got 7",
        ),
        (
            "1;33;0000-00-00;00:00:02.773;6692;12;-68;09ca52;0",
            "expected 8 or at least 20 ';'-separated fields, got 9",
        ),
        (
            "1;33;0000-00-00;00:00:02.773;6692;12;high;09ca52",
            "MaxRSSI: expected dBm like -68, got 'high'",
        ),
        (
            V32.replace(";1;T-21034", ";x;T-21034"),
            "MaxRSSIAntenna: expected a whole number, got 'x'",
        ),
        ("SETTIME;2024-03-14;06:00:00.000", "not a passing (control message)"),
        ("garbage", "not a passing: expected 'PassingNo;TranspCode;Date;Time;...'"),
    ],
)
def test_problems_say_what_was_expected(text: str, reason: str) -> None:
    assert raceresult.parse_line(text, 7) == LineProblem(
        format="raceresult", line=7, raw=text, reason=reason
    )


def test_a_line_ending_left_on_is_tolerated_and_kept_in_raw() -> None:
    read = raceresult.parse_line(SAMPLE + "\r\n")
    assert isinstance(read, DeviceRead)
    assert (read.raw, read.tag) == (SAMPLE + "\r\n", "33")


def test_request_passings() -> None:
    assert raceresult.request_passings(1, 32) == "1:32"
    assert raceresult.request_passings(13, 5) == "13:5"
    with pytest.raises(ValueError, match="at least 1"):
        raceresult.request_passings(0, 5)
    with pytest.raises(ValueError, match="at least 1"):
        raceresult.request_passings(1, 0)


def test_commands() -> None:
    assert raceresult.SET_PROTOCOL == "SETPROTOCOL;3.2"
    assert raceresult.PUSH_PASSINGS == "SETPUSHPASSINGS;1;0"
    assert raceresult.EOL == "\r\n"


# --- fuzz ----------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    """A valid line with a few characters replaced, dropped or added."""
    chars = list(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(chars)))
        new = draw(st.sampled_from(list(";:-.#P0123456789 x\r\x00é")))
        match draw(st.sampled_from(["replace", "delete", "insert"])):
            case "replace" if at < len(chars):
                chars[at] = new
            case "delete" if at < len(chars):
                del chars[at]
            case _:
                chars.insert(at, new)
    return "".join(chars)


def check(text: str, line: int) -> None:
    result = raceresult.parse_line(text, line)
    assert isinstance(result, DeviceRead | LineProblem)
    assert result.raw == text
    assert raceresult.classify(text) in {"passing", "control", "unknown"}
    if isinstance(result, LineProblem):
        assert result.line == line
        assert result.reason
    else:
        assert result.tag
        assert result.tag == result.tag.upper()


@given(st.text(), st.integers(1, 10**6))
def test_any_text_gives_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(st.one_of(mutated(SAMPLE), mutated(V32), mutated("#P;" + V32)))
def test_mutated_lines_give_a_read_or_a_problem(text: str) -> None:
    check(text, 1)
