"""Output helpers shared by the commands: Rich for people, JSON for scripts."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from rich.console import Console

from desert_runners.domain.race import format_duration

# Piped or captured output has no terminal width; Rich would assume 80 columns and
# squeeze the tables, so give it room (a terminal's own width is used as it is).
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)

JSON_OPTION_HELP = "Print JSON instead of a table, for scripts."


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=_plain)
    sys.stdout.write("\n")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def number(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"
