"""Compute a race's results from its event log: stage, overall (GC), by category, teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from desert_runners.adapters.storage import entrant_repo, tag_repo
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.race import Race, Stage
from desert_runners.domain.tags import tag_timeline
from desert_runners.results.categories import GROUP_COLUMN, Grouping, entrants_frame, rank_within
from desert_runners.results.overall import overall_results
from desert_runners.results.reconcile import Reconciliation, reconcile
from desert_runners.results.sheet import SHEET_SCHEMA, ResultSheet
from desert_runners.results.stage import race_stage_results
from desert_runners.results.teams import team_results
from desert_runners.services.race_log import race_facts
from desert_runners.services.races import find_race
from desert_runners.services.read_bibs import NO_TAGS, with_read_bibs

# A stage without a finish cutoff is taken as over this long after its start.
STAGE_HORIZON = timedelta(hours=48)


@dataclass(frozen=True)
class Computed:
    """Everything the engine derived for one race, at one moment."""

    race: Race
    entrants: pl.DataFrame
    facts: pl.DataFrame  # the rulings in force (not the reads: those are reconciled)
    reconciliation: Reconciliation
    stages: dict[int, pl.DataFrame]  # the stages that have started
    as_of: datetime

    def overall(self, after_stage: int) -> pl.DataFrame:
        return overall_results(self.race, self.stages, self.facts, after_stage)


def compute(context: Context, race_slug: str | None) -> Computed:
    row = find_race(context, race_slug)
    race = row.race
    with context.store.read() as connection:
        entrants = [entrant for entrant, _ in entrant_repo.list_entrants(connection, row.id)]
        history = tag_repo.tag_history(connection, row.id)
        logged = race_facts(context.store, connection, row.id)  # only what is new
    people = entrants_frame(race, entrants)
    bibs = people["bib"]
    # Reads get their bib from the tag history at their own time, not today's tags.
    facts = with_read_bibs(logged, tag_timeline(history))
    reconciled = reconcile(race, facts, bibs, NO_TAGS)
    rulings = reconciled.rulings  # starts, withdrawals, penalties, holds: for all stages
    as_of = context.clock()
    started = {stage.number: is_over(stage, as_of) for stage in race.stages if stage.start <= as_of}
    stages = race_stage_results(race, reconciled.passings, rulings, bibs, started)
    return Computed(race, people, rulings, reconciled, stages, as_of)


def is_over(stage: Stage, as_of: datetime) -> bool:
    cutoff = stage.finish.cutoff
    end = cutoff.deadline(stage.start) if cutoff else stage.start + STAGE_HORIZON
    return as_of > end


def result_sheet(
    context: Context,
    race_slug: str | None,
    *,
    stage: int | None = None,
    after_stage: int | None = None,
    by: Grouping | None = None,
) -> ResultSheet:
    computed = compute(context, race_slug)
    race = computed.race
    if stage is not None and after_stage is not None:
        raise UserError("give --stage N or --after-stage N, not both")
    started = sorted(computed.stages)
    if not started:
        raise UserError(f"{race.slug} has not started yet (stage 1 starts {_first(race)})")
    for number in (stage, after_stage):
        if number is not None and race.stage(number) is None:
            raise UserError(f"{race.slug} has no stage {number} (stages 1 to {len(race.stages)})")
        if number is not None and number not in computed.stages:
            raise UserError(f"stage {number} of {race.slug} has not started yet")
    if stage is not None:
        title = f"Stage {stage}: {race.stage(stage).name}"  # type: ignore[union-attr]
        table = _stage_rows(computed.stages[stage])
    else:
        last = after_stage or started[-1]
        title = f"Overall after stage {last}" if last < len(race.stages) else "Overall"
        if by == "team":
            teams = team_results(
                race,
                computed.entrants,
                computed.stages,
                computed.overall(last),
                computed.reconciliation.passings,
                last,
            )
            return _sheet(context, race, f"{title}: teams", [("", _team_rows(teams))])
        table = _gc_rows(computed.overall(last))
    rows = table.join(computed.entrants, on="bib", how="left")
    if by == "nationality" and not race.categories.by_nationality:
        raise UserError(f"{race.slug} has no results by nationality (categories.by_nationality)")
    if by is not None and by != "team":
        column = GROUP_COLUMN[by]
        grouped = rank_within(rows.with_columns(pl.col(column).fill_null("")), column)
        sections = [
            (str(key[0]) or "(none)", _shape(part))
            for key, part in grouped.group_by(column, maintain_order=True)
        ]
        return _sheet(context, race, f"{title}, by {by}", sections)
    return _sheet(context, race, title, [("", _shape(rows))])


def _first(race: Race) -> str:
    return f"{race.stages[0].start:%Y-%m-%d %H:%M %Z}"


def _stage_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "bib",
        "rank",
        pl.col("stage_time").alias("time"),
        "penalty",
        "status",
        pl.col("reason").alias("note"),
    )


def _gc_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select("bib", "rank", "time", "penalty", "status", pl.col("reason").alias("note"))


def _team_rows(teams: pl.DataFrame) -> pl.DataFrame:
    return teams.select(
        "rank",
        pl.lit(None, pl.Int64).alias("bib"),
        pl.format("{} ({})", "team", pl.col("bibs").cast(pl.List(pl.String)).list.join(", ")).alias(
            "name"
        ),
        pl.lit(None, pl.String).alias("gender"),
        pl.lit(None, pl.String).alias("category"),
        pl.lit(None, pl.String).alias("nationality"),
        "team",
        "time",
        (pl.col("time") - pl.col("time").filter(pl.col("rank") == 1).first()).alias("gap"),
        pl.col("gap_penalty").alias("penalty"),
        "status",
        "note",
    ).cast(dict(SHEET_SCHEMA.items()))


def _shape(rows: pl.DataFrame) -> pl.DataFrame:
    """The sheet's columns in its order, with the gap to the first of the section."""
    leader = pl.col("time").filter(pl.col("rank") == 1).first()
    return (
        rows.sort("rank", "bib", nulls_last=True)
        .with_columns(
            pl.when(pl.col("rank").is_not_null()).then(pl.col("time") - leader).alias("gap")
        )
        .select(list(SHEET_SCHEMA))
        .cast(dict(SHEET_SCHEMA.items()))
    )


def _sheet(
    context: Context, race: Race, title: str, sections: list[tuple[str, pl.DataFrame]]
) -> ResultSheet:
    return ResultSheet(
        race=race.name,
        title=title,
        time_zone=race.time_zone,
        generated_at=context.clock().astimezone(race.zone),
        sections=tuple(sections),
    )
