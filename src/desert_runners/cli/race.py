"""``desert-runners race ...``: load and show race definitions."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from desert_runners.cli.output import JSON_OPTION_HELP, console, number, print_json
from desert_runners.domain.race import Race, Stage
from desert_runners.services.races import find_race, list_races, load_race_file

app = typer.Typer(help="Load and show race definitions.", no_args_is_help=True)


@app.command("load")
def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A series file (with its races) or a race file (YAML)."),
) -> None:
    """Validate a series or race definition and store it (all of it or none)."""
    from desert_runners.cli.app import context_of

    series, loaded = load_race_file(context_of(ctx), file)
    if series:
        console.print(f"series {series}", markup=False)
    for race in loaded:
        console.print(
            f"{race.outcome:9} {race.slug}: {race.name}, {race.stages} stages, "
            f"{race.checkpoints} checkpoints, {km_text(race.distance_km)}",
            markup=False,
        )


@app.command("show")
def show(
    ctx: typer.Context,
    slug: str = typer.Argument(None, help="The race to show; without it, list all races."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """List the races, or show one race's stages and checkpoints."""
    from desert_runners.cli.app import context_of

    context = context_of(ctx)
    if slug is None:
        races = list_races(context)
        if as_json:
            print_json([_summary(race) for race in races])
        else:
            console.print(_races_table(races))
        return
    race = find_race(context, slug).race
    if as_json:
        print_json(asdict(race))
        return
    console.print(
        f"[bold]{race.name}[/] ({race.slug}), {race.location} {race.country}\n"
        f"{race.starts_on} to {race.ends_on}, time zone {race.time_zone}, "
        f"{km_text(race.distance_km)} in {len(race.stages)} stages"
    )
    for stage in race.stages:
        console.print(_stage_table(stage))


def km_text(km: float | None) -> str:
    return "distance unknown" if km is None else f"{km:.1f} km"


def _summary(race: Race) -> dict[str, object]:
    return {
        "slug": race.slug,
        "name": race.name,
        "series": race.series,
        "event": race.event,
        "time_zone": race.time_zone,
        "starts_on": race.starts_on,
        "ends_on": race.ends_on,
        "stages": len(race.stages),
        "distance_km": None if race.distance_km is None else round(race.distance_km, 1),
    }


def _races_table(races: list[Race]) -> Table:
    table = Table(title="Races")
    table.add_column("race", no_wrap=True)
    for heading in ("name", "dates", "time zone", "stages", "km"):
        table.add_column(heading)
    for race in races:
        table.add_row(
            race.slug,
            race.name,
            f"{race.starts_on} to {race.ends_on}",
            race.time_zone,
            str(len(race.stages)),
            number(race.distance_km, 1),
        )
    return table


def _stage_table(stage: Stage) -> Table:
    march = ", long march" if stage.long_march else ""
    table = Table(
        title=f"Stage {stage.number}: {stage.name}, {stage.start:%a %d %b %H:%M}, "
        f"{km_text(stage.distance_km)}{march}",
        title_justify="left",
    )
    table.add_column("checkpoint", no_wrap=True)
    table.add_column("name", overflow="ellipsis", no_wrap=True, max_width=24)
    for heading in ("km", "elev m", "climb m", "desc m"):
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_column("in/out", no_wrap=True)
    table.add_column("cutoff", no_wrap=True)
    for checkpoint in stage.checkpoints:
        table.add_row(
            checkpoint.id,
            "" if checkpoint.name == checkpoint.id else checkpoint.name,
            number(checkpoint.km, 1),
            number(checkpoint.elevation_m),
            number(checkpoint.climb_m),
            number(checkpoint.descent_m),
            "yes" if checkpoint.in_out else "",
            checkpoint.cutoff.describe() if checkpoint.cutoff else "",
        )
    return table
