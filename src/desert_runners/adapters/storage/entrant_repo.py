"""Entrants of a race, the people behind them across a series, and chip tag assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from desert_runners.adapters.storage.tables import entrants, people, tag_assignments
from desert_runners.domain.entrant import Entrant, identity_key

Outcome = Literal["added", "updated", "unchanged"]


class SamePersonTwiceError(Exception):
    """The person is already entered in this race under another bib."""

    def __init__(self, bib: int) -> None:
        super().__init__(bib)
        self.bib = bib


@dataclass(frozen=True)
class Saved:
    outcome: Outcome
    person_id: int
    changes: dict[str, Any]  # field -> [old, new] for an update


def save_entrant(
    connection: Connection,
    race_id: int,
    series_id: int,
    entrant: Entrant,
    at: datetime,
    author: str = "",
) -> Saved:
    current = _entrant_row(connection, race_id, entrant.bib)
    person_id = _person_for(connection, series_id, entrant, current)
    other_bib = connection.execute(
        select(entrants.c.bib).where(
            entrants.c.race_id == race_id,
            entrants.c.person_id == person_id,
            entrants.c.bib != entrant.bib,
        )
    ).scalar()
    if other_bib is not None:
        raise SamePersonTwiceError(int(other_bib))
    values = _row(entrant) | {"person_id": person_id}
    if current is None:
        connection.execute(
            insert(entrants).values(race_id=race_id, bib=entrant.bib, updated_at=at, **values)
        )
        outcome: Outcome = "added"
        changes: dict[str, Any] = {}
    else:
        changes = {
            name: [_plain(current[name]), _plain(value)]
            for name, value in values.items()
            if current[name] != value
        }
        outcome = "updated" if changes else "unchanged"
        if changes:
            connection.execute(
                update(entrants)
                .where(entrants.c.id == current["id"])
                .values(updated_at=at, **values)
            )
    old_tags, new_tags = _assign_tags(connection, race_id, entrant, at, author)
    if current is not None and old_tags != new_tags:
        changes["tags"] = [old_tags, new_tags]
        outcome = "updated"
    return Saved(outcome, person_id, changes)


def _person_for(
    connection: Connection, series_id: int, entrant: Entrant, current: RowMapping | None
) -> int:
    """The person already known under this identity; else, for a bib already entered,
    the same person with corrected details (a fixed spelling is not a new person);
    else a new person."""
    key = identity_key(entrant)
    found = connection.execute(
        select(people.c.id).where(people.c.series_id == series_id, people.c.identity_key == key)
    ).scalar()
    if found is not None:
        return int(found)
    details = {
        "identity_key": key,
        "given_name": entrant.given_name,
        "family_name": entrant.family_name,
        "gender": entrant.gender,
        "date_of_birth": entrant.date_of_birth,
        "nationality": entrant.nationality,
    }
    if current is not None:
        person_id = int(current["person_id"])
        connection.execute(update(people).where(people.c.id == person_id).values(**details))
        return person_id
    result = connection.execute(insert(people).values(series_id=series_id, **details))
    return int(result.inserted_primary_key[0])


def _entrant_row(connection: Connection, race_id: int, bib: int) -> RowMapping | None:
    query = select(entrants).where(entrants.c.race_id == race_id, entrants.c.bib == bib)
    return connection.execute(query).mappings().first()


def _row(entrant: Entrant) -> dict[str, Any]:
    return {
        "given_name": entrant.given_name,
        "family_name": entrant.family_name,
        "gender": entrant.gender,
        "date_of_birth": entrant.date_of_birth,
        "age": entrant.age,
        "nationality": entrant.nationality,
        "team": entrant.team,
        "emergency_contact": entrant.emergency_contact,
        "person": entrant.person,
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def current_tags(connection: Connection, race_id: int) -> dict[str, int]:
    """Each tag's bib now: the latest assignment wins; a release (no bib) removes it."""
    latest = (
        select(func.max(tag_assignments.c.id))
        .where(tag_assignments.c.race_id == race_id)
        .group_by(tag_assignments.c.tag)
    )
    query = select(tag_assignments.c.tag, tag_assignments.c.bib).where(
        tag_assignments.c.id.in_(latest)
    )
    return {tag: int(bib) for tag, bib in connection.execute(query) if bib is not None}


def _assign_tags(
    connection: Connection, race_id: int, entrant: Entrant, at: datetime, author: str
) -> tuple[list[str], list[str]]:
    """Record the tag changes as new assignments; returns the bib's tags before and after.
    They count from the race's start (no effective_at): the entrants file registers a
    runner's tags for the whole race, so a corrected file corrects every read."""
    now = current_tags(connection, race_id)
    before = sorted(tag for tag, bib in now.items() if bib == entrant.bib)
    wanted = set(entrant.tags)
    common = {"race_id": race_id, "assigned_at": at, "source": "entrants", "author": author}
    rows = [
        common | {"tag": tag, "bib": entrant.bib}
        for tag in entrant.tags
        if now.get(tag) != entrant.bib
    ]
    rows += [
        common | {"tag": tag, "bib": None}
        for tag, bib in now.items()
        if bib == entrant.bib and tag not in wanted
    ]
    if rows:
        connection.execute(insert(tag_assignments), rows)
    return before, sorted(entrant.tags)


def list_entrants(connection: Connection, race_id: int) -> list[tuple[Entrant, int]]:
    """Entrants by bib, each with their person id."""
    tags: dict[int, list[str]] = {}
    for tag, bib in sorted(current_tags(connection, race_id).items()):
        tags.setdefault(bib, []).append(tag)
    query = select(entrants).where(entrants.c.race_id == race_id).order_by(entrants.c.bib)
    return [
        (
            Entrant(
                bib=row["bib"],
                given_name=row["given_name"],
                family_name=row["family_name"],
                gender=row["gender"],
                nationality=row["nationality"],
                date_of_birth=row["date_of_birth"],
                age=row["age"],
                team=row["team"],
                tags=tuple(tags.get(row["bib"], ())),
                emergency_contact=row["emergency_contact"],
                person=row["person"],
            ),
            int(row["person_id"]),
        )
        for row in connection.execute(query).mappings()
    ]


def entrant_bibs(connection: Connection, race_id: int) -> set[int]:
    query = select(entrants.c.bib).where(entrants.c.race_id == race_id)
    return {int(bib) for bib in connection.execute(query).scalars()}
