"""A timing device file's format from its content, and every line of it accounted for:
a read with its line number, a problem, or a control or blank line skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from desert_runners.adapters.readers.columns import column_map
from desert_runners.adapters.readers.detect import (
    FORMATS,
    detect_file,
    detect_format,
    read_device_file,
)
from desert_runners.domain.errors import UserError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "readers"
EXAMPLES = Path(__file__).parents[2] / "examples" / "4deserts-2010" / "readers"

# file, format, reads, problems, lines, the reader's name in the file
CASES = [
    ("alien_taglist.txt", "alien", 15, 5, 23, ""),
    ("chronotrack_passings.txt", "chronotrack", 12, 6, 26, "0F2A38"),
    ("impinj_log.txt", "impinj", 19, 4, 25, ""),
    ("ipico_stream.txt", "ipico", 23, 4, 29, "01"),
    ("jchip_passings.txt", "jchip", 11, 9, 23, "CP5-IMPINJ"),
    ("mylaps_messages.txt", "mylaps", 13, 9, 19, "1"),
    ("raceresult_passings.txt", "raceresult", 12, 5, 26, "CP5-Camp"),
    ("ultra_stream.txt", "ultra", 23, 4, 31, "1"),
    ("wiclax_generic.txt", "wiclax", 16, 5, 25, ""),
]


@pytest.mark.parametrize(("name", "kind", "reads", "problems", "lines", "device"), CASES)
def test_each_format_is_recognised_and_every_line_accounted_for(
    name: str, kind: str, reads: int, problems: int, lines: int, device: str
) -> None:
    found = read_device_file(FIXTURES / name)
    assert (found.format, len(found.reads), len(found.problems)) == (kind, reads, problems)
    assert (found.lines, found.device, found.name) == (lines, device, name)
    assert detect_file(FIXTURES / name) == kind
    numbers = [item.line for item in found.reads]
    assert numbers == sorted(numbers)
    assert all(1 <= number <= lines for number in numbers)
    assert read_device_file(FIXTURES / name, kind) == found  # --format gives the same


def test_read_line_numbers_point_at_the_file() -> None:
    found = read_device_file(FIXTURES / "jchip_passings.txt")
    text = (FIXTURES / "jchip_passings.txt").read_bytes().decode().splitlines()
    first = found.reads[0]
    assert first.line == 3
    assert text[first.line - 1] == first.read.raw
    mylaps = read_device_file(FIXTURES / "mylaps_messages.txt")
    assert [item.line for item in mylaps.reads[:3]] == [4, 5, 5]  # the gun, then 2 in one


def test_control_lines_of_a_stream_are_skipped_not_problems() -> None:
    found = read_device_file(FIXTURES / "raceresult_passings.txt")
    assert not any(
        problem.raw.startswith(("GETPROTOCOL", "PASSINGS")) for problem in found.problems
    )


def test_the_example_series_device_files() -> None:
    cp5 = read_device_file(EXAMPLES / "atacama-5-cp5-wiclax.txt")
    assert (cp5.format, len(cp5.reads), cp5.lines) == ("wiclax", 6, 8)
    assert [str(problem) for problem in cp5.problems] == [
        "line 7: time: expected dd-mm-yyyy hh:mm:ss.ccc, got '12-03-2010 0:52': "
        "'A018637C;12-03-2010 0:52;0A;6;;0'"
    ]
    finish = read_device_file(EXAMPLES / "atacama-5-finish-raceresult.txt")
    assert (finish.format, len(finish.reads), finish.problems) == ("raceresult", 4, ())


def test_a_file_no_format_reads_is_refused_naming_what_is_known(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("bib,name\n101,Ana\n", encoding="utf-8")
    assert detect_format(other.read_text().splitlines()) is None
    assert detect_file(other) is None
    with pytest.raises(UserError) as raised:
        read_device_file(other)
    assert str(raised.value) == (
        "notes.txt: not a timing device file this program knows (Alien taglist, ChronoTrack "
        "CTP01, Impinj log, iPico, JChip, MyLaps Exchange, RaceResult decoder, RFID Ultra, "
        "Wiclax): give --format, or --columns for any other CSV"
    )


@pytest.mark.parametrize(
    ("kind", "mapping", "message"),
    [
        ("wiclax", "tag=1,time=2", "--columns is for CSV files: it cannot go with --format wiclax"),
        ("csv", None, "--format csv needs --columns (tag=2,time=3, or a YAML file)"),
        ("sportident", None, "--format 'sportident': expected one of " + ", ".join(FORMATS)),
    ],
)
def test_formats_and_mappings_that_do_not_go_together(
    kind: str, mapping: str | None, message: str
) -> None:
    with pytest.raises(UserError) as raised:
        read_device_file(
            FIXTURES / "wiclax_generic.txt", kind, column_map(mapping) if mapping else None
        )
    assert str(raised.value) == message


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    assert detect_file(tmp_path / "gone.txt") is None
    with pytest.raises(UserError) as raised:
        read_device_file(tmp_path / "gone.txt")
    assert str(raised.value) == f"no such file: {tmp_path / 'gone.txt'}"
