"""``desert-runners conflicts``: where two sources disagree about a runner."""

from __future__ import annotations

from datetime import timedelta

import typer
from rich.table import Table

from desert_runners.cli.entrants import RACE_HELP
from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json


def conflicts(
    ctx: typer.Context,
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    window: int = typer.Option(
        5, "--window", min=1, help="Minutes apart from which two sources' times disagree."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Runners two sources disagree about: to review, and settle by voiding the wrong fact."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.conflicts import list_conflicts

    found_race, found = list_conflicts(context_of(ctx), race, timedelta(minutes=window))
    if as_json:
        print_json(
            [
                {
                    "bib": conflict.bib,
                    "name": conflict.name,
                    "stage": conflict.stage,
                    "checkpoint": conflict.checkpoint,
                    "direction": conflict.direction,
                    "kind": conflict.kind,
                    "claims": [
                        {"source": claim.source, "at": claim.at, "event": claim.event}
                        for claim in conflict.claims
                    ],
                }
                for conflict in found
            ]
        )
        return
    if not found:
        console.print(f"no conflicts in {found_race.slug}", markup=False)
        return
    title = f"Conflicts in {found_race.slug} ({len(found)}), times in {found_race.time_zone}"
    table = Table(title=title)
    for column in ("bib", "name", "where", "what", "source", "says", "event"):
        table.add_column(column, justify="right" if column in {"bib", "event"} else "left")
    for conflict in found:
        where = f"{conflict.stage}/{conflict.checkpoint}"
        where += f" {conflict.direction}" if conflict.direction else ""
        what = "times differ" if conflict.kind == "times" else "seen after withdrawal"
        for index, claim in enumerate(conflict.claims):
            first = index == 0
            says = f"{claim.at:%Y-%m-%d %H:%M:%S}"
            table.add_row(
                str(conflict.bib) if first else "",
                conflict.name if first else "",
                where if first else "",
                what if first else "",
                claim.source,
                says,
                str(claim.event),
            )
    console.print(table)
    console.print(
        'settle each: void the wrong one, e.g. desert-runners void EVENT --reason "..."',
        markup=False,
    )
