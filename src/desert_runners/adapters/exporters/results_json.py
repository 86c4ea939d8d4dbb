"""A result sheet as JSON, for scripts and the website.

``{"race", "title", "time_zone", "generated_at", "official", "sections": [{"heading",
"rows"}]}``; each row has its times both as "H:MM:SS" text (a gap as "+H:MM:SS") and as
seconds (``time_seconds``, ``gap_seconds``, ``penalty_seconds``); null when missing.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from desert_runners.adapters.exporters.formats import (
    DURATION_COLUMNS,
    cell_text,
    rows_of,
)
from desert_runners.results.sheet import SHEET_SCHEMA, ResultSheet


def sheet_document(sheet: ResultSheet) -> dict[str, Any]:
    generated = sheet.generated_at.astimezone(ZoneInfo(sheet.time_zone))
    return {
        "race": sheet.race,
        "title": sheet.title,
        "time_zone": sheet.time_zone,
        "generated_at": generated.isoformat(),
        "official": sheet.official,
        "sections": [
            {"heading": heading, "rows": [_row(row) for row in rows_of(frame)]}
            for heading, frame in sheet.sections
        ],
    }


def write_json(sheet: ResultSheet, stream: TextIO) -> None:
    json.dump(sheet_document(sheet), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def _row(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in SHEET_SCHEMA:
        value = row[column]
        if column in DURATION_COLUMNS:
            out[column] = cell_text(column, value) or None
            out[f"{column}_seconds"] = _seconds(value)
        else:
            out[column] = None if value == "" else value
    return out


def _seconds(value: timedelta | None) -> int | float | None:
    if value is None:
        return None
    seconds = value.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds
