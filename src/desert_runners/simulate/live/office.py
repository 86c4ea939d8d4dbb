"""The race office at camp, live: the director's rulings through the rulings services,
each at its race time (the camp's clock is the race clock), with who and why."""

from __future__ import annotations

from datetime import datetime

from desert_runners.bootstrap import Context
from desert_runners.domain.race import Race
from desert_runners.services import rulings
from desert_runners.simulate.model.events import MedicalHold, Penalty, Withdrawal
from desert_runners.simulate.output import format_duration_s

DIRECTOR = "race director (simulated)"


def rule(context: Context, race: Race, item: Withdrawal | Penalty | MedicalHold) -> None:
    if isinstance(item, Withdrawal):
        at = datetime.fromtimestamp(item.at, race.zone).isoformat(timespec="seconds")
        rulings.withdraw(
            context,
            race.slug,
            item.bib,
            stage=item.stage,
            status=item.status,
            reason=item.reason,
            at=at,
        )
    elif isinstance(item, Penalty):
        rulings.penalty(
            context,
            race.slug,
            item.bib,
            item.code,
            stage=item.stage,
            reason=item.reason,
            evidence=item.evidence,
        )
    else:
        rulings.neutralise(
            context,
            race.slug,
            stage=item.stage,
            duration=format_duration_s(item.seconds),
            reason=item.reason,
            bib=item.bib,
        )
