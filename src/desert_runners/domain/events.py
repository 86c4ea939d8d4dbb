"""Facts in the event log: raw reads, manual entries, starts, withdrawals, penalties,
corrections and voids. A fact is never edited; a correction is a new fact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    READ = "read"  # a chip read from a timing device, as the device reported it
    ENTRY = "entry"  # a bib and a time recorded by a person (station, phone, CLI)
    START = "start"  # a runner's own stage start (late or wave start)
    WITHDRAWAL = "withdrawal"  # DNF, DNS, medical withdrawal, DQ: the status is in the payload
    PENALTY = "penalty"  # payload: code from the race's catalogue, reason, evidence
    APPEAL = "appeal"  # against a penalty: payload target, decision (upheld reverses it), reason
    NEUTRALISATION = "neutralisation"  # time taken off a stage: the field's or one bib's
    CORRECTION = "correction"  # changes an earlier fact's time, bib or checkpoint
    VOID = "void"  # an earlier fact is to be ignored
    ENTRANT = "entrant"  # an entrant registered or their details changed
    DEFINITION = "definition"  # a race definition loaded or changed
    CLOCK = "clock"  # a timing device's clock measured against ours, or its offset set


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True)
class Fact:
    """What happened, as its source told it; the store adds an id and when it arrived."""

    kind: EventKind
    source: str  # device, station, file or command that produced it
    author: str  # the person (or device operator) responsible
    occurred_at: datetime | None = None  # absolute, zone-aware
    device_time: str | None = None  # the time exactly as the device or person gave it
    bib: int | None = None
    tag: str | None = None
    stage: int | None = None
    checkpoint: str | None = None
    direction: Direction | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""  # empty: derived from the content (see content_key)

    def __post_init__(self) -> None:
        if self.occurred_at is not None and self.occurred_at.utcoffset() is None:
            raise ValueError(f"occurred_at must be zone-aware, got {self.occurred_at}")

    @property
    def key(self) -> str:
        return self.idempotency_key or content_key(self)

    def same_content(self, other: Fact) -> bool:
        return content_key(self) == content_key(other)


@dataclass(frozen=True)
class Event:
    """A stored fact."""

    id: int
    race: str
    received_at: datetime
    fact: Fact


def content_key(fact: Fact) -> str:
    """A key derived from everything the fact says except who typed it and how the time
    was written (09:32 and 09:32:00 are one instant), so the same fact sent twice (a
    retry, a re-imported file) is stored once."""
    occurred = fact.occurred_at.astimezone(UTC).isoformat() if fact.occurred_at else None
    content = [
        fact.kind.value,
        fact.source,
        occurred,
        fact.device_time if occurred is None else None,
        fact.bib,
        fact.tag,
        fact.stage,
        fact.checkpoint,
        fact.direction.value if fact.direction else None,
        dict(fact.payload),
    ]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]
