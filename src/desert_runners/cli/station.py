"""``desert-runners station ...``: checkpoint stations, offline, and their sync to camp.

At camp: ``kit`` makes a station's kit, ``receive`` takes a bundle or compact messages.
On the laptop (its own database, ``--db``): ``setup``, ``run``, ``due``, ``status``,
``export`` and ``sync``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from desert_runners.cli.entrants import RACE_HELP
from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json
from desert_runners.domain.events import Direction

app = typer.Typer(
    help="Checkpoint stations: a laptop with its own database, synced to the camp.",
    no_args_is_help=True,
)


@app.command("kit")
def kit(
    ctx: typer.Context,
    checkpoint: str = typer.Option(
        ..., "--checkpoint", help="Where the station records: STAGE/CHECKPOINT, e.g. 1/CP2."
    ),
    station: str = typer.Option(
        ..., "--station", help="The station's name: lowercase letters, digits, dashes (cp2-a)."
    ),
    output: Path = typer.Option(..., "--output", help="The kit file to write."),
    direction: Direction | None = typer.Option(
        None, "--direction", help="At a checkpoint with in and out times: which one (default in)."
    ),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
) -> None:
    """At camp: write a station's kit (race, entrants, token) for its laptop."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.station_kit import issue_kit

    made = issue_kit(context_of(ctx), race, checkpoint, station, output, direction)
    where = made.point + (f" ({made.direction.value})" if made.direction else "")
    console.print(
        f"kit {made.kit}: station {made.station} at {where} of {made.race}, "
        f"{made.entrants} entrants, {made.out_of_race} out of the race -> {output}",
        markup=False,
    )
    console.print("it holds the station's token: carry it like a key", markup=False)


@app.command("setup")
def setup(
    ctx: typer.Context,
    kit: Path = typer.Argument(..., help="The kit file made at camp."),
) -> None:
    """On the laptop: load a kit into the station's own database."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.station_kit import set_up_station

    done = set_up_station(context_of(ctx), kit)
    where = done.point + (f" ({done.direction.value})" if done.direction else "")
    what = "set up again" if done.again else "set up"
    console.print(
        f"station {done.station} {what} at {where} of {done.race} (kit {done.kit}): "
        f"{done.entrants} entrants, {done.out_of_race} out of the race",
        markup=False,
    )


@app.command("run")
def run(ctx: typer.Context) -> None:
    """On the laptop: the bib entry prompt (type help in it for the keys)."""
    from desert_runners.cli.app import context_of
    from desert_runners.cli.station_prompt import run_prompt

    run_prompt(context_of(ctx), console, _read_line)


def _read_line(prompt: str) -> str | None:
    console.print(prompt, end="", markup=False)
    line = sys.stdin.readline()
    if not sys.stdin.isatty():
        console.print(line.rstrip("\n"), markup=False)  # a piped line shows as typed
    return line if line else None


@app.command("due")
def due(
    ctx: typer.Context,
    direction: Direction | None = typer.Option(
        None, "--direction", help="At a checkpoint with in and out times: due in, or due out."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """On the laptop: the runners still due at the station's checkpoint."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.station_desk import due_list, open_station

    context = context_of(ctx)
    station = open_station(context)
    direction = direction or station.setup.direction
    found, names = due_list(context, station, direction)
    if as_json:
        print_json(
            {
                "race": station.race.slug,
                "station": station.name,
                "checkpoint": station.where,
                "direction": direction if station.in_out else None,
                "due": [{"bib": bib, "name": names[bib]} for bib in found.due],
                "inside": [{"bib": bib, "name": names[bib]} for bib in found.inside],
            }
        )
        return
    where = station.where + (f" ({direction.value})" if station.in_out and direction else "")
    table = Table(title=f"Due at {where} of {station.race.slug}: {len(found.due)} of {len(names)}")
    table.add_column("bib", justify="right")
    table.add_column("name")
    for bib in found.due:
        table.add_row(str(bib), names[bib])
    console.print(table)
    if station.in_out:
        inside = ", ".join(str(bib) for bib in found.inside) or "none"
        console.print(f"in the checkpoint (in, not out): {inside}", markup=False)


@app.command("status")
def status(ctx: typer.Context) -> None:
    """On the laptop: the station's set-up, what it saved and what each camp has."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.station_send import station_status

    found = station_status(context_of(ctx))
    station = found.station
    setup = station.setup
    console.print(
        f"station {station.name} ({setup.install}) of {station.race.slug} at {station.where}, "
        f"kit {setup.kit}",
        markup=False,
    )
    last = f", the last #{found.last}" if found.last else ""
    console.print(f"{found.facts} facts saved here{last}", markup=False)
    for camp, (through, when) in sorted(found.camps.items()):
        waiting = found.last - through
        console.print(
            f"{camp}: has everything up to #{through} ({when:%Y-%m-%d %H:%M} UTC), "
            f"{max(waiting, 0)} to send",
            markup=False,
        )


@app.command("export")
def export(
    ctx: typer.Context,
    output: Path | None = typer.Option(
        None, "--output", help="Write to this file (needed without --compact)."
    ),
    compact: bool = typer.Option(
        False, "--compact", help="Compact messages for a satellite messenger, one a line."
    ),
    since: int = typer.Option(
        0, "--since", min=0, help="With --compact: only the facts after this number."
    ),
    max_bytes: int | None = typer.Option(
        None, "--max-bytes", min=60, help="With --compact: split into messages of at most N bytes."
    ),
) -> None:
    """On the laptop: every fact saved here, as a bundle file or compact messages."""
    from desert_runners.cli.app import context_of, err_console
    from desert_runners.domain.errors import UserError
    from desert_runners.services.station_kit import write_secret_file
    from desert_runners.services.station_send import export_bundle, export_compact

    context = context_of(ctx)
    if not compact:
        if since or max_bytes is not None:
            raise UserError("--since and --max-bytes are for --compact messages")
        if output is None:
            raise UserError("say where to write the bundle: --output FILE")
        text, count = export_bundle(context)
        write_secret_file(output, text)
        console.print(f"{count} facts -> {output} ({len(text.encode())} bytes)", markup=False)
        return
    exported = export_compact(context, since, max_bytes)
    text = "".join(message + "\n" for message in exported.messages)
    if output is not None:
        write_secret_file(output, text)
    else:
        sys.stdout.write(text)
    per_passing = (
        f": {exported.size / exported.passings:.1f} bytes per passing" if exported.passings else ""
    )
    err_console.print(
        f"{exported.facts} facts ({exported.passings} passings) in {len(exported.messages)} "
        f"message(s), {exported.size} bytes{per_passing}",
        markup=False,
    )


@app.command("receive")
def receive(
    ctx: typer.Context,
    file: str = typer.Argument(
        "-", help="A bundle file or compact messages; - (the default) reads the standard input."
    ),
) -> None:
    """At camp: store a station's bundle file or compact messages."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.station_camp import receive_text
    from desert_runners.services.station_kit import read_text

    if file == "-":
        text, name = sys.stdin.read(), "standard input"
    else:
        text, name = read_text(Path(file)), file
    for received in receive_text(context_of(ctx), text, name):
        console.print(
            f"{received.race}: station {received.station}: {len(received.stored)} stored, "
            f"{len(received.already)} already here (up to #{received.through})",
            markup=False,
        )


@app.command("sync")
def sync(
    ctx: typer.Context,
    to: str = typer.Option(..., "--to", help="The camp server's address: http://HOST:PORT."),
    batch_size: int = typer.Option(200, "--batch-size", min=1, max=1000, help="Facts a request."),
    everything: bool = typer.Option(
        False, "--all", help="Send everything again, not only what the camp did not confirm."
    ),
) -> None:
    """On the laptop: send what the camp does not have yet, over the network."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.station_send import sync_to

    report = sync_to(context_of(ctx), to, batch_size, everything=everything)
    if not report.batches:
        console.print(
            f"nothing new for {report.camp}: it has everything up to #{report.through}",
            markup=False,
        )
        return
    console.print(
        f"sent {report.sent} facts to {report.camp} in {report.batches} batch(es): "
        f"{report.stored} stored, {report.already} already there; it has everything up to "
        f"#{report.through}",
        markup=False,
    )
