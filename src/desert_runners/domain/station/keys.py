"""A station's name, and the keys of the facts it records.

A fact's key is ``station:<name>:<install>:<sequence>``: the name given at camp, a random
id made when the laptop's database was set up (so a spare laptop set up as the same
station never reuses a key), and the laptop's own count of facts. It is unique across
the race, so the camp stores a fact once however often and however it arrives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desert_runners.domain.errors import UserError

SOURCE_PREFIX = "station:"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")
_INSTALL = re.compile(r"^[a-z0-9]{6}$")
_KEY = re.compile(r"^station:([a-z0-9][a-z0-9-]{0,23}):([a-z0-9]{6}):([1-9][0-9]{0,8})$")


@dataclass(frozen=True)
class StationKey:
    station: str
    install: str
    seq: int


def check_station_name(name: str) -> str:
    if not _NAME.match(name):
        raise UserError(
            f"station name {name!r}: use 1 to 24 lowercase letters, digits and dashes, "
            "starting with a letter or digit (e.g. cp3-a)"
        )
    return name


def is_install_id(text: str) -> bool:
    return bool(_INSTALL.match(text))


def station_source(name: str) -> str:
    return f"{SOURCE_PREFIX}{name}"


def station_of_source(source: str) -> str | None:
    """The station's name for a fact recorded by a station, else None."""
    name = source.removeprefix(SOURCE_PREFIX)
    return name if source.startswith(SOURCE_PREFIX) and _NAME.match(name) else None


def fact_key(station: str, install: str, seq: int) -> str:
    return f"{SOURCE_PREFIX}{station}:{install}:{seq}"


def parse_fact_key(key: str) -> StationKey | None:
    match = _KEY.match(key)
    if match is None:
        return None
    return StationKey(match[1], match[2], int(match[3]))
