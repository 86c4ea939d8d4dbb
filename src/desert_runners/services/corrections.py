"""Correct a read or an entry: a new fact that says what the target should have said.

The target stays in the log as it was received; the correction names it, says who made
it and why, and gives the new time, bib, timing point or direction. The results engine
applies the latest standing correction of a target; a void of the correction undoes it.
"""

from __future__ import annotations

from desert_runners.adapters.storage.event_log import Appended
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.domain.local_time import resolve_time
from desert_runners.domain.race import Race
from desert_runners.services.races import find_race
from desert_runners.services.recording import TimingPoint, find_timing_point
from desert_runners.services.rulings import event_of, need_reason, store_ruling

TIMING_KINDS = {EventKind.READ, EventKind.ENTRY}


def correct(
    context: Context,
    race_slug: str | None,
    target: int,
    *,
    reason: str,
    at: str | None = None,
    bib: int | None = None,
    checkpoint: str | None = None,
    direction: Direction | None = None,
) -> Appended:
    """``at`` is read like ``record --at``, on the (new) timing point's stage."""
    row = find_race(context, race_slug)
    race = row.race
    wrong = event_of(context, race.slug, target)
    if wrong.fact.kind not in TIMING_KINDS:
        raise UserError(
            f"event {target} is a {wrong.fact.kind.value}: only a read or an entry is "
            "corrected (void a ruling and give it again)"
        )
    if at is None and bib is None and checkpoint is None and direction is None:
        raise UserError("say what to correct: --at, --bib, --checkpoint or --direction")
    need_reason(reason, "correction", "what was wrong, and how it is known")
    point = _point_of(race, wrong.fact.stage, wrong.fact.checkpoint, checkpoint)
    if direction is not None and (point.checkpoint is None or not point.checkpoint.in_out):
        raise UserError(
            f"{point.stage.number}/{point.id} records a single time: "
            "--direction is only for checkpoints with in and out times"
        )
    payload: dict[str, object] = {"target": target, "reason": reason}
    if at is not None:
        moment = resolve_time(at, point.stage, point.km, race=race)
        payload["occurred_at"] = moment.astimezone(race.zone).isoformat()
    if bib is not None:
        payload["bib"] = bib
    if checkpoint is not None:
        payload |= {"stage": point.stage.number, "checkpoint": point.id}
    if direction is not None:
        payload["direction"] = direction.value
    fact = Fact(
        kind=EventKind.CORRECTION,
        source="director",
        author=context.author,
        occurred_at=context.clock(),
        bib=bib if bib is not None else wrong.fact.bib,
        payload=payload,
    )
    return store_ruling(context, race.slug, fact, bib=bib)


def _point_of(
    race: Race, stage: int | None, checkpoint: str | None, new: str | None
) -> TimingPoint:
    """The timing point the corrected fact is at: the new one, else the target's."""
    if new is not None:
        return find_timing_point(race, new)
    if stage is None or checkpoint is None:
        raise UserError("this read names no timing point: give --checkpoint STAGE/CP")
    return find_timing_point(race, f"{stage}/{checkpoint}")
