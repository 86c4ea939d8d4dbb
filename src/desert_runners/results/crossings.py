"""Reads and entries -> crossings: the reads of one bib at one timing point, close in time.

Millions of rows: everything here works on numbers. Text (checkpoint names, directions)
is mapped to numbers column by column without a join, the rows are put in order by one
packed integer sort, and each crossing is reduced from its run of rows with NumPy.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from desert_runners.results.facts import UTC_TIME
from desert_runners.results.lookup import among, key_index, looked_up_column
from desert_runners.results.runs import run_starts

# Directions as numbers: 0 none (a single passing), 1 in, 2 out.
DIRECTION_CODE = (
    pl.when(pl.col("direction") == "in")
    .then(pl.lit(1, pl.Int8))
    .when(pl.col("direction") == "out")
    .then(pl.lit(2, pl.Int8))
    .otherwise(pl.lit(0, pl.Int8))
)


def direction_name(code: pl.Expr) -> pl.Expr:
    return code.replace_strict({1: "in", 2: "out"}, default=None, return_dtype=pl.String)


TIMING_KINDS = (pl.col("kind") == "read") | (pl.col("kind") == "entry")  # faster than is_in

# The columns of a crossing the judging steps need (the events list is fetched by number).
LIGHT = ["crossing", "bib", "point", "direction_code", "in_out", "at"]


def usable_reads(
    timing: pl.DataFrame, bibs: pl.Series, tags: pl.DataFrame, course: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reads and entries as numbers only (event_id, bib, point, direction_code, at, chip),
    the columns the millions of rows are sorted and grouped on; and those set aside, why.

    Text is mapped to numbers column by column, with no join: a join moves every column
    of millions of rows, and moving text is what makes them slow. ``tags``: a tag named
    twice counts with its last bib."""
    bib = timing["bib"]
    if tags.height:  # the service resolves tags from their history before: none here
        known = tags.filter(pl.col("tag").is_not_null()).unique("tag", keep="last")
        bib = bib.fill_null(looked_up_column(timing["tag"], known["tag"], known["bib"]))
    point_code = pl.Series(_point_code(course, timing))  # point * 2 + in/out, or -1
    # The reads and entries in force (see ``reconcile.effective_timing_facts``).
    is_timing = timing.select(TIMING_KINDS & ~pl.col("replaced")).to_series()
    mask = is_timing & (
        timing["at"].is_not_null() & among(bib, bibs) & (point_code >= 0)
    ).fill_null(False)
    # One pass picks the rows and works out their numbers: the text is not copied.
    kept = (
        timing.lazy()
        .with_columns(bib.alias("bib"), point_code.alias("point_code"))
        .filter(mask)
        .select(
            "event_id",
            "bib",
            (pl.col("point_code") // 2).alias("point"),
            # A direction only exists at in/out checkpoints; elsewhere it is ignored.
            pl.when(pl.col("point_code") % 2 == 1)
            .then(DIRECTION_CODE)
            .otherwise(pl.lit(0, pl.Int8))
            .alias("direction_code"),
            "at",
            (pl.col("kind") == "read").alias("chip"),
        )
        .collect()
    )
    unusable_mask = ~mask & is_timing
    # Copied out (a few rows): text filtered from a slice of a frame of several chunks
    # breaks pl.format in Polars 2.1 ("i < self.len()"), and ``timing`` may be a slice.
    unusable = timing.filter(unusable_mask).with_columns(bib.filter(unusable_mask)).rechunk()
    return kept, _unusable_reasons(unusable, bibs)


def _point_code(course: pl.DataFrame, timing: pl.DataFrame) -> np.ndarray:
    """Each row's timing point as ``point * 2 + 1`` at an in/out checkpoint and
    ``point * 2`` elsewhere; -1 for a checkpoint the race has not. The checkpoint's name
    is looked up once per code; (stage, checkpoint) is then one integer, an index into a
    table of the race's points."""
    points = course.unique(["stage", "checkpoint"], keep="first", maintain_order=True)
    names = points["checkpoint"].unique().sort()
    top = max(points["stage"].to_list(), default=0)
    table = np.full((top + 1) * len(names) + 1, -1, dtype=np.int64)  # the last: no point
    index = {name: code for code, name in enumerate(names)}
    for stage, checkpoint, point, direction in points.select(
        "stage", "checkpoint", "point", "direction"
    ).iter_rows():
        table[stage * len(names) + index[checkpoint]] = point * 2 + (direction is not None)
    name = key_index(timing["checkpoint"], names)
    stage = timing["stage"].fill_null(-1).to_numpy()
    known = (name >= 0) & (stage >= 0) & (stage <= top)
    return table[np.where(known, stage * len(names) + name, len(table) - 1)]


def _unusable_reasons(unusable: pl.DataFrame, bibs: pl.Series) -> pl.DataFrame:
    """Why each of the (few) reads and entries that cannot be used is set aside."""
    reason = (
        pl.when(pl.col("at").is_null())
        .then(pl.lit("no time"))
        .when(pl.col("bib").is_null() & pl.col("tag").is_not_null())
        .then(pl.format("unknown tag {}", pl.col("tag")))
        .when(pl.col("bib").is_null())
        .then(pl.lit("no bib"))
        .when(~pl.col("bib").is_in(bibs.implode()))
        .then(pl.format("bib {} is not an entrant", pl.col("bib")))
        .otherwise(pl.format("no timing point {}/{}", pl.col("stage"), pl.col("checkpoint")))
    )
    return unusable.select("event_id", reason.alias("reason"))


def crossings(reads: pl.DataFrame, course: pl.DataFrame, window: timedelta) -> pl.DataFrame:
    """Reads of one bib at one timing point, less than ``window`` apart, are one crossing.

    The reads (``usable_reads``) are put in order once (``reading_order``); a crossing
    starts where the key changes or the gap is too long, found by comparing neighbours,
    and its times are reduced over those runs with NumPy (several times faster than a
    group-by here). Crossings are numbered from 1, in (bib, point, direction, time) order;
    ``in_out``: at a checkpoint with an in and an out."""
    order, new_key = reading_order(reads)
    chip, event_id = (reads[name].to_numpy()[order] for name in ("chip", "event_id"))
    at = reads["at"].to_physical().to_numpy()[order]  # microseconds
    starts = new_key
    starts[1:] |= np.diff(at) > window // timedelta(microseconds=1)
    first = np.flatnonzero(starts)
    bib, point, direction = (
        reads[name].to_numpy()[order[first]] for name in ("bib", "point", "direction_code")
    )
    in_out_points = course.filter(pl.col("direction").is_not_null())["point"].unique().to_numpy()
    earliest = _earliest(at, first)
    chip_earliest = _earliest(np.where(chip, at, _NO_TIME), first)
    any_chip = np.logical_or.reduceat(chip, first) if len(first) else chip[:0]
    return pl.DataFrame(
        {
            "crossing": np.arange(1, len(first) + 1, dtype=np.uint32),
            "bib": bib,
            "point": point,
            "direction_code": direction,
            "in_out": np.isin(point, in_out_points),
            # The crossing's time is its earliest chip read: chip first, people the backup.
            "at": pl.Series(np.where(any_chip, chip_earliest, earliest)).cast(UTC_TIME),
            "chip": any_chip,
            "events": _runs(event_id, first),  # in the order read
        },
        schema_overrides={"bib": pl.Int64, "point": pl.Int64, "direction_code": pl.Int8},
    )


def _runs(values: np.ndarray, first: np.ndarray) -> pl.Series:
    """``values`` cut into lists at the indices ``first``."""
    run = np.zeros(len(values), dtype=np.uint32)
    run[first[1:]] = 1
    return (
        pl.DataFrame({"run": pl.Series(np.cumsum(run)).set_sorted(), "value": values})
        .group_by("run", maintain_order=True)  # marked sorted: a single pass
        .agg("value")["value"]
        .cast(pl.List(pl.Int64))
    )


_NO_TIME = np.iinfo(np.int64).max  # no chip read in a crossing: never its minimum


def _earliest(times: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The minimum of each run of ``times`` that starts at the indices ``first``."""
    return np.minimum.reduceat(times, first) if len(first) else times[:0]


def reading_order(reads: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The row order that sorts ``reads`` by (bib, point, direction_code, at); and, in
    that order, True where (bib, point, direction_code) differs from the row before.

    The fastest sort here is of plain integers, not of row numbers by key: bib, point,
    direction, time (to the second, which is enough to group reads into crossings: a
    crossing's time is the exact minimum anyway) and the row number are packed into one
    integer, sorted, and the row numbers read back from the low bits; a new key shows in
    the high bits. A log too long or too varied to pack in 63 bits (a wrong year typed)
    is sorted on the four columns."""
    n = reads.height
    if not n:
        return np.arange(0), np.zeros(0, dtype=bool)
    bib, point = reads["bib"].to_numpy(), reads["point"].to_numpy()
    direction = reads["direction_code"].to_numpy()
    seconds = reads["at"].to_physical().to_numpy() // 1_000_000
    rank, points = _ranks(point)
    fields = [
        (bib - bib.min(), int(bib.max() - bib.min())),
        (rank, points - 1),
        (direction, 2),
        (seconds - seconds.min(), int(seconds.max() - seconds.min())),
        (np.arange(n), n - 1),
    ]
    widths = [max(top, 1).bit_length() for _, top in fields]
    if sum(widths) > 63:
        by_key = np.lexsort((seconds, direction, point, bib))
        return by_key, run_starts(bib[by_key], point[by_key], direction[by_key])
    packed = np.zeros(n, dtype=np.int64)
    for (values, _), width in zip(fields, widths, strict=True):
        packed <<= width
        packed |= values
    packed.sort()  # plain integers: NumPy sorts them fastest, outside the GIL
    rows: np.ndarray = packed & ((1 << widths[-1]) - 1)
    packed >>= widths[-1] + widths[-2]  # (bib, point, direction) only
    return rows, run_starts(packed)


def _ranks(point: np.ndarray) -> tuple[np.ndarray, int]:
    """Each point's rank among the distinct points (in their order), and how many there
    are. A race has a few dozen timing points, numbered in the thousands: a table
    indexed by point number ranks them without sorting the reads."""
    low, high = int(point.min()), int(point.max())
    if low < 0 or high >= 2**20:
        distinct, rank = np.unique(point, return_inverse=True)
        return rank, len(distinct)
    present = np.zeros(high + 1, dtype=bool)
    present[point] = True
    table = np.cumsum(present) - 1
    return table[point], int(present.sum())
