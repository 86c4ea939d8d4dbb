"""Where two sources disagree about a runner: a conflict to review, never a silent winner.

Two stations (or a station and a chip reader) at the same timing point that put the same
runner there more than ``window`` apart cannot both be right; a passing recorded by one
source after another source withdrew the runner on that stage is the same kind of doubt.
Reconciliation finds them (``Reconciliation.conflicts``) and marks the passings concerned
questionable; the crew resolves a conflict by voiding the wrong fact.

Only timing points where a runner has more than one crossing can hold a time conflict, so
the work here is on a handful of rows, not on the millions of reads.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

import polars as pl

DISAGREEMENT = timedelta(minutes=5)  # two volunteers' watches differ by a minute, not five
KEY = ["bib", "stage", "checkpoint", "direction"]

CONFLICT_SCHEMA = pl.Schema(
    {
        "bib": pl.Int64(),
        "stage": pl.Int64(),
        "checkpoint": pl.String(),
        "direction": pl.String(),
        "kind": pl.String(),  # "times" or "after_withdrawal"
        "sources": pl.List(pl.String()),
        "times": pl.List(pl.Datetime("us", "UTC")),
        "events": pl.List(pl.Int64()),
    }
)


def time_conflicts(crossings: pl.DataFrame, window: timedelta) -> pl.DataFrame:
    """``crossings``: bib, stage, checkpoint, direction, at, source, event_id: every
    crossing at the timing points with more than one, with the event and source of each.
    A conflict: more than one source, whose first times are more than ``window`` apart."""
    firsts = (
        crossings.sort("at", "event_id")
        .group_by([*KEY, "source"])
        .agg(pl.col("at").first(), pl.col("event_id").first())
    )
    return (
        firsts.sort("at", "source")
        .group_by(KEY)
        .agg(
            pl.col("source").alias("sources"),
            pl.col("at").alias("times"),
            pl.col("event_id").alias("events"),
        )
        .filter(
            (pl.col("sources").list.len() > 1)
            & ((pl.col("times").list.max() - pl.col("times").list.min()) > window)
        )
        .with_columns(pl.lit("times").alias("kind"))
        .select(list(CONFLICT_SCHEMA))
        .cast(CONFLICT_SCHEMA)
    )


def withdrawal_conflicts(after: pl.DataFrame, withdrawals: pl.DataFrame) -> pl.DataFrame:
    """``after``: passings recorded after the runner's withdrawal (bib, stage, checkpoint,
    direction, at, source, event_id); ``withdrawals``: bib, stage, source, at, event_id.
    A conflict where the passing's source is not the one that withdrew the runner."""
    out = withdrawals.select(
        "bib",
        "stage",
        pl.col("source").alias("out_source"),
        pl.col("at").alias("out_at"),
        pl.col("event_id").alias("out_event"),
    )
    seen = after.join(out, on=["bib", "stage"], how="inner").filter(
        pl.col("source") != pl.col("out_source")
    )
    return (
        seen.select(
            *KEY,
            pl.lit("after_withdrawal").alias("kind"),
            pl.concat_list("out_source", "source").alias("sources"),
            pl.concat_list("out_at", "at").alias("times"),
            pl.concat_list("out_event", "event_id").alias("events"),
        )
        .unique([*KEY, "kind"], keep="first", maintain_order=True)
        .cast(CONFLICT_SCHEMA)
    )


def notes(conflicts: pl.DataFrame, zone: tzinfo) -> pl.DataFrame:
    """KEY plus the ``note`` a questionable passing shows: who said what, and when (in
    the race's local time, as the crews read their watches)."""
    rows = []
    for row in conflicts.iter_rows(named=True):
        said = ", ".join(
            f"{source} {at.astimezone(zone):%H:%M:%S} (event {event})"
            for source, at, event in zip(row["sources"], row["times"], row["events"], strict=True)
        )
        what = "sources disagree" if row["kind"] == "times" else "seen after a withdrawal"
        rows.append((*(row[k] for k in KEY), f"{what}: {said}; void the wrong one"))
    frame = pl.DataFrame(
        rows, schema={**{k: CONFLICT_SCHEMA[k] for k in KEY}, "note": pl.String()}, orient="row"
    )
    return frame.group_by(KEY).agg(pl.col("note").str.join("; "))
