"""The event log as columns, the shape the results engine computes on.

Payload conventions of the facts that refer to others (written by the services):
- void:        ``{"target": <event id>, "reason": str}``
- correction:  ``{"target": <event id>, "reason": str}`` plus any of ``occurred_at`` (ISO 8601
  with offset), ``bib``, ``stage``, ``checkpoint``, ``direction``: the target's new values.
- withdrawal:  bib, stage, occurred_at, ``{"status": "dnf" | "dns" | "dq" | "medical", ...}``
- start:       bib, stage, occurred_at: that runner's own start (late or wave start).
- penalty:     bib, stage, ``{"code": <catalogue code>, "reason": str, "evidence": str}``
- appeal:      ``{"target": <penalty id>, "decision": "pending" | "upheld" | "rejected",
  "reason": str}``; an upheld appeal reverses the penalty, as a void does.
- neutralisation: stage, bib (none: the whole field), ``{"duration": "H:MM:SS", "reason"}``
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from desert_runners.domain.events import Event, EventKind

UTC_TIME = pl.Datetime("us", "UTC")
# The log's few-valued text (kinds, sources, tags, checkpoints, directions) is held as
# codes: millions of reads repeat a few thousand values, and comparing or looking up a
# code costs a fraction of hashing its text (see ``results.lookup``).
CODED = pl.Categorical()

FACTS_SCHEMA: dict[str, Any] = {
    "event_id": pl.Int64,
    "kind": CODED,
    "source": CODED,
    "bib": pl.Int64,
    "tag": CODED,
    "stage": pl.Int64,
    "checkpoint": CODED,
    "direction": CODED,
    "at": UTC_TIME,
    "target": pl.Int64,
    "reason": pl.String,
    "new_at": UTC_TIME,
    "new_bib": pl.Int64,
    "new_stage": pl.Int64,
    "new_checkpoint": CODED,
    "new_direction": CODED,
    "status": pl.String,
    "code": pl.String,
    "duration": pl.Duration("us"),
}


# The columns a fact's payload gives (see the conventions above).
PAYLOAD_COLUMNS = [
    "target",
    "reason",
    "new_at",
    "new_bib",
    "new_stage",
    "new_checkpoint",
    "new_direction",
    "status",
    "code",
    "duration",
]


def facts_frame(events: Sequence[Event]) -> pl.DataFrame:
    return pl.DataFrame([_row(event) for event in events], schema=FACTS_SCHEMA, orient="row")


def _row(event: Event) -> tuple[object, ...]:
    fact = event.fact
    return (
        event.id,
        fact.kind.value,
        fact.source,
        fact.bib,
        fact.tag,
        fact.stage,
        fact.checkpoint.casefold() if fact.checkpoint else None,
        fact.direction.value if fact.direction else None,
        fact.occurred_at,
        *payload_values(fact.kind.value, fact.payload),
    )


def payload_values(kind: str, payload: Mapping[str, Any]) -> tuple[object, ...]:
    """The ``PAYLOAD_COLUMNS`` of a fact. A read's payload is its device's line: it gives
    only why the line was rejected, when it was."""
    reason = payload.get("reason") or payload.get("rejected")  # a rejected line: why
    if kind == EventKind.READ.value:
        return (None, reason, *[None] * (len(PAYLOAD_COLUMNS) - 2))
    new_at = payload.get("occurred_at")
    return (
        payload.get("target"),
        reason,
        datetime.fromisoformat(new_at) if isinstance(new_at, str) else None,
        payload.get("bib"),
        payload.get("stage"),
        str(payload["checkpoint"]).casefold() if payload.get("checkpoint") else None,
        payload.get("direction"),
        payload.get("status") or payload.get("decision"),
        payload.get("code"),
        _duration(payload.get("duration")),
    )


def facts_from_log(log: pl.DataFrame) -> pl.DataFrame:
    """``facts_frame`` of a race's whole log, from its columns as the store gives them
    (``event_log.log_columns``: the columns of ``FACTS_SCHEMA`` that are not a payload's,
    and ``payload``, JSON text or null where it gives nothing), without an object per
    event: millions of reads load in seconds.
    Only the payloads given are parsed (every fact's but the reads', most of which give
    nothing)."""
    given = np.flatnonzero(log["payload"].is_not_null().to_numpy())
    kinds, texts = log["kind"].gather(given), log["payload"].gather(given)
    parsed = pl.DataFrame(
        [payload_values(kind, json.loads(text)) for kind, text in zip(kinds, texts, strict=True)],
        schema={name: FACTS_SCHEMA[name] for name in PAYLOAD_COLUMNS},
        orient="row",
    )
    payload_columns = [
        pl.repeat(None, log.height, dtype=FACTS_SCHEMA[name], eager=True)
        .scatter(given, parsed[name])
        .alias(name)
        for name in PAYLOAD_COLUMNS
    ]
    names = log["checkpoint"].unique().drop_nulls().to_list()
    folded = {name: name.casefold() for name in names if name != name.casefold()}
    checkpoint = pl.col("checkpoint").replace(folded) if folded else pl.col("checkpoint")
    return (
        log.with_columns(checkpoint.alias("checkpoint"), *payload_columns)
        .select(list(FACTS_SCHEMA))
        .cast(pl.Schema(FACTS_SCHEMA))
    )


def _duration(text: object) -> timedelta | None:
    if not isinstance(text, str):
        return None
    sign = -1 if text.startswith("-") else 1
    hours, minutes, *seconds = (int(part) for part in text.lstrip("-").split(":"))
    return sign * timedelta(hours=hours, minutes=minutes, seconds=seconds[0] if seconds else 0)


def voided(facts: pl.DataFrame) -> pl.DataFrame:
    """The facts a standing void removes: ``event_id`` (the target), ``void_id`` and
    ``reason``. A void of a void restores its target, however long the chain: a void
    stands unless a standing void targets it. A void names an earlier fact, so walking
    the voids from the latest back decides each one after everything that targets it."""
    voids = (
        facts.filter((pl.col("kind") == "void") & (pl.col("target") < pl.col("event_id")))
        .sort("event_id", descending=True)
        .select("event_id", "target", "reason")
    )
    removed_by: dict[int, tuple[int, str]] = {}
    for void_id, target, reason in voids.iter_rows():
        if void_id not in removed_by:  # no later standing void targets this one
            removed_by[target] = (void_id, reason or "")  # the earliest standing void wins
    return pl.DataFrame(
        [(target, void_id, reason) for target, (void_id, reason) in removed_by.items()],
        schema={"event_id": pl.Int64, "void_id": pl.Int64, "reason": pl.String},
        orient="row",
    )


def in_force(facts: pl.DataFrame) -> pl.DataFrame:
    """The rulings that still stand (starts, withdrawals, penalties, holds): without those
    a standing void removes, and without the penalties whose latest standing appeal
    decision is ``upheld``. Reads and entries, by far the most facts, are left out:
    reconciliation handles those."""
    rulings = facts.filter(~pl.col("kind").is_in(["read", "entry"]))
    rulings = rulings.join(voided(rulings).select("event_id"), on="event_id", how="anti")
    reversed_penalties = (
        rulings.filter(pl.col("kind") == "appeal")
        .sort("event_id")
        .group_by("target")
        .agg(pl.col("status").last().alias("decision"))
        .filter(pl.col("decision") == "upheld")
        .select(pl.col("target").alias("event_id"))
    )
    return rulings.join(reversed_penalties, on="event_id", how="anti")
