"""``desert-runners entrants ...``: import and list a race's entrants."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json
from desert_runners.services.entrants import import_entrants, list_entrants

app = typer.Typer(help="Import and list a race's entrants.", no_args_is_help=True)

RACE_HELP = "The race (its slug); needed when the database holds more than one."


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Entrants as CSV or XLSX, one row per entrant."),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Import entrants: good rows are stored, each bad row is reported (exit 1 if any)."""
    from desert_runners.cli.app import USER_MISTAKE, context_of, err_console

    with Progress(transient=True, disable=as_json or not console.is_terminal) as bar:
        task = bar.add_task(f"importing {file.name}", total=None)
        report = import_entrants(
            context_of(ctx),
            race,
            file,
            lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        print_json(asdict(report) | {"rejected": report.rejected})
    else:
        console.print(
            f"{report.race}: {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected ({report.file})",
            markup=False,
        )
        if report.ignored_columns:
            err_console.print(
                f"ignored columns (not entrant fields): {', '.join(report.ignored_columns)}",
                markup=False,
            )
        for problem in report.problems:
            err_console.print(f"rejected: {problem}", markup=False)
    if report.problems:
        raise typer.Exit(USER_MISTAKE)


@app.command("list")
def list_(
    ctx: typer.Context,
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """List a race's entrants by bib."""
    from desert_runners.cli.app import context_of

    slug, found = list_entrants(context_of(ctx), race)
    if as_json:
        print_json([asdict(entrant) for entrant in found])
        return
    table = Table(
        "bib",
        "name",
        "gender",
        "born",
        "nationality",
        "team",
        "tags",
        title=f"Entrants of {slug} ({len(found)})",
    )
    for entrant in found:
        table.add_row(
            str(entrant.bib),
            entrant.name,
            entrant.gender,
            str(entrant.date_of_birth or f"age {entrant.age}"),
            entrant.nationality,
            entrant.team or "",
            " ".join(entrant.tags),
        )
    console.print(table)
