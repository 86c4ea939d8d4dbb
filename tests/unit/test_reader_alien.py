"""Alien taglists: the documented sample, a taglist file, and fuzzing.

``tests/fixtures/readers/alien_taglist.txt`` is a made-up taglist log of 10-11 March
2026: ``(No Tags)`` answers (lines 1 and 11), times with and without milliseconds,
one tag on two antennas, midnight crossed at line 6, a line sent twice with an RSSI,
and five broken lines (12-16).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers.alien import parse_line, read_file
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem
from desert_runners.domain.errors import UserError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "alien_taglist.txt"
SAMPLE = (
    "Tag:0102 0304 0506 0708 0900 0A0B, Disc:2008/10/28 10:49:35, "
    "Last:2008/10/28 10:49:35, Count:1, Ant:3, Proto:2"
)


def test_the_documented_sample() -> None:
    assert parse_line(SAMPLE, 5) == DeviceRead(
        format="alien",
        tag="010203040506070809000A0B",
        time=DeviceTime(local=datetime(2008, 10, 28, 10, 49, 35)),
        raw=SAMPLE,
        antenna=3,
    )


def test_milliseconds_rssi_and_key_case() -> None:
    line = "tag:e200 3412, DISC:2026/03/10 23:59:59.5, ant:0, Rssi:-61.5, Speed:0.0,"
    read = parse_line(line)
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time.local, read.antenna, read.rssi) == (
        "E2003412",
        datetime(2026, 3, 10, 23, 59, 59, 500_000),
        0,
        -61.5,
    )


def test_no_antenna_is_none() -> None:
    read = parse_line("Tag:0A0B, Disc:2008/10/28 10:49:35.123")
    assert isinstance(read, DeviceRead)
    assert (read.antenna, read.rssi) == (None, None)
    assert read.time.local == datetime(2008, 10, 28, 10, 49, 35, 123_000)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "Tag: missing"),
        ("(No Tags)", "field: expected key:value, got '(No Tags)'"),
        ("Disc:2008/10/28 10:49:35, Ant:3", "Tag: missing"),
        ("Tag:0A0B, Last:2008/10/28 10:49:35", "Disc: missing"),
        ("Tag:, Disc:2008/10/28 10:49:35", "Tag: expected hex digits, got ''"),
        (
            "Tag:0A0B, Disc:28/10/2008 10:49:35",
            "Disc: expected YYYY/MM/DD HH:MM:SS[.mmm], got '28/10/2008 10:49:35'",
        ),
        ("Tag:0A0B, Disc:2008/10/32 10:49:35", "Disc: no such moment '2008/10/32 10:49:35'"),
        ("Tag:0A0B, Disc:2008/10/28 10:49:35, Ant:A", "Ant: expected a whole number, got 'A'"),
        (
            f"Tag:0A0B, Disc:2008/10/28 10:49:35, Ant:{'1' * 5000}",
            f"Ant: expected a whole number, got '{'1' * 5000}'",
        ),
        ("Tag:0A0B, Disc:2008/10/28 10:49:35, Rssi:high", "Rssi: expected a number, got 'high'"),
        ("Tag:0A0B Disc:2008/10/28 10:49:35", "Disc: missing"),  # the comma is missing
    ],
)
def test_each_broken_field_is_named(line: str, reason: str) -> None:
    assert parse_line(line, 8) == LineProblem("alien", 8, line, reason)


def test_a_taglist_across_midnight() -> None:
    result = read_file(FIXTURE)

    assert result.lines == 23
    assert [(problem.line, problem.reason) for problem in result.problems] == [
        (12, "Disc: missing"),
        (13, "Tag: expected hex digits, got 'E200 3412 B802 0118 0000 14G0'"),
        (14, "Disc: no such moment '2026/13/11 00:01:00.000'"),
        (15, "Ant: expected a whole number, got 'one'"),
        (16, "field: expected key:value, got 'garbage from a half-closed socket'"),
    ]
    reads = result.reads
    assert len(reads) == 15
    assert reads[3].time.local == datetime(2026, 3, 10, 23, 59, 59, 750_000)
    assert reads[4].time.local == datetime(2026, 3, 11, 0, 0, 0, 500_000)
    assert [read.antenna for read in reads if read.tag.endswith("1207")] == [0, 1]
    assert [read.rssi for read in reads if read.rssi is not None] == [-61.5, -61.5]
    sightings = Counter((read.tag, read.time, read.antenna) for read in reads)
    assert [key[0] for key, count in sightings.items() if count > 1] == ["E2003412B802011800002203"]


def test_latin_1_and_cr_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "taglist.txt"
    path.write_bytes(b"(No Tags)\r" + SAMPLE.encode() + b", Host:caf\xe9\r\r")
    result = read_file(path)
    assert (result.lines, result.encoding, len(result.reads)) == (3, "latin-1", 1)
    assert result.reads[0].raw.endswith("Host:café")


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
        new = draw(st.sampled_from(",:/0123456789 .-") | CHARS)
        text = text[:at] + new + text[at + draw(st.integers(0, 1)) :]
    return text


def check(text: str, line: int) -> None:
    result = parse_line(text, line)
    assert isinstance(result, DeviceRead | LineProblem)
    if isinstance(result, LineProblem):
        assert (result.line, result.format) == (line, "alien")
        assert result.reason


@given(st.text(CHARS), st.integers(1, 10**6))
def test_any_text_is_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(mutated(SAMPLE), st.integers(1, 10**6))
def test_a_damaged_line_is_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(
    st.lists(st.from_regex(r"[0-9A-F]{4}", fullmatch=True), min_size=1, max_size=8),
    st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1)),
    st.integers(0, 3),
)
def test_what_the_reader_sends_is_read_back(
    groups: list[str], moment: datetime, antenna: int
) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    disc = f"{moment:%Y/%m/%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
    read = parse_line(f"Tag:{' '.join(groups)}, Disc:{disc}, Last:{disc}, Count:1, Ant:{antenna}")
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time.local, read.antenna) == ("".join(groups), moment, antenna)
