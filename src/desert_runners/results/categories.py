"""Categories: who is in which group (gender, age band on race day, nationality, team),
and places within a group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from desert_runners.domain.entrant import Entrant
from desert_runners.domain.race import Race

Grouping = Literal["gender", "age", "nationality", "team"]
GROUP_COLUMN: dict[Grouping, str] = {
    "gender": "gender",
    "age": "category",
    "nationality": "nationality",
    "team": "team",
}


def entrants_frame(race: Race, entrants: Sequence[Entrant]) -> pl.DataFrame:
    """bib, name, gender, nationality, team, age (on the race's first day) and category
    (the race's age band for that age; empty when no band fits)."""
    rows = []
    for entrant in entrants:
        age = entrant.age_on(race.starts_on)
        band = race.categories.age_band(age) if age is not None else None
        rows.append(
            (
                entrant.bib,
                entrant.name,
                entrant.gender,
                entrant.nationality,
                entrant.team,
                age,
                band.name if band else "",
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "bib": pl.Int64,
            "name": pl.String,
            "gender": pl.String,
            "nationality": pl.String,
            "team": pl.String,
            "age": pl.Int64,
            "category": pl.String,
        },
        orient="row",
    )


def rank_within(table: pl.DataFrame, column: str) -> pl.DataFrame:
    """Places within each value of ``column``, from the overall places (ties stay tied:
    a shared overall place is a shared place in the group)."""
    return table.with_columns(
        pl.col("rank").rank("min").over(column).cast(pl.Int64).alias("rank")
    ).sort(column, "rank", "bib", nulls_last=True)
