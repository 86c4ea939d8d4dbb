"""Reading a whole file of device lines: decoding, line ends, headers, line numbers.

Every format's ``read_file`` goes through here, so a file is read the same way whatever
wrote it: UTF-8 (a byte order mark is dropped), or latin-1 when the bytes are not UTF-8
(latin-1 decodes any byte, so reading never fails on content; ``ReadFile.encoding`` says
which was used). Lines end in CR, LF or CRLF. Blank lines and the lines the format
recognises as not being reads (a header, a heartbeat, a banner) are skipped; every other
line becomes a ``DeviceRead`` or a ``LineProblem`` numbered from 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from desert_runners.adapters.readers.model import DeviceRead, LineProblem, ParseResult
from desert_runners.domain.errors import UserError

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class ReadFile:
    reads: tuple[DeviceRead, ...]
    problems: tuple[LineProblem, ...]
    lines: int  # physical lines in the file, blank and skipped ones included
    encoding: str = "utf-8"  # "latin-1" when the bytes were not valid UTF-8


def decode_lines(path: Path) -> tuple[list[str], str]:
    """The file's lines without their ends, and the encoding that read them.

    Raises ``UserError`` (one line) when the file cannot be read at all.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # Old Windows tools write latin-1 (or cp1252, whose extra letters never occur in
        # tag ids or times); latin-1 maps every byte, so nothing is lost from ``raw``.
        text, encoding = data.decode("latin-1"), "latin-1"
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the end of the last line, not an extra empty line
    return lines, encoding


def collect(
    lines: Sequence[str],
    parse: Callable[[str, int], ParseResult],
    skip: Callable[[str], bool] = lambda _text: False,
    encoding: str = "utf-8",
) -> ReadFile:
    """Parse each line that is neither blank (NULs count as blank) nor skipped."""
    reads: list[DeviceRead] = []
    problems: list[LineProblem] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip(" \t\0") or skip(text):
            continue
        result = parse(text, number)
        if isinstance(result, DeviceRead):
            reads.append(result)
        else:
            problems.append(result)
    return ReadFile(tuple(reads), tuple(problems), len(lines), encoding)


def read_lines(
    path: Path,
    parse: Callable[[str, int], ParseResult],
    skip: Callable[[str], bool] = lambda _text: False,
) -> ReadFile:
    """Decode ``path`` and parse it line by line."""
    lines, encoding = decode_lines(path)
    return collect(lines, parse, skip, encoding)
