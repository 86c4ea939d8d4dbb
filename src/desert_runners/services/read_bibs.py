"""A chip read's bib: its tag's bib at the read's time, from the tag history.

Reads are stored with their tag only; the bib is worked out each time results are
computed, so a tag assigned or corrected later (an unknown tag named, a swap in the
entrants file fixed) changes the results without a correction of every read.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from desert_runners.domain.tags import TagTimeline
from desert_runners.results.facts import UTC_TIME

NO_TAGS = pl.DataFrame(schema={"tag": pl.String, "bib": pl.Int64})
_BEGINNING = datetime(1900, 1, 1, tzinfo=UTC)  # "from the race's start": before any read


def with_read_bibs(facts: pl.DataFrame, timeline: TagTimeline) -> pl.DataFrame:
    """``facts`` (as ``facts_frame`` makes them) with the bib filled in on each read that
    has none and whose tag was someone's at the read's time; the rest unchanged."""
    segments = pl.DataFrame(
        [
            (tag, start or _BEGINNING, bib)
            for tag, parts in timeline.segments.items()
            for start, bib in parts
        ],
        schema={"tag": pl.String, "from": UTC_TIME, "tag_bib": pl.Int64},
        orient="row",
    )
    reads = facts.filter(
        (pl.col("kind") == "read")
        & pl.col("bib").is_null()
        & pl.col("tag").is_not_null()
        & pl.col("at").is_not_null()
    ).select("event_id", "tag", "at")
    if reads.is_empty() or segments.is_empty():
        return facts
    found = reads.sort("at").join_asof(
        segments.sort("from"),
        left_on="at",
        right_on="from",
        by="tag",
        strategy="backward",
        check_sortedness=False,  # sorted above; polars cannot check within "by" groups
    )
    return (
        facts.join(
            found.select("event_id", "tag_bib"), on="event_id", how="left", maintain_order="left"
        )
        .with_columns(pl.coalesce("bib", "tag_bib").alias("bib"))
        .drop("tag_bib")
    )
