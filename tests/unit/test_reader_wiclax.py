"""Wiclax generic protocol: the documented sample, a file of passings, and fuzzing.

``tests/fixtures/readers/wiclax_generic.txt`` is a made-up log of 10-11 March 2026 from
two loops (0A, 0B): heartbeats (``*``), a chip on both loops, the same passing twice,
battery levels, midnight crossed at line 8, a passing sent again on rewind (line 13), a
line with only the two mandatory fields (14), and five broken lines (15-19).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem
from desert_runners.adapters.readers.wiclax import parse_line, read_file
from desert_runners.domain.errors import UserError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "wiclax_generic.txt"
SAMPLE = "01539;22-09-2011 02:41:30.620;0A;559;;0"


def test_the_documented_sample() -> None:
    assert parse_line(SAMPLE, 2) == DeviceRead(
        format="wiclax",
        tag="01539",
        time=DeviceTime(local=datetime(2011, 9, 22, 2, 41, 30, 620_000)),
        raw=SAMPLE,
        sequence=559,
        location="0A",
    )


@pytest.mark.parametrize(
    ("line", "tag", "moment", "lap", "loop"),
    [
        ("01539;22-09-2011 02:41:30", "01539", datetime(2011, 9, 22, 2, 41, 30), None, ""),
        ("a1b2;2-9-2011 2:41:30.6;;;", "A1B2", datetime(2011, 9, 2, 2, 41, 30, 600_000), None, ""),
        (
            " 7 ; 22/09/2011 02:41:30.62 ; 1 ; 3 ; 65 ; 1 \r",
            "7",
            datetime(2011, 9, 22, 2, 41, 30, 620_000),
            3,
            "1",
        ),
    ],
)
def test_optional_fields_and_spacing(
    line: str, tag: str, moment: datetime, lap: int | None, loop: str
) -> None:
    read = parse_line(line)
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time.local, read.sequence, read.location) == (tag, moment, lap, loop)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "fields: expected 2 to 6 separated by ';', got 1"),
        ("*", "fields: expected 2 to 6 separated by ';', got 1"),
        (SAMPLE + ";x", "fields: expected 2 to 6 separated by ';', got 7"),
        (";22-09-2011 02:41:30.620", "chip: expected letters or digits, got ''"),
        ("015 39;22-09-2011 02:41:30.620", "chip: expected letters or digits, got '015 39'"),
        (
            "01539;22-09-11 02:41:30.620",
            "time: expected dd-mm-yyyy hh:mm:ss.ccc, got '22-09-11 02:41:30.620'",
        ),
        (
            "01539;22-09-2011 02:41:30.6200",
            "time: expected dd-mm-yyyy hh:mm:ss.ccc, got '22-09-2011 02:41:30.6200'",
        ),
        ("01539;29-02-2011 02:41:30.620", "time: no such moment '29-02-2011 02:41:30.620'"),
        ("01539;22-09-2011 02:61:30.620", "time: no such moment '22-09-2011 02:61:30.620'"),
        ("01539;22-09-2011 02:41:30.620;0A;-1", "lap: expected a whole number, got '-1'"),
        (
            f"01539;22-09-2011 02:41:30.620;0A;{'9' * 5000}",
            f"lap: expected a whole number, got '{'9' * 5000}'",
        ),
        ("01539;22-09-2011 02:41:30.620;0A;559;full", "battery: expected a percentage, got 'full'"),
        ("01539;22-09-2011 02:41:30.620;0A;559;;yes", "rewind: expected 0 or 1, got 'yes'"),
    ],
)
def test_each_broken_field_is_named(line: str, reason: str) -> None:
    assert parse_line(line, 6) == LineProblem("wiclax", 6, line, reason)


def test_a_night_of_passings() -> None:
    result = read_file(FIXTURE)

    assert result.lines == 25
    assert [(problem.line, problem.reason) for problem in result.problems] == [
        (15, "time: expected dd-mm-yyyy hh:mm:ss.ccc, got '2026-03-11 00:02:11.000'"),
        (16, "time: no such moment '31-02-2026 00:02:12.000'"),
        (17, "lap: expected a whole number, got 'x64'"),
        (18, "rewind: expected 0 or 1, got '2'"),
        (19, "chip: expected letters or digits, got ''"),
    ]
    reads = result.reads
    assert len(reads) == 16
    assert reads[5].time.local == datetime(2026, 3, 10, 23, 59, 59, 999_000)
    assert reads[6].time.local == datetime(2026, 3, 11, 0, 0, 1, 250_000)
    assert [read.location for read in reads if read.tag == "01207"] == ["0A", "0B"]
    assert reads[10].sequence == reads[6].sequence == 557  # the rewound passing
    assert (reads[11].sequence, reads[11].location) == (None, "")
    sightings = Counter((read.tag, read.time) for read in reads)
    assert [key[0] for key, count in sightings.items() if count > 1] == ["01042", "02203"]


def test_cr_line_ends_as_the_device_sends_them(tmp_path: Path) -> None:
    path = tmp_path / "wiclax.txt"
    path.write_bytes(b"*\r" + SAMPLE.encode() + b"\r\r" + SAMPLE.encode() + b"\r")
    result = read_file(path)
    assert (result.lines, len(result.reads), result.problems) == (4, 2, ())


def test_line_numbers_count_every_line_end(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"*\r\n\n" + SAMPLE.encode() + b"\rbroken\n" + SAMPLE.encode())
    result = read_file(path)
    assert result.lines == 5
    assert [(problem.line, problem.raw) for problem in result.problems] == [(4, "broken")]


def test_a_missing_file_is_one_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^no such file: "):
        read_file(tmp_path / "nothing.txt")


# --- fuzzing ------------------------------------------------------------------------

CHARS = st.characters(codec="utf-8")


@st.composite
def mutated(draw: st.DrawFn, line: str) -> str:
    text = line
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        new = draw(st.sampled_from(";:-. 0123456789A") | CHARS)
        text = text[:at] + new + text[at + draw(st.integers(0, 1)) :]
    return text


def check(text: str, line: int) -> None:
    result = parse_line(text, line)
    assert isinstance(result, DeviceRead | LineProblem)
    if isinstance(result, LineProblem):
        assert (result.line, result.format) == (line, "wiclax")
        assert result.reason


@given(st.text(CHARS), st.integers(1, 10**6))
def test_any_text_is_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(mutated(SAMPLE), st.integers(1, 10**6))
def test_a_damaged_line_is_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(
    st.from_regex(r"[0-9]{1,8}", fullmatch=True),
    st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31)),
    st.from_regex(r"[0-9A-F]{0,2}", fullmatch=True),
    st.integers(0, 10**6),
)
def test_what_the_device_sends_is_read_back(
    chip: str, moment: datetime, loop: str, lap: int
) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    line = f"{chip};{moment:%d-%m-%Y %H:%M:%S}.{moment.microsecond // 1000:03d};{loop};{lap};;0"
    read = parse_line(line)
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time.local, read.location, read.sequence) == (chip, moment, loop, lap)
