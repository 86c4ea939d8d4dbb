"""``simulate --live``: run the live simulation with a leaderboard (a terminal) or plain
progress lines (a pipe, a log), stop cleanly on Ctrl-C, sum it up in one line or JSON."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from dataclasses import asdict
from typing import Any

from rich.live import Live

from desert_runners.bootstrap import Context
from desert_runners.cli.leaderboard import board_of, plain_line, render_board
from desert_runners.cli.output import console, print_json
from desert_runners.services.live_simulation import LiveReport, Progress, play_live
from desert_runners.services.results import compute
from desert_runners.simulate.model.simulation import SimulatedRace

BOARD_EVERY_S = 2.0  # wall seconds between two computations of the results
LINE_EVERY_S = 5.0  # wall seconds between two plain progress lines


def run_live(
    context: Context, simulated: SimulatedRace, *, speed: float, port: int, as_json: bool
) -> None:
    from desert_runners.cli.app import err_console

    board = console.is_terminal and not as_json
    report = asyncio.run(_play(context, simulated, speed, port, board, err_console.print))
    if as_json:
        print_json(_facts(report))
        return
    console.print(summary_line(report), markup=False)
    for error in report.errors:
        err_console.print(f"warning: {error}", markup=False)


async def _play(
    context: Context,
    simulated: SimulatedRace,
    speed: float,
    port: int,
    board: bool,
    say: Any,
) -> LiveReport:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C stops between two steps
        loop.add_signal_handler(signum, stop.set)
    state: dict[str, Any] = {"camp": None, "line": 0.0, "board": 0.0, "busy": False}
    live = Live(console=console, refresh_per_second=4, transient=False) if board else None

    def started(url: str, camp: Context) -> None:
        state["camp"] = camp
        say(f"camp server on {url}; Ctrl-C stops the race", markup=False)

    def progress(now: Progress) -> None:
        clock = time.monotonic()
        if live is None:
            if clock - state["line"] >= LINE_EVERY_S:
                state["line"] = clock
                say(plain_line(now), markup=False)
        elif clock - state["board"] >= BOARD_EVERY_S and not state["busy"]:
            state["board"], state["busy"] = clock, True
            task = asyncio.ensure_future(_refresh(live, state["camp"], simulated, now))
            task.add_done_callback(lambda _: state.update(busy=False))

    with live if live is not None else contextlib.nullcontext():
        return await play_live(
            context,
            simulated,
            speed=speed,
            stop=stop,
            on_progress=progress,
            port=port,
            on_started=started,
        )


async def _refresh(live: Live, camp: Context, simulated: SimulatedRace, now: Progress) -> None:
    computed = await asyncio.to_thread(compute, camp, simulated.race.slug)  # read-only
    live.update(render_board(board_of(computed, now)))


def summary_line(report: LiveReport) -> str:
    how = "finished" if report.finished else "stopped"
    how += " (resumed: what was stored is not sent again)" if report.resumed else ""
    end = f"{report.race_end:%Y-%m-%d %H:%M}" if report.race_end else "?"
    return (
        f"{how} {report.race} live at x{report.speed:g} in {report.wall_seconds} s "
        f"(race clock {end}): {report.reads_stored:,}/{report.reads_total:,} reads stored "
        f"from {report.readers} readers, {report.entries_saved} typed entries at "
        f"{report.stations} stations ({report.synced_facts} synced), {report.rulings} rulings"
    )


def _facts(report: LiveReport) -> dict[str, Any]:
    facts = asdict(report)
    facts["live"] = True
    return facts
