"""Stage results: each runner's stage time, status and rank, from reconciled passings.

stage time = finish - the runner's own start - neutralised time + time penalties of the
stage. Statuses: finished, dnf, dns, dq, medical (from withdrawals, or a penalty that
disqualifies), missed_cutoff (a passing past a checkpoint's cutoff), racing (no finish
yet while the stage is not over), out (out of the race at an earlier stage, under the
race's rules). Ranks: by stage time among finishers; equal times share a place (1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, timedelta
from enum import StrEnum

import numpy as np
import polars as pl

from desert_runners.domain.race import Consequence, Race, Stage
from desert_runners.results.facts import UTC_TIME, in_force
from desert_runners.results.lookup import positions
from desert_runners.results.penalties import penalty_table
from desert_runners.results.reconcile import DataStatus


class StageStatus(StrEnum):
    FINISHED = "finished"
    RACING = "racing"
    MISSED_CUTOFF = "missed_cutoff"
    DNF = "dnf"
    DNS = "dns"
    DQ = "dq"
    MEDICAL = "medical"
    OUT = "out"  # out of the race at an earlier stage


WITHDRAWN = [StageStatus.DNF.value, StageStatus.DNS.value, StageStatus.MEDICAL.value]


def cutoffs_frame(stage: Stage) -> pl.DataFrame:
    """Each checkpoint's cutoff: an absolute deadline, or an elapsed time from the
    runner's own start; ``order``: the course order of arriving there (its single
    passing, or its ``in``), as ``reconcile.course_frame`` numbers it."""
    rows = [
        (
            checkpoint.id,
            2 * index - 1 if checkpoint.in_out else 2 * index,
            None
            if checkpoint.cutoff.elapsed is not None
            else checkpoint.cutoff.deadline(stage.start).astimezone(UTC),
            checkpoint.cutoff.elapsed,
        )
        for index, checkpoint in enumerate(stage.checkpoints, start=1)
        if checkpoint.cutoff is not None
    ]
    return pl.DataFrame(
        rows,
        schema={
            "checkpoint_id": pl.String,
            "order": pl.Int64,
            "deadline": UTC_TIME,
            "allowed": pl.Duration("us"),
        },
        orient="row",
    )


def stage_results(
    race: Race,
    number: int,
    passings: pl.DataFrame,
    facts: pl.DataFrame,
    bibs: pl.Series,
    *,
    final: bool = False,
    out_before: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per entrant: bib, status, start, finish, neutralised, penalty, stage_time,
    rank, reason. ``passings`` from ``reconcile``; bad passings are not used.

    ``final``: the stage is over (its last cutoff has passed, or the race is history): a
    runner with no finish and no withdrawal is then dnf (seen on the course) or dns (never
    seen), instead of racing. ``out_before`` (bib, reason): runners already out of the race
    (see ``race_stage_results``)."""
    usable = _usable(passings.filter(pl.col("stage") == number))
    return _stage_tables(race, usable, in_force(facts), bibs, {number: final}, out_before)[number]


def race_stage_results(
    race: Race,
    passings: pl.DataFrame,
    facts: pl.DataFrame,
    bibs: pl.Series,
    final: Mapping[int, bool],
) -> dict[int, pl.DataFrame]:
    """The results of the stages in ``final`` (those that have started: number -> over),
    each knowing who left the race before it."""
    return _stage_tables(race, _usable(passings), in_force(facts), bibs, final, None)


def _usable(passings: pl.DataFrame) -> pl.DataFrame:
    """The passings a stage result may use (not bad), with the columns it needs (picked
    first: the passings' other columns, their events above all, are not copied)."""
    needed = passings.select("bib", "stage", "order", "at", "runner_start", "status")
    return needed.filter(pl.col("status") != DataStatus.BAD.value).drop("status")


_KEY = ["bib", "stage"]


def _stage(race: Race, number: int) -> Stage:
    stage = race.stage(number)
    if stage is None:
        raise ValueError(f"{race.slug} has no stage {number}")
    return stage


def _stage_tables(
    race: Race,
    usable: pl.DataFrame,
    rulings: pl.DataFrame,
    bibs: pl.Series,
    final: Mapping[int, bool],
    out_before: pl.DataFrame | None,
) -> dict[int, pl.DataFrame]:
    """Every stage in ``final`` at once, one row per entrant and stage (a few operations
    on all stages cost less than the same operations stage by stage). Who is out of the
    race follows from the first stage each runner leaves it (see ``_out``)."""
    numbers = sorted(final)
    if not numbers:
        return {}
    stages = [_stage(race, number) for number in numbers]
    days = pl.DataFrame(
        {
            "stage": numbers,
            "field_start": [stage.start.astimezone(UTC) for stage in stages],
            "final": [final[number] for number in numbers],
        },
        schema={
            "stage": pl.Int64,
            "field_start": UTC_TIME,
            "final": pl.Boolean,
        },
    )
    runners = pl.DataFrame({"bib": bibs}).join(days, how="cross", maintain_order="left_right")
    seen = _seen(usable, bibs, stages)
    own_holds, field_holds = _neutralised(rulings)
    table = (
        runners.with_columns(seen)
        .join(_withdrawals(rulings), on=_KEY, how="left")
        .join(own_holds, on=_KEY, how="left")
        .join(field_holds, on="stage", how="left")
        .join(_penalties(race, rulings), on=_KEY, how="left")
        .join(_cutoffs_missed(stages, usable), on=_KEY, how="left")
        .with_columns(
            pl.coalesce("start", "seen_start", "field_start").alias("start"),
            (
                pl.col("own_hold").fill_null(timedelta(0))
                + pl.col("field_hold").fill_null(timedelta(0))
            ).alias("neutralised"),
            pl.col("penalty").fill_null(timedelta(0)),
            pl.col("penalty_dq").fill_null(False),
        )
    )
    # A finish that leaves no positive time (a start typed after it, a hold longer than
    # the stage) is no result: it would rank first.
    net = pl.col("finish") - pl.col("start") - pl.col("neutralised")
    impossible = pl.col("finish").is_not_null() & (net <= timedelta(0))
    table = table.with_columns(
        pl.when(impossible)
        .then(pl.lit("no positive stage time: check the start, finish and neutralised time"))
        .alias("impossible_reason"),
        pl.when(impossible).then(None).otherwise(pl.col("finish")).alias("finish"),
    )
    # The status each runner would have if nobody were out of the race yet.
    status = (
        pl.when(pl.col("penalty_dq"))
        .then(pl.lit(StageStatus.DQ.value))
        .when(pl.col("withdrawal").is_not_null())
        .then(pl.col("withdrawal"))
        .when(pl.col("missed_at").is_not_null())
        .then(pl.lit(StageStatus.MISSED_CUTOFF.value))
        .when(pl.col("finish").is_not_null())
        .then(pl.lit(StageStatus.FINISHED.value))
        .when(~pl.col("final"))
        .then(pl.lit(StageStatus.RACING.value))
        .when(pl.col("seen_start").is_not_null())
        .then(pl.lit(StageStatus.DNF.value))
        .otherwise(pl.lit(StageStatus.DNS.value))
    )
    unfinished = pl.col("final") & pl.col("finish").is_null()
    reason = pl.coalesce(
        "dq_note",
        "withdrawal_reason",
        "missed_at",
        "impossible_reason",
        pl.when(unfinished & pl.col("seen_start").is_null()).then(
            pl.lit("never seen on the course")
        ),
        pl.when(unfinished).then(pl.lit("no finish recorded")),
    )
    table = _out(
        race, table.with_columns(status.alias("status"), reason.alias("reason")), out_before
    )
    finished = pl.col("status") == StageStatus.FINISHED.value
    table = table.with_columns(
        # A runner past a cutoff may still have a time: the race's rule decides its use.
        pl.when(finished | (pl.col("status") == StageStatus.MISSED_CUTOFF.value))
        .then(net + pl.col("penalty"))
        .alias("stage_time"),
    ).with_columns(
        pl.when(finished)
        .then(pl.col("stage_time"))
        .rank("min")
        .over("stage")
        .cast(pl.Int64)
        .alias("rank")
    )
    ordered = table.select(
        "bib",
        "stage",
        "status",
        "start",
        "finish",
        "neutralised",
        "penalty",
        "stage_time",
        "rank",
        "reason",
    ).sort("stage", "rank", "bib", nulls_last=True)
    tables = ordered.partition_by("stage", as_dict=True, maintain_order=True)
    return {number: tables.get((number,), ordered.clear()) for number in numbers}


def _seen(usable: pl.DataFrame, bibs: pl.Series, stages: list[Stage]) -> list[pl.Series]:
    """Each runner's ``finish`` and ``start`` of each stage (from their arrival at its
    finish) and ``seen_start`` (the start of everyone seen on it: a runner's start is the
    same on all their passings of a stage), one row per bib and stage of ``stages``, in
    that order (bib by bib).

    One pass over the passings: each passing's row in that table is worked out as a
    number, and its values are written there, with no group-by or join."""
    numbers = np.array([stage.number for stage in stages])
    # The finish is a stage's last checkpoint: its arrival is its in, if it has one.
    finish_order = np.array([2 * len(s.checkpoints) - s.finish.in_out for s in stages])
    runner = positions(usable["bib"].to_numpy(), bibs.to_numpy())
    day = positions(usable["stage"].to_numpy(), numbers)
    known = (runner >= 0) & (day >= 0)
    row = runner * len(stages) + day
    finish = known & (usable["order"].to_numpy() == finish_order[day])

    def written(name: str, alias: str, where: np.ndarray) -> pl.Series:
        empty = pl.repeat(None, len(bibs) * len(stages), dtype=usable.schema[name], eager=True)
        return empty.scatter(row[where], usable[name].filter(pl.Series(where))).alias(alias)

    return [
        written("at", "finish", finish),
        written("runner_start", "start", finish),
        written("runner_start", "seen_start", known),
    ]


def _out(race: Race, table: pl.DataFrame, out_before: pl.DataFrame | None) -> pl.DataFrame:
    """Runners out of the race: ``out`` on every stage after the first one that takes
    them out (see ``leaving_the_race``), or on all of them when ``out_before`` says so."""
    first_leaving = (
        leaving_the_race(race, table.select(*_KEY, "status", "reason"), with_stage=True)
        .sort("stage")
        .group_by("bib")
        .agg(pl.col("stage").first().alias("left_at"), pl.col("out_reason").first())
    )
    if out_before is not None and out_before.height:
        earlier = out_before.select(
            "bib", pl.lit(-1, pl.Int64).alias("left_at"), pl.col("out_reason")
        ).unique("bib", keep="first")
        first_leaving = pl.concat([earlier, first_leaving.join(earlier, on="bib", how="anti")])
    table = table.join(first_leaving, on="bib", how="left")
    out = pl.col("left_at").is_not_null() & (pl.col("stage") > pl.col("left_at"))
    return table.with_columns(
        pl.when(out).then(pl.lit(StageStatus.OUT.value)).otherwise("status").alias("status"),
        pl.when(out).then(pl.col("out_reason")).otherwise("reason").alias("reason"),
    )


def leaving_the_race(race: Race, table: pl.DataFrame, *, with_stage: bool = False) -> pl.DataFrame:
    """Who this stage takes out of the race (bib, out_reason; and the stage when asked):
    a DQ always; a withdrawal or a missed cutoff when the race's rule for it is ``out``
    (under the other rules they start again)."""
    rules = race.rules
    status = pl.col("status")
    leaves = (status == StageStatus.DQ.value) | (
        status.is_in(WITHDRAWN) & pl.lit(rules.withdrawn_stage is Consequence.OUT)
    )
    leaves = leaves | (
        (status == StageStatus.MISSED_CUTOFF.value) & pl.lit(rules.missed_cutoff is Consequence.OUT)
    )
    return table.filter(leaves).select(
        "bib",
        *(["stage"] if with_stage else []),
        pl.format("out since stage {}: {}", "stage", pl.coalesce("reason", "status")).alias(
            "out_reason"
        ),
    )


def _withdrawals(facts: pl.DataFrame) -> pl.DataFrame:
    return (
        facts.filter(pl.col("kind") == "withdrawal")
        .sort("event_id")
        .group_by(_KEY)
        .agg(
            pl.col("status").first().alias("withdrawal"),
            pl.format(
                "{} (event {})",
                pl.when(pl.col("reason").fill_null("") == "")
                .then(pl.col("status"))
                .otherwise(pl.col("reason")),
                "event_id",
            )
            .first()
            .alias("withdrawal_reason"),
        )
    )


def _neutralised(facts: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Time taken off each stage: a field-wide hold counts for everyone (stage,
    field_hold), a runner's own hold (medical) only for them (bib, stage, own_hold)."""
    holds = facts.filter(pl.col("kind") == "neutralisation")
    field = (
        holds.filter(pl.col("bib").is_null())
        .group_by("stage")
        .agg(pl.col("duration").sum().alias("field_hold"))
    )
    own = (
        holds.filter(pl.col("bib").is_not_null())
        .group_by(_KEY)
        .agg(pl.col("duration").sum().alias("own_hold"))
    )
    return own, field


def _penalties(race: Race, facts: pl.DataFrame) -> pl.DataFrame:
    return (
        penalty_table(race, facts)
        .filter(pl.col("stage").is_not_null())
        .group_by(_KEY)
        .agg(
            pl.col("time").sum().alias("penalty"),
            pl.col("dq").any().alias("penalty_dq"),
            pl.col("note").filter(pl.col("dq")).first().alias("dq_note"),
        )
    )


def _cutoffs_missed(stages: list[Stage], usable: pl.DataFrame) -> pl.DataFrame:
    """A checkpoint's cutoff is on arriving there: its single passing, or its ``in``."""
    cutoffs = pl.concat(
        [
            cutoffs_frame(stage).with_columns(pl.lit(stage.number, pl.Int64).alias("stage"))
            for stage in stages
        ]
    )
    # Each passing's cutoff found by number (stage, course order), without a join: most
    # passings are at checkpoints without one, or leaving.
    span = int(pl.concat([usable["order"], cutoffs["order"]]).max() or 0) + 1  # type: ignore[arg-type]

    def point(frame: pl.DataFrame) -> np.ndarray:
        number: np.ndarray = frame["stage"].to_numpy() * span + frame["order"].to_numpy()
        return number

    which = positions(point(usable), point(cutoffs))
    rows = np.flatnonzero(which >= 0)
    arrivals = usable.select(*_KEY, "order", "at", "runner_start")[rows]
    late = (
        pl.concat([arrivals, cutoffs.drop("stage", "order")[which[rows]]], how="horizontal")
        .with_columns(
            pl.coalesce("deadline", pl.col("runner_start") + pl.col("allowed")).alias("limit")
        )
        .filter(pl.col("at") > pl.col("limit"))
    )
    return (
        late.sort("order")
        .group_by(_KEY)
        .agg(
            pl.format("missed the cutoff at {}", pl.col("checkpoint_id")).first().alias("missed_at")
        )
    )
