"""The live leaderboard in the terminal while a race is played (``simulate --live``).

``board_of`` derives a ``Board`` from the results engine's ``Computed`` (read-only) and
the run's ``Progress``: everything on it is as of the moment the results were computed
(``Computed.as_of``, the race clock then), in the race's time zone, with durations as
``results`` writes them; the runners overdue at their next checkpoint come from
``predict.overdue``. ``render_board`` draws it with Rich (pure: a board in, a renderable
out), side by side on a wide terminal, two by two from 80 columns; ``plain_line`` is the
one-line progress for a pipe or a log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.table import Table
from rich.text import Text

from desert_runners.domain.race import format_duration
from desert_runners.predict.overdue import Passing as Seen
from desert_runners.predict.overdue import overdue
from desert_runners.services.live_simulation import Progress
from desert_runners.services.results import Computed

GC_TOP = 10
STAGE_TOP = 3
LATEST = 6
OVERDUE_TOP = 5
OUT_STATUSES = frozenset({"dnf", "medical", "dq", "missed_cutoff"})
WIDE = 116  # columns from which the tables stand side by side (below: two by two)
NAME_WIDTH = 18


@dataclass(frozen=True)
class Row:
    rank: int | None
    bib: int
    name: str
    time: str  # "12:34:56"


@dataclass(frozen=True)
class Passing:
    at: str  # local time of day
    bib: int
    name: str
    where: str  # STAGE/CHECKPOINT


@dataclass(frozen=True)
class Late:
    """A runner overdue at their next checkpoint."""

    bib: int
    name: str
    last: str  # STAGE/CHECKPOINT where last seen
    seen_at: str  # local time of day, HH:MM
    late: str  # how long overdue, H:MM:SS


@dataclass(frozen=True)
class Board:
    race: str
    clock: str  # the race clock, local, with its zone
    stage: int | None  # the stage under way (or the last one started)
    stage_leaders: list[Row] = field(default_factory=list)
    gc: list[Row] = field(default_factory=list)
    started: int = 0
    finished: int = 0  # finished the current stage
    out: int = 0  # withdrawn, medical, DQ, missed a cutoff: out of the race so far
    on_course: int = 0
    latest: list[Passing] = field(default_factory=list)
    reads: str = ""  # "stored/total reads stored"
    camp_url: str = ""
    overdue: list[Late] = field(default_factory=list)  # the latest first, OVERDUE_TOP
    overdue_count: int = 0
    final: bool = False  # the last board of the run: no "Ctrl-C stops"


def board_of(computed: Computed, progress: Progress, *, final: bool = False) -> Board:
    """The board as of ``computed.as_of`` (the race clock when the results were
    computed: ``progress`` only gives the reads' counts and the camp's address)."""
    zone = computed.race.zone
    names = dict(zip(computed.entrants["bib"], computed.entrants["name"], strict=True))
    stage = max(computed.stages, default=None)
    board = Board(
        race=computed.race.name,
        clock=f"{computed.as_of.astimezone(zone):%a %d %b %H:%M:%S} {zone.key}",
        stage=stage,
        reads=f"{progress.reads_stored:,}/{progress.reads_total:,} reads stored",
        camp_url=progress.camp_url,
        final=final,
    )
    if stage is None:
        return board
    frame = computed.stages[stage]
    statuses = frame["status"].to_list()
    leaders = frame.filter(pl.col("rank").is_not_null()).sort("rank").head(STAGE_TOP)
    overall = computed.overall(stage)
    ranked = overall.filter(pl.col("rank").is_not_null()).sort("rank").head(GC_TOP)
    withdrawn = _out_bibs(computed)
    racing = frame.filter(pl.col("status") == "racing")["bib"].to_list()
    late = _overdue(computed, stage, racing, names)
    return Board(
        race=board.race,
        clock=board.clock,
        stage=stage,
        stage_leaders=_rows(leaders, "stage_time", names),
        gc=_rows(ranked, "time", names),
        started=len(computed.stages[min(computed.stages)].filter(pl.col("status") != "dns")),
        finished=statuses.count("finished"),
        out=len(withdrawn),
        on_course=statuses.count("racing"),
        latest=_latest(computed, names),
        reads=board.reads,
        camp_url=board.camp_url,
        overdue=late[:OVERDUE_TOP],
        overdue_count=len(late),
        final=final,
    )


def _overdue(
    computed: Computed, stage: int, racing: list[int], names: dict[int, str]
) -> list[Late]:
    """The runners on course overdue at their next point of ``stage``, as of the results'
    moment (``predict.overdue``: the field's median on the segment so far x the runner's
    own pace x 1.5). A point's place in the stage is its order; at an in/out checkpoint
    "in" comes before "out"."""
    passings = computed.reconciliation.passings
    if passings.is_empty() or not racing:
        return []
    usable = passings.filter(
        (pl.col("stage") == stage) & (pl.col("status") != "bad") & pl.col("at").is_not_null()
    )
    seen = [
        Seen(bib, order * 2 + (0 if direction == "in" else 1), point, at)
        for bib, order, direction, point, at in zip(
            usable["bib"],
            usable["order"],
            usable["direction"],
            usable["checkpoint"],
            usable["at"],
            strict=True,
        )
    ]
    zone = computed.race.zone
    return [
        Late(
            late.bib,
            names.get(late.bib, ""),
            f"{stage}/{late.last_point}",
            f"{late.last_at.astimezone(zone):%H:%M}",
            format_duration(late.late),
        )
        for late in overdue(seen, racing, computed.as_of)
    ]


def _out_bibs(computed: Computed) -> set[int]:
    out: set[int] = set()
    for frame in computed.stages.values():
        out |= set(frame.filter(pl.col("status").is_in(list(OUT_STATUSES)))["bib"].to_list())
    return out


def _rows(frame: pl.DataFrame, column: str, names: dict[int, str]) -> list[Row]:
    return [
        Row(rank, bib, names.get(bib, ""), format_duration(spent) if spent is not None else "")
        for rank, bib, spent in zip(frame["rank"], frame["bib"], frame[column], strict=True)
    ]


def _latest(computed: Computed, names: dict[int, str]) -> list[Passing]:
    passings = computed.reconciliation.passings
    if passings.is_empty():
        return []
    recent = passings.filter(pl.col("at").is_not_null()).sort("at", descending=True).head(LATEST)
    zone = computed.race.zone
    return [
        Passing(f"{at.astimezone(zone):%H:%M:%S}", bib, names.get(bib, ""), f"{stage}/{point}")
        for at, bib, stage, point in zip(
            recent["at"], recent["bib"], recent["stage"], recent["checkpoint"], strict=True
        )
    ]


def render_board(board: Board) -> RenderableType:
    return _Drawn(board)


class _Drawn:
    """The board laid out for the console's width when it is drawn (a terminal can be
    resized while the race runs): the tables side by side from ``WIDE`` columns, else
    two by two; never wider than the terminal (long lines are cut, not wrapped)."""

    def __init__(self, board: Board) -> None:
        self.board = board

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Group]:
        yield _layout(self.board, options.max_width)


def _layout(board: Board, width: int) -> Group:
    head = Text.assemble(  # the clock last: on a narrow terminal its zone's name is cut
        (board.race, "bold"),
        f"  stage {board.stage}" if board.stage is not None else "  before the start",
        f"  {board.clock}",
        no_wrap=True,
        overflow="ellipsis",
    )
    counts = Text(
        f"started {board.started}  finished stage {board.finished}  out {board.out}  "
        f"on course {board.on_course}  overdue {board.overdue_count}",
        no_wrap=True,
        overflow="ellipsis",
    )
    stage = f"Stage {board.stage}" if board.stage is not None else "Stage"
    leaders = _table(f"{stage} leaders", board.stage_leaders)
    gc = _table(f"Overall (GC) top {GC_TOP}", board.gc)
    latest, late = _passings(board.latest), _overdue_table(board.overdue)
    grid = Table.grid(padding=(0, 3))
    if width >= WIDE:
        grid.add_row(Group(leaders, Text(), late), gc, latest)
    else:
        grid.add_row(leaders, gc)
        grid.add_row(late, latest)
    stop = "" if board.final else "   Ctrl-C stops"
    foot = Text(
        f"{board.reads}   camp {board.camp_url}{stop}",
        style="dim",
        no_wrap=True,
        overflow="ellipsis",
    )
    return Group(head, counts, grid, foot)


def _titled(title: str) -> Table:
    return Table(
        title=Text(title, style="bold", no_wrap=True, overflow="ellipsis"),
        title_justify="left",
        box=None,
        pad_edge=False,
        min_width=len(title),
    )


def _table(title: str, rows: list[Row]) -> Table:
    table = _titled(title)
    for name, justify in (("#", "right"), ("bib", "right"), ("name", "left"), ("time", "right")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(str(row.rank or ""), str(row.bib), row.name[:NAME_WIDTH], row.time)
    return table


def _passings(latest: list[Passing]) -> Table:
    table = _titled("Latest passings")
    for name in ("at", "bib", "name", "where"):
        table.add_column(name, no_wrap=True)
    for passing in latest:
        table.add_row(passing.at, str(passing.bib), passing.name[:12], passing.where)
    return table


def _overdue_table(late: list[Late]) -> Table:
    table = _titled("Overdue at the next checkpoint")
    for name, justify in (("bib", "right"), ("name", "left"), ("last seen", "left")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("late by", justify="right", no_wrap=True)
    for runner in late:
        seen = f"{runner.last} {runner.seen_at}"
        table.add_row(str(runner.bib), runner.name[:12], seen, runner.late)
    return table


def plain_line(progress: Progress) -> str:
    return (
        f"{progress.now:%Y-%m-%d %H:%M:%S} {progress.race}: {progress.reads_stored:,}/"
        f"{progress.reads_total:,} reads stored, {progress.entries} typed entries, "
        f"{progress.rulings} rulings, {progress.readers_on} readers on"
    )
