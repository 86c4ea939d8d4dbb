"""Raw reads and entries -> one passing per runner per timing point, with a data status.

Pure and columnar (Polars and NumPy): a 10,000-runner race with 2.8 million reads
recomputes in about the time a plain sort of those reads takes (``bench/results_engine.py``).
Nothing is thrown away: every read that does not become a passing is set aside with its
reason.

Rules, in order:
1. A standing void removes its target (a void of a void restores it); a correction
   replaces the target's fields (the latest standing correction of a target wins).
2. A chip read gets its bib from the race's tags; reads and entries that name no known
   bib, stage or checkpoint, or carry no time, are set aside.
3. Reads of one bib at one timing point within ``window`` of each other are one crossing.
   The crossing's time is its earliest chip read; a manual entry gives the time only
   when no chip read it (chip first, people as the backup).
4. The first crossing at a checkpoint is the passing (at an in/out checkpoint without a
   direction: the first is in, the last is out); later crossings are set aside. When the
   first is bad for its time alone (a typo: impossibly fast, or before the runner's
   start) and a later crossing exists, the later one is used and the typo set aside.
5. Status: ``bad`` when recorded after the runner's withdrawal, before the runner's own
   start, or impossibly fast against the field's typical time on that segment;
   ``questionable`` when out of course order, suspiciously fast or very slow; else
   ``good``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, timedelta
from enum import IntEnum, StrEnum

import numpy as np
import polars as pl

from desert_runners.domain.race import START, Consequence, Race
from desert_runners.results.conflicts import (
    DISAGREEMENT,
    notes,
    time_conflicts,
    withdrawal_conflicts,
)
from desert_runners.results.facts import UTC_TIME, in_force, voided
from desert_runners.results.lookup import looked_up


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


@dataclass(frozen=True)
class Reconciliation:
    passings: pl.DataFrame  # bib, stage, checkpoint, direction, at, status, reason, events
    set_aside: pl.DataFrame  # event_id, reason
    conflicts: pl.DataFrame  # see results.conflicts: where two sources disagree


def course_frame(race: Race) -> pl.DataFrame:
    """Every timing point of the race in course order: (stage, checkpoint, direction)."""
    rows: list[tuple[int, str, str | None, int, float | None, int]] = []
    for stage in race.stages:
        base = stage.number * 1000  # `point`: one integer per checkpoint, for fast sorting
        rows.append((stage.number, START, None, 0, 0.0, base))
        for index, checkpoint in enumerate(stage.checkpoints, start=1):
            key = checkpoint.id.casefold()
            point = base + index
            if checkpoint.in_out:
                rows.append((stage.number, key, "in", 2 * index - 1, checkpoint.km, point))
                rows.append((stage.number, key, "out", 2 * index, checkpoint.km, point))
            else:
                rows.append((stage.number, key, None, 2 * index, checkpoint.km, point))
    return pl.DataFrame(
        rows,
        schema={
            "stage": pl.Int64,
            "checkpoint": pl.String,
            "direction": pl.String,
            "order": pl.Int64,
            "km": pl.Float64,
            "point": pl.Int64,
        },
        orient="row",
    )


def stage_starts(race: Race) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "stage": [s.number for s in race.stages],
            "field_start": [s.start.astimezone(UTC) for s in race.stages],
        },
        schema={"stage": pl.Int64, "field_start": UTC_TIME},
    )


def reconcile(
    race: Race,
    facts: pl.DataFrame,
    bibs: pl.Series,
    tags: pl.DataFrame,
    thresholds: Thresholds = Thresholds(),
) -> Reconciliation:
    """``facts`` as from ``facts_frame``; ``bibs`` the race's entrants; ``tags`` (tag, bib)."""
    course = course_frame(race)
    timing, aside = effective_timing_facts(facts)
    crossings, more_aside = _crossings_by_stages(race, timing, bibs, tags, course, thresholds)
    more_aside = _with_rejection_reasons(more_aside, facts)
    continues = race.rules.withdrawn_stage is not Consequence.OUT
    rulings, starts = in_force(facts), stage_starts(race)
    # The steps below work on numbers only; the text and event lists of a crossing are
    # looked up in `every` by its number (its row, counted from 1) where needed.
    every = crossings
    displaced: list[pl.DataFrame] = []
    for _ in range(_MAX_DISPLACEMENTS + 1):
        passings, repeats = _first_crossings(crossings.select(_LIGHT), every)
        passings = _judge(passings, rulings, course, starts, thresholds, continues)
        bad_first = _displaceable(passings, crossings, every)
        if bad_first.is_empty() or len(displaced) == _MAX_DISPLACEMENTS:
            break
        # A typo that is impossible (too early) must not hide the good crossing after it.
        displaced.append(bad_first)
        crossings = crossings.join(bad_first.select("crossing"), on="crossing", how="anti")
    passings = _with_text(passings, every)
    set_aside = pl.concat(
        [aside, more_aside, repeats, *(_as_set_aside(frame) for frame in displaced)]
    ).sort("event_id")
    conflicts = _conflicts(facts, crossings, passings, rulings, thresholds.disagreement)
    passings = _mark_conflicts(
        passings.drop("crossing", "time_is_impossible"), notes(conflicts, race.zone)
    )
    return Reconciliation(passings, set_aside, conflicts)


_PARALLEL_FROM = 100_000  # reads and entries: below this, one part is quicker


def _crossings_by_stages(
    race: Race,
    timing: pl.DataFrame,
    bibs: pl.Series,
    tags: pl.DataFrame,
    course: pl.DataFrame,
    thresholds: Thresholds,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The crossings of all reads and entries, and those set aside, why.

    A crossing never spans two stages, so the early and the late stages are done in two
    threads at once: most of this work (sorting, lookups, NumPy) runs on one core, and
    the machine has more. The crossings are numbered again so a crossing's number is its
    row, and stay in (bib, point, direction, time) order within each stage."""
    numbers = sorted(stage.number for stage in race.stages)
    if timing.height < _PARALLEL_FROM or len(numbers) < 2:
        parts = [timing]
    else:
        early = pl.col("stage").fill_null(numbers[0]) <= numbers[len(numbers) // 2 - 1]
        parts = [timing.filter(early), timing.filter(~early)]

    def part(reads: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        usable, aside = _resolve_and_check(reads, bibs, tags, course)
        return _crossings(usable, course, thresholds.window), aside

    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        done = list(pool.map(part, parts))
    crossings = pl.concat([frame for frame, _ in done]).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("crossing")
    )
    return crossings, pl.concat([aside for _, aside in done])


def _conflicts(
    facts: pl.DataFrame,
    crossings: pl.DataFrame,
    passings: pl.DataFrame,
    rulings: pl.DataFrame,
    window: timedelta,
) -> pl.DataFrame:
    """The few crossings that could conflict, with their sources: only there is the
    source of an event looked up."""
    key = ["bib", "stage", "checkpoint", "direction"]
    # At an in/out checkpoint an undirected crossing may be either: not comparable.
    comparable = crossings.filter(
        pl.col("point_direction").is_null() | pl.col("direction").is_not_null()
    )
    # Crossings come in (bib, point, direction) order: a key shared with a neighbour is
    # a timing point crossed more than once.
    numbers = ["bib", "point", "direction_code"]
    shared = [
        pl.all_horizontal([pl.col(name) == pl.col(name).shift(step) for name in numbers])
        for step in (1, -1)
    ]
    candidates = comparable.filter(pl.any_horizontal(shared).fill_null(False)).select(
        *key, "at", pl.col("events").list.first().alias("event_id")
    )
    after = passings.filter(pl.col("reason").str.starts_with(AFTER_WITHDRAWAL)).select(
        *key, "at", pl.col("events").list.first().alias("event_id")
    )
    wanted = pl.concat([candidates["event_id"], after["event_id"]])
    sources = facts.filter(pl.col("event_id").is_in(wanted.implode())).select("event_id", "source")
    withdrawals = rulings.filter(pl.col("kind") == "withdrawal").select(
        "bib", "stage", "source", "at", "event_id"
    )
    return pl.concat(
        [
            time_conflicts(candidates.join(sources, on="event_id"), window),
            withdrawal_conflicts(after.join(sources, on="event_id"), withdrawals),
        ]
    ).sort("bib", "stage", "checkpoint")


def _mark_conflicts(passings: pl.DataFrame, notes: pl.DataFrame) -> pl.DataFrame:
    if notes.is_empty():
        return passings
    key = ["bib", "stage", "checkpoint", "direction"]
    marked = passings.join(notes, on=key, how="left", nulls_equal=True)
    good = pl.col("status") == DataStatus.GOOD.value
    return marked.with_columns(
        pl.when(pl.col("note").is_not_null() & good)
        .then(pl.lit(DataStatus.QUESTIONABLE.value))
        .otherwise(pl.col("status"))
        .alias("status"),
        pl.when(pl.col("note").is_null())
        .then(pl.col("reason"))
        .when(pl.col("reason").is_null())
        .then(pl.col("note"))
        .otherwise(pl.format("{}; {}", "reason", "note"))
        .alias("reason"),
    ).drop("note")


AFTER_WITHDRAWAL = "recorded after the withdrawal"
_MAX_DISPLACEMENTS = 3  # a runner rarely has more than one impossible typo at a point


def _displaceable(
    passings: pl.DataFrame, crossings: pl.DataFrame, every: pl.DataFrame
) -> pl.DataFrame:
    """Passings judged bad for their time alone (not for a withdrawal) where the runner
    has another crossing at the same timing point to use instead."""
    point = ["bib", "point"]
    bad = passings.filter((pl.col("status") == DataStatus.BAD.value) & pl.col("time_is_impossible"))
    # Counted only where a passing is bad: a few rows, not every crossing of the race.
    alternatives = (
        crossings.join(bad.select(point), on=point, how="semi")
        .group_by(point)
        .agg(pl.len().alias("crossings"))
    )
    found = (
        bad.join(alternatives, on=point, how="inner")
        .filter(pl.col("crossings") > 1)
        .select("crossing", "reason")
    )
    return found.with_columns(_of(every, found["crossing"], "events"))


_LIGHT = ["crossing", "bib", "point", "direction_code", "point_direction", "at"]


def _of(every: pl.DataFrame, crossings: pl.Series, *columns: str) -> list[pl.Series]:
    """``columns`` of the ``crossings`` (their numbers), from all crossings ``every``."""
    rows = every.select(*columns)[crossings.cast(pl.Int64) - 1]
    return [rows[name] for name in columns]


def _with_text(passings: pl.DataFrame, every: pl.DataFrame) -> pl.DataFrame:
    """The judged passings with their checkpoint, direction, source and events."""
    checkpoint, by, events = _of(every, passings["crossing"], "checkpoint", "by", "events")
    return passings.with_columns(checkpoint, by, events).select(
        "crossing",
        "time_is_impossible",
        "bib",
        "stage",
        "checkpoint",
        _direction_name(pl.col("course_key") % 4).alias("direction"),
        "order",
        "km",
        "at",
        "by",
        "status",
        "reason",
        "events",
        "runner_start",
    )


def _as_set_aside(displaced: pl.DataFrame) -> pl.DataFrame:
    return displaced.explode("events").select(
        pl.col("events").alias("event_id"),
        pl.format("{}: a later crossing is used", "reason").alias("reason"),
    )


# Directions as numbers: 0 none (a single passing), 1 in, 2 out.
_DIRECTION_CODE = (
    pl.when(pl.col("direction") == "in")
    .then(pl.lit(1, pl.Int8))
    .when(pl.col("direction") == "out")
    .then(pl.lit(2, pl.Int8))
    .otherwise(pl.lit(0, pl.Int8))
)


def _direction_name(code: pl.Expr) -> pl.Expr:
    return code.replace_strict({1: "in", 2: "out"}, default=None, return_dtype=pl.String)


_TIMING_KINDS = (pl.col("kind") == "read") | (pl.col("kind") == "entry")  # faster than is_in


def effective_timing_facts(
    facts: pl.DataFrame, extra: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The facts as they stand after voids and corrections, with the columns reads and
    entries have (``extra``: more to keep); and the reads and entries voided, why. Other
    facts are still among them: ``_TIMING_KINDS`` picks the reads and entries."""
    voids = voided(facts).select(
        "event_id",
        pl.format("voided by event {}: {}", "void_id", "reason").alias("reason"),
    )
    corrections = (
        facts.filter(pl.col("kind") == "correction")
        .join(voids, on="event_id", how="anti")
        .sort("event_id")
        .unique("target", keep="last")
        .select(
            pl.col("target").alias("event_id"),
            "new_at",
            "new_bib",
            "new_stage",
            "new_checkpoint",
            "new_direction",
        )
    )
    # Reads and entries are most of the log: they are kept in place and picked out by
    # ``_resolve_and_check``'s mask, since filtering copies millions of rows of text.
    timing = facts.select(
        "event_id", "kind", "bib", "tag", "stage", "checkpoint", "direction", "at", *extra
    )
    set_aside = pl.DataFrame(schema={"event_id": pl.Int64, "reason": pl.String})
    # Most logs have few voids and corrections: join millions of reads only when needed.
    if voids.height:
        set_aside = (
            timing.filter(pl.col("event_id").is_in(voids["event_id"].implode()))
            .filter(_TIMING_KINDS)
            .join(voids, on="event_id")
            .select("event_id", "reason")
        )
        timing = timing.join(voids, on="event_id", how="anti")
    if corrections.height:
        timing = timing.join(corrections, on="event_id", how="left").with_columns(
            pl.coalesce("new_at", "at").alias("at"),
            pl.coalesce("new_bib", "bib").alias("bib"),
            pl.coalesce("new_stage", "stage").alias("stage"),
            pl.coalesce("new_checkpoint", "checkpoint").alias("checkpoint"),
            pl.coalesce("new_direction", "direction").alias("direction"),
        )
    return timing, set_aside


def _with_rejection_reasons(aside: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """A device line that could not be read is stored as a read without a time; it is
    set aside with the reason it was rejected, not a bare "no time"."""
    rejected = facts.filter((pl.col("kind") == "read") & pl.col("reason").is_not_null()).select(
        "event_id", pl.format("rejected: {}", "reason").alias("rejected")
    )
    return aside.join(rejected, on="event_id", how="left").select(
        "event_id", pl.coalesce("rejected", "reason").alias("reason")
    )


def _resolve_and_check(
    timing: pl.DataFrame, bibs: pl.Series, tags: pl.DataFrame, course: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reads and entries as numbers only (event_id, bib, point, direction_code, at, chip),
    the columns the millions of rows are sorted and grouped on; and those set aside, why.

    Text is mapped to numbers column by column, with no join: a join moves every column
    of millions of rows, and moving text is what makes them slow. ``tags``: a tag named
    twice counts with its last bib."""
    bib = pl.col("bib")
    if tags.height:  # the service resolves tags from their history before: none here
        known = tags.filter(pl.col("tag").is_not_null()).unique("tag", keep="last")
        bib = pl.coalesce("bib", looked_up(pl.col("tag"), known["tag"], known["bib"]))
    numbers = timing.select(
        "event_id",
        bib.alias("bib"),
        _point_code(course).alias("point_code"),  # point * 2 + (1 at an in/out checkpoint)
        _DIRECTION_CODE.alias("direction_code"),
        "at",
        (pl.col("kind") == "read").alias("chip"),
    )
    usable = (
        pl.col("at").is_not_null()
        & pl.col("bib").is_in(bibs.implode())
        & pl.col("point_code").is_not_null()
    ).fill_null(False)
    is_timing = timing.select(_TIMING_KINDS).to_series()
    mask = numbers.select(usable.alias("usable")).to_series() & is_timing
    kept = numbers.filter(mask).select(
        "event_id",
        "bib",
        (pl.col("point_code") // 2).alias("point"),
        # A direction only exists at in/out checkpoints; elsewhere it is ignored.
        pl.when(pl.col("point_code") % 2 == 1)
        .then(pl.col("direction_code"))
        .otherwise(pl.lit(0, pl.Int8))
        .alias("direction_code"),
        "at",
        "chip",
    )
    unusable_mask = ~mask & is_timing
    unusable = timing.filter(unusable_mask).with_columns(numbers.filter(unusable_mask)["bib"])
    return kept, _unusable_reasons(unusable, bibs)


def _point_code(course: pl.DataFrame) -> pl.Expr:
    """The expression that gives a read or entry its timing point, as ``point * 2 + 1``
    at an in/out checkpoint and ``point * 2`` elsewhere (null for a checkpoint the race
    has not). The checkpoint's name is looked up once per row; (stage, checkpoint) is
    then one integer, an index into a table of the race's points."""
    points = course.unique(["stage", "checkpoint"], keep="first", maintain_order=True)
    names = points["checkpoint"].unique().sort()
    top = max(points["stage"].to_list(), default=0)
    table: list[int | None] = [None] * ((top + 1) * len(names))
    index = {name: code for code, name in enumerate(names)}
    for stage, checkpoint, point, direction in points.select(
        "stage", "checkpoint", "point", "direction"
    ).iter_rows():
        table[stage * len(names) + index[checkpoint]] = point * 2 + (direction is not None)
    name_code = looked_up(pl.col("checkpoint"), names, pl.Series(range(len(names)), dtype=pl.Int64))
    where = pl.when(pl.col("stage").is_between(0, top)).then(
        pl.col("stage") * len(names) + name_code
    )
    return pl.lit(pl.Series(table, dtype=pl.Int64)).gather(where)


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


def _crossings(timing: pl.DataFrame, course: pl.DataFrame, window: timedelta) -> pl.DataFrame:
    """Reads of one bib at one timing point, less than ``window`` apart, are one crossing.

    Millions of reads: they are put in order once (``_reading_order``), a crossing starts
    where the key changes or the gap is too long, found by comparing neighbours, and its
    times are reduced over those runs with NumPy (several times faster than a group-by
    here); the text columns are joined back per timing point afterwards."""
    ordered = timing[pl.Series(_reading_order(timing))]  # polars gathers in parallel
    bib, point, direction, chip, event_id = (
        ordered[name].to_numpy() for name in ("bib", "point", "direction_code", "chip", "event_id")
    )
    at = ordered["at"].to_physical().to_numpy()  # microseconds
    starts = np.ones(len(at), dtype=bool)
    starts[1:] = (
        (bib[1:] != bib[:-1])
        | (point[1:] != point[:-1])
        | (direction[1:] != direction[:-1])
        | (np.diff(at) > window // timedelta(microseconds=1))
    )
    first = np.flatnonzero(starts)
    crossings = pl.DataFrame(
        {
            "crossing": np.arange(1, len(first) + 1, dtype=np.uint32),
            "bib": bib[first],
            "point": point[first],
            "direction_code": direction[first],
            "at": _earliest(at, first),
            "chip_at": _earliest(np.where(chip, at, _NO_TIME), first),  # chip first
            "chip": np.logical_or.reduceat(chip, first) if len(first) else chip[:0],
        },
        schema_overrides={"bib": pl.Int64, "point": pl.Int64, "direction_code": pl.Int8},
    )
    events = (
        pl.DataFrame(
            {
                "crossing": pl.Series(np.cumsum(starts, dtype=np.uint32)).set_sorted(),
                "event_id": pl.Series(event_id, dtype=pl.Int64),
            }
        )
        .group_by("crossing", maintain_order=True)  # marked sorted: a single pass
        .agg(pl.col("event_id").alias("events"))  # in the order read
    )
    points = course.select(
        "point", "stage", "checkpoint", pl.col("direction").alias("point_direction")
    ).unique("point", keep="first")
    as_time = pl.from_epoch(
        pl.when(pl.col("chip")).then(pl.col("chip_at")).otherwise(pl.col("at")), time_unit="us"
    ).dt.replace_time_zone("UTC")
    return (
        crossings.join(points, on="point", how="left", maintain_order="left")
        .with_columns(events["events"])
        .select(
            "crossing",
            "bib",
            "point",
            "direction_code",
            "stage",
            "checkpoint",
            _direction_name(pl.col("direction_code")).alias("direction"),
            "point_direction",
            as_time.alias("at"),
            pl.when(pl.col("chip")).then(pl.lit("chip")).otherwise(pl.lit("manual")).alias("by"),
            "events",
        )
    )


_NO_TIME = np.iinfo(np.int64).max  # no chip read in a crossing: never its minimum


def _earliest(times: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The minimum of each run of ``times`` that starts at the indices ``first``."""
    return np.minimum.reduceat(times, first) if len(first) else times[:0]


_SECONDS_BITS = 20  # 12 days: any one race, in whole seconds
_KEY_BITS = 63 - _SECONDS_BITS  # bib, point and direction, packed above the seconds


def _reading_order(reads: pl.DataFrame) -> np.ndarray:
    """The row order that sorts ``reads`` by (bib, point, direction_code, at).

    One packed integer key sorts about twice as fast as four columns. Time is packed to
    the second, which is enough for grouping reads into crossings (a crossing's time is
    the exact minimum anyway). A log spanning more than 12 days (a wrong date typed) or
    a bib too large to pack is sorted on the four columns."""
    bib, point = reads["bib"].to_numpy(), reads["point"].to_numpy()
    direction = reads["direction_code"].to_numpy().astype(np.int64)
    seconds = reads["at"].to_physical().to_numpy() // 1_000_000
    if not len(seconds):
        return np.arange(0)
    span = int(seconds.max() - seconds.min())
    packable = (
        span < 2**_SECONDS_BITS
        and point.min() >= 0
        and point.max() < 2**15
        and bib.min() >= 0
        and bib.max() < 2 ** (_KEY_BITS - 17)
    )
    if not packable:
        return np.lexsort((seconds, direction, point, bib))
    packed = ((bib * 2**15 + point) * 4 + direction) * 2**_SECONDS_BITS + (seconds - seconds.min())
    ordered: np.ndarray = pl.Series(packed).arg_sort().to_numpy()  # in parallel
    return ordered


def _first_crossings(
    crossings: pl.DataFrame, every: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Crossings come ordered by (bib, point, direction, time): the first and last of each
    run of equal keys are found by comparing neighbours, with no window function.

    Roles as numbers: 0 a single passing, 1 in, 2 out, 3 a repeat (set aside)."""
    key = ["bib", "point", "direction_code"]
    is_first = pl.any_horizontal([pl.col(k) != pl.col(k).shift(1) for k in key]).fill_null(True)
    is_last = pl.any_horizontal([pl.col(k) != pl.col(k).shift(-1) for k in key]).fill_null(True)
    undirected_in_out = pl.col("point_direction").is_not_null() & (pl.col("direction_code") == 0)
    role = (
        pl.when(pl.col("first"))
        .then(pl.when(undirected_in_out).then(pl.lit(1, pl.Int8)).otherwise("direction_code"))
        .when(undirected_in_out & pl.col("last"))
        .then(pl.lit(2, pl.Int8))
        .otherwise(pl.lit(_REPEAT, pl.Int8))
    )
    # An undirected read after a typed "in" at the same checkpoint is the runner leaving.
    typed_in = (
        crossings.filter(pl.col("direction_code") == 1)
        .group_by("bib", "point")
        .agg(pl.col("at").min().alias("typed_in"))
    )
    role = (
        pl.when((role == 1) & undirected_in_out & (pl.col("at") > pl.col("typed_in")))
        .then(pl.lit(2, pl.Int8))
        .otherwise(role)
    )
    ranked = (
        crossings.join(typed_in, on=["bib", "point"], how="left", maintain_order="left")
        .with_columns(is_first.alias("first"), is_last.alias("last"))
        .with_columns(
            role.alias("role_code"),
            pl.when(pl.col("first")).then(pl.col("at")).forward_fill().alias("first_at"),
        )
    )
    repeats = _repeat_reasons(ranked.filter(pl.col("role_code") == _REPEAT), "first_at", every)
    # Two crossings may take one role (an "in" typed and an "in" read): the earliest is
    # the passing, the other is set aside, never dropped.
    used = ranked.filter(pl.col("role_code") != _REPEAT).sort("bib", "point", "role_code", "at")
    same_role = (
        (pl.col("bib") == pl.col("bib").shift(1))
        & (pl.col("point") == pl.col("point").shift(1))
        & (pl.col("role_code") == pl.col("role_code").shift(1))
    ).fill_null(False)
    used = used.with_columns(
        same_role.alias("second"),
        pl.when(~same_role).then(pl.col("at")).forward_fill().alias("first_at"),
    )
    seconds = _repeat_reasons(used.filter(pl.col("second")), "first_at", every)
    # Left in (bib, point, role) order, which is (bib, stage, course order): see _judge.
    used = used.filter(~pl.col("second")).select(
        "crossing",
        "bib",
        "point",
        "at",
        (pl.col("point") * 4 + pl.col("role_code")).alias("course_key"),
    )
    return used, pl.concat([repeats, seconds])


_REPEAT = 3


def _repeat_reasons(repeats: pl.DataFrame, first_at: str, every: pl.DataFrame) -> pl.DataFrame:
    stage, checkpoint, events = _of(every, repeats["crossing"], "stage", "checkpoint", "events")
    return (
        repeats.with_columns(stage, checkpoint, events)
        .explode("events")
        .select(
            pl.col("events").alias("event_id"),
            pl.format(
                "a repeat crossing at {}/{} (the first was at {} UTC)",
                "stage",
                "checkpoint",
                pl.col(first_at).dt.strftime("%Y-%m-%d %H:%M:%S"),
            ).alias("reason"),
        )
    )


def _judge(
    passings: pl.DataFrame,
    facts: pl.DataFrame,
    course: pl.DataFrame,
    starts: pl.DataFrame,
    thresholds: Thresholds,
    continues: bool,
) -> pl.DataFrame:
    """Give each passing its data status and the reason for it. ``continues``: the race
    lets a runner who withdrew from a stage start the next one. ``passings`` come from
    ``_first_crossings``, in (bib, stage, course order): every join keeps that order."""
    withdrawn = (
        facts.filter(pl.col("kind") == "withdrawal")
        .sort("stage", "at")
        .group_by("bib")
        .agg(
            pl.col("stage").first().alias("out_stage"),
            pl.col("at").first().alias("out_at"),
            pl.col("event_id").first().alias("out_event"),
            pl.col("status").first().alias("out_status"),
        )
    )
    own_starts = (
        facts.filter(pl.col("kind") == "start")
        .sort("event_id")
        .group_by("bib", "stage")
        .agg(pl.col("at").last().alias("own_start"))
    )
    course_keys = course.select(
        (pl.col("point") * 4 + _DIRECTION_CODE).alias("course_key"), "stage", "order", "km"
    )
    judged = (
        passings.join(course_keys, on="course_key", how="left", maintain_order="left")
        .join(withdrawn, on="bib", how="left", maintain_order="left")
        .join(own_starts, on=["bib", "stage"], how="left", maintain_order="left")
        .join(starts, on="stage", how="left", maintain_order="left")
    )
    # Neighbours in course order, without window functions (see _crossings): `same` is
    # true where the previous row is the same runner on the same stage.
    same = (pl.col("bib") == pl.col("bib").shift(1)) & (pl.col("stage") == pl.col("stage").shift(1))
    new_group = (~same).fill_null(True)
    # A running maximum that restarts for each runner and stage: offset each group far
    # above the previous one, so the maximum never carries over.
    span = pl.col("at").dt.epoch("us") - pl.col("at").dt.epoch("us").min()
    offset = new_group.cum_sum().cast(pl.Int64) * 10**13  # 10**13 us is 115 days: > a race
    running_max = (span + offset).cum_max() - offset
    # The start passing, when there is one, is the first of its runner's stage.
    start_passing = pl.when(
        pl.when(new_group).then((pl.col("order") == 0).fill_null(False)).forward_fill()
    ).then(pl.when(new_group).then(pl.col("at")).forward_fill())
    judged = judged.with_columns(
        pl.coalesce("own_start", start_passing, "field_start").alias("runner_start"),
        pl.when(same).then(running_max.shift(1)).alias("latest_before_us"),
        pl.when(same).then(pl.col("order").shift(1)).otherwise(0).alias("from_order"),
        pl.when(same).then(pl.col("at").shift(1)).alias("previous_at"),
        span.alias("at_us"),
    )
    judged = judged.with_columns(
        pl.when(pl.col("order") == 0)  # the start
        .then(None)
        .otherwise(pl.col("at") - pl.coalesce("previous_at", "runner_start"))
        .alias("segment"),
    )
    # Later stages count as "after" only for a runner who may not continue.
    may_not_continue = (pl.col("out_status") == "dq") | pl.lit(not continues)
    after_withdrawal = pl.col("out_stage").is_not_null() & (
        ((pl.col("stage") > pl.col("out_stage")) & may_not_continue)
        | ((pl.col("stage") == pl.col("out_stage")) & (pl.col("at") > pl.col("out_at")))
    )
    out_of_order = pl.col("latest_before_us").is_not_null() & (
        pl.col("at_us") < pl.col("latest_before_us")
    )
    segment_key = ["stage", "from_order", "order"]
    judged = judged.with_columns(
        after_withdrawal.fill_null(False).alias("after_withdrawal"),
        out_of_order.fill_null(False).alias("out_of_order"),
    )
    typical = (
        judged.filter(~pl.col("after_withdrawal") & ~pl.col("out_of_order"))
        .group_by(segment_key)
        .agg(pl.col("segment").median().alias("typical"), pl.col("segment").count().alias("field"))
    )
    judged = judged.join(typical, on=segment_key, how="left", maintain_order="left")
    ratio = pl.col("segment").dt.total_seconds() / pl.col("typical").dt.total_seconds()
    # From a checkpoint's in to its out the runner rests, not runs: no speed to judge.
    is_out = pl.col("course_key") % 4 == 2
    rest = is_out & (pl.col("from_order") == pl.col("order") - 1)
    judgeable = (
        (pl.col("field") >= thresholds.min_field) & (pl.col("typical") > timedelta(0)) & ~rest
    )
    before_start = (pl.col("order") != 0) & (pl.col("at") < pl.col("runner_start"))
    found = [
        (pl.col("after_withdrawal"), _Finding.AFTER_WITHDRAWAL),
        (before_start, _Finding.BEFORE_START),
        (judgeable & (ratio < thresholds.impossible), _Finding.IMPOSSIBLY_FAST),
        (pl.col("out_of_order"), _Finding.OUT_OF_ORDER),
        (judgeable & (ratio < thresholds.suspicious), _Finding.SUSPICIOUSLY_FAST),
        (judgeable & (ratio > thresholds.very_slow), _Finding.VERY_SLOW),
    ]
    finding: pl.Expr = pl.lit(_Finding.NONE.value, pl.Int8)
    for condition, what in reversed(found):  # the first that applies wins
        finding = pl.when(condition).then(pl.lit(what.value, pl.Int8)).otherwise(finding)
    judged = judged.with_columns(finding.alias("finding"))
    return judged.select(
        "crossing",
        # Bad for its time alone, not for a withdrawal: a later crossing may replace it.
        pl.col("finding")
        .is_in([_Finding.BEFORE_START.value, _Finding.IMPOSSIBLY_FAST.value])
        .alias("time_is_impossible"),
        "bib",
        "stage",
        "point",
        "course_key",
        "order",
        "km",
        "at",
        pl.col("finding").replace_strict(_FINDING_STATUS, return_dtype=pl.String).alias("status"),
        _reasons(judged).alias("reason"),
        "runner_start",
    )


class _Finding(IntEnum):
    """What judging a passing found, the first that applies in this order."""

    NONE = 0
    AFTER_WITHDRAWAL = 1
    BEFORE_START = 2
    IMPOSSIBLY_FAST = 3
    OUT_OF_ORDER = 4
    SUSPICIOUSLY_FAST = 5
    VERY_SLOW = 6


_FINDING_STATUS = {
    finding.value: (
        DataStatus.GOOD
        if finding is _Finding.NONE
        else DataStatus.BAD
        if finding <= _Finding.IMPOSSIBLY_FAST
        else DataStatus.QUESTIONABLE
    ).value
    for finding in _Finding
}


def _reasons(judged: pl.DataFrame) -> pl.Series:
    """The reason for each finding, written only for the (few) passings that have one."""
    rows = judged.select(pl.arg_where(pl.col("finding") != _Finding.NONE.value)).to_series()
    minutes = "{} min on a segment the field typically takes {} min"
    seg_min = (pl.col("segment").dt.total_seconds() / 60).round(0).cast(pl.Int64)
    typ_min = (pl.col("typical").dt.total_seconds() / 60).round(0).cast(pl.Int64)
    finding = pl.col("finding")
    reason = (
        pl.when(finding == _Finding.AFTER_WITHDRAWAL.value)
        .then(pl.format(AFTER_WITHDRAWAL + " (event {})", "out_event"))
        .when(finding == _Finding.BEFORE_START.value)
        .then(
            pl.format(
                "before the runner's start ({} UTC)",
                pl.col("runner_start").dt.strftime("%Y-%m-%d %H:%M:%S"),
            )
        )
        .when(finding == _Finding.IMPOSSIBLY_FAST.value)
        .then(pl.format("impossibly fast: " + minutes, seg_min, typ_min))
        .when(finding == _Finding.OUT_OF_ORDER.value)
        .then(pl.lit("earlier than a passing further along the course"))
        .when(finding == _Finding.SUSPICIOUSLY_FAST.value)
        .then(pl.format("suspiciously fast: " + minutes, seg_min, typ_min))
        .otherwise(pl.format("very slow: " + minutes, seg_min, typ_min))
    )
    written = judged[rows].select(reason.alias("reason")).to_series()
    nothing = pl.repeat(None, judged.height, dtype=pl.String, eager=True)
    return nothing.alias("reason").scatter(rows, written)
