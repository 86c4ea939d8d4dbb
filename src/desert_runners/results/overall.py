"""The general classification (GC) after a stage: the sum of stage times plus penalties,
under the race's rules for a missed cutoff and a withdrawn stage.

For each stage a runner did not finish, the race's rule decides (``RaceRules``):
- ``out``: the runner leaves the GC with that stage's status (4 Deserts);
- ``continue_unranked``: the runner races on, without a GC rank (Cape Epic, Haute Route);
- ``penalty``: the stage counts as its longest allowed time (the finish cutoff, else the
  slowest finisher's time) plus the rule's penalty; a runner who finished after a
  checkpoint cutoff keeps their own time plus the penalty.
A DQ (a withdrawal with status dq, a catalogue penalty that is a DQ, or the n-th
repeat of a penalty whose ``dq_on_repeat`` is n) always takes the runner out.
Penalties without a stage are added to the GC time; those of a stage are already in its
stage time. Ranks: equal times share a place (1, 1, 3) unless the race's tie-breaks
(sum of stage placings, then the last stage's placing) separate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, timedelta

import polars as pl

from desert_runners.domain.race import Consequence, Race, TieBreak
from desert_runners.results.facts import in_force
from desert_runners.results.penalties import penalty_table
from desert_runners.results.stage import WITHDRAWN, StageStatus

ZERO = timedelta(0)


def overall_results(
    race: Race, stages: Mapping[int, pl.DataFrame], facts: pl.DataFrame, after_stage: int
) -> pl.DataFrame:
    """One row per entrant: bib, status, time, penalty, stages (finished), rank, reason.
    ``stages`` maps each stage number up to ``after_stage`` to its ``stage_results``."""
    facts = in_force(facts)
    rows = pl.concat([stages[n] for n in sorted(stages) if n <= after_stage])
    missed = pl.col("status") == StageStatus.MISSED_CUTOFF.value
    rule_penalty = (
        pl.when(missed)
        .then(pl.lit(race.rules.missed_cutoff_penalty or ZERO, pl.Duration("us")))
        .otherwise(pl.lit(race.rules.withdrawn_stage_penalty or ZERO, pl.Duration("us")))
    )
    rows = rows.join(_allowed(race, rows), on="stage", how="left").with_columns(
        _effect(race).alias("effect"), rule_penalty.alias("rule_penalty")
    )
    counted = (
        pl.when(pl.col("effect") == "ok")
        .then(pl.col("stage_time"))
        .when(pl.col("effect") == "penalised")
        .then(pl.coalesce("stage_time", "allowed") + pl.col("rule_penalty"))
    )
    # A stage without a place (penalised, unranked) counts as one behind its last finisher
    # for the sum of placings, so a missing place never helps in a tie-break.
    behind_last = pl.col("rank").max().over("stage") + 1
    rows = rows.with_columns(
        counted.alias("counted"),
        pl.coalesce("rank", behind_last, pl.lit(1)).alias("placing"),
        pl.when(pl.col("effect") == "penalised")
        .then(pl.col("rule_penalty"))
        .otherwise(ZERO)
        .alias("rule_penalty"),
    )
    per_runner = (
        rows.sort("stage")
        .group_by("bib")
        .agg(
            pl.col("counted").sum().alias("stage_sum"),
            (pl.col("effect") == "ok").sum().alias("stages"),
            pl.col("counted").is_not_null().sum().alias("counted_stages"),
            pl.col("status").filter(pl.col("effect") == "out").first().alias("out_status"),
            pl.col("reason").filter(pl.col("effect") == "out").first().alias("out_reason"),
            (pl.col("effect") == "dq").any().alias("stage_dq"),
            (pl.col("effect") == "racing").any().alias("racing"),
            (pl.col("effect") == "unranked").any().alias("unranked"),
            pl.col("placing").sum().alias("placings"),
            pl.col("placing").filter(pl.col("stage") == after_stage).first().alias("last_rank"),
            (pl.col("penalty").sum() + pl.col("rule_penalty").sum()).alias("stage_penalties"),
            # Never started: not one stage with a start (every stage dns, or out).
            pl.col("status")
            .is_in([StageStatus.DNS.value, StageStatus.OUT.value])
            .all()
            .alias("never_started"),
        )
    )
    table = per_runner.join(
        _gc_penalties(race, facts, after_stage), on="bib", how="left"
    ).with_columns(
        pl.col("gc_penalty").fill_null(ZERO),
        pl.col("penalty_dq").fill_null(False),
    )
    status = (
        pl.when(pl.col("stage_dq") | pl.col("penalty_dq"))
        .then(pl.lit(StageStatus.DQ.value))
        .when(pl.col("out_status").is_not_null())
        .then(pl.col("out_status"))
        .when(pl.col("never_started"))
        .then(pl.lit(StageStatus.DNS.value))
        .when(pl.col("racing"))
        .then(pl.lit("racing"))
        .when(pl.col("unranked"))
        .then(pl.lit("unranked"))
        .otherwise(pl.lit("ranked"))
    )
    table = table.with_columns(status.alias("status")).with_columns(
        pl.when((pl.col("counted_stages") > 0) & ~pl.col("never_started"))
        .then(pl.col("stage_sum") + pl.col("gc_penalty"))
        .alias("time"),
        (pl.col("stage_penalties") + pl.col("gc_penalty")).alias("penalty"),
        pl.coalesce(
            pl.when(pl.col("penalty_dq")).then(pl.col("dq_reason")),
            "out_reason",
            pl.when(pl.col("never_started")).then(pl.lit("never started")),
        ).alias("reason"),
    )
    return (
        _rank(race, table)
        .select("bib", "status", "time", "penalty", "stages", "rank", "reason")
        .sort("rank", "bib", nulls_last=True)
    )


def _effect(race: Race) -> pl.Expr:
    """What a stage's status does to the GC, under the race's rules."""
    rules = race.rules

    def consequence(rule: Consequence) -> pl.Expr:
        return pl.lit(
            {
                Consequence.OUT: "out",
                Consequence.CONTINUE_UNRANKED: "unranked",
                Consequence.PENALTY: "penalised",
            }[rule]
        )

    status = pl.col("status")
    return (
        pl.when(status == StageStatus.FINISHED.value)
        .then(pl.lit("ok"))
        .when(status == StageStatus.DQ.value)
        .then(pl.lit("dq"))
        .when(status == StageStatus.RACING.value)
        .then(pl.lit("racing"))
        .when(status == StageStatus.MISSED_CUTOFF.value)
        .then(consequence(rules.missed_cutoff))
        .when(status.is_in(WITHDRAWN))
        .then(consequence(rules.withdrawn_stage))
        .otherwise(pl.lit("out"))
    ).alias("effect")


def _allowed(race: Race, rows: pl.DataFrame) -> pl.DataFrame:
    """Per stage: the longest time it allows: the finish cutoff, else the slowest
    finisher's time."""
    finished = rows.filter(pl.col("status") == StageStatus.FINISHED.value)
    slowest = finished.group_by("stage").agg(pl.col("stage_time").max().alias("slowest"))
    limits = []
    for stage in race.stages:
        cutoff = stage.finish.cutoff
        # Subtracted in UTC: Python subtracts two times of one zone by their wall clocks.
        limit = (
            None
            if cutoff is None
            else cutoff.deadline(stage.start).astimezone(UTC) - stage.start.astimezone(UTC)
        )
        limits.append((stage.number, limit))
    frame = pl.DataFrame(
        limits, schema={"stage": pl.Int64, "limit": pl.Duration("us")}, orient="row"
    ).join(slowest, on="stage", how="left")
    return frame.select("stage", pl.coalesce("limit", "slowest").alias("allowed"))


def _gc_penalties(race: Race, facts: pl.DataFrame, after_stage: int) -> pl.DataFrame:
    """Per runner, from the penalties given up to ``after_stage``: the time of those
    without a stage (those of a stage are in its stage time) and the first DQ."""
    penalties = penalty_table(race, facts).filter(
        pl.col("stage").is_null() | (pl.col("stage") <= after_stage)
    )
    return penalties.group_by("bib").agg(
        pl.col("time").filter(pl.col("stage").is_null()).sum().alias("gc_penalty"),
        pl.col("dq").any().alias("penalty_dq"),
        pl.col("note").filter(pl.col("dq")).first().alias("dq_reason"),
    )


def _rank(race: Race, table: pl.DataFrame) -> pl.DataFrame:
    """Places among ranked runners; tie-breaks in the race's order, then shared places."""
    keys = ["time"]
    for tie_break in race.rules.tie_breaks:
        keys.append("placings" if tie_break is TieBreak.STAGE_PLACINGS else "last_rank")
    ranked = table.filter(pl.col("status") == "ranked")
    # The keys compared in order (a struct sorts lexicographically); equal on all: shared.
    place = pl.struct(keys).rank("min")
    ranked = ranked.with_columns(place.cast(pl.Int64).alias("rank"))
    others = table.filter(pl.col("status") != "ranked").with_columns(
        pl.lit(None, pl.Int64).alias("rank")
    )
    return pl.concat([ranked, others])
