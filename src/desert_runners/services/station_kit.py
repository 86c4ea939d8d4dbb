"""Getting the race onto a checkpoint laptop: the kit made at camp, set up on the laptop.

At camp, ``issue_kit`` writes the kit file and registers the station's token (its hash
only). On the laptop, ``set_up_station`` loads the kit into the laptop's own database,
all of it or nothing. A laptop is one station of one race; it may be set up again with
a newer kit for the same station (tomorrow's checkpoint, entrants changed at camp).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy.engine import Connection

from desert_runners.adapters.importers.race_definition import LoadedRace, race_from_definition
from desert_runners.adapters.storage import entrant_repo, race_repo, station_repo
from desert_runners.adapters.storage.event_log import append
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.domain.race import Race, Series, SeriesEvent
from desert_runners.domain.station.keys import check_station_name
from desert_runners.domain.station.kit import (
    KitError,
    StationKit,
    decode_kit,
    encode_kit,
    entrant_of,
    entrant_record,
)
from desert_runners.results.stage import leaving_the_race
from desert_runners.services.races import find_race
from desert_runners.services.recording import TimingPoint, find_timing_point
from desert_runners.services.results import compute


@dataclass(frozen=True)
class KitMade:
    race: str
    station: str
    kit: str
    point: str  # STAGE/CHECKPOINT
    direction: Direction | None
    entrants: int
    out_of_race: int


@dataclass(frozen=True)
class StationSetUp:
    race: str
    station: str
    kit: str
    point: str
    direction: Direction | None
    entrants: int
    out_of_race: int
    install: str
    again: bool  # the laptop was a station already (a newer kit)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_kit(
    context: Context,
    race_slug: str | None,
    reference: str,
    station: str,
    output: Path,
    direction: Direction | None = None,
) -> KitMade:
    row = find_race(context, race_slug)
    race = row.race
    check_station_name(station)
    point = find_timing_point(race, reference)
    direction = _direction(point, direction)
    out = out_of_race(context, race, point.stage.number)
    token, kit_id = secrets.token_urlsafe(24), "k" + secrets.token_hex(4)
    with context.store.write() as connection:
        series = race_repo.get_series(connection, race.series)
        series_definition = station_repo.series_definition(connection, race.series)
        entrants = [entrant for entrant, _ in entrant_repo.list_entrants(connection, row.id)]
        assert series is not None, "a stored race always has its series"
        kit = StationKit(
            kit=kit_id,
            issued_at=context.clock(),
            issued_by=context.author,
            station=station,
            stage=point.stage.number,
            checkpoint=point.id,
            direction=direction,
            token=token,
            series={"slug": series.slug, "name": series.name, "definition": series_definition},
            race=station_repo.race_document(connection, race.slug) | {"source": row.source},
            entrants=[entrant_record(entrant) for entrant in entrants],
            out_of_race=out,
        )
        station_repo.add_kit(
            connection,
            station_repo.Kit(
                row.id,
                station,
                kit_id,
                point.stage.number,
                point.id,
                direction,
                token_hash(token),
                kit.issued_at,
                context.author,
            ),
        )
        # Written inside the transaction: a kit that cannot be written is not registered.
        write_secret_file(output, encode_kit(kit))
    where = f"{point.stage.number}/{point.id}"
    return KitMade(race.slug, station, kit_id, where, direction, len(entrants), len(out))


def out_of_race(context: Context, race: Race, stage: int) -> dict[int, str]:
    """Who is out before ``stage`` starts (as the results have it now), and who has
    already withdrawn from it: the station warns before recording them."""
    computed = compute(context, race.slug)
    out: dict[int, str] = {}
    for number, table in sorted(computed.stages.items()):
        if number < stage:
            for bib, why in leaving_the_race(race, table).iter_rows():
                out.setdefault(int(bib), str(why))
    withdrawn = computed.facts.filter(
        (pl.col("kind") == "withdrawal") & (pl.col("stage") == stage)
    ).sort("event_id")
    for bib, status, reason in withdrawn.select("bib", "status", "reason").iter_rows():
        if bib is not None:
            out.setdefault(int(bib), f"withdrew from stage {stage}: {reason or status}")
    return out


def set_up_station(context: Context, path: Path) -> StationSetUp:
    kit = read_kit(path)
    race = _race_of(kit, path)
    now = context.clock()
    with context.store.write() as connection:
        current = station_repo.current_setup(connection)
        _check_fits(connection, kit, current, path)
        race_id = _store_race(context, connection, kit, race)
        owner = race_repo.series_id(connection, race.series)
        assert owner is not None
        for record in kit.entrants:
            entrant = entrant_of(record)
            try:
                entrant_repo.save_entrant(connection, race_id, owner, entrant, now, context.author)
            except entrant_repo.SamePersonTwiceError as twice:
                raise UserError(
                    f"{path}: {entrant.name} is bib {entrant.bib} in the kit but bib "
                    f"{twice.bib} on this station: export what it saved, then set the kit "
                    "up in a new database (--db)"
                ) from None
        install = current.install if current else _install_id()
        setup = station_repo.Setup(
            race_id,
            kit.station,
            install,
            kit.kit,
            kit.stage,
            kit.checkpoint,
            kit.direction,
            kit.token,
            kit.out_of_race,
            now,
            context.author,
        )
        station_repo.add_setup(connection, setup)
    return StationSetUp(
        race.slug,
        kit.station,
        kit.kit,
        f"{kit.stage}/{kit.checkpoint}",
        kit.direction,
        len(kit.entrants),
        len(kit.out_of_race),
        install,
        current is not None,
    )


def read_kit(path: Path) -> StationKit:
    text = read_text(path)
    try:
        return decode_kit(text)
    except UserError as error:
        raise KitError(f"{path}: {error}") from None


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a text file") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read the file: {error.strerror}") from None


def write_secret_file(path: Path, text: str) -> None:
    """Whole or not at all (a temporary file renamed), readable by its owner only."""
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write the file: {error.strerror}") from None


def _direction(point: TimingPoint, direction: Direction | None) -> Direction | None:
    in_out = point.checkpoint is not None and point.checkpoint.in_out
    if direction is not None and not in_out:
        raise UserError(
            f"{point.stage.number}/{point.id} records a single time: "
            "--direction is only for checkpoints with in and out times"
        )
    return direction or (Direction.IN if in_out else None)


def _race_of(kit: StationKit, path: Path) -> Race:
    try:
        race = race_from_definition(kit.race["definition"])
    except (KeyError, TypeError, ValueError):
        raise KitError(f"{path}: the kit's race definition cannot be read") from None
    if race.stage(kit.stage) is None:
        raise KitError(f"{path}: the kit's race has no stage {kit.stage}")
    return race


def _check_fits(
    connection: Connection, kit: StationKit, current: station_repo.Setup | None, path: Path
) -> None:
    slugs = race_repo.race_slugs(connection)
    if current is None and slugs:
        raise UserError(
            f"{path}: this database holds races ({', '.join(slugs)}) and is not a station's: "
            "give the station a database of its own (--db)"
        )
    if current is None:
        return
    race = station_repo.race_slug(connection, current.race_id)
    if race != kit.race_slug:
        raise UserError(
            f"{path} is a kit for {kit.race_slug}, but this station records {race}: "
            "give it a database of its own (--db)"
        )
    if current.station != kit.station:
        raise UserError(
            f"{path} is a kit for station {kit.station}, but this laptop is station "
            f"{current.station}: give it a database of its own (--db)"
        )


def _store_race(context: Context, connection: Connection, kit: StationKit, race: Race) -> int:
    series_document = kit.series
    definition = dict(series_document["definition"])
    events = tuple(SeriesEvent(**event) for event in definition.get("events", []))
    series = Series(str(series_document["slug"]), str(series_document["name"]), events)
    race_repo.save_series(connection, series, definition, context.clock())
    owner = race_repo.series_id(connection, series.slug)
    assert owner is not None
    digest = str(kit.race["digest"])
    before = race_repo.race_digest(connection, race.slug)
    loaded = LoadedRace(race, dict(kit.race["definition"]), f"kit {kit.kit}", digest)
    race_id = race_repo.save_race(connection, owner, loaded, context.clock())
    if before != digest:
        outcome = "added" if before is None else "updated"
        fact = Fact(
            kind=EventKind.DEFINITION,
            source=f"kit {kit.kit}",
            author=context.author,
            payload={"outcome": outcome, "digest": digest, "previous_digest": before},
        )
        append(connection, race_id, race.slug, [fact], context.clock())
    return race_id


def _install_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(6))
