"""Each passing's data status (good, questionable or bad) and the reason for it.

``bad`` when recorded after the runner's withdrawal, before the runner's own start, or
impossibly fast against the field's typical time on that segment; ``questionable`` when
out of course order, suspiciously fast or very slow; else ``good``.

Hundreds of thousands of passings: the judging is NumPy over columns in (bib, stage,
course order), with neighbours compared instead of window functions; only the few
passings with a finding get a reason written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum, StrEnum

import numpy as np
import polars as pl

from desert_runners.results.conflicts import DISAGREEMENT
from desert_runners.results.crossings import DIRECTION_CODE
from desert_runners.results.facts import UTC_TIME
from desert_runners.results.runs import first_of_run, previous, run_starts


class DataStatus(StrEnum):
    GOOD = "good"
    QUESTIONABLE = "questionable"
    BAD = "bad"


@dataclass(frozen=True)
class Thresholds:
    window: timedelta = timedelta(seconds=60)  # reads closer than this are one crossing
    # A race's winner runs a segment in about half the field's median time (UTMB, Berlin
    # 100): the thresholds sit well below that, so no fast runner is judged a typo.
    impossible: float = 0.3  # segment time below 30 % of the field's median: bad
    suspicious: float = 0.45  # below 45 %: questionable
    very_slow: float = 4.0  # above 4 times the median: questionable
    min_field: int = 5  # fewer passings on a segment: no typical time to judge by
    disagreement: timedelta = DISAGREEMENT  # two sources further apart: a conflict


AFTER_WITHDRAWAL = "recorded after the withdrawal"


class Finding(IntEnum):
    """What judging a passing found, the first that applies in this order."""

    NONE = 0
    AFTER_WITHDRAWAL = 1
    BEFORE_START = 2
    IMPOSSIBLY_FAST = 3
    OUT_OF_ORDER = 4
    SUSPICIOUSLY_FAST = 5
    VERY_SLOW = 6


_STATUS_OF_FINDING = pl.Series(
    [
        (
            DataStatus.GOOD
            if finding is Finding.NONE
            else DataStatus.BAD
            if finding <= Finding.IMPOSSIBLY_FAST
            else DataStatus.QUESTIONABLE
        ).value
        for finding in Finding
    ]
)


def timing_points(course: pl.DataFrame, starts: pl.DataFrame) -> pl.DataFrame:
    """Each timing point by its ``course_key`` (point * 4 + role), sorted: its stage,
    order on the course, km and the stage's field start."""
    return (
        course.select(
            (pl.col("point") * 4 + DIRECTION_CODE).alias("course_key"), "stage", "order", "km"
        )
        .join(starts, on="stage", how="left")
        .sort("course_key")
    )


@dataclass(frozen=True)
class _Course:
    """Where each passing is: its stage, order and the field's start, row for row."""

    stage: np.ndarray
    order: np.ndarray
    km: pl.Series
    field_start: np.ndarray


def _course_of(course_key: np.ndarray, points: pl.DataFrame) -> _Course:
    keys = points["course_key"].to_numpy()
    where = np.searchsorted(keys, course_key)
    if len(course_key) and not np.array_equal(keys[np.minimum(where, len(keys) - 1)], course_key):
        raise ValueError("a passing at a timing point the course has not")
    return _Course(
        stage=points["stage"].to_numpy()[where],
        order=points["order"].to_numpy()[where],
        km=points["km"].gather(where),
        field_start=points["field_start"].to_physical().to_numpy()[where],
    )


def judge(
    passings: pl.DataFrame,
    rulings: pl.DataFrame,
    points: pl.DataFrame,
    thresholds: Thresholds,
    continues: bool,
) -> pl.DataFrame:
    """Give each passing its data status and the reason for it. ``passings``: from
    ``roles.passing_crossings``, in (bib, stage, course order); ``points``: from
    ``timing_points``; ``continues``: the race lets a runner who withdrew from a stage
    start the next one."""
    bib = passings["bib"].to_numpy()
    at = passings["at"].to_physical().to_numpy()  # microseconds
    course = _course_of(passings["course_key"].to_numpy(), points)
    stage, order = course.stage, course.order
    # Neighbours in course order: `same` is true where the previous row is the same
    # runner on the same stage.
    same = ~run_starts(bib, stage)
    group_first = first_of_run(~same)
    own_start = _own_starts(bib, stage, rulings)
    # The runner's start: a start of their own, else their start passing (the first of
    # their stage when there is one), else the field's.
    start_passing = np.where(order[group_first] == 0, at[group_first], course.field_start)
    runner_start = np.where(own_start != _NONE, own_start, start_passing)
    from_order = np.where(same, previous(order, 0), 0)
    segment = at - np.where(same, previous(at, 0), runner_start)  # none at the start
    has_segment = order != 0
    withdrawn = _first_withdrawals(rulings)
    after_withdrawal = _after_withdrawal(bib, stage, at, withdrawn, continues)
    out_of_order = same & (at < previous(_running_max(at, ~same), 0))
    counted = has_segment & ~after_withdrawal & ~out_of_order
    typical, field = _typical(stage, from_order, order, segment, counted)
    # From a checkpoint's in to its out the runner rests, not runs: no speed to judge.
    rest = (passings["course_key"].to_numpy() % 4 == 2) & (from_order == order - 1)
    judgeable = has_segment & (field >= thresholds.min_field) & (typical > 0) & ~rest
    with np.errstate(divide="ignore", invalid="ignore"):
        # In whole seconds, as the field's typical time is told.
        ratio = np.trunc(segment / 1e6) / np.trunc(typical / 1e6)
        found = [
            (after_withdrawal, Finding.AFTER_WITHDRAWAL),
            (has_segment & (at < runner_start), Finding.BEFORE_START),
            (judgeable & (ratio < thresholds.impossible), Finding.IMPOSSIBLY_FAST),
            (out_of_order, Finding.OUT_OF_ORDER),
            (judgeable & (ratio < thresholds.suspicious), Finding.SUSPICIOUSLY_FAST),
            (judgeable & (ratio > thresholds.very_slow), Finding.VERY_SLOW),
        ]
    finding = np.select(
        [condition for condition, _ in found], [what.value for _, what in found], Finding.NONE
    ).astype(np.int8)
    return pl.DataFrame(
        {
            "crossing": passings["crossing"],
            # Bad for its time alone, not for a withdrawal: a later crossing may replace it.
            "time_is_impossible": np.isin(
                finding, [Finding.BEFORE_START.value, Finding.IMPOSSIBLY_FAST.value]
            ),
            "bib": passings["bib"],
            "stage": pl.Series(stage, dtype=pl.Int64),
            "point": passings["point"],
            "course_key": passings["course_key"],
            "order": pl.Series(order, dtype=pl.Int64),
            "km": course.km,
            "at": passings["at"],
            "status": _STATUS_OF_FINDING.gather(finding),
            "reason": _reasons(finding, segment, typical, runner_start, bib, withdrawn),
            "runner_start": pl.Series(runner_start, dtype=pl.Int64).cast(UTC_TIME),
        }
    )


_NONE = np.iinfo(np.int64).min  # no such time


def _running_max(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The running maximum of ``values`` that restarts at each of ``starts``."""
    if not len(values):
        return values
    group = np.cumsum(starts) - 1
    span = values - values.min()
    step = int(span.max()) + 1
    if (int(group[-1]) + 1) * step < 2**62:  # each group lifted above all earlier ones
        lift = group * step
        result: np.ndarray = np.maximum.accumulate(span + lift) - lift + values.min()
        return result
    return (
        pl.DataFrame({"group": group, "value": values})
        .select(pl.col("value").cum_max().over("group"))
        .to_series()
        .to_numpy()
    )


def _own_starts(bib: np.ndarray, stage: np.ndarray, rulings: pl.DataFrame) -> np.ndarray:
    """Each row's own start (a late or wave start: the latest recorded), else ``_NONE``."""
    own = (
        rulings.filter(pl.col("kind") == "start")
        .sort("event_id")
        .group_by("bib", "stage")
        .agg(pl.col("at").last().dt.epoch("us").alias("own_start"))
    )
    result = np.full(len(bib), _NONE, dtype=np.int64)
    found = _matching_rows({"bib": bib, "stage": stage}, own)
    result[found["row"].to_numpy()] = found["own_start"].fill_null(_NONE).to_numpy()
    return result


def _first_withdrawals(rulings: pl.DataFrame) -> pl.DataFrame:
    """Each withdrawn runner's first withdrawal (by stage, then time): bib, out_stage,
    out_at, out_status, out_event."""
    return (
        rulings.filter(pl.col("kind") == "withdrawal")
        .sort("stage", "at")
        .group_by("bib")
        .agg(
            pl.col("stage").first().alias("out_stage"),
            pl.col("at").first().alias("out_at"),
            pl.col("status").first().alias("out_status"),
            pl.col("event_id").first().alias("out_event"),
        )
    )


def _after_withdrawal(
    bib: np.ndarray, stage: np.ndarray, at: np.ndarray, withdrawn: pl.DataFrame, continues: bool
) -> np.ndarray:
    """Whether each row was recorded after its runner's first withdrawal (``withdrawn``).
    Later stages count as after only for a runner who may not continue."""
    found = _matching_rows({"bib": bib}, withdrawn)
    rows = found["row"].to_numpy()
    may_not_continue = (found["out_status"] == "dq").fill_null(False) | (not continues)
    later_stage = pl.Series(stage[rows]) > found["out_stage"]
    same_stage = pl.Series(stage[rows]) == found["out_stage"]
    after = (later_stage & may_not_continue) | (
        same_stage & (pl.Series(at[rows]).cast(UTC_TIME) > found["out_at"])
    )
    result = np.zeros(len(bib), dtype=bool)
    result[rows] = after.fill_null(False).to_numpy()
    return result


def _matching_rows(keys: dict[str, np.ndarray], table: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``keys`` (columns, row for row) that ``table`` (unique on them) has:
    ``row`` and the table's columns. Rulings are few: the rows are picked by the first
    key before a join, so the join is small."""
    first = next(iter(keys))
    rows = np.flatnonzero(np.isin(keys[first], table[first].drop_nulls().to_numpy()))
    picked = pl.DataFrame(
        {"row": rows, **{name: values[rows] for name, values in keys.items()}},
        schema_overrides=dict.fromkeys(keys, pl.Int64),
    )
    return picked.join(table, on=list(keys), how="inner")


def _typical(
    stage: np.ndarray,
    from_order: np.ndarray,
    order: np.ndarray,
    segment: np.ndarray,
    counted: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The field's typical time (the median) on each row's segment (from_order -> order
    on its stage) in microseconds, and how many passings it is taken from. ``counted``:
    the rows that count."""
    width = max(int(order.max(initial=0)), 1).bit_length()
    code = (stage.astype(np.int64) << (2 * width)) | (from_order << width) | order
    medians = (
        pl.DataFrame(
            {"code": code[counted], "segment": pl.Series(segment[counted]).cast(pl.Duration("us"))}
        )
        .group_by("code")
        .agg(pl.col("segment").median().alias("typical"), pl.len().alias("field"))
        .sort("code")
    )
    if medians.is_empty():
        return np.zeros(len(code), dtype=np.int64), np.zeros(len(code), dtype=np.int64)
    keys = medians["code"].to_numpy()
    where = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
    has = keys[where] == code
    typical = np.where(has, medians["typical"].to_physical().to_numpy()[where], 0)
    field = np.where(has, medians["field"].to_numpy()[where], 0)
    return typical, field


def _reasons(
    finding: np.ndarray,
    segment: np.ndarray,
    typical: np.ndarray,
    runner_start: np.ndarray,
    bib: np.ndarray,
    withdrawn: pl.DataFrame,
) -> pl.Series:
    """The reason for each finding, written only for the (few) passings that have one."""
    rows = np.flatnonzero(finding != Finding.NONE.value)
    nothing = pl.repeat(None, len(finding), dtype=pl.String, eager=True).alias("reason")
    if not len(rows):
        return nothing
    found = pl.DataFrame(
        {
            "bib": bib[rows],
            "finding": finding[rows],
            "segment": pl.Series(segment[rows]).cast(pl.Duration("us")),
            "typical": pl.Series(typical[rows]).cast(pl.Duration("us")),
            "runner_start": pl.Series(runner_start[rows]).cast(UTC_TIME),
        },
        schema_overrides={"bib": pl.Int64},
    ).join(withdrawn.select("bib", "out_event"), on="bib", how="left", maintain_order="left")
    minutes = "{} min on a segment the field typically takes {} min"
    seg_min = (pl.col("segment").dt.total_seconds() / 60).round(0).cast(pl.Int64)
    typ_min = (pl.col("typical").dt.total_seconds() / 60).round(0).cast(pl.Int64)
    what = pl.col("finding")
    reason = (
        pl.when(what == Finding.AFTER_WITHDRAWAL.value)
        .then(pl.format(AFTER_WITHDRAWAL + " (event {})", "out_event"))
        .when(what == Finding.BEFORE_START.value)
        .then(
            pl.format(
                "before the runner's start ({} UTC)",
                pl.col("runner_start").dt.strftime("%Y-%m-%d %H:%M:%S"),
            )
        )
        .when(what == Finding.IMPOSSIBLY_FAST.value)
        .then(pl.format("impossibly fast: " + minutes, seg_min, typ_min))
        .when(what == Finding.OUT_OF_ORDER.value)
        .then(pl.lit("earlier than a passing further along the course"))
        .when(what == Finding.SUSPICIOUSLY_FAST.value)
        .then(pl.format("suspiciously fast: " + minutes, seg_min, typ_min))
        .otherwise(pl.format("very slow: " + minutes, seg_min, typ_min))
    )
    return nothing.scatter(rows, found.select(reason).to_series())
