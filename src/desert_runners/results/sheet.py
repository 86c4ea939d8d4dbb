"""A result sheet: what every output format (table, CSV, JSON, XLSX, PDF) renders.

Each section is a Polars frame with the columns of ``SHEET_SCHEMA``, in rank order;
``rank`` is null for an unranked runner (DNF, DQ, still racing, continuing unranked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

SHEET_SCHEMA: dict[str, Any] = {
    "rank": pl.Int64,
    "bib": pl.Int64,
    "name": pl.String,
    "gender": pl.String,
    "category": pl.String,  # the age band on race day
    "nationality": pl.String,
    "team": pl.String,
    "time": pl.Duration("us"),  # stage time, or overall time (penalties included)
    "gap": pl.Duration("us"),  # behind the first of the section
    "penalty": pl.Duration("us"),  # included in time
    "status": pl.String,
    "note": pl.String,  # why unranked, which penalty, a questionable passing
}


@dataclass(frozen=True)
class ResultSheet:
    race: str  # the race's name
    title: str  # "Stage 3 result", "Overall after stage 4"
    time_zone: str
    generated_at: datetime  # zone-aware
    sections: tuple[tuple[str, pl.DataFrame], ...]  # (heading, rows); one "" heading if ungrouped
    official: bool = False  # published by the race director, not provisional

    def __post_init__(self) -> None:
        for heading, frame in self.sections:
            missing = set(SHEET_SCHEMA) - set(frame.columns)
            if missing:
                raise ValueError(f"section {heading!r} lacks columns {sorted(missing)}")
