"""Any CSV of reads through a column mapping: given inline or as a YAML file, with its
header, delimiter and times recognised, and every mistake in the mapping named."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from desert_runners.adapters.readers.columns import ColumnMap, column_map, parse_line
from desert_runners.adapters.readers.detect import read_device_file
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem
from desert_runners.domain.errors import UserError

MAP = ColumnMap({"tag": 2, "time": 3})


def test_an_inline_mapping() -> None:
    assert column_map("tag=2, time=3,antenna=5") == ColumnMap({"tag": 2, "time": 3, "antenna": 5})


def test_a_mapping_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(UserError) as raised:
        column_map(str(tmp_path))
    assert str(raised.value) == f"{tmp_path.name}: cannot read: Is a directory"
    (tmp_path / "latin.yaml").write_bytes(b"tag: \xe9\n")
    with pytest.raises(UserError) as raised:
        column_map(str(tmp_path / "latin.yaml"))
    assert str(raised.value) == "latin.yaml: not YAML: UnicodeDecodeError"


def test_a_yaml_mapping(tmp_path: Path) -> None:
    path = tmp_path / "mat.yaml"
    path.write_text('tag: 1\ntime: 2\ndate: 3\ndelimiter: ";"\nheader: false\n', encoding="utf-8")
    assert column_map(str(path)) == ColumnMap({"tag": 1, "time": 2, "date": 3}, ";", False)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "tag=2,3",
            "--columns 'tag=2,3': expected FIELD=COLUMN pairs such as tag=2,time=3, or a YAML file",
        ),
        (
            "tag=2,time=3,bib=4",
            "--columns: unknown field 'bib' (fields: tag, time, date, sequence, antenna, rssi; "
            "options: delimiter, header)",
        ),
        ("tag=0,time=3", "--columns: tag: expected a column number from 1, got '0'"),
        ("tag=two,time=3", "--columns: tag: expected a column number from 1, got 'two'"),
        ("tag=2", "--columns: time: missing (tag and time are needed)"),
        ("antenna=2", "--columns: tag and time: missing (tag and time are needed)"),
        ("gone.yaml", "--columns 'gone.yaml': no such file (or give tag=2,time=3)"),
    ],
)
def test_mistakes_in_an_inline_mapping(spec: str, message: str) -> None:
    with pytest.raises(UserError) as raised:
        column_map(spec)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- tag\n- time\n", "map.yaml: expected a mapping such as 'tag: 2' and 'time: 3'"),
        (
            "tag: 1\ntime: 2\ndelimiter: ';;'\n",
            "map.yaml: delimiter: expected one character, got ';;'",
        ),
        (
            "tag: 1\ntime: 2\nheader: maybe\n",
            "map.yaml: header: expected true or false, got 'maybe'",
        ),
        ("tag: true\ntime: 2\n", "map.yaml: tag: expected a column number from 1, got True"),
        ("tag: 1\ntime: [2\n", "map.yaml:3: not YAML: expected ',' or ']', but got '<stream end>'"),
    ],
)
def test_mistakes_in_a_yaml_mapping(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        column_map(str(path))
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1,E2001,12:03:04.5", DeviceTime(time_of_day=time(12, 3, 4, 500000))),
        (
            "1,E2001,2010-03-11 23:48:05.120",
            DeviceTime(local=datetime(2010, 3, 11, 23, 48, 5, 120000)),
        ),
        ("1,E2001,2010/3/9 07:00", DeviceTime(local=datetime(2010, 3, 9, 7, 0))),
        (
            "1,E2001,2010-03-12T02:48:05Z",
            DeviceTime(utc=datetime(2010, 3, 12, 2, 48, 5, tzinfo=UTC)),
        ),
        (
            "1,E2001,2010-03-11T23:48:05-03:00",
            DeviceTime(utc=datetime(2010, 3, 12, 2, 48, 5, tzinfo=UTC)),
        ),
    ],
)
def test_times_as_exports_write_them(line: str, expected: DeviceTime) -> None:
    read = parse_line(line, 1, MAP, ",")
    assert isinstance(read, DeviceRead)
    assert (read.tag, read.time, read.format, read.raw) == ("E2001", expected, "csv", line)


def test_a_date_column_dates_a_time_of_day() -> None:
    mapping = ColumnMap({"tag": 1, "time": 2, "date": 3, "sequence": 4, "antenna": 5, "rssi": 6})
    read = parse_line("e2001;05:55:20;2010-03-12;17;2;-61.5", 4, mapping, ";")
    assert read == DeviceRead(
        format="csv",
        tag="E2001",
        time=DeviceTime(local=datetime.combine(date(2010, 3, 12), time(5, 55, 20))),
        raw="e2001;05:55:20;2010-03-12;17;2;-61.5",
        sequence=17,
        antenna=2,
        rssi=-61.5,
    )


@pytest.mark.parametrize(
    ("line", "mapping", "reason"),
    [
        ("1,E2001", MAP, "fields: expected at least 3, got 2"),
        ("1,E 2001,12:00", MAP, "tag: expected letters and digits, got 'E 2001'"),
        (
            "1,E2001,noon",
            MAP,
            "time: expected HH:MM:SS[.f], YYYY-MM-DD HH:MM:SS[.f] or ISO 8601 with an offset, "
            "got 'noon'",
        ),
        (
            "1,E2001,2010-02-30 12:00",
            MAP,
            "time: expected HH:MM:SS[.f], YYYY-MM-DD HH:MM:SS[.f] or ISO 8601 with an offset, "
            "got '2010-02-30 12:00'",
        ),
        (
            "E2001,12:00,12/03/2010",
            ColumnMap({"tag": 1, "time": 2, "date": 3}),
            "date: expected YYYY-MM-DD, got '12/03/2010'",
        ),
        (
            "E2001,12:00,x",
            ColumnMap({"tag": 1, "time": 2, "antenna": 3}),
            "antenna: expected a number, got 'x'",
        ),
    ],
)
def test_each_bad_line_says_what_is_wrong(line: str, mapping: ColumnMap, reason: str) -> None:
    assert parse_line(line, 7, mapping, ",") == LineProblem("csv", 7, line, reason)


def test_a_csv_file_with_a_header_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Nr;Chip;Zeit\n1;84B3ED37;23:48:05\n2;8AEAFF07;2x:00\n\n3;E885E2C2;00:00:03\n",
        encoding="utf-8",
    )
    found = read_device_file(path, mapping=column_map("tag=2,time=3"))
    assert (found.format, found.lines) == ("csv", 5)
    assert [(item.line, item.read.tag) for item in found.reads] == [
        (2, "84B3ED37"),
        (5, "E885E2C2"),
    ]
    assert [(problem.line, problem.reason[:5]) for problem in found.problems] == [(3, "time:")]


def test_a_damaged_first_line_is_reported_not_taken_for_a_header(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("1,84B3ED37,23:4x:05\n2,8AEAFF07,23:59:58\n", encoding="utf-8")
    found = read_device_file(path, "csv", column_map("tag=2,time=3"))
    assert [item.line for item in found.reads] == [2]
    assert [problem.line for problem in found.problems] == [1]
