"""Where two sources disagree about a runner, for the timing team to settle.

Two stations at one checkpoint that put a runner there minutes apart, or a passing seen
after another source withdrew the runner: the results engine finds them when it
reconciles the log (``results.conflicts``) and marks the passing questionable. Nothing
is decided here: the crew looks, and voids the wrong fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from desert_runners.adapters.storage import entrant_repo, tag_repo
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.race import Race
from desert_runners.domain.tags import tag_timeline
from desert_runners.results.conflicts import DISAGREEMENT
from desert_runners.results.reconcile import Thresholds, reconcile
from desert_runners.services.race_log import race_facts
from desert_runners.services.races import find_race
from desert_runners.services.read_bibs import NO_TAGS, with_read_bibs


@dataclass(frozen=True)
class Claim:
    """What one source says: the time it gives, and the event that says it."""

    source: str
    at: datetime
    event: int


@dataclass(frozen=True)
class Conflict:
    bib: int
    name: str
    stage: int
    checkpoint: str
    direction: str | None
    kind: str  # "times": the sources' times differ; "after_withdrawal": seen after it
    claims: tuple[Claim, ...]


def list_conflicts(
    context: Context, race_slug: str | None, window: timedelta = DISAGREEMENT
) -> tuple[Race, list[Conflict]]:
    if window <= timedelta(0):
        raise UserError("--window must be above 0 minutes")
    row = find_race(context, race_slug)
    race = row.race
    with context.store.read() as connection:
        entrants = [entrant for entrant, _ in entrant_repo.list_entrants(connection, row.id)]
        history = tag_repo.tag_history(connection, row.id)
        logged = race_facts(context.store, connection, row.id)  # only what is new
    names = {entrant.bib: entrant.name for entrant in entrants}
    facts = with_read_bibs(logged, tag_timeline(history))
    bibs = pl.Series("bib", sorted(names), dtype=pl.Int64)
    found = reconcile(race, facts, bibs, NO_TAGS, Thresholds(disagreement=window)).conflicts
    conflicts = [
        Conflict(
            bib=row["bib"],
            name=names.get(row["bib"], ""),
            stage=row["stage"],
            checkpoint=_checkpoint_id(race, row["stage"], row["checkpoint"]),
            direction=row["direction"],
            kind=row["kind"],
            claims=tuple(
                Claim(source, at.astimezone(race.zone), event)
                for source, at, event in zip(
                    row["sources"], row["times"], row["events"], strict=True
                )
            ),
        )
        for row in found.sort("stage", "checkpoint", "bib").iter_rows(named=True)
    ]
    return race, conflicts


def _checkpoint_id(race: Race, stage: int, folded: str) -> str:
    """The checkpoint's id as the race spells it (the engine works in lower case)."""
    found = race.stage(stage)
    checkpoint = found.checkpoint(folded) if found else None
    return checkpoint.id if checkpoint else folded
