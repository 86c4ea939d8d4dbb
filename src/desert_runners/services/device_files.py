"""Import a timing device's file (a reader's memory, a capture of its stream, a CSV)
at one timing point: every read stored once, every line that cannot be used kept aside
with its reason (see ``capture``)."""

from __future__ import annotations

from pathlib import Path

from desert_runners.adapters.importers.historical.detect import HistoricalFormatError
from desert_runners.adapters.importers.historical.detect import (
    detect_format as detect_historical,
)
from desert_runners.adapters.readers.columns import column_map
from desert_runners.adapters.readers.detect import detect_file, read_device_file
from desert_runners.bootstrap import Context
from desert_runners.services.capture import IngestReport, capture
from desert_runners.services.races import find_race
from desert_runners.services.recording import find_timing_point


def import_device_file(
    context: Context,
    path: Path,
    checkpoint_ref: str,
    *,
    race_slug: str | None = None,
    kind: str | None = None,
    device: str | None = None,
    clock_offset_s: float = 0.0,
    columns: str | None = None,
) -> IngestReport:
    """``kind`` is the format (None: recognised from the content); ``columns`` a CSV's
    column mapping; ``device`` defaults to the format and the reader's name in the file
    (``raceresult CP5-Camp``), else the format and the timing point (``wiclax 5/CP5``):
    the same device gets the same name at each import, so a re-import adds nothing."""
    row = find_race(context, race_slug)
    point = find_timing_point(row.race, checkpoint_ref)  # before reading a large file
    where = f"{point.stage.number}/{point.id}"
    mapping = column_map(columns) if columns is not None else None
    found = read_device_file(path, kind, mapping)
    name = device if device is not None else f"{found.format} {found.device or where}"
    report = capture(
        context,
        row.race.slug,
        where,
        name,
        [(item.line, item.read) for item in found.reads],
        found.problems,
        clock_offset_s=clock_offset_s,
        file=found.name,
    )
    report.format = found.format
    report.lines = found.lines
    return report


def device_file_kind(path: Path) -> str | None:
    """The device format of a file that is not historical results, else None: so that
    ``import`` without ``--checkpoint`` can say what is missing instead of "unknown"."""
    try:
        detect_historical(path)
        return None
    except HistoricalFormatError:
        return detect_file(path)
