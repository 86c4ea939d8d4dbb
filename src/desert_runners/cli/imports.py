"""``desert-runners import``: historical results from another timing system's export."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json


def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A results export (UTMB table, SPORTident CSV)."),
    race: str = typer.Option(
        None, "--race", help="Slug for the race (default: from the file's name and year)."
    ),
    course: Path = typer.Option(
        None,
        "--course",
        help="Distances and climb of the timing points (checkpoints CSV, vp_list.yaml).",
    ),
    start: str = typer.Option(
        None,
        "--start",
        help="The start, YYYY-MM-DD HH:MM local (default: 1 January of the "
        "race's year: results only need elapsed times).",
    ),
    time_zone: str = typer.Option(
        None,
        "--time-zone",
        help="The race's IANA time zone (default by format: UTMB "
        "Europe/Paris, SPORTident Europe/Berlin).",
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Import historical results: the format is recognised from the content; each course
    in the file becomes a race (created if missing); rows that cannot be read are
    reported (exit 1), the others kept. Importing again adds only what is new."""
    from desert_runners.cli.app import USER_MISTAKE, context_of, err_console
    from desert_runners.services.historical import import_historical

    reports = import_historical(
        context_of(ctx),
        file,
        race_slug=race,
        course_file=course,
        start=start,
        time_zone=time_zone,
    )
    if as_json:
        print_json([asdict(report) for report in reports])
    else:
        for report in reports:
            state = "added" if report.added else "existing"
            console.print(
                f"{state:8} {report.race}: {report.name}, {report.entrants} entrants, "
                f"{report.entries} new entries",
                markup=False,
            )
            if report.start_assumed and report.start is not None:
                console.print(
                    f"         start not in the file: assumed {report.start:%Y-%m-%d %H:%M} "
                    f"{report.start.tzinfo} (give --start)",
                    markup=False,
                )
    problems = [problem for report in reports for problem in report.problems]
    for problem in problems:
        err_console.print(f"rejected: {problem}", markup=False)
    if problems:
        raise typer.Exit(USER_MISTAKE)
