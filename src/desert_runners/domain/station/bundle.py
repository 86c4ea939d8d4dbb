"""The bundle file a station writes for a USB stick: JSON lines, checked end to end.

Line 1 is a header (race, station, install id, count of facts); then one fact per line;
the last line is a SHA-256 checksum of everything before it. A file cut short on the
stick has no checksum line (or the wrong one) and is refused whole: nothing from a
damaged file is stored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Fact
from desert_runners.domain.station.keys import check_station_name, is_install_id
from desert_runners.domain.station.wire import WireError, fact_from_wire, fact_to_wire

FORMAT = "desert-runners/station-bundle"
VERSION = 1


class BundleError(UserError):
    pass


@dataclass(frozen=True)
class Bundle:
    race: str
    station: str
    install: str
    created_at: datetime
    facts: tuple[Fact, ...]


def looks_like_bundle(text: str) -> bool:
    return text.lstrip().startswith("{") and FORMAT in text.split("\n", 1)[0]


def encode_bundle(bundle: Bundle) -> str:
    header = {
        "format": FORMAT,
        "version": VERSION,
        "race": bundle.race,
        "station": bundle.station,
        "install": bundle.install,
        "created_at": bundle.created_at.isoformat(),
        "facts": len(bundle.facts),
    }
    lines = [_line(header), *(_line(fact_to_wire(fact)) for fact in bundle.facts)]
    body = "".join(lines)
    return body + _line({"checksum": _checksum(body)})


def decode_bundle(text: str) -> Bundle:
    lines = text.splitlines(keepends=True)
    while lines and not lines[-1].strip():  # an editor's extra blank line is harmless
        lines.pop()
    header = _json(lines[0]) if lines else None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BundleError("not a station bundle (its first line is not a bundle header)")
    if header.get("version") != VERSION:
        raise BundleError(
            f"bundle version {header.get('version')!r}: this software reads version {VERSION}"
        )
    race, station, install, created, count = _header(header)
    trailer = _json(lines[-1]) if len(lines) > 1 else None
    if not isinstance(trailer, dict) or set(trailer) != {"checksum"} or len(lines) != count + 2:
        raise BundleError(
            f"the bundle is incomplete ({max(len(lines) - 2, 0)} of {count} facts or no "
            "checksum line): copy it again from the station"
        )
    if trailer["checksum"] != _checksum("".join(lines[:-1])):
        raise BundleError("the bundle is damaged (its checksum does not match): copy it again")
    facts = []
    for number, line in enumerate(lines[1:-1], start=2):
        try:
            facts.append(fact_from_wire(_json(line), station))
        except WireError as error:
            raise BundleError(f"line {number}: {error}") from None
    return Bundle(race, station, install, created, tuple(facts))


def _header(header: dict[str, Any]) -> tuple[str, str, str, datetime, int]:
    race, station, install = header.get("race"), header.get("station"), header.get("install")
    count, created = header.get("facts"), header.get("created_at")
    try:
        when = datetime.fromisoformat(created) if isinstance(created, str) else None
    except ValueError:
        when = None
    if (
        not isinstance(race, str)
        or not isinstance(station, str)
        or not isinstance(install, str)
        or not is_install_id(install)
        or not isinstance(count, int)
        or isinstance(count, bool)
        or count < 0
        or when is None
        or when.utcoffset() is None
    ):
        raise BundleError("the bundle's header is not valid: copy it again from the station")
    return race, check_station_name(station), install, when, count


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _json(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _checksum(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
