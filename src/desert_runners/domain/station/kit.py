"""The station kit: everything a checkpoint laptop needs, in one file made at camp.

The race and series definitions as stored at camp, the entrants with their chip tags,
who is already out of the race, where the station records, and the station's token
(which the camp asks for when the station syncs over the network: keep the kit like a
key). A checksum over the whole document tells a damaged copy from a good one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from desert_runners.domain.entrant import Entrant
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction
from desert_runners.domain.station.keys import check_station_name

FORMAT = "desert-runners/station-kit"
VERSION = 1


class KitError(UserError):
    pass


@dataclass(frozen=True)
class StationKit:
    kit: str  # the kit's id, as the camp lists it
    issued_at: datetime
    issued_by: str
    station: str
    stage: int
    checkpoint: str
    direction: Direction | None
    token: str
    series: dict[str, Any]  # slug, name, definition
    race: dict[str, Any]  # slug, definition, digest, source
    entrants: list[dict[str, Any]]
    out_of_race: dict[int, str]  # bib -> why the runner is out, when the kit was made

    @property
    def race_slug(self) -> str:
        return str(self.race["slug"])


def encode_kit(kit: StationKit) -> str:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "kit": kit.kit,
        "issued_at": kit.issued_at.isoformat(),
        "issued_by": kit.issued_by,
        "station": {
            "name": kit.station,
            "stage": kit.stage,
            "checkpoint": kit.checkpoint,
            "direction": kit.direction.value if kit.direction else None,
            "token": kit.token,
        },
        "series": kit.series,
        "race": kit.race,
        "entrants": kit.entrants,
        "out_of_race": sorted([bib, why] for bib, why in kit.out_of_race.items()),
    }
    document["checksum"] = _checksum(document)
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def decode_kit(text: str) -> StationKit:
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise KitError("not a station kit (make one at camp with `desert-runners station kit`)")
    if document.get("version") != VERSION:
        raise KitError(f"kit version {document.get('version')!r}: this software reads {VERSION}")
    body = {name: value for name, value in document.items() if name != "checksum"}
    if document.get("checksum") != _checksum(body):
        raise KitError("the kit is damaged (its checksum does not match): copy it again")
    try:
        return _kit(document)
    except (KeyError, TypeError, ValueError):
        raise KitError("the kit is not complete: make it again at camp") from None


def _kit(document: dict[str, Any]) -> StationKit:
    station = document["station"]
    direction = station["direction"]
    race, series = document["race"], document["series"]
    if not isinstance(race["definition"], dict) or not isinstance(series["definition"], dict):
        raise ValueError("definitions")
    entrants = document["entrants"]
    if not isinstance(entrants, list) or not all(isinstance(item, dict) for item in entrants):
        raise ValueError("entrants")
    for record in entrants:
        entrant_of(record)  # refused here, not half-way through the set-up
    return StationKit(
        kit=str(document["kit"]),
        issued_at=datetime.fromisoformat(document["issued_at"]),
        issued_by=str(document["issued_by"]),
        station=check_station_name(str(station["name"])),
        stage=int(station["stage"]),
        checkpoint=str(station["checkpoint"]),
        direction=Direction(direction) if direction else None,
        token=str(station["token"]),
        series=dict(series),
        race=dict(race),
        entrants=entrants,
        out_of_race={int(bib): str(why) for bib, why in document["out_of_race"]},
    )


def entrant_record(entrant: Entrant) -> dict[str, Any]:
    record = asdict(entrant)
    record["date_of_birth"] = entrant.date_of_birth.isoformat() if entrant.date_of_birth else None
    record["tags"] = list(entrant.tags)
    return record


def entrant_of(record: dict[str, Any]) -> Entrant:
    born = record.get("date_of_birth")
    fields = record | {"date_of_birth": date.fromisoformat(born) if born else None}
    return Entrant(**fields | {"tags": tuple(record.get("tags", ()))})


def _checksum(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
