"""Benchmark: recompute a 10,000-runner race from its raw events (about 2.7 million).

The race is the example Atacama Crossing (6 stages, 28 checkpoints); every runner is
read about 10 times at every checkpoint by a chip mat, and the log holds what a real
race's log holds besides (8 % of runners withdraw, typed entries, late starts,
penalties, voids and corrections). Reported: the time to do what
``services.results.compute`` does once the events are loaded (each read's bib from its
tag's history, reconciliation, every stage's results, the GC), beside a baseline
measured in the same run: a plain sort of the same events by (tag, stage, checkpoint,
time), the least any reconciliation must do. Also the CPU time of each (all threads,
user and system) and its page faults: memory the allocator takes from the system again.
"""

from __future__ import annotations

# isort: off
import desert_runners  # noqa: F401  first: it sets how Polars' allocator keeps memory
# isort: on

import resource
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from measure import add_figure, timed
from rich.console import Console
from rich.table import Table

from desert_runners.adapters.importers.race_definition import load_definitions
from desert_runners.domain.race import Race
from desert_runners.domain.tags import TagTimeline
from desert_runners.results.facts import FACTS_SCHEMA
from desert_runners.results.overall import overall_results
from desert_runners.results.reconcile import reconcile
from desert_runners.results.stage import race_stage_results
from desert_runners.services.read_bibs import NO_TAGS, with_read_bibs

RACE_FILE = Path(__file__).parents[1] / "examples" / "4deserts-2010" / "atacama-crossing-2010.yaml"
RUNNERS = 10_000
READS_PER_CROSSING = 10
SWAP_AT = datetime(2010, 3, 9, 12, tzinfo=UTC)  # during stage 3 of the Atacama Crossing


def synthetic_reads(race: Race, runners: int, seed: int = 7) -> pl.DataFrame:
    """The race's event log as ``facts_frame`` makes it, in a random order: chip reads,
    and the rest of a real race's log (``_rulings``)."""
    rng = np.random.default_rng(seed)
    ability = rng.lognormal(mean=0.0, sigma=0.25, size=runners)  # relative pace
    out_stage = np.where(rng.random(runners) < WITHDRAWN, rng.integers(1, 7, runners), 99)
    columns: dict[str, list[np.ndarray]] = {k: [] for k in ("bib", "stage", "cp", "at")}
    for stage in race.stages:
        start_us = int(stage.start.astimezone(UTC).timestamp() * 1_000_000)
        for index, checkpoint in enumerate(stage.checkpoints):
            minutes = checkpoint.km * 7.5 * ability  # 7.5 min/km for a typical runner
            crossing = start_us + (minutes * 60_000_000).astype(np.int64)
            # A runner who withdraws does so halfway through that stage.
            still_in = (stage.number < out_stage) | (
                (stage.number == out_stage) & (2 * index < len(stage.checkpoints))
            )
            bibs = np.arange(1, runners + 1)[still_in]
            reads = np.repeat(crossing[still_in], READS_PER_CROSSING)
            reads += rng.integers(0, 20_000_000, size=reads.size)  # within 20 s on the mat
            columns["bib"].append(np.repeat(bibs, READS_PER_CROSSING))
            columns["stage"].append(np.full(reads.size, stage.number))
            columns["cp"].append(np.full(reads.size, checkpoint.id.casefold(), dtype=object))
            columns["at"].append(reads)
    size = sum(part.size for part in columns["at"])
    reads = pl.DataFrame(
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
    facts = pl.concat([_as_facts(reads), _rulings(race, reads, out_stage, rng)], how="diagonal")
    return facts.select(list(FACTS_SCHEMA)).sample(fraction=1.0, seed=seed)


WITHDRAWN = 0.08  # runners who withdraw (DNF or medical) at some stage
TYPED = 0.005  # crossings a volunteer also typed in, as the backup of the chip
LATE_STARTS, PENALTIES, VOIDED, CORRECTED = 20, 150, 100, 100


def _rulings(
    race: Race, reads: pl.DataFrame, out_stage: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """Typed entries, withdrawals, late starts, penalties, voids and corrections, about
    as many as a real race of this size has (scaled from the simulator's races)."""
    size = reads.height
    typed = reads.filter(pl.Series(rng.random(size) < TYPED / READS_PER_CROSSING)).select(
        pl.lit("entry").alias("kind"),
        pl.lit("volunteer").alias("source"),
        pl.col("tag").cast(pl.Int64).alias("bib"),
        "stage",
        "checkpoint",
        (pl.col("at") + pl.duration(seconds=30)).alias("at"),
    )
    withdrawn = np.flatnonzero(out_stage < 99)
    starts = {stage.number: stage.start.astimezone(UTC) for stage in race.stages}
    withdrawals = pl.DataFrame(
        {
            "kind": "withdrawal",
            "source": "medic",
            "bib": withdrawn + 1,
            "stage": out_stage[withdrawn],
            "at": [starts[int(out_stage[i])] + timedelta(hours=5) for i in withdrawn],
            "status": rng.choice(["dnf", "medical"], size=len(withdrawn)),
        }
    )
    late = rng.choice(len(out_stage), LATE_STARTS, replace=False) + 1
    late_starts = pl.DataFrame(
        {
            "kind": "start",
            "source": "start line",
            "bib": late,
            "stage": 1,
            "at": starts[1] + timedelta(minutes=12),
        }
    )
    penalties = pl.DataFrame(
        {
            "kind": "penalty",
            "source": "race director",
            "bib": rng.integers(1, len(out_stage) + 1, PENALTIES),
            "stage": rng.integers(1, 7, PENALTIES),
            "code": "missing-kit-item",
            "reason": "kit check",
        }
    )
    targets = rng.choice(size, VOIDED + CORRECTED, replace=False) + 1
    voids = pl.DataFrame(
        {"kind": "void", "source": "timing", "target": targets[:VOIDED], "reason": "stray read"}
    )
    corrections = reads.filter(pl.col("event_id").is_in(targets[VOIDED:])).select(
        pl.lit("correction").alias("kind"),
        pl.lit("timing").alias("source"),
        pl.col("event_id").alias("target"),
        (pl.col("at") - pl.duration(seconds=5)).alias("new_at"),
        pl.lit("device clock").alias("reason"),
    )
    rulings = pl.concat(
        [_as_facts(frame) for frame in (typed, withdrawals, late_starts, penalties, voids)]
        + [_as_facts(corrections)],
        how="diagonal",
    )
    return rulings.with_columns(pl.int_range(size + 1, size + 1 + pl.len()).alias("event_id"))


def _as_facts(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [name for name in FACTS_SCHEMA if name not in frame.columns]
    frame = frame.with_columns(pl.lit(None, FACTS_SCHEMA[n]).alias(n) for n in missing)
    return frame.select(list(FACTS_SCHEMA)).cast(FACTS_SCHEMA)


def engine(race: Race, facts: pl.DataFrame, bibs: pl.Series, tags: TagTimeline) -> int:
    """As ``services.results.compute``, from the loaded events on."""
    facts = with_read_bibs(facts, tags)
    reconciled = reconcile(race, facts, bibs, NO_TAGS)
    rulings = reconciled.rulings  # the few facts that are not reads, for every stage
    final = {stage.number: True for stage in race.stages}
    stages = race_stage_results(race, reconciled.passings, rulings, bibs, final)
    overall = overall_results(race, stages, rulings, len(race.stages))
    return overall.height


def cpu_per_run(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """CPU seconds per run of ``work`` (user and system, all threads), and page faults:
    memory taken from the system again costs system time."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(runs):
        work()
    after = resource.getrusage(resource.RUSAGE_SELF)
    seconds = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds / runs, (after.ru_minflt - before.ru_minflt) / runs


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
    our_cpu, our_faults = cpu_per_run(lambda: engine(race, facts, bibs, tags), 3)
    sort_cpu, sort_faults = cpu_per_run(lambda: facts.sort(keys), 3)
    table = Table(
        "figure",
        "desert-runners",
        "baseline (sort)",
        "ratio",
        title=f"Results from raw events: {RUNNERS:,} runners, {facts.height:,} events",
    )
    add_figure(
        table, "seconds: bibs from tags, reconcile, 6 stages, GC", ours, baseline, ratio=".1f"
    )
    add_figure(
        table, "events per second", facts.height / ours, facts.height / baseline, figure=",.0f"
    )
    add_figure(
        table,
        "CPU seconds (user + system, all threads), mean of 3",
        our_cpu,
        sort_cpu,
        ratio=".1f",
    )
    add_figure(
        table,
        "page faults (memory taken from the system), mean of 3",
        our_faults,
        sort_faults,
        figure=",.0f",
        ratio=".1f",
    )
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
