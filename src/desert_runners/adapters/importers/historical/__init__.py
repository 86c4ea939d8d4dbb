"""Historical race results from other timing systems (UTMB tables, SPORTident exports).

A pure parsing layer: ``read_historical(path)`` recognises the format from the file's
header and returns one ``HistoricalRace`` per course; nothing is stored here.
"""

from desert_runners.adapters.importers.historical.detect import (
    KNOWN_FORMATS,
    detect_format,
    read_historical,
)
from desert_runners.adapters.importers.historical.model import (
    HistoricalFormatError,
    HistoricalRace,
    HistoricalRow,
    TimingPoint,
)
from desert_runners.adapters.importers.historical.sportident import read_sportident
from desert_runners.adapters.importers.historical.utmb import read_utmb

__all__ = [
    "KNOWN_FORMATS",
    "HistoricalFormatError",
    "HistoricalRace",
    "HistoricalRow",
    "TimingPoint",
    "detect_format",
    "read_historical",
    "read_sportident",
    "read_utmb",
]
