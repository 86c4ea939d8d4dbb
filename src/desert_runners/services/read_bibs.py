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
from desert_runners.results.lookup import looked_up_column
from desert_runners.results.parallel import in_parallel, row_halves

NO_TAGS = pl.DataFrame(schema={"tag": pl.String, "bib": pl.Int64})
_BEGINNING = datetime(1900, 1, 1, tzinfo=UTC)  # "from the race's start": before any read


def with_read_bibs(facts: pl.DataFrame, timeline: TagTimeline) -> pl.DataFrame:
    """``facts`` (as ``facts_frame`` makes them) with the bib filled in on each read that
    has none and whose tag was someone's at the read's time; the rest unchanged.

    Most tags are one runner's for the whole race: their reads get the bib by a plain
    lookup. Only the reads of tags that changed hands (or were assigned from a time) are
    matched against the history by time, so a race of millions of reads stays fast."""
    if not timeline.segments:
        return facts
    facts = facts.rechunk()  # see ``reconcile``: one piece per column (no copy if already)
    whole_race = {
        tag: parts[0][1]
        for tag, parts in timeline.segments.items()
        if len(parts) == 1 and parts[0][0] is None
    }
    changed = [tag for tag in timeline.segments if tag not in whole_race]
    unresolved = (
        (pl.col("kind") == "read")
        & pl.col("bib").is_null()
        & pl.col("tag").is_not_null()
        & pl.col("at").is_not_null()
    )
    # One lookup gives every read its tag's bib, or _BY_TIME for a tag that changed hands.
    tags = pl.Series([*whole_race, *changed], dtype=pl.String)
    bibs = pl.Series([*whole_race.values(), *[_BY_TIME] * len(changed)], dtype=pl.Int64)

    def looked_up_bibs(rows: pl.DataFrame) -> pl.Series:
        found = looked_up_column(rows["tag"], tags, bibs)
        bib = pl.when(unresolved).then(found).otherwise("bib")
        return rows.select(bib.alias("bib")).to_series()

    # Millions of reads: the two halves are looked up at once.
    facts = facts.with_columns(pl.concat(in_parallel(looked_up_bibs, row_halves(facts))).rechunk())
    if not changed:
        return facts
    return _by_time(facts, pl.col("bib") == _BY_TIME, timeline, changed)


_BY_TIME = -(2**63)  # not a bib: the read's tag changed hands, its bib depends on the time


def _by_time(
    facts: pl.DataFrame, chosen: pl.Expr, timeline: TagTimeline, changed: list[str]
) -> pl.DataFrame:
    """The bib of each ``chosen`` read from its tag's segment at the read's time."""
    segments = pl.DataFrame(
        [
            (tag, start or _BEGINNING, bib)
            for tag in changed
            for start, bib in timeline.segments[tag]
        ],
        schema={"tag": pl.String, "from": UTC_TIME, "tag_bib": pl.Int64},
        orient="row",
    )
    rows = facts.select(pl.arg_where(chosen)).to_series()
    if rows.is_empty():
        return facts
    reads = facts[rows].select(pl.col("tag").cast(pl.String), "at").with_row_index("row")
    found = (
        reads.sort("at")
        .join_asof(
            segments.sort("from"),
            left_on="at",
            right_on="from",
            by="tag",
            strategy="backward",
            check_sortedness=False,  # sorted above; polars cannot check within "by" groups
        )
        .sort("row")
    )
    return facts.with_columns(facts["bib"].scatter(rows, found["tag_bib"]))
