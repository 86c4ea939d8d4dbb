"""Tell a historical results file's format from its first line, and read it.

Known formats, recognised by the header whatever the file is called:
- ``utmb``: the UTMB elapsed-time table (``bib,name,team,category,rank,nationality,time,
  timediff,<timing points>``); ``course_file`` is the checkpoints CSV.
- ``sportident``: a SPORTident result export (``Platz/Punkte;StartNr;...;Strecke;
  Kategorie;...;Laufzeit;...``); ``course_file`` is the ``vp_list.yaml`` of aid stations.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from desert_runners.adapters.importers.historical.model import (
    HistoricalFormatError,
    HistoricalRace,
    decode,
)
from desert_runners.adapters.importers.historical.sportident import (
    is_sportident_header,
    read_sportident,
)
from desert_runners.adapters.importers.historical.utmb import is_utmb_header, read_utmb

__all__ = ["KNOWN_FORMATS", "HistoricalFormatError", "detect_format", "read_historical"]

KNOWN_FORMATS = (
    "UTMB elapsed-time CSV (bib,name,...,rank,nationality,time,timediff,...)",
    "SPORTident result export (Platz/Punkte;StartNr;...;Laufzeit;...)",
)
_HEAD_BYTES = 64 * 1024


def _first_line(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
    except OSError as error:
        raise HistoricalFormatError(f"{path.name}: cannot read: {error.strerror}") from error
    first = re.split(rb"\r|\n", head, maxsplit=1)[0]
    return decode(first)[0]


def detect_format(path: Path) -> str:
    """``"utmb"`` or ``"sportident"``; else ``HistoricalFormatError`` naming what we know."""
    line = _first_line(path)
    for delimiter, is_header, name in (
        (";", is_sportident_header, "sportident"),
        (",", is_utmb_header, "utmb"),
    ):
        fields = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
        if is_header(fields):
            return name
    raise HistoricalFormatError(
        f"{path.name}: not a historical results file this program knows; "
        f"known formats: {'; '.join(KNOWN_FORMATS)}"
    )


def read_historical(path: Path, course_file: Path | None = None) -> list[HistoricalRace]:
    """Every course in the file, one ``HistoricalRace`` each, whatever its format."""
    if detect_format(path) == "utmb":
        return read_utmb(path, course_file)
    return read_sportident(path, course_file)
