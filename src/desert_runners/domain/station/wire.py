"""A station's facts as plain JSON values: what the HTTP sync and the bundle file carry.

A station records three kinds of fact: an entry, a withdrawal at its checkpoint, and a
void of one of its own earlier facts. A void names its target by key, not by event id
(ids are the laptop's own); the camp puts back its own id when it stores it. Anything
sent to the camp is checked here first: a malformed fact is refused, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.domain.station.keys import parse_fact_key, station_source

STATION_KINDS = (EventKind.ENTRY, EventKind.WITHDRAWAL, EventKind.VOID)
WITHDRAWAL_STATUSES = ("dnf", "medical")
FIELDS = (
    "key",
    "kind",
    "author",
    "occurred_at",
    "device_time",
    "bib",
    "stage",
    "checkpoint",
    "direction",
    "payload",
)
_CHECKPOINT = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
_MAX_TEXT = 500
_MAX_NUMBER = 10**9


class WireError(UserError):
    """A fact sent by a station that cannot be taken as it is."""


def fact_to_wire(fact: Fact) -> dict[str, Any]:
    payload = {name: value for name, value in fact.payload.items() if name != "target"}
    return {
        "key": fact.key,
        "kind": fact.kind.value,
        "author": fact.author,
        "occurred_at": fact.occurred_at.isoformat() if fact.occurred_at else None,
        "device_time": fact.device_time,
        "bib": fact.bib,
        "stage": fact.stage,
        "checkpoint": fact.checkpoint,
        "direction": fact.direction.value if fact.direction else None,
        "payload": payload,
    }


def fact_from_wire(data: object, station: str) -> Fact:
    """The fact as ``station`` sent it (a void's payload still without the camp's id)."""
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        raise WireError(f"expected a fact with the fields {', '.join(FIELDS)}")
    key = _text(data, "key")
    parsed = parse_fact_key(key)
    if parsed is None or parsed.station != station:
        raise WireError(f"key {key!r} is not a key of station {station!r}")
    kind = _kind(data["kind"])
    bib = _number(data, "bib", optional=kind is EventKind.VOID)
    fact = Fact(
        kind=kind,
        source=station_source(station),
        author=_text(data, "author"),
        occurred_at=_instant(data["occurred_at"]),
        device_time=_text(data, "device_time", optional=True) or None,
        bib=bib,
        stage=_number(data, "stage"),
        checkpoint=_checkpoint(data["checkpoint"]),
        direction=_direction(data["direction"]),
        payload=_payload(kind, data["payload"], key),
        idempotency_key=key,
    )
    return fact


def with_void_targets(chosen: Iterable[Fact], every: Mapping[str, Fact]) -> list[Fact]:
    """``chosen`` plus the target of each void in it, in the station's order: a void
    always travels with what it voids, so any batch or message can be stored alone."""
    picked = {fact.key: fact for fact in chosen}
    for fact in list(picked.values()):
        target = fact.payload.get("target_key") if fact.kind is EventKind.VOID else None
        if isinstance(target, str) and target in every:
            picked.setdefault(target, every[target])
    return sorted(picked.values(), key=sequence)


def sequence(fact: Fact) -> int:
    parsed = parse_fact_key(fact.key)
    return parsed.seq if parsed else 0


def _kind(value: object) -> EventKind:
    kinds = {kind.value: kind for kind in STATION_KINDS}
    if not isinstance(value, str) or value not in kinds:
        raise WireError(f"kind {value!r}: a station sends only {', '.join(kinds)}")
    return kinds[value]


def _text(data: Mapping[str, object], name: str, optional: bool = False) -> str:
    value = data[name]
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise WireError(f"{name}: expected a text of 1 to {_MAX_TEXT} characters")
    return value


def _number(data: Mapping[str, object], name: str, optional: bool = False) -> int | None:
    value = data[name]
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < _MAX_NUMBER:
        raise WireError(f"{name}: expected a whole number above 0, got {value!r}")
    return value


def _instant(value: object) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise WireError(f"occurred_at: expected an ISO 8601 time with its offset, got {value!r}")
    return moment


def _checkpoint(value: object) -> str:
    if not isinstance(value, str) or not _CHECKPOINT.match(value):
        raise WireError(f"checkpoint: expected a checkpoint id, got {value!r}")
    return value


def _direction(value: object) -> Direction | None:
    if value is None:
        return None
    if value not in ("in", "out"):
        raise WireError(f"direction: expected in, out or null, got {value!r}")
    return Direction(str(value))


def _payload(kind: EventKind, value: object, key: str) -> dict[str, str]:
    expected = {
        EventKind.ENTRY: set(),
        EventKind.WITHDRAWAL: {"status", "reason"},
        EventKind.VOID: {"target_key", "reason"},
    }[kind]
    if not isinstance(value, dict) or set(value) != expected:
        names = ", ".join(sorted(expected)) or "nothing"
        raise WireError(f"payload of a {kind.value}: expected {names}")
    if not all(isinstance(item, str) and len(item) <= _MAX_TEXT for item in value.values()):
        raise WireError(f"payload of a {kind.value}: expected texts")
    if kind is EventKind.WITHDRAWAL and value["status"] not in WITHDRAWAL_STATUSES:
        raise WireError(f"status {value['status']!r}: expected {', '.join(WITHDRAWAL_STATUSES)}")
    if kind is EventKind.VOID:
        own, target = parse_fact_key(key), parse_fact_key(value["target_key"])
        if (
            target is None
            or own is None
            or (target.station, target.install)
            != (
                own.station,
                own.install,
            )
            or target.seq >= own.seq
        ):
            raise WireError(f"void {key}: a station voids only its own earlier facts")
    return {str(name): str(item) for name, item in value.items()}
