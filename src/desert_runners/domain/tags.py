"""Chip tags and the bibs they belong to, over time.

A tag assignment is a statement, never edited: "from this moment (or from the race's
start), tag T is bib B's" or "... is nobody's" (released). Statements are kept in the
order they were recorded; where two cover the same moment, the later one wins. So a
tag handed to another runner at CP3 is recorded from that moment and the reads before
stay the first runner's, while a mistake in the entrants file is fixed by a statement
from the race's start that overrides everything said before it.

A read's bib is its tag's bib at the read's time: worked out when results are computed,
so a late fix changes the results without touching a single read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

_TAG = re.compile(r"[A-Za-z0-9]{1,64}")
_ALWAYS = datetime.min.replace(tzinfo=UTC)  # "from the race's start": before any read


@dataclass(frozen=True)
class TagAssignment:
    tag: str
    bib: int | None  # None: released, nobody's
    effective_at: datetime | None  # None: from the race's start
    recorded_at: datetime
    source: str  # "entrants" (the entrants file), "tags" (the command), ...
    author: str = ""
    reason: str = ""
    order: int = 0  # the order it was recorded in: later statements win


def normalise_tag(text: str) -> str | None:
    """A tag as readers report it (upper case), or None when it is not letters and digits."""
    tag = text.strip()
    return tag.upper() if tag.isascii() and _TAG.fullmatch(tag) else None


Segment = tuple[datetime | None, int | None]  # from (None: the start), bib (None: nobody)


@dataclass(frozen=True)
class TagTimeline:
    """Each tag's bib over time, as consecutive segments in time order."""

    segments: Mapping[str, tuple[Segment, ...]]

    def bib_at(self, tag: str, at: datetime) -> int | None:
        bib: int | None = None
        for start, owner in self.segments.get(tag, ()):
            if start is not None and start > at:
                break
            bib = owner
        return bib

    def tags_of(self, bib: int) -> set[str]:
        """Every tag that was ``bib``'s at some moment."""
        return {
            tag for tag, parts in self.segments.items() if any(owner == bib for _, owner in parts)
        }


def tag_timeline(assignments: Iterable[TagAssignment]) -> TagTimeline:
    by_tag: dict[str, list[TagAssignment]] = {}
    for assignment in sorted(assignments, key=lambda item: item.order):
        by_tag.setdefault(assignment.tag, []).append(assignment)
    return TagTimeline({tag: _segments(items) for tag, items in by_tag.items()})


def _segments(statements: list[TagAssignment]) -> tuple[Segment, ...]:
    """At each moment a statement starts, the latest statement in force says the bib."""
    starts = sorted({item.effective_at or _ALWAYS for item in statements})
    segments: list[Segment] = []
    for start in starts:
        in_force = [item for item in statements if (item.effective_at or _ALWAYS) <= start]
        bib = in_force[-1].bib if in_force else None
        if not segments or segments[-1][1] != bib:
            segments.append((None if start == _ALWAYS else start, bib))
    return tuple(segments)


def current_owner(assignments: Iterable[TagAssignment], tag: str) -> TagAssignment | None:
    """The latest statement about ``tag``: who has it as far as anyone last said."""
    latest = None
    for item in assignments:
        if item.tag == tag and (latest is None or item.order > latest.order):
            latest = item
    return latest
