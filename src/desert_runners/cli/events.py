"""``desert-runners events ...``: the race's log of facts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from desert_runners.cli.entrants import RACE_HELP
from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json
from desert_runners.domain.events import Event, EventKind, Fact

app = typer.Typer(
    help="The race's event log: reads, entries, penalties, corrections.", no_args_is_help=True
)


@app.command("list")
def list_(
    ctx: typer.Context,
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    bib: int = typer.Option(None, "--bib", help="Only this bib's events."),
    kind: list[EventKind] = typer.Option(
        None, "--kind", help="Only events of this kind (repeatable)."
    ),
    limit: int = typer.Option(
        None, "--limit", min=1, help="Only the latest N events (still listed oldest first)."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """List the race's events in the order they were stored; times in the race's zone."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.events import list_events

    slug, time_zone, found = list_events(
        context_of(ctx), race, bib=bib, kinds=kind or (), limit=limit
    )
    zone = ZoneInfo(time_zone)
    if as_json:
        print_json([_as_dict(event, zone) for event in found])
        return
    table = Table(title=f"Events of {slug} ({len(found)}), times in {time_zone}")
    for heading in ("id", "kind", "bib", "where", "time"):
        table.add_column(heading, no_wrap=True)
    for heading in ("as given", "source", "author"):
        table.add_column(heading, overflow="fold")
    for event in found:
        fact = event.fact
        where = f"{fact.stage}/{fact.checkpoint}" if fact.checkpoint else ""
        if fact.direction:
            where += f" {fact.direction}"
        table.add_row(
            str(event.id),
            fact.kind.value,
            "" if fact.bib is None else str(fact.bib),
            where,
            f"{fact.occurred_at.astimezone(zone):%Y-%m-%d %H:%M:%S}" if fact.occurred_at else "",
            _as_given(fact),
            fact.source,
            fact.author,
        )
    console.print(table)


def _as_given(fact: Fact) -> str:
    """The time as given; for a device line kept aside, why it was rejected."""
    rejected = fact.payload.get("rejected")
    if rejected:
        return f"rejected: {rejected}" + (f" ({fact.device_time})" if fact.device_time else "")
    return fact.device_time or ""


def _as_dict(event: Event, zone: ZoneInfo) -> dict[str, object]:
    """Times with their offset, in the race's zone (received_at stays UTC: it is ours)."""
    fact = event.fact
    return {
        "id": event.id,
        "race": event.race,
        "received_at": event.received_at,
        "kind": fact.kind,
        "source": fact.source,
        "author": fact.author,
        "occurred_at": fact.occurred_at.astimezone(zone) if fact.occurred_at else None,
        "device_time": fact.device_time,
        "bib": fact.bib,
        "tag": fact.tag,
        "stage": fact.stage,
        "checkpoint": fact.checkpoint,
        "direction": fact.direction,
        "payload": dict(fact.payload),
        "key": fact.key,
    }
