"""A result sheet as Rich tables for the terminal: one table per section."""

from __future__ import annotations

from typing import TextIO

import polars as pl
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from desert_runners.adapters.exporters.formats import (
    category_text,
    duration_text,
    gap_text,
    generated_text,
    rows_of,
    status_label,
    verdict,
)
from desert_runners.results.sheet import ResultSheet

# (header, justify) in their order
TABLE_COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("Rank", "right"),
    ("Bib", "right"),
    ("Name", "left"),
    ("Nat", "left"),
    ("Cat", "left"),
    ("Team", "left"),
    ("Time", "right"),
    ("Gap", "right"),
    ("Status", "left"),
    ("Note", "left"),
)
PIPED_WIDTH = 160  # a pipe or a file has no width; Rich would squeeze to 80 columns


def text_console(stream: TextIO) -> Console:
    """A console for a stream: the terminal's width, or room enough when piped."""
    width = None if stream.isatty() else PIPED_WIDTH
    return Console(file=stream, highlight=False, soft_wrap=False, width=width)


def print_sheet(sheet: ResultSheet, console: Console) -> None:
    heading = Text(f"{sheet.race}: {sheet.title}", style="bold")
    heading.append(f"  {verdict(sheet).upper()}", style="bold" if sheet.official else "yellow")
    console.print(heading)
    console.print(f"generated {generated_text(sheet)}", style="dim")
    for title, table in sheet_tables(sheet):
        console.print()
        if title:
            console.print(Text(title, style="bold underline"))
        console.print(table)


def sheet_tables(sheet: ResultSheet) -> list[tuple[str, Table]]:
    return [(heading, _table(frame)) for heading, frame in sheet.sections]


def _table(frame: pl.DataFrame) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for header, justify in TABLE_COLUMNS:
        table.add_column(header, justify=justify, overflow="fold")
    for row in rows_of(frame):
        unranked = row["rank"] is None
        table.add_row(
            "" if unranked else str(row["rank"]),
            "" if row["bib"] is None else str(row["bib"]),
            row["name"] or "",
            row["nationality"] or "",
            category_text(row["gender"], row["category"]),
            row["team"] or "",
            duration_text(row["time"]),
            gap_text(row["gap"]),
            status_label(row["status"], quiet=True),
            row["note"] or "",
            style="dim" if unranked else None,
        )
    return table
