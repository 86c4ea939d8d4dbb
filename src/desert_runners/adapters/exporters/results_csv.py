"""A result sheet as CSV: UTF-8, one header row, times as H:MM:SS (hours unbounded).

The columns are ``COLUMNS``; a grouped sheet (several sections, or a heading) gets a
leading ``group`` column holding each row's section heading.
"""

from __future__ import annotations

import csv
from typing import TextIO

from desert_runners.adapters.exporters.formats import COLUMNS, cell_text, is_grouped, rows_of
from desert_runners.results.sheet import ResultSheet


def write_csv(sheet: ResultSheet, stream: TextIO) -> None:
    """Write the sheet to a text stream (open files with ``newline=""``)."""
    grouped = is_grouped(sheet)
    writer = csv.writer(stream)
    writer.writerow(("group", *COLUMNS) if grouped else COLUMNS)
    for heading, frame in sheet.sections:
        for row in rows_of(frame):
            cells = [cell_text(column, row[column]) for column in COLUMNS]
            writer.writerow([heading, *cells] if grouped else cells)
