"""RFID Ultra / Joey: the documented sample, a capture, the commands, and fuzzing.

``tests/fixtures/readers/ultra_stream.txt`` is a made-up capture of a long march finish
on 10-11 March 2026, box 1 (an Ultra-8): the connect banner and voltage lines, the start
trigger (chip 0, port 0), a runner read on several antennas and both readers, midnight
crossed at line 10, a read sent twice, LogIDs 1040-1041 missed live and then rewound
(1039-1042, ``isRewind`` 1), and four broken lines (25-28).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem
from desert_runners.adapters.readers.ultra import (
    EPOCH,
    is_rewind,
    missing_log_ids,
    parse_line,
    read_file,
    rewind,
    rewind_missing,
    set_clock,
)
from desert_runners.domain.errors import UserError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "ultra_stream.txt"
SAMPLE = "0,11055,1170518701,698,1,-71,0,2,1,0000000000000000,0,29319"


def test_the_documented_sample() -> None:
    assert parse_line(SAMPLE, 7) == DeviceRead(
        format="ultra",
        tag="11055",
        time=DeviceTime(local=datetime(2017, 2, 2, 16, 5, 1, 698_000)),
        raw=SAMPLE,
        device="1",
        sequence=29319,
        antenna=5,  # port 1 of reader 2
        rssi=-71.0,
    )


def test_the_line_end_is_not_part_of_the_read() -> None:
    read = parse_line(SAMPLE + "\r\n")
    assert isinstance(read, DeviceRead)
    assert read.raw == SAMPLE


def test_the_start_trigger_is_tag_0_on_antenna_0() -> None:
    read = parse_line("0,0,1457654321,215,0,0,0,1,1,0000000000000000,0,1031")
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.antenna, read.sequence) == ("0", 0, 1031)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "fields: expected 12 comma-separated, got 1"),
        ("V=12.62", "fields: expected 12 comma-separated, got 1"),
        (SAMPLE + ",7", "fields: expected 12 comma-separated, got 13"),
        (SAMPLE.replace("0,", "2,", 1), "record type: expected 0 or 1, got '2'"),
        (SAMPLE.replace("11055", "11-55"), "chip: expected letters or digits, got '11-55'"),
        (SAMPLE.replace("1170518701", ""), "seconds: expected a whole number, got ''"),
        (SAMPLE.replace("1170518701", "-5"), "seconds: expected seconds since 1980, got -5"),
        (
            SAMPLE.replace("1170518701", "999999999999"),
            "seconds: expected seconds since 1980, got 999999999999",
        ),
        (SAMPLE.replace(",698,", ",1000,"), "milliseconds: expected 0-999, got 1000"),
        (SAMPLE.replace(",698,1,", ",698,5,"), "port: expected 0-4, got 5"),
        (SAMPLE.replace("-71", "strong"), "RSSI: expected a number, got 'strong'"),
        (SAMPLE.replace("-71,0,", "-71,2,"), "rewind: expected 0 or 1, got '2'"),
        (SAMPLE.replace("-71,0,2,", "-71,0,0,"), "reader: expected 1 or 2, got '0'"),
        (SAMPLE.replace("29319", "-1"), "LogID: expected 0 or more, got -1"),
        (
            SAMPLE.replace("29319", "9" * 5000),
            f"LogID: expected a whole number, got '{'9' * 5000}'",
        ),
    ],
)
def test_each_broken_field_is_named(line: str, reason: str) -> None:
    assert parse_line(line, 12) == LineProblem("ultra", 12, line, reason)


def test_a_capture_of_a_long_march_finish() -> None:
    result = read_file(FIXTURE)

    assert result.lines == 31
    assert result.encoding == "utf-8"
    assert [(problem.line, problem.reason) for problem in result.problems] == [
        (25, "fields: expected 12 comma-separated, got 10"),
        (26, "seconds: expected a whole number, got '14577409x2'"),
        (27, "milliseconds: expected 0-999, got 1200"),
        (28, "reader: expected 1 or 2, got '3'"),
    ]
    assert len(result.reads) == 23
    assert {read.device for read in result.reads} == {"1"}
    assert {read.time.local.date() for read in result.reads if read.time.local} == {
        datetime(2026, 3, 10).date(),
        datetime(2026, 3, 11).date(),
    }
    assert [read.antenna for read in result.reads if read.tag == "1207"] == [1, 2, 5]
    sightings = Counter((read.tag, read.time) for read in result.reads)
    # 1420 sent twice live; 1188 and 2203 again in the rewind
    assert {tag for (tag, _), count in sightings.items() if count > 1} == {"1420", "1188", "2203"}


def test_the_missed_log_ids_are_found_and_come_back_on_rewind() -> None:
    reads = read_file(FIXTURE).reads
    highest: int | None = None
    gaps: list[range] = []
    for read in reads:
        assert read.sequence is not None
        if not is_rewind(read) and (gap := missing_log_ids(highest, read.sequence)):
            gaps.append(gap)
        highest = read.sequence if highest is None else max(highest, read.sequence)

    assert gaps == [range(1040, 1042)]
    assert rewind_missing(gaps[0]) == "6\0\x001039\r1042\r"
    assert [read.sequence for read in reads if is_rewind(read)] == [1039, 1040, 1041, 1042]


@pytest.mark.parametrize(
    ("previous", "current", "missing"),
    [
        (None, 17, range(0)),
        (16, 17, range(0)),
        (16, 16, range(0)),  # the same read again
        (16, 3, range(0)),  # a rewound read, or a box whose memory was cleared
        (16, 18, range(17, 18)),
        (0, 5, range(1, 5)),
    ],
)
def test_missing_log_ids(previous: int | None, current: int, missing: range) -> None:
    assert missing_log_ids(previous, current) == missing


def test_commands() -> None:
    assert rewind(1040, 1041) == "6\x00\x001040\r1041\r"
    assert rewind(0, 0) == "6\x00\x000\r0\r"
    assert rewind_missing(range(1, 3)) == "6\x00\x000\r3\r"
    assert rewind_missing(range(0, 2)) == "6\x00\x000\r2\r"
    assert set_clock(datetime(2026, 3, 10, 5, 4, 3, 999_999)) == "t 05:04:03 10-03-2026"
    with pytest.raises(ValueError, match="from_id <= to_id"):
        rewind(5, 4)
    with pytest.raises(ValueError, match="no LogID is missing"):
        rewind_missing(range(0))


def test_a_missing_file_is_one_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^no such file: .*nothing\.txt$"):
        read_file(tmp_path / "nothing.txt")


# --- fuzzing ------------------------------------------------------------------------

CHARS = st.characters(codec="utf-8")


@st.composite
def mutated(draw: st.DrawFn, line: str) -> str:
    """``line`` with a few characters replaced, inserted or deleted."""
    text = line
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        change = draw(st.sampled_from(("replace", "insert", "delete")))
        new = draw(st.sampled_from(",0123456789-ab \r\0") | CHARS)
        if change == "insert":
            text = text[:at] + new + text[at:]
        elif change == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + new + text[at + 1 :]
    return text


def check(text: str, line: int) -> None:
    result = parse_line(text, line)
    assert isinstance(result, DeviceRead | LineProblem)
    if isinstance(result, LineProblem):
        assert (result.line, result.format) == (line, "ultra")
        assert result.reason


@given(st.text(CHARS), st.integers(1, 10**6))
def test_any_text_is_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(mutated(SAMPLE), st.integers(1, 10**6))
def test_a_damaged_line_is_a_read_or_a_problem(text: str, line: int) -> None:
    check(text, line)


@given(
    chip=st.from_regex(r"[0-9A-F]{1,12}", fullmatch=True),
    moment=st.datetimes(datetime(1980, 1, 1), datetime(2100, 1, 1)),
    port=st.integers(1, 4),
    reader=st.integers(1, 2),
    rssi=st.integers(-99, 0),
    log_id=st.integers(0, 10**9),
)
def test_what_the_box_sends_is_read_back(
    chip: str, moment: datetime, port: int, reader: int, rssi: int, log_id: int
) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    seconds = (moment - EPOCH) // timedelta(seconds=1)
    line = (
        f"0,{chip},{seconds},{moment.microsecond // 1000},{port},{rssi},0,{reader},7,"
        f"0000000000000000,0,{log_id}"
    )
    read = parse_line(line)
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time.local, read.sequence, read.rssi) == (chip, moment, log_id, rssi)
    assert read.antenna == port + 4 * (reader - 1)
