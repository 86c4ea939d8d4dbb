"""The result exporters (CSV, JSON, XLSX, PDF, terminal table) on a hand-made sheet: the
Gobi March GC after the long march, 12 runners with a tie for first, a penalty, a DNF,
a DQ, accented names and times over 24 hours; each written to a real file and read back."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from markupsafe import escape
from rich.console import Console

from desert_runners.adapters.exporters.formats import FORMATS, write_sheet
from desert_runners.adapters.exporters.results_csv import write_csv
from desert_runners.adapters.exporters.results_json import sheet_document
from desert_runners.adapters.exporters.results_pdf import render_html, write_pdf
from desert_runners.adapters.exporters.results_table import print_sheet
from desert_runners.adapters.exporters.results_xlsx import sheet_name, write_xlsx
from desert_runners.domain.errors import UserError
from desert_runners.results.sheet import SHEET_SCHEMA, ResultSheet

H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
LEADER = 31 * H + 4 * M + 9 * S

# rank, bib, name, gender, category, nationality, team, time, penalty, status, note
RUNNERS: list[tuple[object, ...]] = [
    (1, 101, "José Núñez", "M", "40-49", "ESP", "Arena Roja", LEADER, None, "ranked", None),
    (1, 214, "Zoë van der Berg", "F", "30-39", "NLD", None, LEADER, None, "ranked", None),
    (3, 57, "Tomás O'Brien", "M", "30-39", "IRL", "Arena Roja", 32 * H + 10 * M + 45 * S,
     30 * M, "ranked", "lost bib, stage 2: 0:30:00"),
    (4, 88, "Li Wei", "M", "20-29", "CHN", None, 33 * H + 2 * M, None, "ranked", None),
    (5, 12, "Anna Schmidt", "F", "50-59", "DEU", None, 34 * H + 45 * M + 3 * S, None,
     "ranked", None),
    (6, 301, "Kenji Watanabe", "M", "60-69", "JPN", None, 36 * H + 0 * M + 59 * S, None,
     "ranked", None),
    (7, 45, 'Sarah "Sam" Connor', "F", "40-49", "USA", "Trail Mix", 38 * H + 12 * M, None,
     "ranked", None),
    (8, 150, "Mohammed Al-Fayed", "M", "30-39", "EGY", "Trail Mix", 40 * H + 30 * M, None,
     "ranked", None),
    (9, 77, "Chloé Dubois", "F", "20-29", "FRA", None, 44 * H + 1 * S, None, "ranked", None),
    (10, 9, "Bjørn Hansen", "M", "50-59", "NOR", None, 52 * H + 59 * M + 59 * S, None,
     "ranked", None),
    (None, 33, "Emma Clarke", "F", "30-39", "GBR", None, None, None, "dq",
     "missing sleeping bag (DQ)"),
    (None, 120, "Pedro Alves", "M", "40-49", "BRA", None, None, None, "dnf",
     "withdrew at CP3, stage 4"),
]  # fmt: skip
GENERATED = datetime(2024, 6, 20, 12, 15, tzinfo=UTC)  # 20:15 in Mongolia / China


def frame(runners: Sequence[tuple[object, ...]]) -> pl.DataFrame:
    columns = [c for c in SHEET_SCHEMA if c != "gap"]
    rows = pl.DataFrame(
        [dict(zip(columns, runner, strict=True)) for runner in runners],
        schema={c: SHEET_SCHEMA[c] for c in columns},
    )
    leader = pl.col("time").filter(pl.col("rank") == 1).first()
    gap = pl.when(pl.col("rank").is_not_null()).then(pl.col("time") - leader)
    return rows.with_columns(gap.alias("gap")).select(list(SHEET_SCHEMA))


def make_sheet(
    sections: tuple[tuple[str, pl.DataFrame], ...] | None = None, *, official: bool = False
) -> ResultSheet:
    return ResultSheet(
        race="Gobi March 2024",
        title="Overall after stage 4",
        time_zone="Asia/Shanghai",
        generated_at=GENERATED,
        sections=sections or (("", frame(RUNNERS)),),
        official=official,
    )


def by_gender() -> ResultSheet:
    women = [r for r in RUNNERS if r[3] == "F"]
    men = [r for r in RUNNERS if r[3] == "M"]
    return make_sheet((("Women", frame(women)), ("Men", frame(men))))


HEADER = [
    "rank", "bib", "name", "gender", "category", "time", "status",
    "nationality", "team", "gap", "penalty", "note",
]  # fmt: skip
CSV_ROWS = [
    ["1", "101", "José Núñez", "M", "40-49", "31:04:09", "ranked",
     "ESP", "Arena Roja", "+0:00:00", "", ""],
    ["1", "214", "Zoë van der Berg", "F", "30-39", "31:04:09", "ranked",
     "NLD", "", "+0:00:00", "", ""],
    ["3", "57", "Tomás O'Brien", "M", "30-39", "32:10:45", "ranked",
     "IRL", "Arena Roja", "+1:06:36", "0:30:00", "lost bib, stage 2: 0:30:00"],
    ["4", "88", "Li Wei", "M", "20-29", "33:02:00", "ranked", "CHN", "", "+1:57:51", "", ""],
    ["5", "12", "Anna Schmidt", "F", "50-59", "34:45:03", "ranked",
     "DEU", "", "+3:40:54", "", ""],
    ["6", "301", "Kenji Watanabe", "M", "60-69", "36:00:59", "ranked",
     "JPN", "", "+4:56:50", "", ""],
    ["7", "45", 'Sarah "Sam" Connor', "F", "40-49", "38:12:00", "ranked",
     "USA", "Trail Mix", "+7:07:51", "", ""],
    ["8", "150", "Mohammed Al-Fayed", "M", "30-39", "40:30:00", "ranked",
     "EGY", "Trail Mix", "+9:25:51", "", ""],
    ["9", "77", "Chloé Dubois", "F", "20-29", "44:00:01", "ranked",
     "FRA", "", "+12:55:52", "", ""],
    ["10", "9", "Bjørn Hansen", "M", "50-59", "52:59:59", "ranked",
     "NOR", "", "+21:55:50", "", ""],
    ["", "33", "Emma Clarke", "F", "30-39", "", "dq", "GBR", "", "", "",
     "missing sleeping bag (DQ)"],
    ["", "120", "Pedro Alves", "M", "40-49", "", "dnf", "BRA", "", "", "",
     "withdrew at CP3, stage 4"],
]  # fmt: skip


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def seconds_of(text: str) -> int:
    hours, minutes, seconds = (int(part) for part in text.lstrip("+").split(":"))
    return hours * 3600 + minutes * 60 + seconds


# --- CSV ---------------------------------------------------------------------------------


def test_csv_has_the_header_and_every_row_as_written(tmp_path: Path) -> None:
    path = tmp_path / "gc.csv"
    write_sheet(make_sheet(), "csv", path)

    assert read_csv(path) == [HEADER, *CSV_ROWS]
    raw = path.read_bytes()
    assert raw.startswith(b"rank,bib,name,gender,category,time,status,")  # no BOM
    assert "José Núñez".encode() in raw  # UTF-8
    assert b'"Sarah ""Sam"" Connor"' in raw  # quotes doubled, commas quoted
    assert b'"lost bib, stage 2: 0:30:00"' in raw


def test_csv_of_a_grouped_sheet_leads_with_the_group(tmp_path: Path) -> None:
    path = tmp_path / "by-gender.csv"
    write_sheet(by_gender(), "csv", path)

    rows = read_csv(path)
    assert rows[0] == ["group", *HEADER]
    women = [row[1:] for row in rows[1:] if row[0] == "Women"]
    men = [row[1:] for row in rows[1:] if row[0] == "Men"]
    assert [row[0] for row in rows[1:]] == ["Women"] * 5 + ["Men"] * 7
    assert women == [row for row in CSV_ROWS if row[3] == "F"]
    assert [row[2] for row in men] == [row[2] for row in CSV_ROWS if row[3] == "M"]


def test_csv_with_a_heading_but_one_section_still_has_the_group() -> None:
    stream = io.StringIO()
    write_csv(make_sheet((("Arena Roja", frame(RUNNERS[:1])),)), stream)
    assert stream.getvalue().splitlines()[1].startswith("Arena Roja,1,101,José Núñez,")


def test_csv_goes_to_stdout_without_an_output(capsys: pytest.CaptureFixture[str]) -> None:
    write_sheet(make_sheet(), "csv", None)
    assert list(csv.reader(io.StringIO(capsys.readouterr().out))) == [HEADER, *CSV_ROWS]


# --- JSON --------------------------------------------------------------------------------


def test_json_document(tmp_path: Path) -> None:
    path = tmp_path / "gc.json"
    write_sheet(make_sheet(official=True), "json", path)

    document = json.loads(path.read_text(encoding="utf-8"))
    assert {k: v for k, v in document.items() if k != "sections"} == {
        "race": "Gobi March 2024",
        "title": "Overall after stage 4",
        "time_zone": "Asia/Shanghai",
        "generated_at": "2024-06-20T20:15:00+08:00",
        "official": True,
    }
    [section] = document["sections"]
    assert section["heading"] == ""
    first, _, third = section["rows"][:3]
    assert first == {
        "rank": 1,
        "bib": 101,
        "name": "José Núñez",
        "gender": "M",
        "category": "40-49",
        "nationality": "ESP",
        "team": "Arena Roja",
        "time": "31:04:09",
        "time_seconds": 111849,
        "gap": "+0:00:00",
        "gap_seconds": 0,
        "penalty": None,
        "penalty_seconds": None,
        "status": "ranked",
        "note": None,
    }
    assert (third["penalty"], third["penalty_seconds"]) == ("0:30:00", 1800)
    dnf = section["rows"][-1]
    assert (dnf["rank"], dnf["time"], dnf["time_seconds"], dnf["gap"]) == (None, None, None, None)
    assert dnf["status"] == "dnf"


def test_json_times_round_trip() -> None:
    document = sheet_document(make_sheet())
    rows = document["sections"][0]["rows"]
    for row, runner in zip(rows, RUNNERS, strict=True):
        assert row["name"] == runner[2]
        expected = runner[7]
        if expected is None:
            assert row["time"] is None
            continue
        assert isinstance(expected, timedelta)
        assert seconds_of(row["time"]) == row["time_seconds"] == expected.total_seconds()
        assert seconds_of(row["gap"]) == row["gap_seconds"] == (expected - LEADER).total_seconds()
    json.loads(json.dumps(document))  # plain JSON all the way down


# --- XLSX --------------------------------------------------------------------------------


def test_xlsx_one_sheet_with_title_header_and_durations(tmp_path: Path) -> None:
    path = tmp_path / "gc.xlsx"
    write_sheet(make_sheet(), "xlsx", path)

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Overall after stage 4"]
    ws = workbook.active
    assert ws is not None
    assert ws["A1"].value == "Gobi March 2024: Overall after stage 4"
    assert ws["A2"].value == "Provisional, generated 2024-06-20 20:15 Asia/Shanghai (UTC+08:00)"
    header = [cell.value for cell in ws[4]]
    assert header == [name.capitalize() for name in HEADER]
    assert all(cell.font.b for cell in ws[4])
    assert ws.freeze_panes == "A5"

    values = [[cell.value for cell in row] for row in ws.iter_rows(min_row=5)]
    assert len(values) == 12
    assert values[0] == [
        1, 101, "José Núñez", "M", "40-49", timedelta(hours=31, minutes=4, seconds=9),
        "Ranked", "ESP", "Arena Roja", timedelta(0), None, None,
    ]  # fmt: skip
    assert values[2][10] == timedelta(minutes=30)
    assert values[2][11] == "lost bib, stage 2: 0:30:00"
    assert [row[0] for row in values] == [1, 1, 3, 4, 5, 6, 7, 8, 9, 10, None, None]
    assert values[-2][:7] == [None, 33, "Emma Clarke", "F", "30-39", None, "DQ"]
    assert values[-1][6] == "DNF"

    time_cells = [row[5] for row in ws.iter_rows(min_row=5, max_row=14)]
    assert {cell.number_format for cell in time_cells} == {"[h]:mm:ss"}
    assert ws["J5"].number_format == "+[h]:mm:ss"
    assert ws["K7"].number_format == "[h]:mm:ss"
    assert ws.column_dimensions["C"].width >= len("Mohammed Al-Fayed")


def test_xlsx_stores_durations_as_fractions_of_a_day(tmp_path: Path) -> None:
    path = tmp_path / "gc.xlsx"
    write_xlsx(make_sheet(), path)

    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    stored = re.search(r'<c r="F5"[^>]*><v>([^<]+)</v>', xml)
    assert stored is not None
    assert float(stored.group(1)) == pytest.approx(111849 / 86400, abs=1e-12)  # 1.2945...


def test_xlsx_of_a_grouped_sheet_has_a_worksheet_per_section(tmp_path: Path) -> None:
    path = tmp_path / "by-gender.xlsx"
    write_sheet(by_gender(), "xlsx", path)

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Women", "Men"]
    women, men = workbook["Women"], workbook["Men"]
    assert women["A1"].value == "Gobi March 2024: Overall after stage 4 (Women)"
    assert [row[2].value for row in women.iter_rows(min_row=5)] == [
        "Zoë van der Berg", "Anna Schmidt", 'Sarah "Sam" Connor', "Chloé Dubois", "Emma Clarke",
    ]  # fmt: skip
    assert men["C5"].value == "José Núñez"


def test_worksheet_names_are_sanitised_and_unique() -> None:
    taken: set[str] = set()
    names = []
    wanted_names = (
        "Stage 4: the long march [80 km] / day 2?",
        "Stage 4: the long march [80 km]",
        "stage 4 the long march 80 km DAY 3",
        "",
        "'Quoted'",
        "history",
        "*:?",
    )
    for wanted in wanted_names:
        name = sheet_name(wanted, taken)
        taken.add(name.casefold())
        names.append(name)
    assert all(len(name) <= 31 for name in names)
    assert not any(set(name) & set("[]:*?/\\") for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    assert names[:3] == [
        "Stage 4 the long march 80 km da",
        "Stage 4 the long march 80 km",
        "stage 4 the long march 80 k (2)",
    ]
    assert names[3:] == ["Results", "Quoted", "history (2)", "Results (2)"]


def pdf_objects(data: bytes) -> bytes:
    """The PDF with its compressed streams (object streams among them) inflated."""
    inflated = [data]
    for stream in re.finditer(rb"/FlateDecode[^>]*>>\s*stream\r?\n", data):
        try:
            inflated.append(zlib.decompressobj().decompress(data[stream.end() :]))
        except zlib.error:
            continue
    return b"\n".join(inflated)


# --- PDF ---------------------------------------------------------------------------------


def test_html_escapes_every_name_and_says_provisional() -> None:
    runners = [*RUNNERS, (None, 666, "<script>alert('x')</script>", "M", "", "", None, None,
                          None, "dns", "did not start & <b>no</b> show")]  # fmt: skip
    page = render_html(make_sheet((("", frame(runners)),)))

    for runner in runners:
        assert escape(str(runner[2])) in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "did not start &amp; &lt;b&gt;no&lt;/b&gt; show" in page
    assert "PROVISIONAL" in page
    assert "OFFICIAL" not in page
    assert "2024-06-20 20:15 Asia/Shanghai (UTC+08:00)" in page
    assert "31:04:09" in page
    assert "+1:06:36" in page
    assert "<thead>" in page  # repeated on every page
    assert 'counter(page) " of " counter(pages)' in page  # the CSS is embedded
    assert "<link" not in page


def test_html_of_an_official_grouped_sheet() -> None:
    sheet = by_gender()
    page = render_html(
        ResultSheet(
            sheet.race, sheet.title, sheet.time_zone, sheet.generated_at, sheet.sections, True
        )
    )
    assert "OFFICIAL" in page
    assert "PROVISIONAL" not in page
    assert page.index("<h3>Women</h3>") < page.index("Zoë") < page.index("<h3>Men</h3>")


def test_pdf_is_a4_landscape_with_numbered_pages(tmp_path: Path) -> None:
    many = [
        (rank, 400 + rank, f"Runner Número {rank}", "F", "30-39", "CHL", None,
         LEADER + rank * M, None, "ranked", None)
        for rank in range(1, 121)
    ]  # fmt: skip
    path = tmp_path / "gc.pdf"
    write_sheet(make_sheet((("", frame(many)), ("Main", frame(RUNNERS)))), "pdf", path)

    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    objects = pdf_objects(data)
    pages = len(re.findall(rb"/Type\s*/Page\b", objects))
    assert pages >= 3
    assert re.search(rb"/MediaBox\s*\[\s*0 0 841\.\d* 595\.\d*", objects)  # A4 landscape
    if shutil.which("pdftotext"):  # poppler, when the machine has it
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert f"Page 1 of {pages}" in text
        assert f"Page {pages} of {pages}" in text
        assert text.count("Rank") >= pages  # the header repeats on every page
        assert "José Núñez" in text
        assert "Runner Número 120" in text
        assert "PROVISIONAL" in text


def test_pdf_writes_directly(tmp_path: Path) -> None:
    path = tmp_path / "stage.pdf"
    write_pdf(make_sheet(official=True), path)
    assert path.read_bytes().startswith(b"%PDF")


# --- terminal table and the dispatcher ----------------------------------------------------


def test_terminal_table() -> None:
    stream = io.StringIO()
    print_sheet(by_gender(), Console(file=stream, width=200, color_system=None))
    text = stream.getvalue()
    assert "Gobi March 2024: Overall after stage 4  PROVISIONAL" in text
    assert "Women" in text
    assert "Men" in text
    for runner in RUNNERS:
        assert str(runner[2]) in text
    assert "31:04:09" in text
    assert "+1:06:36" in text
    assert "DNF" in text
    assert "DQ" in text
    assert "ranked" not in text.lower().replace("unranked", "")


def test_table_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_sheet(make_sheet(), "table", None)
    out = capsys.readouterr().out
    assert "Bjørn Hansen" in out
    assert "52:59:59" in out


def test_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_sheet(make_sheet(), "json", None)
    rows = json.loads(capsys.readouterr().out)["sections"][0]["rows"]
    assert rows[1]["name"] == "Zoë van der Berg"


def test_formats() -> None:
    assert FORMATS == ("table", "csv", "json", "xlsx", "pdf")


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_file_formats_need_an_output(fmt: str) -> None:
    with pytest.raises(UserError, match=f"^{fmt} needs an output file") as error:
        write_sheet(make_sheet(), fmt, None)
    assert "\n" not in str(error.value)


def test_unknown_format_and_unwritable_output(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown format 'docx'"):
        write_sheet(make_sheet(), "docx", tmp_path / "gc.docx")
    with pytest.raises(UserError, match="cannot write"):
        write_sheet(make_sheet(), "csv", tmp_path / "missing" / "gc.csv")


def test_an_xlsx_that_cannot_be_created_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):  # not XlsxWriter's own FileCreateError
        write_xlsx(make_sheet(), tmp_path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_failed_write_keeps_the_earlier_file_whole(tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"gc.{fmt}"
    output.write_text("the earlier sheet", encoding="utf-8")
    (tmp_path / f".gc.{fmt}.part").mkdir()  # where it is written first: cannot be
    with pytest.raises(UserError, match=f"cannot write {output}: "):
        write_sheet(make_sheet(), fmt, output)
    assert output.read_text(encoding="utf-8") == "the earlier sheet"


def test_a_link_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "gc.csv").write_text("", encoding="utf-8")
    (tmp_path / "latest.csv").symlink_to(tmp_path / "gc.csv")
    write_sheet(make_sheet(), "csv", tmp_path / "latest.csv")
    assert (tmp_path / "latest.csv").is_symlink()
    assert read_csv(tmp_path / "gc.csv")[0][0] == "rank"
