"""The entrants file reader: real-looking files in, entrants and exact problems out."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desert_runners.adapters.importers.entrants_file import (
    EntrantsFile,
    EntrantsFileError,
    read_entrants,
)
from desert_runners.domain.entrant import Entrant
from desert_runners.domain.errors import UserError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "entrants"
HEADER = "bib,first_name,last_name,gender,date_of_birth,nationality\n"


def write(tmp_path: Path, text: str, name: str = "entrants.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def problems(result: EntrantsFile) -> list[str]:
    return [str(problem) for problem in result.problems]


def bibs(result: EntrantsFile) -> list[int]:
    return [row.entrant.bib for row in result.rows]


# --- good files ----------------------------------------------------------------------


def test_good_csv_with_accents_aliases_quotes_and_a_blank_line() -> None:
    result = read_entrants(FIXTURES / "good.csv")

    assert result.file == "good.csv"
    assert result.problems == ()
    assert result.ignored_columns == ("T-Shirt",)
    assert [row.line for row in result.rows] == [2, 3, 5, 6, 7]
    assert result.rows[0].entrant == Entrant(
        bib=101,
        given_name="Zoë",
        family_name="Brontë-Smith",
        gender="F",
        nationality="GBR",
        date_of_birth=date(1985, 4, 12),
        team="Team Sand, Wind & Sun",
        tags=("E2001A", "E2001B"),
        emergency_contact="Tom Smith, +44 7700 900123",
    )
    jose, soren, chloe, hiroshi = (row.entrant for row in result.rows[1:])
    assert (jose.gender, jose.nationality, jose.date_of_birth) == ("M", "PRT", date(1979, 3, 12))
    assert jose.tags == ("E2001C",)  # one spelling for hex chip ids
    assert (soren.family_name, soren.date_of_birth) == ("Ærø", date(1990, 11, 3))
    assert (chloe.gender, chloe.age, chloe.date_of_birth) == ("F", 44, None)
    assert chloe.tags == ("E2001D", "E2001E")
    assert (hiroshi.nationality, hiroshi.team) == ("JPN", None)


def test_semicolon_csv_with_bom_and_crlf() -> None:
    path = FIXTURES / "semicolon_bom_crlf.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the fixture still is what it claims to be
    assert raw.count(b"\r\n") == 4

    result = read_entrants(path)

    assert result.problems == ()
    assert result.ignored_columns == ()
    assert [row.line for row in result.rows] == [2, 3, 4]
    jurgen, anne, ines = (row.entrant for row in result.rows)
    assert jurgen == Entrant(
        bib=7,
        given_name="Jürgen",
        family_name="Müller",
        gender="M",
        nationality="DEU",
        date_of_birth=date(1975, 12, 24),
        team="Lauftreff Köln",
        tags=("A1", "B2"),
        emergency_contact="Anna Müller; +49 170 1234567",
    )
    assert (anne.family_name, anne.gender, anne.nationality) == ("Le Maître", "F", "CHE")
    assert (ines.date_of_birth, ines.emergency_contact) == (
        date(1993, 2, 1),
        "Rua Augusta, Lisboa",
    )


def test_cr_only_line_endings_and_quoted_line_break_keep_line_numbers(tmp_path: Path) -> None:
    text = (
        "bib,name,gender,age,nationality,notes\r"
        '1,Ana Maria López,F,40,ES,"two\rlines"\r'
        "2,Bo,M,41,SE,\r"
        "x,Cy Cole,M,42,US,\r"
    )
    result = read_entrants(write(tmp_path, text))

    assert [(row.line, row.entrant.bib) for row in result.rows] == [(2, 1), (4, 2)]
    ana, bo = (row.entrant for row in result.rows)
    assert (ana.given_name, ana.family_name) == ("Ana Maria", "López")  # split on the last space
    assert (bo.given_name, bo.family_name) == ("", "Bo")  # a single name is still a name
    assert problems(result) == ["entrants.csv:5: bib: expected a whole number above 0, got 'x'"]
    assert result.ignored_columns == ("notes",)


def test_decomposed_accents_are_composed(tmp_path: Path) -> None:
    result = read_entrants(write(tmp_path, HEADER + "1,Zoe\u0308,Bronte\u0308,F,1985-04-12,GB\n"))

    assert result.rows[0].entrant.given_name == "Zoë"
    assert result.rows[0].entrant.family_name == "Brontë"


# --- bad rows ------------------------------------------------------------------------


def test_bad_rows_each_report_every_problem_and_good_rows_survive() -> None:
    result = read_entrants(FIXTURES / "bad.csv")

    assert problems(result) == [
        "bad.csv:3: bib: expected a whole number above 0, got 'A12'",
        "bad.csv:4: bib: expected a whole number above 0, got '0'",
        "bad.csv:6: bib: expected a whole number above 0, got nothing",
        "bad.csv:7: bib: bib 124 is already used on line 5",
        "bad.csv:7: gender: expected M, F or X (or male, female, non-binary), got 'Q'",
        "bad.csv:8: gender: expected M, F or X (or male, female, non-binary), got 'female?'",
        "bad.csv:9: date_of_birth: expected a date as YYYY-MM-DD, got '31/02/1980'",
        "bad.csv:10: nationality: expected an ISO 3166 country code such as GBR or GB, "
        "got 'England'",
        "bad.csv:11: bib: expected a whole number above 0, got '-3'",
        "bad.csv:11: gender: expected M, F or X (or male, female, non-binary), got nothing",
        "bad.csv:11: date_of_birth: expected a date as YYYY-MM-DD, got '1980-13-01'",
        "bad.csv:11: nationality: expected an ISO 3166 country code such as GBR or GB, got 'UK'",
        "bad.csv:11: tags: expected chip ids of letters and digits, got 'AB-12'",
        "bad.csv:12: nationality: expected an ISO 3166 country code such as GBR or GB, got 'WAL'",
        "bad.csv:12: tags: tag T2 is already used on line 5",
        "bad.csv:13: family_name: expected a name, got nothing",
        "bad.csv:14: date_of_birth: expected a date of birth (YYYY-MM-DD) or an age, got nothing",
        "bad.csv:15: date_of_birth: expected a date of birth in 1900 or later, got '1850-01-01'",
        "bad.csv:16: row: expected at most 7 cells as in the header, got 8; "
        "is a value with a ',' in it missing its quotes?",
    ]
    assert [(row.line, row.entrant.bib) for row in result.rows] == [(2, 1), (5, 124), (18, 7)]
    assert result.rows[2].entrant.nationality == "USA"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ("1000000,M,40", "bib: expected a bib up to 999999, got '1000000'"),
        ("1.5,M,40", "bib: expected a whole number above 0, got '1.5'"),
        ("1,M,121", "age: expected a whole number from 0 to 120, got '121'"),
        ("1,M,forty", "age: expected a whole number from 0 to 120, got 'forty'"),
        ("1,M,", "age: expected a date of birth (YYYY-MM-DD) or an age, got nothing"),
        ("1,?,", "gender: expected M, F or X (or male, female, non-binary), got '?'"),
    ],
)
def test_field_messages(tmp_path: Path, cells: str, expected: str) -> None:
    bib, gender, age = cells.split(",")
    text = f"bib,name,gender,age,nat\n{bib},Ana Lopez,{gender},{age},ES\n"
    result = read_entrants(write(tmp_path, text))

    assert result.rows == ()
    assert f"entrants.csv:2: {expected}" in problems(result)


@pytest.mark.parametrize(
    ("gender", "expected"),
    [("m", "M"), ("Female", "F"), ("WOMAN", "F"), ("w", "F"), ("h", "M"), ("d", "X"), ("X", "X")],
)
def test_gender_spellings(tmp_path: Path, gender: str, expected: str) -> None:
    result = read_entrants(
        write(tmp_path, f"bib,name,sex,age,country\n1,Ana Lopez,{gender},40,ES\n")
    )

    assert result.rows[0].entrant.gender == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2000-02-29", date(2000, 2, 29)),
        ("29.02.2000", date(2000, 2, 29)),
        ("01/02/1990", date(1990, 2, 1)),
        ("1/2/1990", date(1990, 2, 1)),
    ],
)
def test_date_formats(tmp_path: Path, text: str, expected: date) -> None:
    result = read_entrants(write(tmp_path, HEADER + f"1,Ana,Lopez,F,{text},ES\n"))

    assert result.rows[0].entrant.date_of_birth == expected


def test_impossible_leap_day_is_rejected(tmp_path: Path) -> None:
    result = read_entrants(write(tmp_path, HEADER + "1,Ana,Lopez,F,29.02.2001,ES\n"))

    assert problems(result) == [
        "entrants.csv:2: date_of_birth: expected a date as YYYY-MM-DD, got '29.02.2001'"
    ]


def test_a_quote_left_open_is_reported_not_swallowed(tmp_path: Path) -> None:
    text = (
        HEADER
        + '1,Ana,"Lopez,F,1980-01-01,ES\n2,Bo,Berg,M,1981-02-02,SE\n3,Cy,Cole,M,1982-03-03,US\n'
    )
    result = read_entrants(write(tmp_path, text))

    assert result.rows == ()
    assert problems(result)[0] == (
        "entrants.csv:2: row: expected one entrant per line, got a cell over 3 lines "
        "starting 'Lopez,F,1980-01-01,ES'; is a quote left open?"
    )


def test_a_quoted_note_over_two_lines_is_fine(tmp_path: Path) -> None:
    text = (
        'bib,name,gender,age,nat,notes\n1,Ana Lopez,F,40,ES,"vegan\nno nuts"\n2,Bo Berg,M,41,SE,\n'
    )
    result = read_entrants(write(tmp_path, text))

    assert result.problems == ()
    assert [row.line for row in result.rows] == [2, 4]


def test_full_name_column_fills_in_when_given_and_family_are_empty(tmp_path: Path) -> None:
    text = "bib,first name,surname,full name,gender,age,nat\n1,,,Ana López,F,40,ES\n"
    entrant = read_entrants(write(tmp_path, text)).rows[0].entrant

    assert (entrant.given_name, entrant.family_name) == ("Ana", "López")


def test_both_date_of_birth_and_age_columns_either_may_be_filled(tmp_path: Path) -> None:
    text = "bib,name,gender,dob,age,nat\n1,Ana Lopez,F,,40,ES\n2,Bo Berg,M,1980-01-01,,SE\n"
    result = read_entrants(write(tmp_path, text))

    assert result.problems == ()
    assert [(row.entrant.date_of_birth, row.entrant.age) for row in result.rows] == [
        (None, 40),
        (date(1980, 1, 1), None),
    ]


def test_tags_split_on_any_separator_and_duplicates_in_one_cell_collapse(tmp_path: Path) -> None:
    text = 'bib,name,gender,age,nat,chips,person\n1,Ana Lopez,F,40,ES,"a1, b2;c3  A1",p-17\n'
    entrant = read_entrants(write(tmp_path, text)).rows[0].entrant

    assert entrant.tags == ("A1", "B2", "C3")
    assert entrant.person == "p-17"


# --- whole-file errors ---------------------------------------------------------------


def test_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(EntrantsFileError) as raised:
        read_entrants(write(tmp_path, HEADER, "entrants.txt"))

    assert str(raised.value) == "entrants.txt: not an entrants file; expected .csv or .xlsx"
    assert isinstance(raised.value, UserError)
    assert isinstance(raised.value, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EntrantsFileError, match=r"^nope\.csv: cannot read \(No such file"):
        read_entrants(tmp_path / "nope.csv")


def test_not_utf8_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "entrants.csv"
    path.write_bytes(
        HEADER.encode() + b"1,Ana,Lopez,F,1980-01-01,ES\r\n2,Jos\xe9,Gon,M,1981-01-01,PT\n"
    )

    with pytest.raises(EntrantsFileError) as raised:
        read_entrants(path)

    assert str(raised.value) == (
        "entrants.csv:3: not UTF-8 text (byte 0xe9 at offset 92); save it as 'CSV UTF-8'"
    )


@pytest.mark.parametrize("text", ["", "\n\n", ",,,\n \n"])
def test_no_header(tmp_path: Path, text: str) -> None:
    with pytest.raises(EntrantsFileError) as raised:
        read_entrants(write(tmp_path, text))

    assert str(raised.value) == (
        "entrants.csv: no header line; expected columns such as "
        "bib, first_name, last_name, gender, nationality, date_of_birth"
    )


def test_missing_columns_are_all_named_with_their_aliases(tmp_path: Path) -> None:
    with pytest.raises(EntrantsFileError) as raised:
        read_entrants(write(tmp_path, "\nnumber,first name,team\n"))

    assert str(raised.value) == (
        "entrants.csv:2: missing columns: "
        "family_name (named family_name, last_name, lastname, surname, nachname); "
        "gender (named gender, sex); "
        "nationality (named nationality, nation, country, nat); "
        "date_of_birth (named date_of_birth, dob, birth_date, birthdate)"
    )


def test_two_columns_for_one_field(tmp_path: Path) -> None:
    with pytest.raises(EntrantsFileError) as raised:
        read_entrants(write(tmp_path, "bib,name,gender,age,Country,Nationality\n"))

    assert str(raised.value) == (
        "entrants.csv:1: columns 'Country' and 'Nationality' both mean nationality; keep one"
    )


def test_header_only_is_an_empty_list(tmp_path: Path) -> None:
    result = read_entrants(write(tmp_path, HEADER))

    assert (result.rows, result.problems) == ((), ())


def test_broken_workbook(tmp_path: Path) -> None:
    with pytest.raises(EntrantsFileError, match=r"^entrants\.xlsx: not a readable \.xlsx workbook"):
        read_entrants(write(tmp_path, HEADER, "entrants.xlsx"))


# --- XLSX ----------------------------------------------------------------------------


def test_xlsx_with_real_dates_numbers_text_and_a_blank_row(tmp_path: Path) -> None:
    path = tmp_path / "Entrants 2025.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Entrants")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Dossard", "Name", "Gender", "Date of Birth", "Age", "Country"])
    sheet.write_row(0, 6, ["Chip", "Emergency Contact", "Shoe size"])
    sheet.write_row(1, 0, [124.0, "Élodie Martin", "F"])
    sheet.write_datetime(1, 3, datetime(1984, 6, 15), day)
    sheet.write_row(1, 5, ["fr", 3000, 447700900123])
    # row 3 left empty on purpose
    sheet.write_row(3, 0, [125, "Kenji Sato", "M", "", 52.0, "JPN", "A1B2"])
    sheet.write_row(4, 0, [126, "Ola Nordmann", "M", "31.02.1980", "", "NOR"])
    sheet.write_row(5, 0, [127.5, "Per Hansen", "M", "1980-01-01", "", "NOR"])
    book.add_worksheet("Notes").write(0, 0, "not read")
    book.close()

    result = read_entrants(path)

    assert result.file == "Entrants 2025.xlsx"
    assert result.ignored_columns == ("Shoe size",)
    assert [(row.line, row.entrant.bib) for row in result.rows] == [(2, 124), (4, 125)]
    elodie, kenji = (row.entrant for row in result.rows)
    assert elodie == Entrant(
        bib=124,
        given_name="Élodie",
        family_name="Martin",
        gender="F",
        nationality="FRA",
        date_of_birth=date(1984, 6, 15),
        tags=("3000",),
        emergency_contact="447700900123",
    )
    assert (kenji.age, kenji.date_of_birth, kenji.tags) == (52, None, ("A1B2",))
    assert problems(result) == [
        "Entrants 2025.xlsx:5: date_of_birth: expected a date as YYYY-MM-DD, got '31.02.1980'",
        "Entrants 2025.xlsx:6: bib: expected a whole number above 0, got '127.5'",
    ]


# --- never a crash -------------------------------------------------------------------

_cell = st.text(max_size=12)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_cell, max_size=8), max_size=6))
def test_any_rows_become_entrants_or_problems(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "entrants.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["bib", "name", "gender", "age", "nat", "tags", "team"])
        writer.writerows(rows)

    result = read_entrants(path)

    kept = {row.line for row in result.rows}
    rejected = {problem.line for problem in result.problems}
    filled = [row for row in rows if any(cell.strip() for cell in row)]
    assert not kept & rejected
    assert len(kept) + len(rejected) == len(filled)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.text(max_size=200))
def test_any_text_after_a_header_is_read_without_a_crash(tmp_path: Path, body: str) -> None:
    path = write(tmp_path, HEADER + body)

    result = read_entrants(path)

    assert all(problem.message for problem in result.problems)
