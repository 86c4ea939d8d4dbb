"""The compact station message: a station's facts in one line of text short enough for a
satellite messenger (an Iridium short-burst message holds 340 bytes).

    DR1 <race> <station> <install> <base> <authors> <body> <check>

``base`` is the first fact's time (Unix seconds, base 36), ``authors`` the volunteers'
names (percent-encoded, comma-separated), ``check`` six characters of a SHA-256 of
everything before it. The body is a run of tokens; each fact takes the next sequence
number of the station and is timed from the fact before it:

    <head><time>             an entry: head = bib * 4 + mode
    *<head><time>['reason']  a withdrawal (dnf); + for a medical withdrawal
    !<back><time>['reason']  a void of the fact ``back + 1`` numbers before it
    @<stage>/<checkpoint>;   the timing point of the entries after it
    < > =                    direction in, out, none (at in/out checkpoints)
    ~<n>                     the n-th author (from 0) for the facts after it
    ^<n>                     the next fact's sequence number is n (a gap)

Numbers are written with a last digit from ``0-9a-v`` and leading digits from ``A-Z``
and ``w-z``, so they need no separator: a bib below 248 with its mode is two characters,
and so is a gap of up to 16 minutes between two passings. The modes: 0 the station's
clock, later than the fact before it (seconds); 3 the same, earlier (seconds, less one);
1 a typed ``HH:MM`` (minutes from the minute before, signed); 2 a typed ``HH:MM:SS``
(seconds, signed). A void is always on the clock (seconds, signed).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote

from desert_runners.domain.errors import UserError

MAGIC = "DR1"
TERMINAL = "0123456789abcdefghijklmnopqrstuv"
LEADING = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz"
CLOCK, MINUTES, SECONDS, CLOCK_BACK = 0, 1, 2, 3
TYPED = {None: CLOCK, "minutes": MINUTES, "seconds": SECONDS}
WITHDRAWAL_SIGNS = {"*": "dnf", "+": "medical"}
DIRECTIONS = {"<": "in", ">": "out", "=": None}
EARLIEST, LATEST = 946_684_800, 4_102_444_800  # 2000 to 2100: anything else is damage
MAX_BIB, MAX_SEQ, MAX_TEXT, MAX_DIGITS = 99_999, 999_999_999, 500, 7

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_STATION = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")
_INSTALL = re.compile(r"^[a-z0-9]{6}$")
_BASE = re.compile(r"^[0-9a-z]{1,8}$")
_CHECKPOINT = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
_POINT = re.compile(r"([1-9][0-9]{0,2})/([A-Za-z0-9_-]{1,20});")


class CompactError(UserError):
    pass


@dataclass(frozen=True)
class Item:
    """One fact of a compact message."""

    seq: int
    kind: str  # entry, withdrawal or void
    author: str
    stage: int
    checkpoint: str
    direction: str | None  # in, out or None
    at: int  # Unix seconds
    typed: str | None = None  # None: the station's clock; "minutes": HH:MM; "seconds": HH:MM:SS
    bib: int | None = None
    status: str | None = None  # a withdrawal's: dnf or medical
    target: int | None = None  # a void's: the sequence number it voids
    reason: str = ""


@dataclass(frozen=True)
class Message:
    race: str
    station: str
    install: str
    items: tuple[Item, ...]


def encode_message(message: Message) -> str:
    """Raises ValueError for what the format cannot say (a bug in the caller)."""
    items = message.items
    if not items:
        raise ValueError("a compact message holds at least one fact")
    authors = list(dict.fromkeys(item.author for item in items))
    if not all(authors):
        raise ValueError("every fact has an author")
    writer = _Writer(items[0].at, authors, {item.seq: item for item in items})
    for item in items:
        writer.write(item)
    fields = [
        MAGIC,
        message.race,
        message.station,
        message.install,
        _base36(items[0].at),
        ",".join(quote(author, safe="") for author in authors),
        "".join(writer.out),
    ]
    text = " ".join(fields)
    return f"{text} {_check(text)}"


def decode_message(line: str) -> Message:
    """The message in one line; a damaged one raises CompactError, never anything else."""
    parts = line.strip().split(" ")
    if len(parts) != 8 or parts[0] != MAGIC:
        raise CompactError("not a compact station message (it starts with DR1 and has 8 parts)")
    if _check(" ".join(parts[:7])) != parts[7]:
        raise CompactError("the message is damaged (its checksum does not match)")
    race, station, install, base, authors, body = parts[1:7]
    if not (_SLUG.match(race) and _STATION.match(station) and _INSTALL.match(install)):
        raise CompactError("the message's header is not valid")
    if not _BASE.match(base) or not EARLIEST <= int(base, 36) <= LATEST:
        raise CompactError(f"the message's base time {base!r} is not valid")
    return Message(race, station, install, _Reader(body, int(base, 36), _names(authors)).read())


def number_text(value: int) -> str:
    """A number as the body writes it: leading digits, then one last digit."""
    if value < 0:
        raise ValueError(f"cannot write {value} in a compact message")
    text = TERMINAL[value % 32]
    value //= 32
    while value:
        value -= 1
        text = LEADING[value % 30] + text
        value //= 30
    return text


def zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def unzigzag(value: int) -> int:
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


class _Writer:
    def __init__(self, base: int, authors: list[str], by_seq: dict[int, Item]) -> None:
        self.out: list[str] = []
        self.previous = base
        self.authors = authors
        self.by_seq = by_seq
        self.seq = 1
        self.author = 0
        self.point: tuple[int, str] = (0, "")
        self.direction: str | None = None

    def write(self, item: Item) -> None:
        if item.seq != self.seq:
            if item.seq < self.seq:
                raise ValueError("facts must be in the order of their sequence numbers")
            self.out.append("^" + number_text(item.seq))
        author = self.authors.index(item.author)
        if author != self.author:
            self.out.append("~" + number_text(author))
        self.seq, self.author = item.seq + 1, author
        if item.kind == "void":
            self._void(item)
            return
        if (item.stage, item.checkpoint) != self.point:
            if not _CHECKPOINT.match(item.checkpoint) or not 0 < item.stage < 1000:
                raise ValueError(f"cannot write the timing point {item.stage}/{item.checkpoint}")
            self.out.append(f"@{item.stage}/{item.checkpoint};")
            self.point = (item.stage, item.checkpoint)
        if item.direction != self.direction:
            self.out.append({"in": "<", "out": ">", None: "="}[item.direction])
            self.direction = item.direction
        if item.kind == "withdrawal":
            signs = {status: sign for sign, status in WITHDRAWAL_SIGNS.items()}
            self.out.append(signs[item.status or ""])
        elif item.kind != "entry":
            raise ValueError(f"cannot write a {item.kind}")
        if item.bib is None or not 0 < item.bib <= MAX_BIB:
            raise ValueError(f"cannot write bib {item.bib}")
        mode, delta = self._time(item)
        self.out.append(number_text(item.bib * 4 + mode) + number_text(delta))
        self._reason(item)

    def _time(self, item: Item) -> tuple[int, int]:
        mode, at, previous = TYPED[item.typed], item.at, self.previous
        self.previous = at
        if mode == MINUTES:
            if at % 60:
                raise ValueError("a typed HH:MM is a whole minute")
            return mode, zigzag(at // 60 - previous // 60)
        if mode == SECONDS:
            return mode, zigzag(at - previous)
        return (CLOCK, at - previous) if at >= previous else (CLOCK_BACK, previous - at - 1)

    def _void(self, item: Item) -> None:
        target = self.by_seq.get(item.target or 0)
        if target is None or target.kind == "void" or item.typed is not None:
            raise ValueError(f"void #{item.seq} must travel with what it voids")
        if (item.bib, item.stage, item.checkpoint, item.direction) != (
            target.bib,
            target.stage,
            target.checkpoint,
            target.direction,
        ):
            raise ValueError(f"void #{item.seq} is not about the fact it voids")
        self.out.append("!" + number_text(item.seq - target.seq - 1))
        self.out.append(number_text(zigzag(item.at - self.previous)))
        self.previous = item.at
        self._reason(item)

    def _reason(self, item: Item) -> None:
        if item.reason:
            self.out.append("'" + quote(item.reason, safe="") + "'")


class _Reader:
    """Reads the body; every way it can go wrong is a CompactError."""

    def __init__(self, body: str, base: int, authors: list[str]) -> None:
        self.body, self.position, self.previous, self.authors = body, 0, base, authors
        self.seq = 1
        self.author = 0
        self.direction: str | None = None
        self.point: tuple[int, str] | None = None
        self.items: dict[int, Item] = {}

    def read(self) -> tuple[Item, ...]:
        while self.position < len(self.body):
            self._token()
        if not self.items:
            raise CompactError("the message holds no facts")
        return tuple(self.items.values())

    def _token(self) -> None:
        char = self.body[self.position]
        if char in "^~@<>=!":
            self.position += 1
        if char == "^":
            seq = self._number()
            if not self.seq <= seq <= MAX_SEQ:
                raise self._damaged()
            self.seq = seq
        elif char == "~":
            self.author = self._number()
            if self.author >= len(self.authors):
                raise self._damaged()
        elif char == "@":
            match = _POINT.match(self.body, self.position)
            if match is None:
                raise self._damaged()
            self.point, self.position = (int(match[1]), match[2]), match.end()
        elif char in DIRECTIONS:
            self.direction = DIRECTIONS[char]
        elif char == "!":
            self._void()
        else:
            self._passing()

    def _passing(self) -> None:
        status = WITHDRAWAL_SIGNS.get(self.body[self.position])
        self.position += status is not None
        head = self._number()
        bib, mode = divmod(head, 4)
        if self.point is None or not 0 < bib <= MAX_BIB:
            raise self._damaged()
        delta = self._number()
        if mode == MINUTES:
            at = (self.previous // 60 + unzigzag(delta)) * 60
        elif mode == SECONDS:
            at = self.previous + unzigzag(delta)
        else:
            at = self.previous + delta if mode == CLOCK else self.previous - delta - 1
        typed = {MINUTES: "minutes", SECONDS: "seconds"}.get(mode)
        kind = "entry" if status is None else "withdrawal"
        stage, checkpoint = self.point
        self._add(Item(0, kind, "", stage, checkpoint, self.direction, at, typed, bib, status))
        if status is not None:
            self.items[self.seq - 1] = replace(self.items[self.seq - 1], reason=self._reason())

    def _void(self) -> None:
        target = self.items.get(self.seq - self._number() - 1)
        at = self.previous + unzigzag(self._number())
        if target is None or target.kind == "void":
            raise CompactError(f"void #{self.seq} does not travel with the fact it voids")
        point = (target.stage, target.checkpoint, target.direction)
        void = Item(0, "void", "", *point, at, bib=target.bib, target=target.seq)
        self._add(replace(void, reason=self._reason()))

    def _add(self, item: Item) -> None:
        if not EARLIEST <= item.at <= LATEST or self.seq > MAX_SEQ:
            raise self._damaged()
        author = self.authors[self.author]
        self.items[self.seq] = replace(item, seq=self.seq, author=author)
        self.previous, self.seq = item.at, self.seq + 1

    def _reason(self) -> str:
        if not self.body.startswith("'", self.position):
            return ""
        end = self.body.find("'", self.position + 1)
        if end < 0:
            raise self._damaged()
        text = _unquote(self.body[self.position + 1 : end])
        self.position = end + 1
        if text is None or not text or len(text) > MAX_TEXT:
            raise self._damaged()
        return text

    def _number(self) -> int:
        value, start = 0, self.position
        while self.position < len(self.body) and self.body[self.position] in LEADING:
            value = value * 30 + LEADING.index(self.body[self.position]) + 1
            self.position += 1
        if self.position >= len(self.body) or self.position - start >= MAX_DIGITS:
            raise self._damaged()
        last = TERMINAL.find(self.body[self.position])
        if last < 0:
            raise self._damaged()
        self.position += 1
        return value * 32 + last

    def _damaged(self) -> CompactError:
        return CompactError(f"the message is damaged at character {self.position + 1} of its body")


def _names(field: str) -> list[str]:
    names: list[str] = []
    for part in field.split(","):
        name = _unquote(part)
        if not name or len(name) > MAX_TEXT:
            raise CompactError("the message's list of authors is not valid")
        names.append(name)
    return names


def _unquote(text: str) -> str | None:
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


def _base36(value: int) -> str:
    digits = ""
    while True:
        value, digit = divmod(value, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not value:
            return digits


def _check(text: str) -> str:
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
    return "".join(TERMINAL[(digest >> (5 * index)) & 31] for index in range(6))
