"""Explicit links between entrants of two races of a series: the same person, or never."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from desert_runners.adapters.storage.tables import person_links
from desert_runners.results.matching import Link


def add_link(
    connection: Connection, series_id: int, link: Link, reason: str, author: str, at: datetime
) -> None:
    connection.execute(
        insert(person_links).values(
            series_id=series_id,
            race_a=link.race_a,
            bib_a=link.bib_a,
            race_b=link.race_b,
            bib_b=link.bib_b,
            same=link.same,
            reason=reason,
            author=author,
            linked_at=at,
        )
    )


def links_of(connection: Connection, series_id: int) -> list[Link]:
    """Every link of the series, oldest first: a later ruling on the same pair wins."""
    query = select(person_links).where(person_links.c.series_id == series_id)
    latest: dict[tuple[str, int, str, int], Link] = {}
    for row in connection.execute(query.order_by(person_links.c.id)).mappings():
        pair = sorted([(row["race_a"], row["bib_a"]), (row["race_b"], row["bib_b"])])
        key = (*pair[0], *pair[1])
        latest[key] = Link(row["race_a"], row["bib_a"], row["race_b"], row["bib_b"], row["same"])
    return list(latest.values())
