"""Series standings across races, and the links that say who is the same person."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from desert_runners.adapters.storage import entrant_repo, link_repo, race_repo
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.race import Series
from desert_runners.results.matching import Link, Matching, RaceEntry, match_persons
from desert_runners.results.series import Standings, series_standings
from desert_runners.services.results import compute


@dataclass(frozen=True)
class SeriesReport:
    series: Series
    standings: Standings
    matching: Matching
    names: dict[str, str]  # person id -> a display name


def _find_series(context: Context, slug: str | None) -> tuple[int, Series]:
    with context.store.read() as connection:
        slugs = race_repo.series_slugs(connection)
        if slug is None:
            if len(slugs) != 1:
                raise UserError(
                    "no series is loaded yet"
                    if not slugs
                    else f"say which series with --series: {', '.join(slugs)}"
                )
            slug = slugs[0]
        found = race_repo.get_series(connection, slug)
        series_id = race_repo.series_id(connection, slug)
    if found is None or series_id is None:
        raise UserError(f"no series '{slug}' (series: {', '.join(slugs) or 'none loaded yet'})")
    return series_id, found


def matching_of(
    context: Context, series_id: int, series: Series
) -> tuple[Matching, dict[str, str]]:
    with context.store.read() as connection:
        rows = race_repo.races_of_series(connection, series.slug)
        entries = _entries(connection, series.slug)
        links = link_repo.links_of(connection, series_id)
    order = [row.race.slug for row in sorted(rows, key=lambda r: r.race.starts_on)]
    try:
        matching = match_persons(entries, links, race_order=order)
    except ValueError as error:  # links stored before they were checked on link
        raise UserError(
            f"the links of {series.slug} contradict each other ({error}): "
            "correct one with desert-runners people link"
        ) from None
    names = {
        person.id: f"{person.entries[0].given_name} {person.entries[0].family_name}".strip()
        for person in matching.persons
    }
    return matching, names


def standings(context: Context, slug: str | None) -> SeriesReport:
    series_id, series = _find_series(context, slug)
    matching, names = matching_of(context, series_id, series)
    with context.store.read() as connection:
        races = [row.race for row in race_repo.races_of_series(connection, series.slug)]
    results = {}
    for race in races:
        computed = compute(context, race.slug)
        if len(computed.stages) == len(race.stages):  # only a race run to its end counts
            results[race.slug] = computed.overall(len(race.stages))
    return SeriesReport(series, series_standings(series, races, matching, results), matching, names)


def link(context: Context, first: str, second: str, *, same: bool, reason: str) -> Link:
    """``first`` and ``second`` as RACE/BIB; both races of one series."""
    (race_a, bib_a), (race_b, bib_b) = _entry(first), _entry(second)
    with context.store.write() as connection:
        row_a, row_b = (
            race_repo.get_race(connection, race_a),
            race_repo.get_race(connection, race_b),
        )
        for given, row, bib in ((first, row_a, bib_a), (second, row_b, bib_b)):
            if row is None:
                raise UserError(f"{given}: no race '{given.split('/')[0]}'")
            if bib not in entrant_repo.entrant_bibs(connection, row.id):
                raise UserError(f"{given}: bib {bib} is not an entrant of {row.race.slug}")
        assert row_a is not None
        assert row_b is not None
        if row_a.race.series != row_b.race.series:
            raise UserError(f"{race_a} and {race_b} are not races of one series")
        if race_a == race_b:
            raise UserError("two entrants of one race are never the same person")
        series_id = race_repo.series_id(connection, row_a.race.series)
        assert series_id is not None
        new = Link(race_a, bib_a, race_b, bib_b, same)
        _check_agrees(connection, row_a.race.series, series_id, new, f"{first} and {second}")
        link_repo.add_link(connection, series_id, new, reason, context.author, context.clock())
    return new


def _check_agrees(
    connection: Connection, series: str, series_id: int, new: Link, pair: str
) -> None:
    """Refuse a link the matching would find contradicting the others (two entrants of one
    race in one person, or joined and kept apart), before it is stored: stored, it would
    break the series standings."""
    same_pair = {(new.race_a, new.bib_a), (new.race_b, new.bib_b)}
    # A later ruling on the same pair replaces the earlier one (as link_repo.links_of does).
    kept = [
        old
        for old in link_repo.links_of(connection, series_id)
        if {(old.race_a, old.bib_a), (old.race_b, old.bib_b)} != same_pair
    ]
    try:
        match_persons(_entries(connection, series), [*kept, new])
    except ValueError as error:
        raise UserError(f"cannot link {pair}: {error}; nothing stored") from None


def _entries(connection: Connection, series: str) -> list[RaceEntry]:
    return [
        RaceEntry.from_entrant(row.race.slug, entrant)
        for row in race_repo.races_of_series(connection, series)
        for entrant, _ in entrant_repo.list_entrants(connection, row.id)
    ]


def _entry(text: str) -> tuple[str, int]:
    race, _, bib = text.rpartition("/")
    if not race or not (bib.isascii() and bib.isdigit()):  # not "²", which int() refuses
        raise UserError(f"{text!r}: expected RACE/BIB, e.g. gobi-march-2010/124")
    return race, int(bib)
