"""The penalties in force, one row each, read against the race's catalogue: their time
and whether they disqualify (a DQ code, or the n-th repeat of a ``dq_on_repeat`` code,
counted in the order they happened). Stage results and the GC read the same table."""

from __future__ import annotations

import polars as pl

from desert_runners.domain.race import Race


def penalty_table(race: Race, rulings: pl.DataFrame) -> pl.DataFrame:
    """``rulings`` from ``in_force``: event_id, bib, stage (null: for the GC), code, time
    (null for a DQ-only code), dq, note."""
    times = {rule.code: rule.time for rule in race.penalties if rule.time is not None}
    dq_codes = [rule.code for rule in race.penalties if rule.dq]
    repeats = {rule.code: rule.dq_on_repeat for rule in race.penalties if rule.dq_on_repeat}
    penalties = (
        rulings.filter(pl.col("kind") == "penalty")
        # The n-th is counted in the order the penalties happened, not the order they
        # reached the log: by stage (those without a stage first), time given, event.
        .sort("stage", "at", "event_id", nulls_last=[False, True, False])
        .with_columns(
            pl.col("code")
            .replace_strict(times, default=None, return_dtype=pl.Duration("us"))
            .alias("time"),
            pl.int_range(1, pl.len() + 1).over("bib", "code").alias("nth"),
            pl.col("code")
            .replace_strict(repeats, default=None, return_dtype=pl.Int64)
            .alias("dq_at"),
        )
    )
    is_dq = pl.col("code").is_in(dq_codes) | (pl.col("nth") >= pl.col("dq_at")).fill_null(False)
    return penalties.select(
        "event_id",
        "bib",
        "stage",
        "code",
        "time",
        is_dq.alias("dq"),
        pl.format("penalty {} (event {})", "code", "event_id").alias("note"),
    )
