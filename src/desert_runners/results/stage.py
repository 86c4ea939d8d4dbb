"""Stage results: each runner's stage time, status and rank, from reconciled passings.

stage time = finish - the runner's own start - neutralised time + time penalties of the
stage. Statuses: finished, dnf, dns, dq, medical (from withdrawals), missed_cutoff (a
passing, or no passing, past a cutoff), racing (still out there: continuing, unranked).
Ranks: by stage time among finishers; equal times share a place (1, 1, 3).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from enum import StrEnum

import polars as pl

from desert_runners.domain.race import Race, Stage
from desert_runners.results.facts import UTC_TIME, in_force
from desert_runners.results.reconcile import DataStatus


class StageStatus(StrEnum):
    FINISHED = "finished"
    RACING = "racing"
    MISSED_CUTOFF = "missed_cutoff"
    DNF = "dnf"
    DNS = "dns"
    DQ = "dq"
    MEDICAL = "medical"


WITHDRAWAL_STATUSES = {
    s.value for s in (StageStatus.DNF, StageStatus.DNS, StageStatus.DQ, StageStatus.MEDICAL)
}


def cutoffs_frame(stage: Stage) -> pl.DataFrame:
    """Each checkpoint's cutoff: an absolute deadline, or an elapsed time from the
    runner's own start."""
    rows = [
        (
            checkpoint.id.casefold(),
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
        schema={"checkpoint": pl.String, "deadline": UTC_TIME, "allowed": pl.Duration("us")},
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
) -> pl.DataFrame:
    """One row per entrant: bib, status, start, finish, neutralised, penalty, stage_time,
    rank, reason. ``passings`` from ``reconcile``; bad passings are not used.

    ``final``: the stage is over (its last cutoff has passed, or the race is history): a
    runner with no finish and no withdrawal is then dnf (seen on the course) or dns (never
    seen), instead of racing."""
    stage = race.stage(number)
    if stage is None:
        raise ValueError(f"{race.slug} has no stage {number}")
    facts = in_force(facts)
    usable = passings.filter(
        (pl.col("stage") == number) & (pl.col("status") != DataStatus.BAD.value)
    )
    runners = pl.DataFrame({"bib": bibs}).with_columns(pl.lit(number).alias("stage"))
    finishes = usable.filter(pl.col("checkpoint") == stage.finish.id.casefold()).select(
        "bib", pl.col("at").alias("finish"), pl.col("runner_start").alias("start")
    )
    own_holds, field_hold = _neutralised(facts, number)
    seen = usable.group_by("bib").agg(pl.col("runner_start").first().alias("seen_start"))
    table = (
        runners.join(finishes, on="bib", how="left")
        .join(seen, on="bib", how="left")
        .join(_withdrawals(facts, number), on="bib", how="left")
        .join(own_holds, on="bib", how="left")
        .join(_penalties(race, facts, number), on="bib", how="left")
        .join(_cutoffs_missed(stage, usable), on="bib", how="left")
        .with_columns(
            pl.coalesce("start", "seen_start", pl.lit(stage.start.astimezone(UTC), UTC_TIME)).alias(
                "start"
            ),
            (pl.col("own_hold").fill_null(timedelta(0)) + field_hold).alias("neutralised"),
            pl.col("penalty").fill_null(timedelta(0)),
        )
    )
    status = (
        pl.when(pl.col("withdrawal").is_not_null())
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
        .then(pl.col("finish") - pl.col("start") - pl.col("neutralised") + pl.col("penalty"))
        .alias("stage_time"),
        pl.coalesce(
            "withdrawal_reason",
            "missed_at",
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


def _withdrawals(facts: pl.DataFrame, number: int) -> pl.DataFrame:
    return (
        facts.filter((pl.col("kind") == "withdrawal") & (pl.col("stage") == number))
        .sort("event_id")
        .group_by("bib")
        .agg(
            pl.col("status").first().alias("withdrawal"),
            pl.format("{} (event {})", pl.col("reason").fill_null(""), "event_id")
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
    times = {rule.code: rule.time for rule in race.penalties if rule.time is not None}
    chosen = facts.filter((pl.col("kind") == "penalty") & (pl.col("stage") == number))
    return (
        chosen.with_columns(
            pl.col("code")
            .replace_strict(times, default=None, return_dtype=pl.Duration("us"))
            .alias("time")
        )
        .group_by("bib")
        .agg(pl.col("time").sum().alias("penalty"))
    )


def _cutoffs_missed(stage: Stage, usable: pl.DataFrame) -> pl.DataFrame:
    late = (
        usable.join(cutoffs_frame(stage), on="checkpoint", how="inner")
        .with_columns(
            pl.coalesce("deadline", pl.col("runner_start") + pl.col("allowed")).alias("limit")
        )
        .filter(pl.col("at") > pl.col("limit"))
    )
    return (
        late.sort("order")
        .group_by("bib")
        .agg(pl.format("missed the cutoff at {}", pl.col("checkpoint")).first().alias("missed_at"))
    )
