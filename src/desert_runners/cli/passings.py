"""``desert-runners passings``: the reconciled passings, and the reads set aside."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl
import typer
from rich.table import Table

from desert_runners.cli.entrants import RACE_HELP
from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json
from desert_runners.results.reconcile import DataStatus


def passings(
    ctx: typer.Context,
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    bib: int = typer.Option(None, "--bib", help="Only this bib."),
    status: DataStatus = typer.Option(
        None, "--status", help="Only passings of this data status: good, questionable or bad."
    ),
    aside: bool = typer.Option(
        False, "--aside", help="Show the reads and entries set aside, with their reason."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """One passing per runner per timing point, as the engine reconciled them from the
    raw reads and entries, with its data status; or (--aside) what it did not use."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.results import compute

    computed = compute(context_of(ctx), race)
    zone = ZoneInfo(computed.race.time_zone)
    if aside:
        frame = computed.reconciliation.set_aside
        if as_json:
            print_json(frame.to_dicts())
            return
        table = Table("event", "reason", title=f"Set aside in {computed.race.slug}")
        for row in frame.iter_rows(named=True):
            table.add_row(str(row["event_id"]), row["reason"])
        console.print(table)
        return
    frame = computed.reconciliation.passings.sort("bib", "stage", "order")
    if bib is not None:
        frame = frame.filter(pl.col("bib") == bib)
    if status is not None:
        frame = frame.filter(pl.col("status") == status.value)
    names = {  # the race's own spelling of each checkpoint id
        (stage.number, checkpoint.id.casefold()): checkpoint.id
        for stage in computed.race.stages
        for checkpoint in stage.checkpoints
    }
    rows = [
        {
            "bib": row["bib"],
            "stage": row["stage"],
            "checkpoint": names.get((row["stage"], row["checkpoint"]), row["checkpoint"]),
            "direction": row["direction"],
            "at": row["at"].astimezone(zone),
            "by": row["by"],
            "status": row["status"],
            "reason": row["reason"],
            "events": row["events"],
        }
        for row in frame.iter_rows(named=True)
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(
        "bib",
        "where",
        "time",
        "by",
        "status",
        "reason",
        "events",
        title=f"Passings of {computed.race.slug} ({len(rows)}), times in {zone}",
    )
    for row in rows:
        where = f"{row['stage']}/{row['checkpoint']}" + (
            f" {row['direction']}" if row["direction"] else ""
        )
        table.add_row(
            str(row["bib"]),
            where,
            f"{row['at']:%Y-%m-%d %H:%M:%S}",
            row["by"],
            row["status"],
            row["reason"] or "",
            " ".join(map(str, row["events"])),
        )
    console.print(table)
