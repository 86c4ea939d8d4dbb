"""The history of chip tag assignments: append-only, one row per statement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from desert_runners.adapters.storage.tables import tag_assignments
from desert_runners.domain.tags import TagAssignment


def tag_history(
    connection: Connection, race_id: int, tag: str | None = None
) -> list[TagAssignment]:
    """Every statement about the race's tags (or one tag), in the order recorded."""
    query = select(tag_assignments).where(tag_assignments.c.race_id == race_id)
    if tag is not None:
        query = query.where(tag_assignments.c.tag == tag)
    return [
        TagAssignment(
            tag=row["tag"],
            bib=row["bib"],
            effective_at=row["effective_at"],
            recorded_at=row["assigned_at"],
            source=row["source"],
            author=row["author"],
            reason=row["reason"],
            order=int(row["id"]),
        )
        for row in connection.execute(query.order_by(tag_assignments.c.id)).mappings()
    ]


def add_assignment(
    connection: Connection,
    race_id: int,
    tag: str,
    bib: int | None,
    *,
    recorded_at: datetime,
    effective_at: datetime | None,
    source: str,
    author: str,
    reason: str,
) -> TagAssignment:
    values = {
        "race_id": race_id,
        "tag": tag,
        "bib": bib,
        "assigned_at": recorded_at,
        "effective_at": effective_at,
        "source": source,
        "author": author,
        "reason": reason,
    }
    result = connection.execute(insert(tag_assignments).values(**values))
    return TagAssignment(
        tag=tag,
        bib=bib,
        effective_at=effective_at,
        recorded_at=recorded_at,
        source=source,
        author=author,
        reason=reason,
        order=int(result.inserted_primary_key[0]),
    )
