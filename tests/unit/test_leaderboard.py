"""The live leaderboard draws what it is given: the race clock, the stage, its leaders,
the GC top ten, the counts and the latest passings; a pipe gets one plain line."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from desert_runners.cli.leaderboard import Board, Passing, Row, plain_line, render_board
from desert_runners.services.live_simulation import Progress


def _text(board: Board) -> str:
    console = Console(width=160, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(render_board(board))
    return console.export_text()


def test_the_board_shows_clock_stage_leaders_gc_counts_and_passings() -> None:
    board = Board(
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
        reads="1,200 stored / 1,210 read of 9,000",
        camp_url="http://127.0.0.1:8123",
    )
    text = _text(board)
    assert "The Last Desert" in text
    assert "Mon 22 Nov 14:05:09 Antarctica/Palmer" in text
    assert "stage 3" in text
    assert "Stage 3 leaders" in text
    assert "Ana Lima" in text
    assert "4:12:09" in text
    assert "Runner 10" in text
    assert "20:00:00" in text
    assert "started 52  finished stage 20  out 3  on course 29" in text
    assert "3/finish" in text
    assert "14:04:58" in text
    assert "http://127.0.0.1:8123" in text


def test_before_the_start_and_the_plain_line() -> None:
    assert "before the start" in _text(Board("Gobi March", "Sun 06 Jun 07:00:00 UTC", None))
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
