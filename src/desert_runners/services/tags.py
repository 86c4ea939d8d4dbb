"""Assign chip tags to bibs, release them, and show who had which tag when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desert_runners.adapters.storage import entrant_repo, tag_repo
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.local_time import local_instant
from desert_runners.domain.race import Race
from desert_runners.domain.tags import TagAssignment, current_owner, normalise_tag
from desert_runners.services.races import find_race

FROM_START = "start"
FROM_NOW = "now"


@dataclass(frozen=True)
class TagChange:
    race: str
    time_zone: str
    assignment: TagAssignment
    previous_bib: int | None
    stored: bool  # False: the tag already was that bib's, nothing recorded


@dataclass(frozen=True)
class TagListing:
    race: str
    time_zone: str
    assignments: list[TagAssignment]  # the current ones, by tag; or the whole history


def assign_tag(
    context: Context,
    race_slug: str | None,
    tag_text: str,
    bib: int,
    *,
    reason: str = "",
    effective: str | None = None,
) -> TagChange:
    """Tag -> bib. Without ``effective``, a tag never assigned in this race counts from
    the race's start (an unknown tag being named: its reads so far are the runner's),
    and a tag moving from someone else counts from now (their earlier reads stay theirs)."""
    return _record(context, race_slug, tag_text, bib, reason, effective)


def release_tag(
    context: Context,
    race_slug: str | None,
    tag_text: str,
    *,
    reason: str = "",
    effective: str | None = None,
) -> TagChange:
    """The tag is nobody's from now (or from ``effective``): its reads count for no one."""
    return _record(context, race_slug, tag_text, None, reason, effective)


def list_tags(context: Context, race_slug: str | None, *, history: bool = False) -> TagListing:
    row = find_race(context, race_slug)
    with context.store.read() as connection:
        statements = tag_repo.tag_history(connection, row.id)
    if not history:
        latest: dict[str, TagAssignment] = {}
        for item in statements:
            latest[item.tag] = item
        statements = [latest[tag] for tag in sorted(latest) if latest[tag].bib is not None]
    return TagListing(row.race.slug, row.race.time_zone, statements)


def _record(
    context: Context,
    race_slug: str | None,
    tag_text: str,
    bib: int | None,
    reason: str,
    effective: str | None,
) -> TagChange:
    tag = normalise_tag(tag_text)
    if tag is None:
        raise UserError(f"tag {tag_text!r}: expected 1 to 64 letters and digits (the chip's id)")
    row = find_race(context, race_slug)
    race = row.race
    now = context.clock()
    with context.store.write() as connection:
        if bib is not None and bib not in entrant_repo.entrant_bibs(connection, row.id):
            raise UserError(f"bib {bib} is not an entrant of {race.slug}")
        latest = current_owner(tag_repo.tag_history(connection, row.id, tag), tag)
        previous = None if latest is None else latest.bib
        if bib is None and previous is None:
            raise UserError(f"tag {tag} is not assigned to anyone in {race.slug}")
        if effective is None and latest is not None and previous == bib:
            return TagChange(race.slug, race.time_zone, latest, previous, stored=False)
        if effective is None:
            effective = FROM_START if latest is None else FROM_NOW
        assignment = tag_repo.add_assignment(
            connection,
            row.id,
            tag,
            bib,
            recorded_at=now,
            effective_at=_effective_at(effective, race, now),
            source="tags",
            author=context.author,
            reason=reason,
        )
    return TagChange(race.slug, race.time_zone, assignment, previous, stored=True)


def _effective_at(text: str, race: Race, now: datetime) -> datetime | None:
    """``start`` (None: from the race's start), ``now``, a date and time in the race's
    zone, or an ISO time with an offset."""
    word = text.strip().casefold()
    if word == FROM_START:
        return None
    if word == FROM_NOW:
        return now
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"--from {text!r}: expected start, now, YYYY-MM-DD HH:MM[:SS] or an ISO time "
            "with offset (2010-03-10T04:30:00+00:00)"
        ) from None
    if moment.tzinfo is None:
        moment = local_instant(moment.date(), moment.time(), race.zone)
    return moment
