"""Raw reads and entries -> one passing per runner per timing point, with a data status.

Pure and columnar (Polars and NumPy): see ``bench/results_engine.py`` for how long a
10,000-runner race with 2.8 million reads takes. Nothing is thrown away: every read that
does not become a passing is set aside with its reason.

Rules, in order:
1. A standing void removes its target (a void of a void restores it); a correction
   replaces the target's fields (the latest standing correction of a target wins).
2. A chip read gets its bib from the race's tags; reads and entries that name no known
   bib, stage or checkpoint, or carry no time, are set aside.
3. Reads of one bib at one timing point within ``window`` of each other are one crossing
   (``results.crossings``). The crossing's time is its earliest chip read; a manual
   entry gives the time only when no chip read it (chip first, people as the backup).
4. The first crossing at a checkpoint is the passing (at an in/out checkpoint without a
   direction: the first is in, the last is out); later crossings are set aside
   (``results.roles``). When the first is bad for its time alone (a typo: impossibly
   fast, or before the runner's start) and a later crossing exists, the later one is
   used and the typo set aside.
5. Status (``results.judgement``): ``bad`` when recorded after the runner's withdrawal,
   before the runner's own start, or impossibly fast against the field's typical time on
   that segment; ``questionable`` when out of course order, suspiciously fast or very
   slow, or when two sources disagree (``results.conflicts``); else ``good``.

A crossing never spans two stages, so a large log is reconciled in two parts at once,
the early and the late stages: most of the work runs on one core, and machines have more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

import numpy as np
import polars as pl

from desert_runners.domain.race import START, Consequence, Race
from desert_runners.results.conflicts import notes, time_conflicts, withdrawal_conflicts
from desert_runners.results.crossings import (
    LIGHT,
    TIMING_KINDS,
    crossings,
    direction_name,
    usable_reads,
)
from desert_runners.results.facts import UTC_TIME, in_force, voided
from desert_runners.results.judgement import (
    AFTER_WITHDRAWAL,
    DataStatus,
    Thresholds,
    judge,
    timing_points,
)
from desert_runners.results.lookup import among
from desert_runners.results.parallel import in_parallel, is_large, row_halves
from desert_runners.results.roles import events_of, passing_crossings, point_names
from desert_runners.results.runs import run_ends, run_starts

__all__ = ["DataStatus", "Reconciliation", "Thresholds", "reconcile"]


@dataclass(frozen=True)
class Reconciliation:
    passings: pl.DataFrame  # bib, stage, checkpoint, direction, at, status, reason, events
    set_aside: pl.DataFrame  # event_id, reason
    conflicts: pl.DataFrame  # see results.conflicts: where two sources disagree
    rulings: pl.DataFrame  # the facts in force that are not reads or entries (in_force)


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
    """``facts`` as from ``facts_frame``; ``bibs`` the race's entrants; ``tags`` (tag, bib).
    The passings come in no particular order."""
    # A log read in pieces (a file's row groups) is put in one piece per column first:
    # gathers and slices of millions of rows over many pieces cost more than the copy.
    facts = facts.rechunk()
    course = course_frame(race)
    timing, voided_aside = effective_timing_facts(facts)
    rulings = in_force(facts)
    points = timing_points(course, stage_starts(race))
    continues = race.rules.withdrawn_stage is not Consequence.OUT

    early_end = _early_end(race, course, timing)

    def as_numbers(rows: pl.DataFrame) -> tuple[list[pl.DataFrame], pl.DataFrame]:
        usable, aside = usable_reads(rows, bibs, tags, course)
        return _stage_parts(usable, early_end), aside

    def reconciled(reads: pl.DataFrame) -> _Part:
        every = crossings(reads.rechunk(), course, thresholds.window)
        passings, set_aside, displaced = _passings(
            every, rulings, course, points, thresholds, continues
        )
        # A typo set aside for a later crossing is no conflict: it is resolved.
        kept = every.filter(~among(every["crossing"], displaced)) if len(displaced) else every
        return _Part(kept, passings, set_aside)

    # Reads become numbers in two halves of rows at once, each half cut into its early and
    # late stages; then the early and the late stages are reconciled at once.
    converted = in_parallel(as_numbers, row_halves(timing))
    parts = [pl.concat(pieces) for pieces in zip(*(part for part, _ in converted), strict=True)]
    done = in_parallel(reconciled, [part for part in parts if part.height] or parts[:1])
    every = pl.concat([part.crossings for part in done])
    passings = pl.concat([part.passings for part in done])
    unusable = _with_rejection_reasons(pl.concat([aside for _, aside in converted]), facts)
    set_aside = pl.concat([voided_aside, unusable, *(part.set_aside for part in done)])
    conflicts = _conflicts(facts, every, passings, rulings, course, thresholds.disagreement)
    return Reconciliation(
        _mark_conflicts(passings, notes(conflicts, race.zone)),
        set_aside.sort("event_id"),
        conflicts,
        rulings,
    )


@dataclass(frozen=True)
class _Part:
    crossings: pl.DataFrame  # all but those of typos a later crossing replaced
    passings: pl.DataFrame
    set_aside: pl.DataFrame  # crossings that are not passings, why


def _early_end(race: Race, course: pl.DataFrame, timing: pl.DataFrame) -> int | None:
    """The last timing point of the early stages of a large log (None: it is reconciled
    in one part). A crossing never spans two stages, so the early and the late stages
    are reconciled at once; they are cut where each part gets about half the rows (a
    long stage has more checkpoints, so more reads)."""
    if not is_large(timing) or len(race.stages) < 2:
        return None
    ends = course.group_by("stage").agg(pl.col("point").max()).sort("stage")
    numbers = ends["stage"].to_numpy()
    top = int(numbers.max())
    # Rows per stage number; no stage, or one the race has not (a typed 2010), count
    # nowhere: they are moved to the first and the last slot, then left out.
    stage = np.clip(timing["stage"].fill_null(-1).to_numpy(), -1, top + 1) + 1
    rows_up_to = np.cumsum(np.bincount(stage, minlength=top + 3)[1 : top + 2])
    # Each stage but the last may end the early part: the one that halves the rows.
    best = int(np.argmin(np.abs(rows_up_to[numbers[:-1]] - rows_up_to[-1] / 2)))
    return int(ends["point"][best])


def _stage_parts(reads: pl.DataFrame, early_end: int | None) -> list[pl.DataFrame]:
    """``reads`` (``usable_reads``) as the early and the late stages (see ``_early_end``)."""
    if early_end is None:
        return [reads]
    early = pl.col("point") <= early_end
    return [reads.filter(early), reads.filter(~early)]


_MAX_DISPLACEMENTS = 3  # a runner rarely has more than one impossible typo at a point


def _passings(
    every: pl.DataFrame,
    rulings: pl.DataFrame,
    course: pl.DataFrame,
    points: pl.DataFrame,
    thresholds: Thresholds,
    continues: bool,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series]:
    """The judged passings of the crossings ``every``, the crossings set aside (why),
    and the numbers of those displaced. A typo that is impossible (too early) must not
    hide the good crossing after it: it is set aside and the judging done again, up to
    ``_MAX_DISPLACEMENTS`` times."""
    remaining = every.select(LIGHT)
    displaced: list[pl.DataFrame] = []
    while True:
        passings, repeats = passing_crossings(remaining, every, course)
        passings = judge(passings, rulings, points, thresholds, continues)
        bad_first = _displaceable(passings, remaining)
        if bad_first.is_empty() or len(displaced) == _MAX_DISPLACEMENTS:
            break
        displaced.append(bad_first)
        remaining = remaining.filter(~among(remaining["crossing"], bad_first["crossing"]))
    set_aside = [repeats, *(_as_set_aside(frame, every) for frame in displaced)]
    numbers = (
        pl.concat([frame["crossing"] for frame in displaced])
        if displaced
        else pl.Series("crossing", [], dtype=pl.UInt32)
    )
    return _with_text(passings, every, course), pl.concat(set_aside), numbers


def _conflicts(
    facts: pl.DataFrame,
    every: pl.DataFrame,
    passings: pl.DataFrame,
    rulings: pl.DataFrame,
    course: pl.DataFrame,
    window: timedelta,
) -> pl.DataFrame:
    """The few crossings that could conflict, with their sources: only there is the
    source of an event looked up."""
    key = ["bib", "stage", "checkpoint", "direction"]
    # Crossings come in (bib, point, direction) order: a key shared with a neighbour is
    # a timing point crossed more than once.
    bib, point = every["bib"].to_numpy(), every["point"].to_numpy()
    direction = every["direction_code"].to_numpy()
    starts = run_starts(bib, point, direction)
    shared = ~starts | ~run_ends(starts)
    # At an in/out checkpoint an undirected crossing may be either: not comparable.
    comparable = ~every["in_out"].to_numpy() | (direction != 0)
    rows = np.flatnonzero(shared & comparable)
    stage, checkpoint = point_names(course, point[rows])
    candidates = pl.DataFrame(
        {
            "bib": every["bib"].gather(rows),
            "stage": stage,
            "checkpoint": checkpoint,
            "direction": every["direction_code"].gather(rows),
            "at": every["at"].gather(rows),
            "event_id": every["events"].gather(rows).list.first(),
        }
    ).with_columns(direction_name(pl.col("direction")).alias("direction"))
    after = (
        passings.select(*key, "at", "reason", pl.col("events").list.first().alias("event_id"))
        .filter(pl.col("reason").str.starts_with(AFTER_WITHDRAWAL))
        .drop("reason")
    )
    wanted = pl.concat([candidates["event_id"], after["event_id"]])
    sources = facts.select("event_id", "source").filter(among(facts["event_id"], wanted))
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
    """The passings where two sources disagree are questionable, with the note why.
    Conflicts are few: only the passings of runners who have one are joined."""
    if notes.is_empty():
        return passings
    key = ["bib", "stage", "checkpoint", "direction"]
    rows = passings.select(pl.arg_where(pl.col("bib").is_in(notes["bib"].implode()))).to_series()
    concerned = passings.select(*key, "status", "reason")[rows]  # not the events: narrow
    marked = concerned.join(notes, on=key, how="left", nulls_equal=True, maintain_order="left")
    good = pl.col("status") == DataStatus.GOOD.value
    marked = marked.select(
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
    )
    return passings.with_columns(
        passings["status"].scatter(rows, marked["status"]),
        passings["reason"].scatter(rows, marked["reason"]),
    )


def _displaceable(passings: pl.DataFrame, remaining: pl.DataFrame) -> pl.DataFrame:
    """Passings judged bad for their time alone (not for a withdrawal) where the runner
    has another crossing at the same timing point to use instead: crossing, reason."""
    point = ["bib", "point"]
    bad = passings.filter(pl.col("time_is_impossible"))
    if bad.is_empty():
        return bad.select("crossing", "reason")
    # Counted only where a passing is bad: a few rows, not every crossing of the race.
    alternatives = (
        remaining.join(bad.select(point), on=point, how="semi")
        .group_by(point)
        .agg(pl.len().alias("crossings"))
    )
    return (
        bad.join(alternatives, on=point, how="inner")
        .filter(pl.col("crossings") > 1)
        .select("crossing", "reason")
    )


def _with_text(passings: pl.DataFrame, every: pl.DataFrame, course: pl.DataFrame) -> pl.DataFrame:
    """The judged passings with their checkpoint, direction, source and events."""
    numbers = passings["crossing"].to_numpy().astype(np.int64) - 1
    _, checkpoint = point_names(course, passings["point"].to_numpy())
    chip = every["chip"].gather(numbers)
    return passings.select(
        "bib",
        "stage",
        checkpoint.alias("checkpoint"),
        direction_name(pl.col("course_key") % 4).alias("direction"),
        "order",
        "km",
        "at",
        pl.when(chip).then(pl.lit("chip")).otherwise(pl.lit("manual")).alias("by"),
        "status",
        "reason",
        every["events"].gather(numbers).alias("events"),
        "runner_start",
    )


def _as_set_aside(displaced: pl.DataFrame, every: pl.DataFrame) -> pl.DataFrame:
    events = events_of(every, displaced["crossing"].to_numpy())
    return (
        displaced.with_columns(events.alias("events"))
        .explode("events")
        .select(
            pl.col("events").alias("event_id"),
            pl.format("{}: a later crossing is used", "reason").alias("reason"),
        )
    )


def effective_timing_facts(facts: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The facts with the columns reads and entries have, as they stand after voids and
    corrections; and the reads and entries voided, why.

    Reads and entries are most of the log: they are not copied. One that a void removes
    or a correction replaces is marked ``replaced``, and its corrected copy added at the
    end. Other facts are still among the rows: ``TIMING_KINDS`` picks reads and entries."""
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
        .join(voids, on="event_id", how="anti")  # a voided fact stays voided
    )
    columns = ["event_id", "kind", "bib", "tag", "stage", "checkpoint", "direction", "at"]
    timing = facts.select(*columns)
    replaced_ids = pl.concat([voids["event_id"], corrections["event_id"]])
    if replaced_ids.is_empty():
        nothing = pl.DataFrame(schema={"event_id": pl.Int64, "reason": pl.String})
        return timing.with_columns(pl.lit(False).alias("replaced")), nothing
    # The few rows concerned, found in one pass over the event ids.
    rows = pl.Series(np.flatnonzero(among(timing["event_id"], replaced_ids).to_numpy()))
    concerned = timing[rows]
    set_aside = (
        concerned.filter(TIMING_KINDS)
        .join(voids, on="event_id", how="inner")
        .select("event_id", "reason")
    )
    corrected = (
        concerned.join(corrections, on="event_id", how="inner")
        .with_columns(
            pl.coalesce(f"new_{name}", name).alias(name)
            for name in ("at", "bib", "stage", "checkpoint", "direction")
        )
        .select(*columns, pl.lit(False).alias("replaced"))
    )
    replaced = pl.Series("replaced", np.zeros(timing.height, dtype=bool))
    timing = timing.with_columns(replaced.scatter(rows, True))
    return pl.concat([timing, corrected]), set_aside


def _with_rejection_reasons(aside: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """A device line that could not be read is stored as a read without a time; it is
    set aside with the reason it was rejected, not a bare "no time"."""
    rejected = facts.filter((pl.col("kind") == "read") & pl.col("reason").is_not_null()).select(
        "event_id", pl.format("rejected: {}", "reason").alias("rejected")
    )
    return aside.join(rejected, on="event_id", how="left").select(
        "event_id", pl.coalesce("rejected", "reason").alias("reason")
    )
