"""``simulate --live``: run the live simulation with a leaderboard (a terminal) or plain
progress lines (a pipe, a log), stop cleanly on Ctrl-C (or SIGTERM, or the terminal
closing), sum it up in one line or JSON."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import asdict, replace
from typing import Any

from rich.live import Live
from rich.text import Text

from desert_runners.bootstrap import Context
from desert_runners.cli.leaderboard import board_of, plain_line, render_board
from desert_runners.cli.output import console, print_json
from desert_runners.services.live_simulation import LiveReport, Progress, play_live
from desert_runners.services.results import compute
from desert_runners.simulate.model.simulation import SimulatedRace

log = logging.getLogger(__name__)

BOARD_EVERY_S = 2.0  # wall seconds at least between two computations of the results ...
BOARD_SHARE = 3.0  # ... and this many times what the last one took: at most about a
# third of a core goes to the board, however big the race (a laptop on solar power)
LINE_EVERY_S = 5.0  # wall seconds between two plain progress lines
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # each stops cleanly


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
    """Play the race; a signal in ``STOP_SIGNALS`` (Ctrl-C) stops it between two steps,
    and everything is shut down the same way as at the end of the race."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        if not board:
            return await _play_plain(context, simulated, speed, port, stop, say)
        title = Text(f"{simulated.race.name}: setting up the camp server", style="dim")
        with Live(title, console=console, auto_refresh=False, transient=False) as live:
            leaderboard = _Leaderboard(live, simulated, say)
            report = await play_live(
                context,
                simulated,
                speed=speed,
                stop=stop,
                on_progress=leaderboard.progress,
                port=port,
                on_started=leaderboard.started,
            )
            await leaderboard.close(report)
            return report
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def _play_plain(
    context: Context,
    simulated: SimulatedRace,
    speed: float,
    port: int,
    stop: asyncio.Event,
    say: Any,
) -> LiveReport:
    last = -LINE_EVERY_S

    def started(url: str, _: Context) -> None:
        say(f"camp server on {url}; Ctrl-C stops the race", markup=False)

    def progress(now: Progress) -> None:
        nonlocal last
        if time.monotonic() - last >= LINE_EVERY_S:
            last = time.monotonic()
            say(plain_line(now), markup=False)

    return await play_live(
        context,
        simulated,
        speed=speed,
        stop=stop,
        on_progress=progress,
        port=port,
        on_started=started,
    )


class _Leaderboard:
    """The Rich live leaderboard: the results computed in a thread (read-only), one
    computation at a time, drawn only when they change (no redraw in between: nothing
    flickers, no CPU spent); at the end, the results as of the race clock's last moment,
    which are what ``results`` gives."""

    def __init__(self, live: Live, simulated: SimulatedRace, say: Any) -> None:
        self.live = live
        self.simulated = simulated
        self.say = say
        self.camp: Context | None = None
        self.task: asyncio.Task[None] | None = None
        self.next_at = 0.0  # monotonic time of the next computation
        self.failed = ""

    def started(self, url: str, camp: Context) -> None:
        self.camp = camp
        self.live.update(Text(f"camp server on {url}: waiting for the first results"))
        self.live.refresh()

    def progress(self, now: Progress) -> None:
        if self.camp is None or time.monotonic() < self.next_at:
            return
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._refresh(self.camp, now))

    async def _refresh(self, camp: Context, now: Progress, *, final: bool = False) -> None:
        # The results are as of the moment the computation begins, the clock frozen there:
        # read later, "now" would be ahead of the passings read by the race time the
        # computation took, and runners would look overdue by as much.
        began, as_of = time.monotonic(), camp.clock()
        frozen = replace(camp, clock=lambda: as_of)
        try:
            computed = await asyncio.to_thread(compute, frozen, self.simulated.race.slug)
            self.live.update(render_board(board_of(computed, now, final=final)), refresh=True)
        except Exception as error:  # the board is not worth stopping the race for
            self.failed = f"leaderboard: {type(error).__name__}: {error}"
            log.warning("%s", self.failed, exc_info=error)
        spent = time.monotonic() - began
        self.next_at = began + max(BOARD_EVERY_S, BOARD_SHARE * spent)

    async def close(self, report: LiveReport) -> None:
        """Wait for a computation under way, then draw the last board."""
        if self.task is not None:
            await self.task
        if self.camp is None or report.race_end is None:
            return
        end = report.race_end
        last = Progress(
            race=report.race,
            now=end,
            camp_url=report.camp_url,
            reads_released=report.reads_released,
            reads_stored=report.reads_stored,
            reads_total=report.reads_total,
            entries=report.entries_saved,
            rulings=report.rulings,
        )
        await self._refresh(replace(self.camp, clock=lambda: end), last, final=True)
        if self.failed:
            report.errors.append(self.failed)


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
