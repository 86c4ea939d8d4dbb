"""A result sheet as an Excel workbook: one worksheet per section.

Each worksheet has a title row, a line saying provisional or official and when, a bold,
frozen, filterable header, and the times as real durations (fractions of a day shown as
``[h]:mm:ss``) so they sort and sum.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.exceptions import FileCreateError  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from desert_runners.adapters.exporters.formats import (
    COLUMNS,
    cell_text,
    generated_text,
    rows_of,
    status_label,
    verdict,
)
from desert_runners.results.sheet import ResultSheet

HEADERS: dict[str, str] = {column: column.capitalize() for column in COLUMNS}
DURATION_FORMATS: dict[str, str] = {
    "time": "[h]:mm:ss",
    "gap": "+[h]:mm:ss",
    "penalty": "[h]:mm:ss",
}
HEADER_ROW = 3  # below the title, the verdict line and a blank row
MAX_WIDTH = 48
SHEET_NAME_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def write_xlsx(sheet: ResultSheet, path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    styles = _styles(workbook)
    taken: set[str] = set()
    for heading, frame in sheet.sections:
        name = sheet_name(heading or sheet.title, taken)
        taken.add(name.casefold())
        worksheet = workbook.add_worksheet(name)
        title = f"{sheet.race}: {sheet.title}" + (f" ({heading})" if heading else "")
        worksheet.write(0, 0, title, styles["title"])
        worksheet.write(1, 0, f"{verdict(sheet)}, generated {generated_text(sheet)}")
        _write_table(worksheet, list(rows_of(frame)), styles)
    try:
        workbook.close()
    except FileCreateError as error:  # XlsxWriter's wrapper of the OSError: unwrap it
        cause = error.args[0] if error.args else None
        raise cause if isinstance(cause, OSError) else OSError(str(error)) from error


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\, not quoted,
    not 'History') and that no other sheet has (case-insensitively)."""
    base = _FORBIDDEN.sub(" ", wanted).strip().strip("'").strip()
    base = " ".join(base.split())[:SHEET_NAME_MAX].rstrip() or "Results"
    name, number = base, 1
    while name.casefold() in taken or name.casefold() == "history":
        number += 1
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    return name


def _write_table(
    worksheet: Worksheet, rows: list[dict[str, Any]], styles: dict[str, Format]
) -> None:
    widths = {column: len(HEADERS[column]) for column in COLUMNS}
    for col, column in enumerate(COLUMNS):
        worksheet.write(HEADER_ROW, col, HEADERS[column], styles["header"])
    for offset, row in enumerate(rows, start=1):
        for col, column in enumerate(COLUMNS):
            value = row[column]
            if value is None or value == "":
                continue
            widths[column] = max(widths[column], len(cell_text(column, value)))
            _write_cell(worksheet, HEADER_ROW + offset, col, column, value, styles)
    for col, column in enumerate(COLUMNS):
        worksheet.set_column(col, col, min(widths[column] + 2, MAX_WIDTH))
    last_row = HEADER_ROW + max(len(rows), 1)
    worksheet.freeze_panes(HEADER_ROW + 1, 0)
    worksheet.autofilter(HEADER_ROW, 0, last_row, len(COLUMNS) - 1)
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.fit_to_pages(1, 0)
    worksheet.repeat_rows(HEADER_ROW)


def _write_cell(
    worksheet: Worksheet, row: int, col: int, column: str, value: Any, styles: dict[str, Format]
) -> None:
    if isinstance(value, timedelta):
        worksheet.write_number(row, col, day_fraction(value), styles[column])
    elif column == "status":
        worksheet.write_string(row, col, status_label(value))
    elif isinstance(value, int):
        worksheet.write_number(row, col, value)
    else:
        worksheet.write_string(row, col, str(value))


def day_fraction(value: timedelta) -> float:
    """A duration as Excel stores it: days, to the whole second."""
    return round(value.total_seconds()) / 86400


def _styles(workbook: xlsxwriter.Workbook) -> dict[str, Format]:
    styles = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "header": workbook.add_format({"bold": True, "bottom": 1}),
    }
    for column, number_format in DURATION_FORMATS.items():
        styles[column] = workbook.add_format({"num_format": number_format})
    return styles
