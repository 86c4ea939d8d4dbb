"""``desert-runners reader connect``: capture a live timing device at a checkpoint."""

from __future__ import annotations

import asyncio
import logging
import signal

import typer

from desert_runners.cli.entrants import RACE_HELP

app = typer.Typer(help="Live timing devices: capture their reads.", no_args_is_help=True)

KIND_HELP = "raceresult, chronotrack, jchip, ultra, ipico, mylaps or impinj (LLRP)."


@app.command("connect")
def connect(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=f"The device's protocol: {KIND_HELP}"),
    address: str = typer.Argument(
        ...,
        help="HOST:PORT of the device; for a device that connects to us (ChronoTrack, "
        "JChip, MyLaps) the address to listen on, such as 0.0.0.0:61611.",
    ),
    checkpoint: str = typer.Option(
        ..., "--checkpoint", help="Where the device stands: STAGE/CHECKPOINT such as 3/CP2."
    ),
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    device: str = typer.Option(
        None,
        "--device",
        help="The name its reads are stored and resumed under (default KIND@HOST:PORT); "
        "keep it when the process is restarted.",
    ),
    clock_offset: float = typer.Option(
        None,
        "--clock-offset",
        help="Seconds to add to the device's times (default: measured at each "
        "connection where the protocol can ask the device's clock, else 0).",
        show_default=False,
    ),
) -> None:
    """Capture a live device's reads until Ctrl-C: each read is stored before it is
    acknowledged, and a dropped link or a restarted process resumes without gaps or
    duplicates."""
    from desert_runners.cli.app import context_of, err_console
    from desert_runners.services.readers import connect_reader

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    context = context_of(ctx)

    async def until_stopped() -> str:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # Ctrl-C or SIGTERM ends the capture between two stores, never during one.
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        session = await connect_reader(
            context,
            kind,
            address,
            checkpoint,
            race_slug=race,
            device=device,
            clock_offset_s=clock_offset,
            stop=stop,
        )
        return session.device

    err_console.print(
        f"capturing {kind} at {address} into {checkpoint} (Ctrl-C to stop)", markup=False
    )
    err_console.print(f"stopped {asyncio.run(until_stopped())}", markup=False)
