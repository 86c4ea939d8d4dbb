"""Series standings across races, and the links that say who is the same person."""

from __future__ import annotations

from dataclasses import dataclass

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
    entries: list[RaceEntry] = []
    with context.store.read() as connection:
        rows = race_repo.races_of_series(connection, series.slug)
        for row in rows:
            for entrant, _ in entrant_repo.list_entrants(connection, row.id):
                entries.append(RaceEntry.from_entrant(row.race.slug, entrant))
        links = link_repo.links_of(connection, series_id)
    order = [row.race.slug for row in sorted(rows, key=lambda r: r.race.starts_on)]
    matching = match_persons(entries, links, race_order=order)
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
        link_repo.add_link(connection, series_id, new, reason, context.author, context.clock())
    return new


def _entry(text: str) -> tuple[str, int]:
    race, _, bib = text.rpartition("/")
    if not race or not bib.isdigit():
        raise UserError(f"{text!r}: expected RACE/BIB, e.g. gobi-march-2010/124")
    return race, int(bib)
