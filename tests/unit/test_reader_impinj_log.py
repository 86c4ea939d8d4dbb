"""Impinj log files: the documented sample, a log, local versus UTC times, and fuzzing.

``tests/fixtures/readers/impinj_log.txt`` is a made-up relay log of 10-11 March 2026:
the ``Tag ID, Discover Time`` header, tags read twice, a 24-digit EPC, midnight crossed
at line 9, the two older ctime-like time forms (lines 13-14), and four broken lines
(15-18).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers.impinj_log import is_header, parse_line, read_file
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem
from desert_runners.domain.errors import UserError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "impinj_log.txt"
SAMPLE = "20200201FC000004,2020-02-01 14:11:29.139089"
MOMENT = datetime(2020, 2, 1, 14, 11, 29, 139_089)


def test_the_documented_sample_is_local_time() -> None:
    assert parse_line(SAMPLE, 2) == DeviceRead(
        format="impinj",
        tag="20200201FC000004",
        time=DeviceTime(local=MOMENT),
        raw=SAMPLE,
    )


@pytest.mark.parametrize(
    "text",
    [
        "2020-02-01 14:11:29.139089",
        "2020/02/01 14:11:29.139089",
        "2020/02/01_14:11:29.139089",
        "2020-02-01T14:11:29.139089",
        "Sat Feb 01 14:11:29.139089  2020-02-01",
        "Sat Feb 01 14:11:29.139089 PST 2020",
        "Sat Feb  1 14:11:29.139089  2020",
    ],
)
def test_the_time_forms_relays_have_written(text: str) -> None:
    read = parse_line(f"20200201fc000004, {text}")
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time) == ("20200201FC000004", DeviceTime(local=MOMENT))


@pytest.mark.parametrize(
    "text",
    [
        "2020-02-01 14:11:29.139089Z",
        "2020-02-01 14:11:29.139089 UTC",
        "2020-02-01T14:11:29.139089+00:00",
        "2020-02-01T16:11:29.139089+02:00",
        "2020-02-01 11:11:29.139089 -0300",
        "Sat Feb 01 14:11:29.139089 UTC 2020-02-01",
        "Sat Feb 01 14:11:29.139089 GMT 2020",
    ],
)
def test_a_time_marked_utc_or_with_an_offset_is_utc(text: str) -> None:
    read = parse_line(f"20200201FC000004,{text}")
    assert isinstance(read, DeviceRead)
    assert read.time == DeviceTime(utc=MOMENT.replace(tzinfo=UTC))


def test_the_caller_can_say_the_times_are_utc() -> None:
    read = parse_line(SAMPLE, utc=True)
    assert isinstance(read, DeviceRead)
    assert read.time == DeviceTime(utc=MOMENT.replace(tzinfo=UTC))


def test_extra_columns_stay_in_raw() -> None:
    line = SAMPLE + ",3,-52"
    read = parse_line(line)
    assert isinstance(read, DeviceRead)
    assert (read.time.local, read.raw) == (MOMENT, line)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "fields: expected tag id and discover time, got 1"),
        ("20200201FC000004", "fields: expected tag id and discover time, got 1"),
        (",2020-02-01 14:11:29", "tag id: expected hex digits, got ''"),
        ("2020020 1FCX, 2020-02-01 14:11:29", "tag id: expected hex digits, got '2020020 1FCX'"),
        (
            "20200201FC000004,14:11:29.139089",
            "time: expected YYYY-MM-DD HH:MM:SS.ffffff, got '14:11:29.139089'",
        ),
        (
            "20200201FC000004,2020-02-30 14:11:29",
            "time: no such moment '2020-02-30 14:11:29'",
        ),
        (
            "20200201FC000004,Sat Fev 01 14:11:29.139089  2020",
            "month: expected Jan-Dec, got 'Fev'",
        ),
        (
            "20200201FC000004,2020-02-01 14:11:29 +25:00",
            "time: no such moment '2020-02-01 14:11:29 +25:00'",
        ),
        (
            "20200201FC000004,0001-01-01 00:30:00+01:00",
            "time: no such moment '0001-01-01 00:30:00+01:00'",
        ),
        (
            "20200201FC000004,2020-02-01 14:11:29.1234567",
            "time: expected YYYY-MM-DD HH:MM:SS.ffffff, got '2020-02-01 14:11:29.1234567'",
        ),
    ],
)
def test_each_broken_field_is_named(line: str, reason: str) -> None:
    assert parse_line(line, 4) == LineProblem("impinj", 4, line, reason)


@pytest.mark.parametrize(
    ("line", "header"),
    [
        ("Tag ID, Discover Time", True),
        ("Tag ID, Discover Time, Count", True),
        ("\ufeffTagID,Time (UTC)", True),
        ("EPC,Timestamp", True),
        (SAMPLE, False),
        ("", False),
    ],
)
def test_headers(line: str, header: bool) -> None:
    assert is_header(line) is header


def test_a_log_across_midnight() -> None:
    result = read_file(FIXTURE)

    assert result.lines == 25
    assert [(problem.line, problem.reason) for problem in result.problems] == [
        (15, "time: expected YYYY-MM-DD HH:MM:SS.ffffff, got ''"),
        (16, "tag id: expected hex digits, got 'ZZ0310FC000099'"),
        (17, "time: no such moment '2026-03-11 25:01:02.000000'"),
        (18, "fields: expected tag id and discover time, got 1"),
    ]
    reads = result.reads
    assert len(reads) == 19
    assert all(read.time.utc is None and read.time.local for read in reads)
    assert reads[6].time.local == datetime(2026, 3, 10, 23, 59, 59, 576_765)
    assert reads[7].time.local == datetime(2026, 3, 11, 0, 0, 0, 671_056)
    assert [read.time.local for read in reads[11:13]] == [
        datetime(2026, 3, 11, 0, 0, 49, 850_968),
        datetime(2026, 3, 11, 0, 0, 59, 852_483),
    ]
    assert Counter(read.tag for read in reads).most_common(1) == [("20260310FC000004", 3)]


def test_a_header_naming_utc_makes_every_time_utc(tmp_path: Path) -> None:
    path = tmp_path / "utc.txt"
    path.write_text("Tag ID, Discover Time (UTC)\n" + SAMPLE + "\n", encoding="utf-8")
    result = read_file(path)
    assert [read.time for read in result.reads] == [DeviceTime(utc=MOMENT.replace(tzinfo=UTC))]


def test_a_byte_order_mark_before_the_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfTag ID, Discover Time\r\n" + SAMPLE.encode() + b"\r\n")
    result = read_file(path)
    assert (result.lines, len(result.reads), result.problems) == (2, 1, ())


def test_a_missing_file_is_one_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^no such file: "):
        read_file(tmp_path / "nothing.txt")


def test_a_directory_is_one_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^cannot read .*: Is a directory$"):
        read_file(tmp_path)


# --- fuzzing ------------------------------------------------------------------------

CHARS = st.characters(codec="utf-8")


@st.composite
def mutated(draw: st.DrawFn, line: str) -> str:
    text = line
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        new = draw(st.sampled_from(",0123456789-/:. TZ") | CHARS)
        text = text[:at] + new + text[at + draw(st.integers(0, 1)) :]
    return text


def check(text: str, line: int) -> None:
    result = parse_line(text, line)
    assert isinstance(result, DeviceRead | LineProblem)
    if isinstance(result, LineProblem):
        assert (result.line, result.format) == (line, "impinj")
        assert result.reason


@given(st.text(CHARS), st.integers(1, 10**6))
def test_any_text_is_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(
    st.sampled_from([SAMPLE, "20200201FC000004,Sat Feb 01 14:11:29.139089  2020-02-01"]).flatmap(
        mutated
    ),
    st.integers(1, 10**6),
)
def test_a_damaged_line_is_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(
    st.from_regex(r"[0-9A-F]{8,24}", fullmatch=True),
    st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1)),
)
def test_what_the_relay_writes_is_read_back(tag: str, moment: datetime) -> None:
    read = parse_line(f"{tag},{moment:%Y-%m-%d %H:%M:%S.%f}")
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time.local) == (tag, moment)
