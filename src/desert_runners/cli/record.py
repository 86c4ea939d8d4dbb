"""``desert-runners record``: a bib passing a checkpoint, typed by a person."""

from __future__ import annotations

import typer

from desert_runners.cli.entrants import RACE_HELP
from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json
from desert_runners.domain.events import Direction


def record(
    ctx: typer.Context,
    bib: int = typer.Argument(..., help="The runner's bib number."),
    checkpoint: str = typer.Argument(
        ..., help="STAGE/CHECKPOINT, e.g. 3/CP2, 3/finish or 3/start."
    ),
    at: str = typer.Option(
        None,
        "--at",
        help="When: HH:MM[:SS] in the race's time zone (the date comes from the stage), "
        "YYYY-MM-DD HH:MM[:SS], or ISO 8601 with an offset. Default: now.",
        show_default=False,
    ),
    direction: Direction = typer.Option(
        None, "--direction", help="in or out, at a checkpoint that records both (default in)."
    ),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    source: str = typer.Option("cli", "--source", help="Where the entry comes from."),
    key: str = typer.Option(
        "",
        "--key",
        help="Idempotency key: the same key is stored once (default: derived from the entry).",
        show_default=False,
    ),
    reason: str = typer.Option(
        "",
        "--reason",
        help="Why, kept with the entry: for a passing added afterwards (the mat missed it; "
        "from the checkpoint's paper sheet).",
        show_default=False,
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Record that a bib passed a checkpoint (stored before it is acknowledged)."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.races import find_race
    from desert_runners.services.recording import record_entry

    context = context_of(ctx)
    stored = record_entry(
        context,
        race,
        bib,
        checkpoint,
        at=at,
        direction=direction,
        source=source,
        key=key,
        reason=reason,
    )
    event, fact = stored.event, stored.event.fact
    assert fact.occurred_at is not None
    local = fact.occurred_at.astimezone(find_race(context, event.race).race.zone)
    if as_json:
        print_json({"id": event.id, "new": stored.new, "key": fact.key, "occurred_at": local})
        return
    where = f"{fact.stage}/{fact.checkpoint}" + (f" ({fact.direction})" if fact.direction else "")
    what = "stored" if stored.new else "already stored (same entry)"
    console.print(
        f"{what}: event {event.id}, bib {fact.bib} at {where}, {local:%Y-%m-%d %H:%M:%S %z}",
        markup=False,
    )
