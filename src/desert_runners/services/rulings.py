"""A race director's rulings, each a new fact with who, when and why: penalties and
appeals, withdrawals, a runner's own start, neutralised time, voids.

Nothing is edited: a reversed penalty is an upheld appeal or a void, both facts too.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic_core import PydanticCustomError

from desert_runners.adapters.importers.race_schema import parse_duration
from desert_runners.adapters.storage import entrant_repo
from desert_runners.adapters.storage.event_log import Appended, append, get_event
from desert_runners.adapters.storage.types import storable_id
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Event, EventKind, Fact
from desert_runners.domain.local_time import resolve_time
from desert_runners.domain.race import Race, Stage, format_duration
from desert_runners.services.races import find_race

WITHDRAWAL_STATUSES = ("dnf", "dns", "dq", "medical")
DECISIONS = ("pending", "upheld", "rejected")


def penalty(
    context: Context,
    race_slug: str | None,
    bib: int,
    code: str,
    *,
    stage: int | None,
    reason: str,
    evidence: str = "",
) -> Appended:
    need_reason(reason, "penalty", "why it is given")
    row = find_race(context, race_slug)
    rule = row.race.penalty(code)
    if rule is None:
        codes = ", ".join(rule.code for rule in row.race.penalties) or "none"
        raise UserError(f"no penalty '{code}' in the catalogue of {row.race.slug} ({codes})")
    _check_stage(row.race, stage)
    what = "DQ" if rule.dq else format_duration(rule.time or timedelta(0))
    return store_ruling(
        context,
        row.race.slug,
        Fact(
            kind=EventKind.PENALTY,
            source="director",
            author=context.author,
            bib=bib,
            stage=stage,
            occurred_at=context.clock(),
            payload={"code": code, "reason": reason, "evidence": evidence, "penalty": what},
        ),
        bib,
    )


def appeal(
    context: Context, race_slug: str | None, target: int, decision: str, *, reason: str
) -> Appended:
    if decision not in DECISIONS:
        raise UserError(f"decision {decision!r}: expected {', '.join(DECISIONS)}")
    need_reason(reason, "appeal decision", "why it was decided so")
    row = find_race(context, race_slug)
    penalised = event_of(context, row.race.slug, target)
    if penalised.fact.kind is not EventKind.PENALTY:
        raise UserError(f"event {target} is a {penalised.fact.kind.value}, not a penalty")
    return store_ruling(
        context,
        row.race.slug,
        Fact(
            kind=EventKind.APPEAL,
            source="director",
            author=context.author,
            bib=penalised.fact.bib,
            occurred_at=context.clock(),
            payload={"target": target, "decision": decision, "reason": reason},
        ),
    )


def withdraw(
    context: Context,
    race_slug: str | None,
    bib: int,
    *,
    stage: int,
    status: str,
    reason: str,
    at: str | None = None,
) -> Appended:
    if status not in WITHDRAWAL_STATUSES:
        raise UserError(f"status {status!r}: expected {', '.join(WITHDRAWAL_STATUSES)}")
    need_reason(reason, "withdrawal", "why the runner is out")
    row = find_race(context, race_slug)
    found = _check_stage(row.race, stage)
    assert found is not None
    moment = resolve_time(at, found, race=row.race) if at is not None else context.clock()
    return store_ruling(
        context,
        row.race.slug,
        Fact(
            kind=EventKind.WITHDRAWAL,
            source="director",
            author=context.author,
            bib=bib,
            stage=stage,
            occurred_at=moment.astimezone(row.race.zone),
            device_time=at,
            payload={"status": status, "reason": reason},
        ),
        bib,
    )


def own_start(
    context: Context, race_slug: str | None, bib: int, *, stage: int, at: str, reason: str
) -> Appended:
    row = find_race(context, race_slug)
    found = _check_stage(row.race, stage)
    assert found is not None
    moment = resolve_time(at, found, race=row.race)
    return store_ruling(
        context,
        row.race.slug,
        Fact(
            kind=EventKind.START,
            source="director",
            author=context.author,
            bib=bib,
            stage=stage,
            occurred_at=moment.astimezone(row.race.zone),
            device_time=at,
            payload={"reason": reason},
        ),
        bib,
    )


def neutralise(
    context: Context,
    race_slug: str | None,
    *,
    stage: int,
    duration: str,
    reason: str,
    bib: int | None = None,
) -> Appended:
    need_reason(reason, "neutralisation", "why the time is taken off")
    row = find_race(context, race_slug)
    _check_stage(row.race, stage)
    try:
        held = parse_duration(duration)
    except PydanticCustomError as error:
        raise UserError(f"--duration: {error.message()}") from None
    if held <= timedelta(0):
        raise UserError(f"--duration: {duration} is not above zero")
    return store_ruling(
        context,
        row.race.slug,
        Fact(
            kind=EventKind.NEUTRALISATION,
            source="director",
            author=context.author,
            bib=bib,
            stage=stage,
            occurred_at=context.clock(),
            payload={"duration": format_duration(held), "reason": reason},
        ),
        bib,
    )


def void(context: Context, race_slug: str | None, target: int, *, reason: str) -> Appended:
    row = find_race(context, race_slug)
    voided = event_of(context, row.race.slug, target)
    if voided.fact.kind in {EventKind.DEFINITION, EventKind.ENTRANT}:
        raise UserError(
            f"event {target} is a {voided.fact.kind.value}: change the file and load it again"
        )
    need_reason(reason, "void", "why this fact is to be ignored")
    return store_ruling(
        context,
        row.race.slug,
        Fact(
            kind=EventKind.VOID,
            source="director",
            author=context.author,
            bib=voided.fact.bib,
            occurred_at=context.clock(),
            payload={"target": target, "reason": reason},
        ),
    )


def need_reason(reason: str, ruling: str, why: str) -> None:
    """A ruling is kept with why it was made: an empty --reason is a mistake."""
    if not reason.strip():
        raise UserError(f"a {ruling} needs --reason: {why}")


def _check_stage(race: Race, stage: int | None) -> Stage | None:
    if stage is None:
        return None
    found = race.stage(stage)
    if found is None:
        raise UserError(f"{race.slug} has no stage {stage} (stages 1 to {len(race.stages)})")
    return found


def event_of(context: Context, race: str, target: int) -> Event:
    row = find_race(context, race)
    found = None
    if storable_id(target):  # a bigger id is no event, and an error for the driver
        with context.store.read() as connection:
            found = get_event(connection, row.id, race, target)
    if found is None:
        raise UserError(f"no event {target} in {race}")
    return found


def store_ruling(context: Context, race: str, fact: Fact, bib: int | None = None) -> Appended:
    row = find_race(context, race)
    with context.store.write() as connection:
        if bib is not None and bib not in entrant_repo.entrant_bibs(connection, row.id):
            raise UserError(f"bib {bib} is not an entrant of {race}")
        return append(connection, row.id, race, [fact], context.clock())[0]
