"""``desert-runners simulate``: a whole race, invented and finished, for demos and tests."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import typer

from desert_runners.cli.entrants import RACE_HELP
from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json
from desert_runners.domain.errors import UserError

MAX_ENTRANTS = 100_000
DEFAULT_SPEED = 300.0  # as services.live_simulation.DEFAULT_SPEED (not imported: startup)


def simulate(
    ctx: typer.Context,
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    entrants: int = typer.Option(
        150, "--entrants", min=1, max=MAX_ENTRANTS, help="How many entrants to invent."
    ),
    seed: int = typer.Option(1, "--seed", help="The same seed gives the same race, read for read."),
    output: Path = typer.Option(
        None,
        "--output",
        help="Write the race's files (entrants, reader files, entries, rulings) to this "
        "new folder instead of storing them: no database.",
        show_default=False,
    ),
    definition: Path = typer.Option(
        None,
        "--definition",
        help="A series or race file (YAML) to take the race from, instead of the database; "
        "without --output, it is loaded into the database first.",
        show_default=False,
    ),
    live: bool = typer.Option(
        False,
        "--live",
        help="Play the race in accelerated time through the real paths: a simulated "
        "RaceResult decoder per timing point read by the live reader client, a checkpoint "
        "station per checkpoint syncing to a camp server over HTTP, the rulings services. "
        "Nights and other idle gaps are jumped over to shortly before the next thing "
        "happens. Ends when everything is played, or on Ctrl-C.",
    ),
    speed: float = typer.Option(
        DEFAULT_SPEED,
        "--speed",
        min=0.001,
        help="With --live: race seconds per wall second.",
    ),
    port: int = typer.Option(
        0,
        "--port",
        min=0,
        max=65535,
        help="With --live: the camp server's port on 127.0.0.1 (default: any free one).",
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Simulate a whole race, finished: entrants, chip reads with the mess of real timing,
    typed entries, withdrawals, penalties and holds; stored through the usual imports
    (the race must have no entrants), or written as files with --output. With --live,
    played in accelerated time through the readers, stations and camp server, with a
    live leaderboard."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.races import find_race, load_race_file
    from desert_runners.services.simulation import load_simulation, race_from_file
    from desert_runners.simulate.model.simulation import simulate_race
    from desert_runners.simulate.output import summary, write_simulation

    began = time.perf_counter()
    if live and output is not None:
        raise UserError("--live stores the race as it is played: it cannot go with --output")
    if output is not None and output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise UserError(f"--output {output}: expected a new or empty folder")
    if definition is not None:
        chosen = race_from_file(definition, race)
        if output is None:
            load_race_file(context_of(ctx), definition)
    else:
        chosen = find_race(context_of(ctx), race).race
    simulated = simulate_race(chosen, entrants, seed)
    if live:
        from desert_runners.cli.live import run_live

        run_live(context_of(ctx), simulated, speed=speed, port=port, as_json=as_json)
        return
    facts = summary(simulated)
    shown = not as_json and console.is_terminal
    with console.status("storing") if shown else contextlib.nullcontext() as status:
        say: Callable[[str], None] = status.update if status is not None else lambda _: None
        if output is not None:
            say(f"writing {output}")
            write_simulation(simulated, output)
        else:
            loaded = load_simulation(context_of(ctx), simulated, say)
            facts |= {
                "stored_reads": loaded.reads_stored,
                "unknown_tag_reads": loaded.reads_unknown_tag,
                "stored_entries": loaded.entries_stored,
                "refused_entries": loaded.refused,
                "voids": loaded.voids,
            }
    facts["output"] = str(output) if output is not None else None
    facts["seconds"] = round(time.perf_counter() - began, 1)
    if as_json:
        print_json(facts)
        return
    _report(facts)


def _report(facts: dict[str, object]) -> None:
    def say(text: str) -> None:
        console.print(text, markup=False)

    say(
        f"simulated {facts['race']} (seed {facts['seed']}): {facts['entrants']:,} entrants, "
        f"{facts['starters']:,} started, {facts['finishers']:,} finished, "
        f"{facts['withdrawn']} withdrew, {facts['medical']} medical, "
        f"{facts['missed_cutoff']} missed a cutoff"
    )
    say(
        f"timing: {facts['reads']:,} reads at {facts['devices']} readers, "
        f"{facts['typed_entries']} typed entries, {facts['rulings']} rulings"
    )
    refused = facts.get("refused_entries")
    if facts["output"] is not None:
        say(f"written to {facts['output']} in {facts['seconds']} s")
        return
    say(
        f"stored: {facts['stored_reads']:,} reads ({facts['unknown_tag_reads']} of unknown "
        f"tags), {facts['stored_entries']} typed entries, {facts['voids']} voided, "
        f"in {facts['seconds']} s"
    )
    for line in refused if isinstance(refused, list) else []:
        say(f"refused entry: {line}")
