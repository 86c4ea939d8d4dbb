"""The live leaderboard in the terminal while a race is played (``simulate --live``).

``board_of`` derives a ``Board`` from the results engine's ``Computed`` (read-only) and
the run's ``Progress``; ``render_board`` draws it with Rich (pure: a board in, a
renderable out); ``plain_line`` is the one-line progress for a pipe or a log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import polars as pl
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from desert_runners.services.live_simulation import Progress
from desert_runners.services.results import Computed

GC_TOP = 10
STAGE_TOP = 3
LATEST = 6
OUT_STATUSES = frozenset({"dnf", "medical", "dq", "missed_cutoff"})


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
    reads: str = ""  # "stored / released of total"
    camp_url: str = ""


def board_of(computed: Computed, progress: Progress) -> Board:
    zone = computed.race.zone
    names = dict(zip(computed.entrants["bib"], computed.entrants["name"], strict=True))
    stage = max(computed.stages, default=None)
    board = Board(
        race=computed.race.name,
        clock=f"{progress.now.astimezone(zone):%a %d %b %H:%M:%S} {zone.key}",
        stage=stage,
        reads=f"{progress.reads_stored:,} stored / {progress.reads_released:,} read "
        f"of {progress.reads_total:,}",
        camp_url=progress.camp_url,
    )
    if stage is None:
        return board
    frame = computed.stages[stage]
    statuses = frame["status"].to_list()
    leaders = frame.filter(pl.col("rank").is_not_null()).sort("rank").head(STAGE_TOP)
    overall = computed.overall(stage)
    ranked = overall.filter(pl.col("rank").is_not_null()).sort("rank").head(GC_TOP)
    withdrawn = _out_bibs(computed)
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
    )


def _out_bibs(computed: Computed) -> set[int]:
    out: set[int] = set()
    for frame in computed.stages.values():
        out |= set(frame.filter(pl.col("status").is_in(list(OUT_STATUSES)))["bib"].to_list())
    return out


def _rows(frame: pl.DataFrame, column: str, names: dict[int, str]) -> list[Row]:
    return [
        Row(rank, bib, names.get(bib, ""), _duration(spent))
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


def _duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def render_board(board: Board) -> RenderableType:
    head = Text.assemble(
        (board.race, "bold"),
        f"   {board.clock}",
        f"   stage {board.stage}" if board.stage is not None else "   before the start",
    )
    counts = Text(
        f"started {board.started}  finished stage {board.finished}  out {board.out}  "
        f"on course {board.on_course}   reads: {board.reads}"
    )
    tables = Table.grid(padding=(0, 3))
    tables.add_row(
        _table(f"Stage {board.stage} leaders", board.stage_leaders),
        _table(f"Overall (GC) top {GC_TOP}", board.gc),
        _passings(board.latest),
    )
    foot = Text(f"camp server {board.camp_url}   Ctrl-C stops", style="dim")
    return Group(head, counts, tables, foot)


def _table(title: str, rows: list[Row]) -> Table:
    table = Table(title=title, title_justify="left", box=None, pad_edge=False)
    for name, justify in (("#", "right"), ("bib", "right"), ("name", "left"), ("time", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(str(row.rank or ""), str(row.bib), row.name[:22], row.time)
    return table


def _passings(latest: list[Passing]) -> Table:
    table = Table(title="Latest passings", title_justify="left", box=None, pad_edge=False)
    for name in ("at", "bib", "where"):
        table.add_column(name)
    for passing in latest:
        table.add_row(passing.at, str(passing.bib), passing.where)
    return table


def plain_line(progress: Progress) -> str:
    return (
        f"{progress.now:%Y-%m-%d %H:%M:%S} {progress.race}: {progress.reads_stored:,}/"
        f"{progress.reads_total:,} reads stored, {progress.entries} typed entries, "
        f"{progress.rulings} rulings, {progress.readers_on} readers on"
    )
