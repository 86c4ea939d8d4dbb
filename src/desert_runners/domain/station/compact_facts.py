"""A station's facts to and from compact messages, with nothing lost on the way.

The compact form says exactly what the bundle file says (times to the second, as the
station records them; a typed time as HH:MM or HH:MM:SS), so the camp stores the same
facts whichever way they come, and in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.domain.station.compact import Item, Message, encode_message
from desert_runners.domain.station.keys import fact_key, parse_fact_key, station_source

_TYPED_FORMAT = {"minutes": "%H:%M", "seconds": "%H:%M:%S"}


def item_of(fact: Fact, zone: tzinfo) -> Item:
    """Raises ValueError for a fact no station records (the compact form cannot say it)."""
    parsed = parse_fact_key(fact.key)
    at = fact.occurred_at
    if parsed is None or at is None or at.microsecond or fact.stage is None:
        raise ValueError(f"fact {fact.key} is not a station's fact")
    payload = dict(fact.payload)
    item = Item(
        seq=parsed.seq,
        kind=fact.kind.value,
        author=fact.author,
        stage=fact.stage,
        checkpoint=fact.checkpoint or "",
        direction=fact.direction.value if fact.direction else None,
        at=int(at.timestamp()),
        typed=_typed(fact, zone),
        bib=fact.bib,
        status=payload.get("status"),
        target=_target(payload),
        reason=str(payload.get("reason", "")),
    )
    if fact_of(item, parsed.station, parsed.install, zone) != _comparable(fact):
        raise ValueError(f"fact {fact.key} says more than a compact message can")
    return item


def fact_of(item: Item, station: str, install: str, zone: tzinfo) -> Fact:
    at = datetime.fromtimestamp(item.at, UTC).astimezone(zone)
    payload: dict[str, str] = {}
    if item.kind == EventKind.WITHDRAWAL.value:
        payload = {"status": item.status or "", "reason": item.reason}
    elif item.kind == EventKind.VOID.value:
        payload = {
            "target_key": fact_key(station, install, item.target or 0),
            "reason": item.reason,
        }
    return Fact(
        kind=EventKind(item.kind),
        source=station_source(station),
        author=item.author,
        occurred_at=at,
        device_time=at.strftime(_TYPED_FORMAT[item.typed]) if item.typed else None,
        bib=item.bib,
        stage=item.stage,
        checkpoint=item.checkpoint,
        direction=Direction(item.direction) if item.direction else None,
        payload=payload,
        idempotency_key=fact_key(station, install, item.seq),
    )


def facts_of_message(message: Message, zone: tzinfo) -> list[Fact]:
    return [fact_of(item, message.station, message.install, zone) for item in message.items]


def compact_messages(
    race: str,
    station: str,
    install: str,
    facts: Sequence[Fact],
    zone: tzinfo,
    max_bytes: int | None = None,
) -> list[str]:
    """One message, or as many as needed to keep each within ``max_bytes``. A void goes
    in the same message as what it voids, so each message can be received alone."""
    items = sorted((item_of(fact, zone) for fact in facts), key=lambda item: item.seq)
    by_seq = {item.seq: item for item in items}

    def encode(chosen: list[Item]) -> str:
        return encode_message(Message(race, station, install, tuple(chosen)))

    def with_target(current: list[Item], item: Item) -> list[Item]:
        needed = [item]
        if item.target is not None and all(other.seq != item.target for other in current):
            needed.insert(0, by_seq[item.target])
        return sorted(current + needed, key=lambda each: each.seq)

    if max_bytes is None:
        return [encode(items)] if items else []
    messages: list[str] = []
    current: list[Item] = []
    for item in items:
        if any(other.seq == item.seq for other in current):
            continue  # already here as the target of a void
        candidate = with_target(current, item)
        if current and len(encode(candidate)) > max_bytes:
            messages.append(encode(current))
            candidate = with_target([], item)
        if len(encode(candidate)) > max_bytes:
            raise UserError(
                f"--max-bytes {max_bytes} is too small: one fact with its header takes "
                f"{len(encode(candidate))} bytes"
            )
        current = candidate
    return [*messages, encode(current)] if current else messages


def _typed(fact: Fact, zone: tzinfo) -> str | None:
    if fact.device_time is None:
        return None
    assert fact.occurred_at is not None
    local = fact.occurred_at.astimezone(zone)
    for typed, pattern in _TYPED_FORMAT.items():
        if fact.device_time == local.strftime(pattern):
            return typed
    raise ValueError(f"fact {fact.key}: the typed time {fact.device_time!r} is not HH:MM[:SS]")


def _target(payload: dict[str, object]) -> int | None:
    key = payload.get("target_key")
    parsed = parse_fact_key(key) if isinstance(key, str) else None
    return parsed.seq if parsed else None


def _comparable(fact: Fact) -> Fact:
    """The fact as the compact form gives it back: a void without the laptop's own id."""
    payload = {name: value for name, value in fact.payload.items() if name != "target"}
    return Fact(
        kind=fact.kind,
        source=fact.source,
        author=fact.author,
        occurred_at=fact.occurred_at,
        device_time=fact.device_time,
        bib=fact.bib,
        stage=fact.stage,
        checkpoint=fact.checkpoint,
        direction=fact.direction,
        payload=payload,
        idempotency_key=fact.key,
    )
