"""``desert-runners tags ...``: which chip tag is whose, and since when."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from desert_runners.cli.entrants import RACE_HELP
from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json
from desert_runners.domain.tags import TagAssignment

app = typer.Typer(help="Chip tags: assign, release, list with their history.", no_args_is_help=True)

FROM_HELP = (
    "From when it counts: start (the whole race), now, YYYY-MM-DD HH:MM[:SS] in the "
    "race's zone, or ISO 8601 with an offset."
)
REASON_HELP = "Why, kept with the assignment."


@app.command("assign")
def assign(
    ctx: typer.Context,
    tag: str = typer.Argument(..., help="The chip's id, as the readers report it."),
    bib: int = typer.Argument(..., help="The runner's bib number."),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    reason: str = typer.Option("", "--reason", help=REASON_HELP),
    effective: str = typer.Option(
        None,
        "--from",
        help=FROM_HELP + " Default: start for a tag never assigned in the race, else now.",
        show_default=False,
    ),
) -> None:
    """Give a chip tag to a bib: its reads from then on are that runner's."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.tags import assign_tag

    change = assign_tag(context_of(ctx), race, tag, bib, reason=reason, effective=effective)
    item = change.assignment
    if not change.stored:
        console.print(f"unchanged: tag {item.tag} is already bib {item.bib}'s", markup=False)
        return
    was = "" if change.previous_bib is None else f" (was bib {change.previous_bib}'s)"
    console.print(
        f"assigned: tag {item.tag} to bib {item.bib} {_since(item, change.time_zone)}{was}",
        markup=False,
    )


@app.command("release")
def release(
    ctx: typer.Context,
    tag: str = typer.Argument(..., help="The chip's id."),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    reason: str = typer.Option("", "--reason", help=REASON_HELP),
    effective: str = typer.Option(
        None, "--from", help=FROM_HELP + " Default: now.", show_default=False
    ),
) -> None:
    """Take a chip tag from its runner: its reads from then on count for nobody."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.tags import release_tag

    change = release_tag(context_of(ctx), race, tag, reason=reason, effective=effective)
    item = change.assignment
    console.print(
        f"released: tag {item.tag} (was bib {change.previous_bib}'s) "
        f"{_since(item, change.time_zone)}",
        markup=False,
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    history: bool = typer.Option(
        False, "--history", help="Every assignment and release ever recorded, oldest first."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """The tags each bib has now, or with --history every change with who, when and why."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.tags import list_tags

    listing = list_tags(context_of(ctx), race, history=history)
    zone = ZoneInfo(listing.time_zone)
    if as_json:
        print_json([_as_dict(item, zone) for item in listing.assignments])
        return
    what = "Tag history" if history else "Tags"
    table = Table(title=f"{what} of {listing.race} ({len(listing.assignments)}), times in {zone}")
    for heading in ("tag", "bib", "from", "recorded", "source", "author", "reason"):
        table.add_column(heading, overflow="fold")
    for item in listing.assignments:
        table.add_row(
            item.tag,
            "released" if item.bib is None else str(item.bib),
            "race start" if item.effective_at is None else _local(item.effective_at, zone),
            _local(item.recorded_at, zone),
            item.source,
            item.author,
            item.reason,
        )
    console.print(table)


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S}"


def _since(item: TagAssignment, time_zone: str) -> str:
    if item.effective_at is None:
        return "from the race's start"
    return f"from {item.effective_at.astimezone(ZoneInfo(time_zone)):%Y-%m-%d %H:%M:%S %z}"


def _as_dict(item: TagAssignment, zone: ZoneInfo) -> dict[str, object]:
    return {
        "tag": item.tag,
        "bib": item.bib,
        "from": None if item.effective_at is None else item.effective_at.astimezone(zone),
        "recorded_at": item.recorded_at.astimezone(zone),
        "source": item.source,
        "author": item.author,
        "reason": item.reason,
    }
