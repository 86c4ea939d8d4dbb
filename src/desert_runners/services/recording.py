"""Record a bib passing a checkpoint, as a checkpoint volunteer or the timing crew does."""

from __future__ import annotations

from dataclasses import dataclass

from desert_runners.adapters.storage import entrant_repo
from desert_runners.adapters.storage.event_log import Appended, append
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.domain.local_time import resolve_time
from desert_runners.domain.race import START, Checkpoint, Race, Stage
from desert_runners.services.races import find_race


@dataclass(frozen=True)
class TimingPoint:
    stage: Stage
    checkpoint: Checkpoint | None  # None: the stage start

    @property
    def id(self) -> str:
        return START if self.checkpoint is None else self.checkpoint.id

    @property
    def km(self) -> float:
        return 0.0 if self.checkpoint is None else self.checkpoint.km or 0.0


def find_timing_point(race: Race, reference: str) -> TimingPoint:
    """``3/CP2``, ``3/finish`` or ``3/start``: a stage number and a checkpoint id."""
    stage_text, slash, checkpoint_id = reference.partition("/")
    digits = stage_text.isascii() and stage_text.isdigit()  # not "²", which int() refuses
    stage = race.stage(int(stage_text)) if digits else None
    if not slash or stage is None:
        numbers = ", ".join(str(stage.number) for stage in race.stages)
        raise UserError(
            f"checkpoint {reference!r}: expected STAGE/CHECKPOINT such as 1/CP2 or 1/finish "
            f"(stages of {race.slug}: {numbers})"
        )
    if checkpoint_id.casefold() == START:
        return TimingPoint(stage, None)
    checkpoint = stage.checkpoint(checkpoint_id)
    if checkpoint is None:
        known = ", ".join([START, *(cp.id for cp in stage.checkpoints)])
        raise UserError(f"stage {stage.number} has no checkpoint {checkpoint_id!r} ({known})")
    return TimingPoint(stage, checkpoint)


def record_entry(
    context: Context,
    race_slug: str | None,
    bib: int,
    reference: str,
    *,
    at: str | None = None,
    direction: Direction | None = None,
    source: str = "cli",
    key: str = "",
    reason: str = "",
) -> Appended:
    """``reason``: why it is recorded now, kept with it (a passing the mat missed, added
    from the checkpoint's paper sheet)."""
    row = find_race(context, race_slug)
    point = find_timing_point(row.race, reference)
    if direction is not None and (point.checkpoint is None or not point.checkpoint.in_out):
        raise UserError(
            f"{point.stage.number}/{point.id} records a single time: "
            "--direction is only for checkpoints with in and out times"
        )
    if direction is None and point.checkpoint is not None and point.checkpoint.in_out:
        direction = Direction.IN
    if at is None:
        occurred = context.clock()
    else:  # an empty --at is a mistake, not "now"
        occurred = resolve_time(at, point.stage, point.km, race=row.race)
    fact = Fact(
        kind=EventKind.ENTRY,
        source=source,
        author=context.author,
        occurred_at=occurred.astimezone(row.race.zone),
        device_time=at,
        bib=bib,
        stage=point.stage.number,
        checkpoint=point.id,
        direction=direction,
        payload={"reason": reason} if reason.strip() else {},
        idempotency_key=key,
    )
    with context.store.write() as connection:
        if bib not in entrant_repo.entrant_bibs(connection, row.id):
            raise UserError(f"bib {bib} is not an entrant of {row.race.slug}")
        return append(connection, row.id, row.race.slug, [fact], context.clock())[0]
