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

import polars as pl

from desert_runners.domain.race import Consequence, Race, Stage
from desert_runners.results.facts import UTC_TIME, in_force
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
    runner's own start."""
    rows = [
        (
            checkpoint.id.casefold(),
            checkpoint.id,
            None
            if checkpoint.cutoff.elapsed is not None
            else checkpoint.cutoff.deadline(stage.start).astimezone(UTC),
            checkpoint.cutoff.elapsed,
        )
        for checkpoint in stage.checkpoints
        if checkpoint.cutoff is not None
    ]
    return pl.DataFrame(
        rows,
        schema={
            "checkpoint": pl.String,
            "checkpoint_id": pl.String,
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
    stage = race.stage(number)
    if stage is None:
        raise ValueError(f"{race.slug} has no stage {number}")
    usable = _usable(passings).filter(pl.col("stage") == number)
    return _stage_table(race, stage, usable, in_force(facts), bibs, final, out_before)


def _usable(passings: pl.DataFrame) -> pl.DataFrame:
    """The passings a stage result may use (not bad), with the columns it needs."""
    return passings.filter(pl.col("status") != DataStatus.BAD.value).select(
        "bib", "stage", "checkpoint", "direction", "order", "at", "runner_start"
    )


def _stage_table(
    race: Race,
    stage: Stage,
    usable: pl.DataFrame,
    facts: pl.DataFrame,
    bibs: pl.Series,
    final: bool,
    out_before: pl.DataFrame | None,
) -> pl.DataFrame:
    """``usable``: this stage's passings from ``_usable``; ``facts``: the rulings in force."""
    number = stage.number
    runners = pl.DataFrame({"bib": bibs}).with_columns(pl.lit(number).alias("stage"))
    finishes = usable.filter(pl.col("checkpoint") == stage.finish.id.casefold()).select(
        "bib", pl.col("at").alias("finish"), pl.col("runner_start").alias("start")
    )
    own_holds, field_hold = _neutralised(facts, number)
    seen = usable.group_by("bib").agg(pl.col("runner_start").first().alias("seen_start"))
    if out_before is None:
        out_before = pl.DataFrame(schema={"bib": pl.Int64, "out_reason": pl.String})
    table = (
        runners.join(finishes, on="bib", how="left")
        .join(seen, on="bib", how="left")
        .join(_withdrawals(facts, number), on="bib", how="left")
        .join(own_holds, on="bib", how="left")
        .join(_penalties(race, facts, number), on="bib", how="left")
        .join(_cutoffs_missed(stage, usable), on="bib", how="left")
        .join(out_before.select("bib", "out_reason"), on="bib", how="left")
        .with_columns(
            pl.coalesce("start", "seen_start", pl.lit(stage.start.astimezone(UTC), UTC_TIME)).alias(
                "start"
            ),
            (pl.col("own_hold").fill_null(timedelta(0)) + field_hold).alias("neutralised"),
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
    status = (
        pl.when(pl.col("out_reason").is_not_null())
        .then(pl.lit(StageStatus.OUT.value))
        .when(pl.col("penalty_dq"))
        .then(pl.lit(StageStatus.DQ.value))
        .when(pl.col("withdrawal").is_not_null())
        .then(pl.col("withdrawal"))
        .when(pl.col("missed_at").is_not_null())
        .then(pl.lit(StageStatus.MISSED_CUTOFF.value))
        .when(pl.col("finish").is_not_null())
        .then(pl.lit(StageStatus.FINISHED.value))
        .when(pl.lit(not final))
        .then(pl.lit(StageStatus.RACING.value))
        .when(pl.col("seen_start").is_not_null())
        .then(pl.lit(StageStatus.DNF.value))
        .otherwise(pl.lit(StageStatus.DNS.value))
    )
    unfinished = pl.lit(final) & pl.col("finish").is_null()
    finished = pl.col("status") == StageStatus.FINISHED.value
    table = table.with_columns(status.alias("status")).with_columns(
        # A runner past a cutoff may still have a time: the race's rule decides its use.
        pl.when(finished | (pl.col("status") == StageStatus.MISSED_CUTOFF.value))
        .then(net + pl.col("penalty"))
        .alias("stage_time"),
        pl.coalesce(
            "out_reason",
            "dq_note",
            "withdrawal_reason",
            "missed_at",
            "impossible_reason",
            pl.when(unfinished & pl.col("seen_start").is_null()).then(
                pl.lit("never seen on the course")
            ),
            pl.when(unfinished).then(pl.lit("no finish recorded")),
        ).alias("reason"),
    )
    return (
        table.with_columns(
            pl.when(finished).then(pl.col("stage_time")).rank("min").cast(pl.Int64).alias("rank")
        )
        .select(
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
        )
        .sort("rank", "bib", nulls_last=True)
    )


def race_stage_results(
    race: Race,
    passings: pl.DataFrame,
    facts: pl.DataFrame,
    bibs: pl.Series,
    final: Mapping[int, bool],
) -> dict[int, pl.DataFrame]:
    """The results of the stages in ``final`` (those that have started: number -> over),
    in order, each knowing who left the race before it."""
    results: dict[int, pl.DataFrame] = {}
    out = pl.DataFrame(schema={"bib": pl.Int64, "out_reason": pl.String})
    rulings = in_force(facts)
    # Split once: filtering every stage out of all the race's passings costs more.
    by_stage = _usable(passings).partition_by("stage", as_dict=True)
    empty = _usable(passings.clear())
    for number in sorted(final):
        stage = race.stage(number)
        if stage is None:
            raise ValueError(f"{race.slug} has no stage {number}")
        usable = by_stage.get((number,), empty)
        table = _stage_table(race, stage, usable, rulings, bibs, final[number], out)
        results[number] = table
        out = pl.concat([out, leaving_the_race(race, table)])
    return results


def leaving_the_race(race: Race, table: pl.DataFrame) -> pl.DataFrame:
    """Who this stage takes out of the race: a DQ always; a withdrawal or a missed cutoff
    when the race's rule for it is ``out`` (under the other rules they start again)."""
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
        pl.format("out since stage {}: {}", "stage", pl.coalesce("reason", "status")).alias(
            "out_reason"
        ),
    )


def _withdrawals(facts: pl.DataFrame, number: int) -> pl.DataFrame:
    return (
        facts.filter((pl.col("kind") == "withdrawal") & (pl.col("stage") == number))
        .sort("event_id")
        .group_by("bib")
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


def _neutralised(facts: pl.DataFrame, number: int) -> tuple[pl.DataFrame, timedelta]:
    """Time taken off the stage: a field-wide hold counts for everyone, a runner's own
    hold (medical) only for them."""
    holds = facts.filter((pl.col("kind") == "neutralisation") & (pl.col("stage") == number))
    field_hold = holds.filter(pl.col("bib").is_null())["duration"].sum()
    own = (
        holds.filter(pl.col("bib").is_not_null())
        .group_by("bib")
        .agg(pl.col("duration").sum().alias("own_hold"))
    )
    return own, field_hold if isinstance(field_hold, timedelta) else timedelta(0)


def _penalties(race: Race, facts: pl.DataFrame, number: int) -> pl.DataFrame:
    return (
        penalty_table(race, facts)
        .filter(pl.col("stage") == number)
        .group_by("bib")
        .agg(
            pl.col("time").sum().alias("penalty"),
            pl.col("dq").any().alias("penalty_dq"),
            pl.col("note").filter(pl.col("dq")).first().alias("dq_note"),
        )
    )


def _cutoffs_missed(stage: Stage, usable: pl.DataFrame) -> pl.DataFrame:
    """A checkpoint's cutoff is on arriving there: its single passing, or its ``in``."""
    arrivals = usable.filter(pl.col("direction").is_null() | (pl.col("direction") == "in"))
    late = (
        arrivals.join(cutoffs_frame(stage), on="checkpoint", how="inner")
        .with_columns(
            pl.coalesce("deadline", pl.col("runner_start") + pl.col("allowed")).alias("limit")
        )
        .filter(pl.col("at") > pl.col("limit"))
    )
    return (
        late.sort("order")
        .group_by("bib")
        .agg(
            pl.format("missed the cutoff at {}", pl.col("checkpoint_id")).first().alias("missed_at")
        )
    )
