"""Which crossing at a timing point is the passing, and in which role.

Roles as numbers: 0 a single passing, 1 in, 2 out, 3 a repeat (set aside). The first
crossing at a checkpoint is the passing; at an in/out checkpoint without a direction the
first is in and the last is out. Later crossings are set aside with their reason.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from desert_runners.results.facts import UTC_TIME
from desert_runners.results.runs import first_of_run, in_key_order, run_ends, run_starts

REPEAT = 3


def passing_crossings(
    crossings: pl.DataFrame, every: pl.DataFrame, course: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The crossings that are passings (crossing, bib, point, at, course_key), in
    (bib, point, role) order, which is (bib, stage, course order); and the events of the
    others, set aside (event_id, reason).

    ``crossings``: ``crossings.LIGHT``, in (bib, point, direction, time) order; ``every``:
    all crossings, a crossing's number its row counted from 1 (for the events)."""
    bib, point = crossings["bib"].to_numpy(), crossings["point"].to_numpy()
    direction = crossings["direction_code"].to_numpy()
    at = crossings["at"].to_physical().to_numpy()
    number = crossings["crossing"].to_numpy()
    undirected_in_out = crossings["in_out"].to_numpy() & (direction == 0)
    first = run_starts(bib, point, direction)
    role = np.where(
        first,
        np.where(undirected_in_out, 1, direction),
        np.where(undirected_in_out & run_ends(first), 2, REPEAT),
    ).astype(np.int8)
    if (direction == 1).any():
        _leaving_after_typed_in(crossings, role, undirected_in_out)
    repeat = role == REPEAT
    first_at = at[first_of_run(first)]
    repeats = _repeat_reasons(number[repeat], first_at[repeat], every, course)
    # Two crossings may take one role (an "in" typed and an "in" read): the earliest is
    # the passing, the other is set aside, never dropped.
    used = np.flatnonzero(~repeat)
    if not in_key_order(bib[used], point[used], role[used], at[used]):
        used = used[np.lexsort((at[used], role[used], point[used], bib[used]))]
    same_role = ~run_starts(bib[used], point[used], role[used])
    earliest = at[used][first_of_run(~same_role)]
    seconds = _repeat_reasons(number[used][same_role], earliest[same_role], every, course)
    kept = used[~same_role]
    passings = pl.DataFrame(
        {
            "crossing": number[kept],
            "bib": bib[kept],
            "point": point[kept],
            "at": pl.Series(at[kept]).cast(UTC_TIME),
            "course_key": point[kept] * 4 + role[kept],
        },
        schema_overrides={"bib": pl.Int64, "point": pl.Int64, "course_key": pl.Int64},
    )
    return passings, pl.concat([repeats, seconds])


def _leaving_after_typed_in(
    crossings: pl.DataFrame, role: np.ndarray, undirected_in_out: np.ndarray
) -> None:
    """An undirected crossing after an "in" typed at the same checkpoint is the runner
    leaving: its role becomes out (in place)."""
    typed_in = (
        crossings.filter(pl.col("direction_code") == 1)
        .group_by("bib", "point")
        .agg(pl.col("at").min().alias("typed_in"))
    )
    rows = np.flatnonzero((role == 1) & undirected_in_out)
    found = (
        crossings[rows]
        .select("bib", "point", "at")
        .join(typed_in, on=["bib", "point"], how="left", maintain_order="left")
    )
    leaving = (found["at"] > found["typed_in"]).fill_null(False).to_numpy()
    role[rows[leaving]] = 2


def point_names(course: pl.DataFrame, points: np.ndarray) -> tuple[pl.Series, pl.Series]:
    """The stage and checkpoint of each of ``points`` (timing points of ``course``)."""
    table = course.unique("point", keep="first").sort("point")
    where = np.searchsorted(table["point"].to_numpy(), points)
    return table["stage"].gather(where), table["checkpoint"].gather(where)


def events_of(every: pl.DataFrame, numbers: np.ndarray) -> pl.Series:
    """The events of the crossings numbered ``numbers`` (their rows in ``every``, from 1)."""
    return every["events"].gather(numbers.astype(np.int64) - 1)


def _repeat_reasons(
    numbers: np.ndarray, first_at: np.ndarray, every: pl.DataFrame, course: pl.DataFrame
) -> pl.DataFrame:
    points = every["point"].gather(numbers.astype(np.int64) - 1).to_numpy()
    stage, checkpoint = point_names(course, points)
    return (
        pl.DataFrame(
            {
                "stage": stage,
                "checkpoint": checkpoint,
                "first_at": pl.Series(first_at, dtype=pl.Int64).cast(UTC_TIME),
                "events": events_of(every, numbers),
            }
        )
        .explode("events")
        .select(
            pl.col("events").alias("event_id"),
            pl.format(
                "a repeat crossing at {}/{} (the first was at {} UTC)",
                "stage",
                "checkpoint",
                pl.col("first_at").dt.strftime("%Y-%m-%d %H:%M:%S"),
            ).alias("reason"),
        )
    )
