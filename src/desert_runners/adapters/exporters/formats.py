"""Write a result sheet in one of the output formats, and the cell texts they share.

The exporters themselves are imported when used: WeasyPrint and XlsxWriter are slow
to import, and a terminal table needs neither.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import polars as pl

from desert_runners.domain.errors import UserError
from desert_runners.domain.race import format_duration
from desert_runners.results.sheet import ResultSheet

FORMATS: tuple[str, ...] = ("table", "csv", "json", "xlsx", "pdf")
FILE_ONLY: frozenset[str] = frozenset({"xlsx", "pdf"})

# The columns of the CSV (and of the XLSX), in their order.
COLUMNS: tuple[str, ...] = (
    "rank",
    "bib",
    "name",
    "gender",
    "category",
    "time",
    "status",
    "nationality",
    "team",
    "gap",
    "penalty",
    "note",
)
DURATION_COLUMNS = frozenset({"time", "gap", "penalty"})

# Statuses as a person reads them; a ranked finisher needs none beside their rank.
STATUS_LABELS: dict[str, str] = {
    "finished": "Finished",
    "ranked": "Ranked",
    "racing": "Racing",
    "unranked": "Unranked",
    "missed_cutoff": "Missed cutoff",
    "dnf": "DNF",
    "dns": "DNS",
    "dq": "DQ",
    "medical": "Medical",
}
QUIET_STATUSES = frozenset({"finished", "ranked"})


def write_sheet(sheet: ResultSheet, fmt: str, output: Path | None) -> None:
    """Write ``sheet`` as ``fmt`` to ``output``, or to stdout (table, csv and json only)."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if output is None:
        if fmt in FILE_ONLY:
            raise UserError(f"{fmt} needs an output file: give --output, e.g. results.{fmt}")
        _write_text(sheet, fmt, sys.stdout)
        return
    check_output(output, fmt)
    # Written beside it, then renamed: a failure leaves no half-written sheet. Not a
    # device, a pipe or a link (/dev/stdout): those are written to as they are.
    special = output.is_symlink() or (output.exists() and not output.is_file())
    part = output if special else output.with_name(f".{output.name}.part")
    try:
        _write_file(sheet, fmt, part)
        if part != output:
            part.replace(output)
    except OSError as error:
        if part != output:
            with suppress(OSError):  # the cleanup must not hide why the write failed
                part.unlink(missing_ok=True)
        raise UserError(f"cannot write {output}: {error.strerror or error}") from error


def check_output(output: Path, fmt: str) -> None:
    """Refuse an output file that cannot be: before the results are computed for it."""
    if output.is_dir():
        raise UserError(
            f"cannot write {output}: it is a folder; give a file name, e.g. "
            f"{output / f'results.{fmt}'}"
        )
    if not output.parent.exists():
        raise UserError(f"cannot write {output}: there is no folder {output.parent}")
    if not output.parent.is_dir():
        raise UserError(f"cannot write {output}: {output.parent} is not a folder")


def _write_file(sheet: ResultSheet, fmt: str, output: Path) -> None:
    if fmt == "xlsx":
        from desert_runners.adapters.exporters.results_xlsx import write_xlsx

        write_xlsx(sheet, output)
    elif fmt == "pdf":
        from desert_runners.adapters.exporters.results_pdf import write_pdf

        write_pdf(sheet, output)
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            _write_text(sheet, fmt, stream)


def _write_text(sheet: ResultSheet, fmt: str, stream: TextIO) -> None:
    if fmt == "csv":
        from desert_runners.adapters.exporters.results_csv import write_csv

        write_csv(sheet, stream)
    elif fmt == "json":
        from desert_runners.adapters.exporters.results_json import write_json

        write_json(sheet, stream)
    else:
        from desert_runners.adapters.exporters.results_table import print_sheet, text_console

        print_sheet(sheet, text_console(stream))


# --- cell texts shared by the exporters -------------------------------------------------


def duration_text(value: timedelta | None) -> str:
    """H:MM:SS with unbounded hours; empty for a missing value."""
    return "" if value is None else format_duration(value)


def gap_text(value: timedelta | None) -> str:
    """+H:MM:SS behind the first of the section; empty for a missing value."""
    if value is None:
        return ""
    text = format_duration(value)
    return text if text.startswith("-") else f"+{text}"


def status_label(status: str | None, *, quiet: bool = False) -> str:
    """The status as a person reads it; with ``quiet``, nothing for a plain finisher."""
    if not status or (quiet and status in QUIET_STATUSES):
        return ""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def cell_text(column: str, value: Any) -> str:
    """One cell as the CSV writes it: durations as H:MM:SS, gaps signed, nulls empty."""
    if value is None:
        return ""
    if column == "gap":
        return gap_text(value)
    if column in DURATION_COLUMNS:
        return duration_text(value)
    return str(value)


def rows_of(frame: pl.DataFrame) -> Iterator[dict[str, Any]]:
    """The rows of a section as dicts of Python values (durations as ``timedelta``)."""
    return frame.iter_rows(named=True)


def is_grouped(sheet: ResultSheet) -> bool:
    """More than one section, or a heading worth showing."""
    return len(sheet.sections) > 1 or any(heading for heading, _ in sheet.sections)


def verdict(sheet: ResultSheet) -> str:
    return "Official" if sheet.official else "Provisional"


def generated_text(sheet: ResultSheet) -> str:
    """When the sheet was made, in the race's time zone: '2024-04-16 18:42 Asia/Shanghai
    (UTC+08:00)'."""
    local = sheet.generated_at.astimezone(ZoneInfo(sheet.time_zone))
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{local:%Y-%m-%d %H:%M} {sheet.time_zone} (UTC{offset})"


def category_text(gender: str | None, category: str | None) -> str:
    """Gender and age band together, as a pinned sheet shows them: 'F 40-49'."""
    return " ".join(part for part in (gender, category) if part)
