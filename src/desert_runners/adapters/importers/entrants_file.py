"""Read a race's entrants from the CSV or XLSX file a race office keeps.

Every row is checked on its own; a bad row becomes one problem per bad field (so a
person fixes the file in one pass) and the good rows are kept. Only a file that
cannot be read at all raises ``EntrantsFileError``. Rules that need the race
(entry ages, categories) live in ``domain.entrant_checks``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pycountry
from pydantic_core import PydanticCustomError

from desert_runners.adapters.importers.race_schema import check_country
from desert_runners.domain.entrant import Entrant, fold_name
from desert_runners.domain.errors import UserError


class EntrantsFileError(UserError, ValueError):
    """The file cannot be read at all; one line naming the file (and line)."""


@dataclass(frozen=True)
class RowProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class EntrantRow:
    line: int
    entrant: Entrant


@dataclass(frozen=True)
class EntrantsFile:
    file: str
    rows: tuple[EntrantRow, ...]
    problems: tuple[RowProblem, ...]
    ignored_columns: tuple[str, ...] = field(default=())


# Header names as people write them, compared folded (no case, accents, spaces, _ or -).
ALIASES: Mapping[str, tuple[str, ...]] = {
    "bib": ("bib", "bib number", "number", "no", "dossard", "startnummer"),
    "given_name": ("given_name", "first_name", "firstname", "first name", "vorname", "prenom"),
    "family_name": ("family_name", "last_name", "lastname", "surname", "nachname"),
    "name": ("name", "full_name"),
    "gender": ("gender", "sex"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date", "birthdate"),
    "age": ("age",),
    "nationality": ("nationality", "nation", "country", "nat"),
    "team": ("team",),
    "tags": ("tags", "tag", "chip", "chips"),
    "emergency_contact": ("emergency_contact", "emergency", "ice"),
    "person": ("person", "person_id"),
}
KINDS = ".csv or .xlsx"

_GENDERS = {
    **dict.fromkeys(("m", "male", "man", "men", "h", "homme"), "M"),
    **dict.fromkeys(("f", "female", "woman", "women", "w", "femme"), "F"),
    **dict.fromkeys(("x", "d", "nonbinary", "non-binary", "nb", "divers"), "X"),
}
_DATE_FORMATS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"),
)
_TAG = re.compile(r"[A-Za-z0-9]+")
_MAX_BIB = 999_999  # far above any race, well inside a database integer

Cell = str | date  # XLSX gives real dates; everything else arrives as text
Record = tuple[int, Sequence[Cell]]  # (line, cells)
Problem = tuple[str, str]  # (field, message)
Parser = Callable[[Cell], object]


def _fold_header(name: str) -> str:
    return fold_name(name).replace(" ", "")


_BY_HEADER = {_fold_header(alias): key for key, names in ALIASES.items() for alias in names}


def read_entrants(path: Path) -> EntrantsFile:
    name = path.name
    kind = path.suffix.casefold()
    delimiter: str | None = None
    if kind == ".csv":
        records, delimiter = _csv_records(path, name)
    elif kind == ".xlsx":
        records = _xlsx_records(path, name)
    else:
        raise EntrantsFileError(f"{name}: not an entrants file; expected {KINDS}")
    (header_line, header), rest = _header(records, name)
    columns, ignored = _columns(header, header_line, name)
    return _Reader(name, columns, len(header), delimiter).read(rest, ignored)


# --- reading cells -------------------------------------------------------------------


def _csv_records(path: Path, name: str) -> tuple[list[Record], str]:
    data = _read_bytes(path, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = _line_at(data, error.start)
        raise EntrantsFileError(
            f"{name}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
            f"{error.start}); save it as 'CSV UTF-8'"
        ) from None
    # Sniffed from the header line: Excel in much of Europe writes ';'.
    lines = re.split(r"\r\n|\r|\n", text)
    first = next((line for line in lines if line.strip(' \t,;"')), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    try:
        start = 1
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise EntrantsFileError(
            f"{name}:{reader.line_num}: not readable as CSV ({error})"
        ) from None
    return records, delimiter


def _xlsx_records(path: Path, name: str) -> list[Record]:
    _read_bytes(path, name)  # the same message as for a CSV when the file is missing
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(min_row=1, values_only=True)
            return [(line, [_xlsx_cell(cell) for cell in row]) for line, row in enumerate(rows, 1)]
        finally:
            book.close()
    except Exception as error:  # a broken workbook raises zip, XML or key errors
        raise EntrantsFileError(f"{name}: not a readable .xlsx workbook ({error})") from None


def _xlsx_cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float: bib 124 is 124.0
    # Alt-Enter line breaks are fine inside a spreadsheet cell; keep one line of text.
    return " ".join(str(value).split())


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise EntrantsFileError(f"{name}: cannot read ({error.strerror or error})") from None


def _line_at(data: bytes, offset: int) -> int:
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return before.count(b"\n") + 1


# --- the header ----------------------------------------------------------------------


def _blank(cells: Sequence[Cell]) -> bool:
    return all(isinstance(cell, str) and not cell.strip() for cell in cells)


def _header(records: list[Record], name: str) -> tuple[tuple[int, list[str]], list[Record]]:
    """The first non-blank line, as stripped text, and the records after it."""
    at = next((index for index, (_, cells) in enumerate(records) if not _blank(cells)), None)
    if at is None:
        raise EntrantsFileError(
            f"{name}: no header line; expected columns such as "
            "bib, first_name, last_name, gender, nationality, date_of_birth"
        )
    line, cells = records[at]
    header = [cell.strip() if isinstance(cell, str) else cell.isoformat() for cell in cells]
    return (line, header), records[at + 1 :]


def _columns(header: list[str], line: int, name: str) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        key = _BY_HEADER.get(_fold_header(title))
        if key is None:
            if title:
                ignored.append(title)
        elif key in columns:
            # Two columns for one thing ("Country" and "Nationality"): guessing is worse.
            first = header[columns[key]]
            raise EntrantsFileError(
                f"{name}:{line}: columns {first!r} and {title!r} both mean {key}; keep one"
            )
        else:
            columns[key] = index
    needed = ["bib", "given_name", "family_name", "gender", "nationality", "date_of_birth"]
    if "name" in columns:  # a full name stands in for both parts
        needed.remove("given_name")
        needed.remove("family_name")
    if "age" in columns:  # an age stands in for the date of birth
        needed.remove("date_of_birth")
    missing = [key for key in needed if key not in columns]
    if missing:
        wanted = "; ".join(f"{key} (named {', '.join(ALIASES[key])})" for key in missing)
        raise EntrantsFileError(f"{name}:{line}: missing columns: {wanted}")
    return columns, ignored


# --- the rows ------------------------------------------------------------------------


class _InvalidError(Exception):
    """One field of one row is wrong; the message says what was expected."""


class _Reader:
    def __init__(
        self, name: str, columns: dict[str, int], width: int, delimiter: str | None
    ) -> None:
        self.name = name
        self.columns = columns
        self.width = width
        self.delimiter = delimiter  # None for a workbook
        self.bibs: dict[int, int] = {}  # bib -> first line, also from rows rejected otherwise
        self.tags: dict[str, int] = {}

    def read(self, records: list[Record], ignored: list[str]) -> EntrantsFile:
        rows: list[EntrantRow] = []
        problems: list[RowProblem] = []
        for line, cells in records:
            if _blank(cells):
                continue
            entrant, found = self._row(line, cells)
            problems += [RowProblem(self.name, line, key, message) for key, message in found]
            if entrant is not None:
                rows.append(EntrantRow(line, entrant))
        return EntrantsFile(self.name, tuple(rows), tuple(problems), tuple(ignored))

    def _row(self, line: int, cells: Sequence[Cell]) -> tuple[Entrant | None, list[Problem]]:
        found: list[Problem] = list(self._shape(cells))
        values: dict[str, object] = {}

        def take(key: str, parse: Parser) -> None:
            if key not in self.columns:
                return
            try:
                values[key] = parse(self._cell(cells, key))
            except _InvalidError as error:
                found.append((key, str(error)))

        take("bib", _bib)
        for key in ("given_name", "family_name", "name", "team", "emergency_contact", "person"):
            take(key, _text)
        take("gender", _gender)
        take("nationality", _nationality)
        take("date_of_birth", _date_of_birth)
        take("age", _age)
        take("tags", _tags)
        found += self._names(values)
        found += self._birth(values)
        found += self._duplicates(line, values)
        if found:
            # Left to right, as a person reads the row ("row" itself first).
            found.sort(key=lambda problem: self.columns.get(problem[0], -1))
            return None, found
        return _entrant(values), found

    def _cell(self, cells: Sequence[Cell], key: str) -> Cell:
        index = self.columns[key]
        return cells[index] if index < len(cells) else ""

    def _shape(self, cells: Sequence[Cell]) -> Iterator[Problem]:
        if not _blank(cells[self.width :]):
            yield (
                "row",
                f"expected at most {self.width} cells as in the header, got {len(cells)}; "
                f"is a value with a {self.delimiter or ','!r} in it missing its quotes?",
            )
        if self.delimiter is None:
            return
        # A quote left open swallows the following rows into one cell, silently. A
        # quoted cell may hold line breaks (notes), but not a line shaped like a row.
        enough = max(1, len(self.columns) - 1)
        for cell in cells:
            lines = re.split(r"\r\n|\r|\n", str(cell).rstrip("\r\n"))
            if any(line.count(self.delimiter) >= enough for line in lines[1:]):
                yield (
                    "row",
                    f"expected one entrant per line, got a cell over {len(lines)} lines "
                    f"starting {lines[0][:30]!r}; is a quote left open?",
                )
                return

    def _names(self, values: dict[str, object]) -> Iterator[Problem]:
        # One name part is enough: some runners have a single name.
        if values.get("given_name") or values.get("family_name"):
            return
        full = str(values.get("name") or "")
        if full:
            # A single full-name column: the family name is the last word.
            values["given_name"], _, values["family_name"] = full.rpartition(" ")
        else:
            key = "family_name" if "family_name" in self.columns else "name"
            yield key, "expected a name, got nothing"

    def _birth(self, values: dict[str, object]) -> Iterator[Problem]:
        keys = [key for key in ("date_of_birth", "age") if key in self.columns]
        # Only when every given column was read cleanly and is empty: no double report.
        if all(key in values and values[key] is None for key in keys):
            yield keys[0], "expected a date of birth (YYYY-MM-DD) or an age, got nothing"

    def _duplicates(self, line: int, values: dict[str, object]) -> Iterator[Problem]:
        bib = values.get("bib")
        if isinstance(bib, int):
            first = self.bibs.setdefault(bib, line)
            if first != line:
                yield "bib", f"bib {bib} is already used on line {first}"
        tags = values.get("tags")
        for tag in tags if isinstance(tags, tuple) else ():
            first = self.tags.setdefault(str(tag), line)
            if first != line:
                yield "tags", f"tag {tag} is already used on line {first}"


def _entrant(values: dict[str, object]) -> Entrant:
    def text(key: str) -> str:
        value = values.get(key)
        return value if isinstance(value, str) else ""

    bib, born, age, tags = (values.get(key) for key in ("bib", "date_of_birth", "age", "tags"))
    assert isinstance(bib, int)  # a row without a good bib has a problem and no entrant
    return Entrant(
        bib=bib,
        given_name=text("given_name"),
        family_name=text("family_name"),
        gender=text("gender"),
        nationality=text("nationality"),
        date_of_birth=born if isinstance(born, date) else None,
        age=age if isinstance(age, int) else None,
        team=text("team") or None,
        tags=tuple(str(tag) for tag in tags) if isinstance(tags, tuple) else (),
        emergency_contact=text("emergency_contact"),
        person=text("person") or None,
    )


# --- one field each ------------------------------------------------------------------


def _got(cell: Cell) -> str:
    text = cell.isoformat() if isinstance(cell, date) else cell.strip()
    return repr(text) if text else "nothing"


def _text(cell: Cell) -> str:
    if isinstance(cell, date):
        return cell.isoformat()
    # NFC: names typed on a Mac arrive decomposed and would not match their twins.
    return " ".join(unicodedata.normalize("NFC", cell).split())


def _bib(cell: Cell) -> int:
    text = _text(cell)
    if not (text.isascii() and text.isdigit()) or int(text) == 0:
        raise _InvalidError(f"expected a whole number above 0, got {_got(cell)}")
    if int(text) > _MAX_BIB:
        raise _InvalidError(f"expected a bib up to {_MAX_BIB}, got {_got(cell)}")
    return int(text)


def _gender(cell: Cell) -> str:
    gender = _GENDERS.get(_text(cell).casefold())
    if gender is None:
        raise _InvalidError(f"expected M, F or X (or male, female, non-binary), got {_got(cell)}")
    return gender


def _nationality(cell: Cell) -> str:
    try:
        code = check_country(_text(cell))
    except PydanticCustomError:
        raise _InvalidError(
            f"expected an ISO 3166 country code such as GBR or GB, got {_got(cell)}"
        ) from None
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return country.alpha_3 if country is not None else code


def _date_of_birth(cell: Cell) -> date | None:
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    if not text:
        return None  # an age may stand in; _birth decides
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match is not None:
            try:
                born = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break  # 31/02/1980: the shape is right, the day does not exist
            if born.year < 1900:
                raise _InvalidError(f"expected a date of birth in 1900 or later, got {_got(cell)}")
            return born
    raise _InvalidError(f"expected a date as YYYY-MM-DD, got {_got(cell)}")


def _age(cell: Cell) -> int | None:
    text = _text(cell)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > 120:
        raise _InvalidError(f"expected a whole number from 0 to 120, got {_got(cell)}")
    return int(text)


def _tags(cell: Cell) -> tuple[str, ...]:
    tags: list[str] = []
    for tag in re.split(r"[;,\s]+", _text(cell)):
        if not tag:
            continue
        if not (tag.isascii() and _TAG.fullmatch(tag)):
            raise _InvalidError(f"expected chip ids of letters and digits, got {tag!r}")
        # Readers report hex in either case; one spelling keeps a duplicate visible.
        if tag.upper() not in tags:
            tags.append(tag.upper())
    return tuple(tags)
