"""Team results: a team travels together and is as fast as its last member.

- A team is the entrants sharing a ``team`` name; it is ranked only with at least
  ``teams.min_members`` (and at most ``max_members``) members.
- Team stage time = the stage time of its slowest member.
- At every checkpoint its members must pass within ``teams.max_gap`` of each other;
  each checkpoint where they do not adds ``teams.gap_penalty`` to the team's time.
- A member who is out of the GC or unranked in it (withdrawn, DQ, missed a cutoff) takes
  the team out of the team ranking; the others go on as individuals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import polars as pl

from desert_runners.domain.race import Race

ZERO = timedelta(0)


def team_results(
    race: Race,
    entrants: pl.DataFrame,
    stages: Mapping[int, pl.DataFrame],
    overall: pl.DataFrame,
    passings: pl.DataFrame,
    after_stage: int,
) -> pl.DataFrame:
    """One row per team: team, members, status (ranked / out / racing / too_small),
    time, gap_penalty, rank, note."""
    rules = race.teams
    members = entrants.filter(pl.col("team").is_not_null() & (pl.col("team") != "")).select(
        "bib", "team"
    )
    sizes = members.group_by("team").agg(
        pl.len().alias("members"), pl.col("bib").sort().alias("bibs")
    )
    stage_rows = pl.concat([stages[n] for n in sorted(stages) if n <= after_stage]).join(
        members, on="bib", how="inner"
    )
    stage_times = (
        stage_rows.group_by("team", "stage")
        .agg(
            pl.col("stage_time").max().alias("team_stage_time"),
            pl.col("stage_time").null_count().alias("missing"),
        )
        .group_by("team")
        .agg(
            pl.col("team_stage_time").sum().alias("time"),
            (pl.col("missing") > 0).any().alias("incomplete"),
        )
    )
    gc_status = (
        overall.join(members, on="bib", how="inner")
        .group_by("team")
        .agg(
            # Unranked is out too: a member who withdrew or missed a cutoff, even where
            # the rules let them go on as an individual, no longer races for the team.
            pl.col("bib")
            .filter(~pl.col("status").is_in(["ranked", "racing"]))
            .first()
            .alias("out_member"),
            (pl.col("status") == "racing").any().alias("racing"),
        )
    )
    gaps = _gap_penalties(rules.max_gap, rules.gap_penalty, passings, members, after_stage)
    table = (
        sizes.join(stage_times, on="team", how="left")
        .join(gc_status, on="team", how="left")
        .join(gaps, on="team", how="left")
        .with_columns(pl.col("gap_penalty").fill_null(ZERO), pl.col("gaps").fill_null(0))
    )
    too_small = pl.col("members") < rules.min_members
    if rules.max_members is not None:
        too_small = too_small | (pl.col("members") > rules.max_members)
    status = (
        pl.when(too_small)
        .then(pl.lit("not_a_team"))
        .when(pl.col("out_member").is_not_null())
        .then(pl.lit("out"))
        .when(pl.col("racing") | pl.col("incomplete"))
        .then(pl.lit("racing"))
        .otherwise(pl.lit("ranked"))
    )
    note = (
        pl.when(too_small)
        .then(pl.format("{} members (a team needs {})", "members", pl.lit(rules.min_members)))
        .when(pl.col("out_member").is_not_null())
        .then(pl.format("bib {} is out", "out_member"))
        .when(pl.col("gaps") > 0)
        .then(pl.format("apart at {} checkpoint(s)", "gaps"))
    )
    table = table.with_columns(status.alias("status"), note.alias("note")).with_columns(
        # A team out of the ranking has no team time to show.
        pl.when(pl.col("status").is_in(["ranked", "racing"]))
        .then(pl.col("time") + pl.col("gap_penalty"))
        .alias("time")
    )
    ranked = pl.col("status") == "ranked"
    return (
        table.with_columns(
            pl.when(ranked).then(pl.col("time")).rank("min").cast(pl.Int64).alias("rank")
        )
        .select("team", "bibs", "members", "status", "time", "gap_penalty", "rank", "note")
        .sort("rank", "team", nulls_last=True)
    )


def _gap_penalties(
    max_gap: timedelta | None,
    penalty: timedelta | None,
    passings: pl.DataFrame,
    members: pl.DataFrame,
    after_stage: int,
) -> pl.DataFrame:
    """Per team: how many timing points its members passed further apart than allowed,
    and the penalty that adds up to."""
    empty = pl.DataFrame(
        schema={"team": pl.String, "gaps": pl.UInt32, "gap_penalty": pl.Duration("us")}
    )
    if max_gap is None:
        return empty
    spread = (
        passings.filter(
            (pl.col("stage") <= after_stage)
            & (pl.col("checkpoint") != "start")
            & (pl.col("status") != "bad")  # a bad passing is no evidence of a gap
        )
        .join(members, on="bib", how="inner")
        .group_by("team", "stage", "checkpoint", "direction")
        .agg((pl.col("at").max() - pl.col("at").min()).alias("spread"))
    )
    return (
        spread.group_by("team")
        .agg(
            (pl.col("spread") > max_gap).sum().alias("gaps"),
        )
        .with_columns(
            (pl.col("gaps").cast(pl.Int64) * pl.lit(penalty or ZERO, pl.Duration("us"))).alias(
                "gap_penalty"
            )
        )
    )
