"""A neutral historical race result, as another timing system exported it.

The readers (``utmb``, ``sportident``) turn a real export into these frozen values and
nothing else: no store, no domain rules. A row that cannot be read is never dropped in
silence: it is kept aside as one problem per bad field, ``"file:line: field: message"``.

The small text and time helpers the readers share live here too (stdlib only), and the
one error a reader raises for a file it cannot read at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from desert_runners.domain.errors import UserError

Gender = Literal["M", "F"]
# "dq": the file says the runner was disqualified (SPORTident "DSQ"); they may have a time.
Status = Literal["finished", "dnf", "dq"]
# "gender": the official places restart for each gender (100 Meilen Berlin).
RanksBy = Literal["overall", "gender"]


@dataclass(frozen=True)
class TimingPoint:
    """A place where the export has a time: ``id`` as in the file, km from the start."""

    id: str
    name: str
    km: float | None = None
    climb_m: float | None = None
    descent_m: float | None = None
    elevation_m: float | None = None
    cutoff: bool = False


@dataclass(frozen=True)
class HistoricalRow:
    """One starter (or relay team) as the file has it; ``line`` is the physical line."""

    line: int
    bib: int | None
    name: str
    given_name: str
    family_name: str
    gender: Gender | None
    category: str
    nationality: str
    team: str
    course: str
    status: Status
    official_rank: int | None
    official_time: timedelta | None
    # Elapsed from the start at each of the race's timing points, None where missing.
    elapsed: tuple[timedelta | None, ...]
    birth_year: int | None


@dataclass(frozen=True)
class HistoricalRace:
    """One course of one file: its timing points, its rows, the rows kept aside."""

    source: str
    format: str
    name: str
    year: int | None
    course: str
    timing_points: tuple[TimingPoint, ...]
    rows: tuple[HistoricalRow, ...]
    problems: tuple[str, ...]
    ranks_by: RanksBy


# --- helpers shared by the readers ------------------------------------------------------

MAX_BIB = 999_999  # far above any race, well inside a database integer
MAX_HOURS = 9999  # far above any race: a longer elapsed time is a typo
_ELAPSED = re.compile(r"(\d+):([0-5]\d):([0-5]\d)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_UTF8_BOM = b"\xef\xbb\xbf"
# Bytes cp1252 leaves undefined: a tool that went through cp1252 passed them on as they were.
_CP1252_HOLES = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))
_MAC_ROMAN = bytes(range(256)).decode("mac_roman")
MAC_ROMAN_MOJIBAKE = "utf-8 read as cp1252 then saved as mac-roman"


class HistoricalFormatError(UserError, ValueError):
    """The file cannot be read as any historical format; one line naming the file."""


def problem(file: str, line: int, field: str, message: str) -> str:
    return f"{file}:{line}: {field}: {message}"


def parse_elapsed(text: str) -> timedelta:
    """``H:MM:SS`` with any number of hours (a 100-mile race passes 24 h), up to
    ``MAX_HOURS``."""
    match = _ELAPSED.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a time H:MM:SS")
    if int(match[1]) > MAX_HOURS:
        raise ValueError(f"{text.strip()!r} is more than {MAX_HOURS} hours")
    return timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3]))


def whole_number(text: str) -> int | None:
    """ASCII digits as a number, else None (``"²"`` is ``isdigit()`` but no ``int()``)."""
    return int(text) if text.isascii() and text.isdigit() else None


def year_in(text: str) -> int | None:
    """The one year (1900-2099) written in ``text`` (a file name), else None."""
    years = {int(found) for found in _YEAR.findall(text)}
    return years.pop() if len(years) == 1 else None


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a file and how it was encoded.

    UTF-8 first. Then one damage seen in real exports (UTMB 2016): UTF-8 text read as
    cp1252 and saved again as Mac Roman, so ``é`` (C3 A9) became ``Ã©`` and then the bytes
    CC A9. Undoing that gives UTF-8 back; a character whose second byte Mac Roman has no
    place for was written as ``_`` and is lost: it reads as U+FFFD. Such bytes can happen
    to be valid UTF-8 too (CC A9 is U+0329), so when both readings work the one with the
    more plausible letters wins. Else cp1252.
    """
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    undone = _undo_mac_roman_of_cp1252(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if undone is None or _plausibility(undone) <= _plausibility(text):
            return text, "utf-8"
    if undone is not None:
        return undone, MAC_ROMAN_MOJIBAKE
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _cp1252_byte(byte: int) -> int | None:
    try:
        return _MAC_ROMAN[byte].encode("cp1252")[0]
    except UnicodeEncodeError:
        return None


def _utf8_length(lead: int | None) -> int:
    """How many continuation bytes a UTF-8 lead byte announces; -1 if it is no lead."""
    if lead is None:
        return -1
    if 0xC2 <= lead <= 0xDF:
        return 1
    if 0xE0 <= lead <= 0xEF:
        return 2
    if 0xF0 <= lead <= 0xF4:
        return 3
    return -1


def _undo_mac_roman_of_cp1252(raw: bytes) -> str | None:
    """UTF-8 text back from its Mac Roman of cp1252 mojibake, or None if it is not that."""
    out = bytearray()
    index = 0
    sequences = 0
    while index < len(raw):
        byte = raw[index]
        if byte < 0x80:
            out.append(byte)
            index += 1
            continue
        lead = _cp1252_byte(byte)
        length = _utf8_length(lead)
        if lead is None or length < 0 or index + length >= len(raw):
            return None
        sequence = bytearray((lead,))
        lost = False
        for offset in range(1, length + 1):
            following = raw[index + offset]
            mapped = _cp1252_byte(following)
            if mapped is not None and 0x80 <= mapped <= 0xBF:
                sequence.append(mapped)
            elif following in _CP1252_HOLES:
                sequence.append(following)
            elif following == 0x5F:  # "_": Mac Roman had no place for this byte
                lost = True
            else:
                return None
        out += "\ufffd".encode() if lost else bytes(sequence)
        sequences += 1
        index += length + 1
    if sequences == 0:
        return None
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _plausibility(text: str) -> int:
    """Lower-case letters count for, anything else non-ASCII against (Ã, Œ, ©, ...), and
    a combining mark left over after composing (no letter to sit on) twice against."""
    text = unicodedata.normalize("NFC", text)
    return sum(
        1 if char.isalpha() and char.islower() else -2 if unicodedata.combining(char) else -1
        for char in text
        if ord(char) > 127
    )


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was read as a one-byte charset (``RÃŒckstand`` -> ``Rückstand``).

    Only when it is clear: the text, written back in cp1252, ISO 8859-15 or Latin-1, must
    be valid UTF-8 (ordinary accented text almost never is), and the result must read
    better (more lower-case letters, fewer stray symbols). Else the text is kept as is.
    """
    if text.isascii():
        return text
    best, best_score = text, _plausibility(text)
    for charset in ("cp1252", "iso8859_15", "latin-1"):
        try:
            candidate = text.encode(charset).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        score = _plausibility(candidate)
        if score > best_score:
            best, best_score = candidate, score
    return best


def fold(text: str) -> str:
    """Lower case, no accents, letters and digits only: for comparing place names."""
    text = text.casefold().replace("ß", "ss")
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    return re.sub(r"[^0-9a-z]", "", text)
