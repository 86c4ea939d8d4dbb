"""Benchmark: recompute a 10,000-runner race from its raw reads (about 3 million).

The race is the example Atacama Crossing (6 stages, 28 checkpoints); every runner is
read about 10 times at every checkpoint by a chip mat. Reported: the time to do what
``services.results.compute`` does once the events are loaded (each read's bib from its
tag's history, reconciliation, every stage's results, the GC), beside a baseline
measured in the same run: a plain sort of the same reads by (tag, stage, checkpoint,
time), the least any reconciliation must do.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

from desert_runners.adapters.importers.race_definition import load_definitions
from desert_runners.domain.race import Race
from desert_runners.domain.tags import TagTimeline
from desert_runners.results.facts import FACTS_SCHEMA, in_force
from desert_runners.results.overall import overall_results
from desert_runners.results.reconcile import reconcile
from desert_runners.results.stage import race_stage_results
from desert_runners.services.read_bibs import NO_TAGS, with_read_bibs

RACE_FILE = Path(__file__).parents[1] / "examples" / "4deserts-2010" / "atacama-crossing-2010.yaml"
RUNNERS = 10_000
READS_PER_CROSSING = 10
SWAP_AT = datetime(2010, 3, 9, 12, tzinfo=UTC)  # during stage 3 of the Atacama Crossing


def synthetic_reads(race: Race, runners: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    ability = rng.lognormal(mean=0.0, sigma=0.25, size=runners)  # relative pace
    columns: dict[str, list[np.ndarray]] = {k: [] for k in ("bib", "stage", "cp", "at")}
    for stage in race.stages:
        start_us = int(stage.start.astimezone(UTC).timestamp() * 1_000_000)
        for checkpoint in stage.checkpoints:
            minutes = checkpoint.km * 7.5 * ability  # 7.5 min/km for a typical runner
            crossing = start_us + (minutes * 60_000_000).astype(np.int64)
            reads = np.repeat(crossing, READS_PER_CROSSING)
            reads += rng.integers(0, 20_000_000, size=reads.size)  # within 20 s on the mat
            columns["bib"].append(np.repeat(np.arange(1, runners + 1), READS_PER_CROSSING))
            columns["stage"].append(np.full(reads.size, stage.number))
            columns["cp"].append(np.full(reads.size, checkpoint.id.casefold(), dtype=object))
            columns["at"].append(reads)
    size = sum(part.size for part in columns["at"])
    frame = pl.DataFrame(
        {
            "event_id": np.arange(1, size + 1),
            "kind": ["read"] * size,
            "source": ["mat"] * size,
            "tag": pl.Series(np.concatenate(columns["bib"])).cast(pl.String),
            "stage": np.concatenate(columns["stage"]),
            "checkpoint": np.concatenate(columns["cp"]).astype(str),
            "at": pl.Series(np.concatenate(columns["at"])).cast(pl.Datetime("us", "UTC")),
        }
    )
    missing = [name for name in FACTS_SCHEMA if name not in frame.columns]
    frame = frame.with_columns(pl.lit(None, FACTS_SCHEMA[n]).alias(n) for n in missing)
    return frame.select(list(FACTS_SCHEMA)).cast(FACTS_SCHEMA).sample(fraction=1.0, seed=seed)


def engine(race: Race, facts: pl.DataFrame, bibs: pl.Series, tags: TagTimeline) -> int:
    """As ``services.results.compute``, from the loaded events on."""
    facts = with_read_bibs(facts, tags)
    passings = reconcile(race, facts, bibs, NO_TAGS).passings
    rulings = in_force(facts)  # the few facts that are not reads, once for every stage
    final = {stage.number: True for stage in race.stages}
    stages = race_stage_results(race, passings, rulings, bibs, final)
    overall = overall_results(race, stages, rulings, len(race.stages))
    return overall.height


def timed(work: object) -> float:
    began = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - began


def main() -> int:
    console = Console()
    race = load_definitions(RACE_FILE).races[0].race
    facts = synthetic_reads(race, RUNNERS)
    bibs = pl.Series("bib", range(1, RUNNERS + 1), dtype=pl.Int64)
    # One tag per runner for the whole race, and a few released during it (a chip that
    # failed and was replaced), whose reads are matched against the history by time.
    swapped = {str(bib): ((None, bib), (SWAP_AT, None)) for bib in range(1, 21)}
    tags = TagTimeline({str(bib): ((None, bib),) for bib in bibs} | swapped)
    engine(race, facts.head(50_000), bibs, tags)  # warm up
    ours = min(timed(lambda: engine(race, facts, bibs, tags)) for _ in range(5))
    keys = ["tag", "stage", "checkpoint", "at"]
    baseline = min(timed(lambda: facts.sort(keys)) for _ in range(5))
    table = Table(
        "figure",
        "desert-runners",
        "baseline (sort)",
        "ratio",
        title=f"Results from raw reads: {RUNNERS:,} runners, {facts.height:,} reads",
    )
    table.add_row(
        "seconds: bibs from tags, reconcile, 6 stages, GC",
        f"{ours:.2f}",
        f"{baseline:.2f}",
        f"{ours / baseline:.1f}",
    )
    table.add_row(
        "reads per second",
        f"{facts.height / ours:,.0f}",
        f"{facts.height / baseline:,.0f}",
        f"{baseline / ours:.2f}",
    )
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
