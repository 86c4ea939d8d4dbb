"""The race director's rulings: penalty, appeal, withdraw, start, neutralise, void,
correct."""

from __future__ import annotations

from enum import StrEnum

import typer

from desert_runners.cli.entrants import RACE_HELP
from desert_runners.cli.output import console
from desert_runners.domain.events import Direction
from desert_runners.services.rulings import DECISIONS, WITHDRAWAL_STATUSES

REASON_HELP = "Why: kept with the ruling."

Decision = StrEnum("Decision", {d.upper(): d for d in DECISIONS})  # type: ignore[misc]
WithdrawalStatus = StrEnum(  # type: ignore[misc]
    "WithdrawalStatus", {s.upper(): s for s in WITHDRAWAL_STATUSES}
)


def _said(stored: object) -> None:
    from desert_runners.adapters.storage.event_log import Appended

    assert isinstance(stored, Appended)
    fact = stored.event.fact
    what = "stored" if stored.new else "already stored (the same ruling)"
    console.print(
        f"{what}: event {stored.event.id}, {fact.kind.value}"
        + (f" for bib {fact.bib}" if fact.bib is not None else ""),
        markup=False,
    )


def penalty(
    ctx: typer.Context,
    bib: int = typer.Argument(..., help="The runner's bib."),
    code: str = typer.Argument(..., help="A penalty of the race's catalogue, e.g. lost-bib."),
    stage: int = typer.Option(
        None, "--stage", min=1, help="The stage it counts on (default: on the overall)."
    ),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    evidence: str = typer.Option("", "--evidence", help="What shows it: a photo, a witness."),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
) -> None:
    """Give a runner a penalty from the race's catalogue (time, time credit or DQ)."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.rulings import penalty as rule

    _said(rule(context_of(ctx), race, bib, code, stage=stage, reason=reason, evidence=evidence))


def appeal(
    ctx: typer.Context,
    event: int = typer.Argument(..., help="The penalty's event id (see events list)."),
    decision: Decision = typer.Option(  # type: ignore[valid-type]
        ..., "--decision", help="pending, upheld (the penalty is reversed) or rejected."
    ),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
) -> None:
    """Record an appeal against a penalty and its decision."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.rulings import appeal as rule

    _said(rule(context_of(ctx), race, event, decision.value, reason=reason))


def withdraw(
    ctx: typer.Context,
    bib: int = typer.Argument(..., help="The runner's bib."),
    stage: int = typer.Option(..., "--stage", min=1, help="The stage of the withdrawal."),
    status: WithdrawalStatus = typer.Option(  # type: ignore[valid-type]
        ..., "--status", help="dnf, dns, dq or medical."
    ),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    at: str = typer.Option(None, "--at", help="When (as for record --at); default now."),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
) -> None:
    """Withdraw a runner from a stage (what that means for the overall is the race's rule)."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.rulings import withdraw as rule

    _said(rule(context_of(ctx), race, bib, stage=stage, status=status.value, reason=reason, at=at))


def start(
    ctx: typer.Context,
    bib: int = typer.Argument(..., help="The runner's bib."),
    stage: int = typer.Option(..., "--stage", min=1, help="The stage."),
    at: str = typer.Option(..., "--at", help="The runner's own start (as for record --at)."),
    reason: str = typer.Option("", "--reason", help=REASON_HELP),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
) -> None:
    """Record a runner's own stage start (a late or wave start): their time counts from it."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.rulings import own_start

    _said(own_start(context_of(ctx), race, bib, stage=stage, at=at, reason=reason))


def neutralise(
    ctx: typer.Context,
    stage: int = typer.Option(..., "--stage", min=1, help="The stage."),
    duration: str = typer.Option(..., "--duration", help="How long, H:MM or H:MM:SS."),
    bib: int = typer.Option(None, "--bib", help="One runner (a medical hold); default: all."),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
) -> None:
    """Take time off a stage: a hold for the whole field (a sandstorm) or for one runner."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.rulings import neutralise as rule

    _said(rule(context_of(ctx), race, stage=stage, duration=duration, reason=reason, bib=bib))


def void(
    ctx: typer.Context,
    event: int = typer.Argument(..., help="The event id to ignore (see events list)."),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
) -> None:
    """Void a fact (a read, an entry, a ruling): it stays in the log but no longer counts."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.rulings import void as rule

    _said(rule(context_of(ctx), race, event, reason=reason))


def correct(
    ctx: typer.Context,
    event: int = typer.Argument(..., help="The read or entry to correct (see events list)."),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    at: str = typer.Option(
        None,
        "--at",
        help="The right time, as for record --at (on the stage of the timing point).",
        show_default=False,
    ),
    bib: int = typer.Option(None, "--bib", help="The right bib (142 typed for 124)."),
    checkpoint: str = typer.Option(
        None, "--checkpoint", help="The right timing point, STAGE/CHECKPOINT such as 3/CP2."
    ),
    direction: Direction = typer.Option(
        None, "--direction", help="The right direction (in or out), at an in/out checkpoint."
    ),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
) -> None:
    """Correct a read or an entry: a new fact with the right time, bib, checkpoint or
    direction; the original stays in the log as it was received."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.corrections import correct as rule

    stored = rule(
        context_of(ctx),
        race,
        event,
        reason=reason,
        at=at,
        bib=bib,
        checkpoint=checkpoint,
        direction=direction,
    )
    _said(stored)
