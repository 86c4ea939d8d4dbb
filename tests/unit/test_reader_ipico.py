"""iPico: the documented sample, a capture, the checksum, and fuzzing.

``tests/fixtures/readers/ipico_stream.txt`` is a made-up capture from reader 01 on the
night of 10-11 March 2026: tags read several times a crossing, one line sent twice,
midnight crossed at line 8, a control frame (``ab...``, line 15), a first-seen/last-seen
pair (``FS``/``LS``), a bad checksum, a line cut short, hundredths over 99 and 30
February (lines 18-21, the last two with good checksums).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers.ipico import checksum, parse_line, read_file
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem
from desert_runners.domain.errors import UserError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "ipico_stream.txt"
SAMPLE = "aa00058000123b3200012603071348503277"
HEX = "0123456789abcdef"


def line_of(body: str) -> str:
    """A line with a good checksum around ``body`` (reader id to hundredths)."""
    return f"aa{body}{checksum(body):02x}"


def test_the_documented_sample() -> None:
    assert parse_line(SAMPLE, 3) == DeviceRead(
        format="ipico",
        tag="058000123B32",
        time=DeviceTime(local=datetime(2026, 3, 7, 13, 48, 50, 500_000)),
        raw=SAMPLE,
        device="00",
    )


def test_the_checksum_of_the_sample() -> None:
    assert checksum(SAMPLE[2:34]) == 0x77


def test_first_seen_and_last_seen_lines_are_reads() -> None:
    for suffix in ("FS", "LS"):
        read = parse_line(SAMPLE + suffix + "\r\n")
        assert isinstance(read, DeviceRead)
        assert (read.tag, read.raw) == ("058000123B32", SAMPLE + suffix)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "length: expected 36 hex characters, got 0"),
        (SAMPLE[:-1], "length: expected 36 hex characters, got 35"),
        (SAMPLE + "XX", "length: expected 36 hex characters, got 38"),
        (SAMPLE[:10] + "g" + SAMPLE[11:], "characters: expected hex digits only"),
        ("ab" + SAMPLE[2:], "prefix: expected aa, got ab"),
        (SAMPLE[:-2] + "78", "checksum: expected 77, got 78"),
        (SAMPLE[:5] + "1" + SAMPLE[6:], "checksum: expected 73, got 77"),  # 5 -> 1: 4 less
        (
            line_of("00058000123b320001260307134850" + "64"),
            "hundredths: expected 00-63 in hex, got 64",
        ),
        (
            line_of("00058000123b3200012603071348" + "5a" + "32"),
            "date and time: expected YYMMDDHHMMSS in digits, got 26030713485a",
        ),
        (
            line_of("00058000123b320001" + "260230134850" + "32"),
            "date and time: no such moment 260230134850",
        ),
        (
            line_of("00058000123b320001" + "260307246050" + "32"),
            "date and time: no such moment 260307246050",
        ),
    ],
)
def test_each_broken_field_is_named(line: str, reason: str) -> None:
    assert parse_line(line, 9) == LineProblem("ipico", 9, line, reason)


def test_a_capture_across_midnight() -> None:
    result = read_file(FIXTURE)

    assert result.lines == 29
    assert [(problem.line, problem.reason) for problem in result.problems] == [
        (18, "checksum: expected 8e, got 00"),
        (19, "length: expected 36 hex characters, got 30"),
        (20, "hundredths: expected 00-63 in hex, got 64"),
        (21, "date and time: no such moment 260230000100"),
    ]
    reads = result.reads
    assert len(reads) == 23
    assert {read.device for read in reads} == {"01"}
    assert reads[6].time.local == datetime(2026, 3, 10, 23, 59, 59, 990_000)
    assert reads[7].time.local == datetime(2026, 3, 11, 0, 0, 0)
    assert [read.time.local for read in reads if read.tag == "0580001300FF"] == [
        datetime(2026, 3, 11, 0, 0, 0, 70_000),  # 07 in hex
        datetime(2026, 3, 11, 0, 0, 0, 200_000),  # 14 in hex
    ]
    sightings = Counter((read.tag, read.time) for read in reads)
    assert [key[0] for key, count in sightings.items() if count > 1] == ["05800013F00D"]


def test_crlf_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "capture.txt"
    path.write_bytes(b"\xef\xbb\xbf" + (SAMPLE + "\r\n").encode() * 2 + b"\r\n")
    result = read_file(path)
    assert (result.lines, len(result.reads), result.problems) == (3, 2, ())
    assert result.reads[0].raw == SAMPLE


def test_a_missing_file_is_one_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^no such file: "):
        read_file(tmp_path / "nothing.txt")


# --- fuzzing ------------------------------------------------------------------------

CHARS = st.characters(codec="utf-8")


@st.composite
def valid_lines(draw: st.DrawFn) -> tuple[str, str, datetime]:
    reader = draw(st.text(HEX, min_size=2, max_size=2))
    tag = draw(st.text(HEX, min_size=12, max_size=12))
    channels = draw(st.text(HEX, min_size=4, max_size=4))
    moment = draw(st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31, 23, 59, 59)))
    moment = moment.replace(microsecond=moment.microsecond // 10_000 * 10_000)
    hundredths = f"{moment.microsecond // 10_000:02x}"
    return line_of(f"{reader}{tag}{channels}{moment:%y%m%d%H%M%S}{hundredths}"), tag, moment


@given(valid_lines())
def test_what_the_reader_sends_is_read_back(valid: tuple[str, str, datetime]) -> None:
    line, tag, moment = valid
    read = parse_line(line)
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time.local, read.device) == (tag.upper(), moment, line[2:4])


@given(valid_lines(), st.integers(0, 35), st.sampled_from(HEX))
def test_one_changed_hex_character_never_passes(
    valid: tuple[str, str, datetime], at: int, new: str
) -> None:
    line = valid[0]
    changed = line[:at] + new + line[at + 1 :]
    result = parse_line(changed)
    if changed == line:
        assert isinstance(result, DeviceRead)
    else:
        # A single character moves the sum by at most 'f' - '0' = 54: the checksum sees it.
        assert isinstance(result, LineProblem)
        assert result.reason.startswith("prefix" if at < 2 else "checksum")


@given(st.text(CHARS), st.integers(1, 10**6))
def test_any_text_is_a_read_or_a_problem(text: str, line: int) -> None:
    result = parse_line(text, line)
    assert isinstance(result, DeviceRead | LineProblem)
    if isinstance(result, LineProblem):
        assert result.line == line
        assert result.reason


@given(valid_lines(), st.lists(st.tuples(st.integers(0, 40), CHARS), min_size=1, max_size=4))
def test_a_damaged_line_is_a_read_or_a_problem(
    valid: tuple[str, str, datetime], changes: list[tuple[int, str]]
) -> None:
    text = valid[0]
    for at, new in changes:
        text = text[:at] + new + text[at + 1 :]
    assert isinstance(parse_line(text), DeviceRead | LineProblem)
