"""The live leaderboard draws what it is given: the race clock, the stage, its leaders,
the GC top ten, the counts, the latest passings and who is overdue, whole on an 80-column
terminal as on a wide one; a pipe gets one plain line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.console import Console

from desert_runners.cli.leaderboard import (
    Board,
    Late,
    Passing,
    Row,
    plain_line,
    render_board,
)
from desert_runners.services.live_simulation import Progress


def _text(board: Board, width: int = 160) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(render_board(board))
    return console.export_text()


BOARD = Board(
    race="The Last Desert",
    clock="Mon 22 Nov 14:05:09 Antarctica/Palmer",
    stage=3,
    stage_leaders=[Row(1, 7, "Ana Lima", "4:12:09"), Row(2, 31, "Bo Chen", "4:15:00")],
    gc=[Row(n, 100 + n, f"Runner {n}", f"{10 + n}:00:00") for n in range(1, 11)],
    started=52,
    finished=20,
    out=3,
    on_course=29,
    latest=[Passing("14:04:58", 7, "Ana Lima", "3/finish")],
    reads="1,200/9,000 reads stored",
    camp_url="http://127.0.0.1:8123",
    overdue=[
        Late(44, "Sigríður Gunnarsdóttir", "3/cp4", "11:02", "1:12:30"),
        Late(12, "Bo Ng", "3/cp2", "12:40", "0:05:01"),
    ],
    overdue_count=2,
)


@pytest.mark.parametrize("width", [80, 160])
def test_the_board_shows_clock_stage_leaders_gc_counts_passings_and_overdue(width: int) -> None:
    text = _text(BOARD, width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "The Last Desert" in text
    assert "Mon 22 Nov 14:05:09 Antarctica/Palmer" in text
    assert "stage 3" in text
    assert "Stage 3 leaders" in text
    assert "Ana Lima" in text
    assert "4:12:09" in text
    assert "Runner 10" in text
    assert "20:00:00" in text
    assert "started 52  finished stage 20  out 3  on course 29  overdue 2" in text
    assert "3/finish" in text
    assert "14:04:58" in text
    assert "1,200/9,000 reads stored   camp http://127.0.0.1:8123   Ctrl-C stops" in text
    assert "Overdue at the next checkpoint" in text
    assert "Sigríður Gun" in text
    assert "3/cp4 11:02  1:12:30" in text  # where and when last seen, how long overdue
    assert "3/cp2 12:40  0:05:01" in text
    assert "…" not in text  # nothing cut


def test_the_last_board_does_not_offer_to_stop() -> None:
    text = _text(Board(**{**BOARD.__dict__, "final": True}))
    assert "Ctrl-C" not in text
    assert "http://127.0.0.1:8123" in text


def test_before_the_start_and_the_plain_line() -> None:
    before = _text(Board("Gobi March", "Sun 06 Jun 07:00:00 UTC", None), 80)
    assert "Gobi March  before the start  Sun 06 Jun 07:00:00 UTC" in before
    assert "None" not in before
    progress = Progress(
        race="gobi-march-2010",
        now=datetime(2010, 6, 6, 7, 30, tzinfo=UTC),
        camp_url="http://127.0.0.1:1",
        reads_stored=1500,
        reads_total=45000,
        entries=4,
        rulings=2,
        readers_on=3,
    )
    assert plain_line(progress) == (
        "2010-06-06 07:30:00 gobi-march-2010: 1,500/45,000 reads stored, 4 typed entries, "
        "2 rulings, 3 readers on"
    )
