"""What a volunteer types at the station's prompt, read into commands.

Keyboard first: a bib and Enter is the whole job most of the time. Everything else is a
short word. A line that cannot be read is never guessed at: it is refused with the
reason, and nothing is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from desert_runners.domain.events import Direction

MAX_BIB = 99_999
WITHDRAWALS = {"dnf": "dnf", "medical": "medical", "med": "medical"}
QUIT_WORDS = frozenset({"quit", "exit", "q"})
HELP = """\
124            record bib 124 now
124 09:32      record bib 124 at 09:32 (also 0932, 09:32:15)
undo           void the last entry saved here
void 12 WHY    void entry #12 (the number shown when it was saved)
dnf 124 WHY    bib 124 withdrew here (also: dnf 124 09:32 WHY); medical 124 WHY
in / out       at a checkpoint with in and out times: record arrivals / departures
due            the runners still due here
last           the last 10 entries saved here
help           this list
quit           leave (everything saved is already safe)"""

_COLONS = re.compile(r"^(\d{1,2}):(\d\d)(?::(\d\d))?$", re.ASCII)
_DIGITS = re.compile(r"^\d{3,4}$|^\d{6}$", re.ASCII)


@dataclass(frozen=True)
class TypedTime:
    """A time of day as the volunteer typed it, written the one way it is stored."""

    clock: time
    text: str  # HH:MM or HH:MM:SS

    @property
    def has_seconds(self) -> bool:
        return len(self.text) == 8


@dataclass(frozen=True)
class Record:
    bib: int
    at: TypedTime | None  # None: now


@dataclass(frozen=True)
class Withdraw:
    bib: int
    status: str  # dnf or medical
    at: TypedTime | None
    reason: str


@dataclass(frozen=True)
class Void:
    number: int | None  # None: the last entry saved here
    reason: str


@dataclass(frozen=True)
class SetDirection:
    direction: Direction


@dataclass(frozen=True)
class Show:
    what: str  # due, last or help


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class Nothing:
    pass


@dataclass(frozen=True)
class Invalid:
    message: str


Command = Record | Withdraw | Void | SetDirection | Show | Quit | Nothing | Invalid


def parse_typed_time(text: str) -> TypedTime | None:
    """``09:32``, ``9:32``, ``0932``, ``932``, ``09:32:15`` or ``093215``; else None."""
    parts = _parts(text)
    if parts is None:
        return None
    hours, minutes, seconds = parts
    if hours > 23 or minutes > 59 or (seconds or 0) > 59:
        return None
    if seconds is None:
        return TypedTime(time(hours, minutes), f"{hours:02d}:{minutes:02d}")
    return TypedTime(time(hours, minutes, seconds), f"{hours:02d}:{minutes:02d}:{seconds:02d}")


def _parts(text: str) -> tuple[int, int, int | None] | None:
    match = _COLONS.match(text)
    if match:
        return int(match[1]), int(match[2]), None if match[3] is None else int(match[3])
    if _DIGITS.match(text):
        if len(text) == 6:
            return int(text[:2]), int(text[2:4]), int(text[4:])
        return int(text[:-2]), int(text[-2:]), None
    return None


def parse_command(line: str) -> Command:
    words = line.split()
    if not words:
        return Nothing()
    head, rest = words[0].casefold(), words[1:]
    if _number(head):
        return _record(words[0], rest)
    if head in QUIT_WORDS:
        return Quit()
    if head in {"due", "last", "help", "?"} and not rest:
        return Show("help" if head == "?" else head)
    if head in {"in", "out"} and not rest:
        return SetDirection(Direction(head))
    if head == "undo":
        return Void(None, " ".join(rest))
    if head == "void":
        return _void(rest)
    if head in WITHDRAWALS:
        return _withdraw(WITHDRAWALS[head], rest)
    return Invalid(f"not understood: {line.strip()!r} (type a bib, or help)")


def _number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _bib(text: str) -> int | None:
    if not _number(text) or not 0 < int(text) <= MAX_BIB:
        return None
    return int(text)


def _record(bib_text: str, rest: list[str]) -> Command:
    bib = _bib(bib_text)
    if bib is None:
        return Invalid(f"bib {bib_text!r}: expected a number from 1 to {MAX_BIB}")
    if not rest:
        return Record(bib, None)
    if len(rest) > 1:
        return Invalid(f"too much after bib {bib}: type the bib, then a time if not now")
    at = parse_typed_time(rest[0])
    if at is None:
        return Invalid(f"time {rest[0]!r}: expected HH:MM or HH:MM:SS (0932 works too)")
    return Record(bib, at)


def _void(rest: list[str]) -> Command:
    if not rest or not _number(rest[0].lstrip("#")):
        return Invalid("void which entry? type void and its number: void 12 wrong bib")
    return Void(int(rest[0].lstrip("#")), " ".join(rest[1:]))


def _withdraw(status: str, rest: list[str]) -> Command:
    bib = _bib(rest[0]) if rest else None
    if bib is None:
        return Invalid(f"{status} which bib? type {status} and the bib: {status} 124 blisters")
    at = parse_typed_time(rest[1]) if len(rest) > 1 else None
    reason = " ".join(rest[2:] if at is not None else rest[1:])
    return Withdraw(bib, status, at, reason)
