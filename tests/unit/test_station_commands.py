"""What a volunteer types at the station's prompt: read exactly, never guessed at."""

from __future__ import annotations

from datetime import time

import pytest

from desert_runners.domain.events import Direction
from desert_runners.domain.station.commands import (
    Invalid,
    Nothing,
    Quit,
    Record,
    SetDirection,
    Show,
    TypedTime,
    Void,
    Withdraw,
    parse_command,
    parse_typed_time,
)


@pytest.mark.parametrize(
    ("text", "clock", "written"),
    [
        ("09:32", time(9, 32), "09:32"),
        ("9:32", time(9, 32), "09:32"),
        ("0932", time(9, 32), "09:32"),
        ("932", time(9, 32), "09:32"),
        ("23:59:59", time(23, 59, 59), "23:59:59"),
        ("093215", time(9, 32, 15), "09:32:15"),
        ("00:00", time(0, 0), "00:00"),
    ],
)
def test_typed_times_are_read_and_written_one_way(text: str, clock: time, written: str) -> None:
    assert parse_typed_time(text) == TypedTime(clock, written)


@pytest.mark.parametrize(
    "text", ["24:00", "09:60", "09:32:60", "9.32", "09:3", "12345", "1", "09:32:1", "٠٩٣٢", ""]
)
def test_a_time_that_is_not_a_time_is_refused(text: str) -> None:
    assert parse_typed_time(text) is None


def test_a_bib_alone_is_now_and_a_bib_with_a_time_is_that_time() -> None:
    assert parse_command("124") == Record(124, None)
    assert parse_command("  124   09:32 ") == Record(124, TypedTime(time(9, 32), "09:32"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", Nothing()),
        ("   ", Nothing()),
        ("quit", Quit()),
        ("Q", Quit()),
        ("exit", Quit()),
        ("due", Show("due")),
        ("last", Show("last")),
        ("?", Show("help")),
        ("help", Show("help")),
        ("in", SetDirection(Direction.IN)),
        ("OUT", SetDirection(Direction.OUT)),
        ("undo", Void(None, "")),
        ("undo wrong bib", Void(None, "wrong bib")),
        ("void 12 typo", Void(12, "typo")),
        ("void #12", Void(12, "")),
        ("dnf 124", Withdraw(124, "dnf", None, "")),
        ("dnf 124 blisters and heat", Withdraw(124, "dnf", None, "blisters and heat")),
        (
            "med 7 10:05 heat stroke",
            Withdraw(7, "medical", TypedTime(time(10, 5), "10:05"), "heat stroke"),
        ),
    ],
)
def test_commands(line: str, expected: object) -> None:
    assert parse_command(line) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("hello", "not understood: 'hello' (type a bib, or help)"),
        ("0", "bib '0': expected a number from 1 to 99999"),
        ("100000", "bib '100000': expected a number from 1 to 99999"),
        ("²", "not understood: '²' (type a bib, or help)"),
        ("124 9.32", "time '9.32': expected HH:MM or HH:MM:SS (0932 works too)"),
        ("124 09:32 x", "too much after bib 124: type the bib, then a time if not now"),
        ("void", "void which entry? type void and its number: void 12 wrong bib"),
        ("void x", "void which entry? type void and its number: void 12 wrong bib"),
        ("dnf", "dnf which bib? type dnf and the bib: dnf 124 blisters"),
        ("medical abc", "medical which bib? type medical and the bib: medical 124 blisters"),
        ("due now", "not understood: 'due now' (type a bib, or help)"),
    ],
)
def test_what_cannot_be_read_is_refused_with_the_reason(line: str, message: str) -> None:
    assert parse_command(line) == Invalid(message)
