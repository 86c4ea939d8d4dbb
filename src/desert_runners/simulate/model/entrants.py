"""A race's field: invented people with a realistic mix for a desert stage race.

- nationalities by ``names.NATIONALITY_WEIGHT``, the host country boosted;
- ages 21-70 on race day, most 30-55; about a quarter women;
- a few teams of three (sometimes four), on consecutive bibs;
- the series' regulars ("Grand Slam hopefuls"): the same people, same names, dates of
  birth and nationalities, in every race of the series that year, drawn from a stream
  that depends on the series, the year and the seed only (``series_regulars``);
- one chip tag each (10 hex digits), a spare second one for a few; a few unused bibs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from desert_runners.domain.race import Race
from desert_runners.simulate.model.daylight import alpha_3
from desert_runners.simulate.model.names import (
    CALLING_CODE,
    HOST_BOOST,
    NAMES,
    NATIONALITY_WEIGHT,
    family_name,
)
from desert_runners.simulate.model.rng import stream

WOMEN_SHARE = 0.25
MIN_AGE, MAX_AGE = 21, 70
REGULARS_MAX = 30  # Grand Slam hopefuls: a few dozen at most, whatever the field's size
RUNNERS_PER_TEAM = 50  # one team of three for each fifty entrants
SPARE_TAG_SHARE = 0.03
UNUSED_BIB_SHARE = 0.03  # entries withdrawn before the start leave their bib unused
TAG_DIGITS = 10
SLAM_TEAM = "Slam Seekers"  # three regulars racing the whole series as a team

# fmt: off
_TEAM_WORDS = (("Dune", "Sand", "Desert", "Dust", "Camel", "Mirage", "Oasis", "Salt", "Sun",
                "Storm", "Scorpion", "Cactus", "Canyon", "Nomad", "Wadi", "Gobi", "Silk Road",
                "Condor", "Jackal", "Red Rock"),
               ("Runners", "Striders", "Devils", "Foxes", "Walkers", "Gazelles", "Tortoises",
                "Drifters", "Lizards", "Pilgrims", "Plodders", "Wanderers", "Crawlers",
                "Vipers", "Blisters", "Survivors", "Trotters", "Hopefuls", "Rovers", "Crew"))
# fmt: on


@dataclass(frozen=True)
class Person:
    given_name: str
    family_name: str
    gender: str  # M or F
    date_of_birth: date
    nationality: str  # ISO 3166 alpha-3
    contact: str  # emergency contact: a name and a fictional phone number

    @property
    def key(self) -> tuple[str, str, date]:
        """Who they are for the entrants import: folded names and date of birth."""
        return (_fold(self.given_name), _fold(self.family_name), self.date_of_birth)


@dataclass(frozen=True)
class SimEntrant:
    bib: int
    person: Person
    team: str | None
    tags: tuple[str, ...]
    regular: bool  # entered in every race of the series this year


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _People:
    """Draws people from one random stream, never the same person twice."""

    def __init__(self, rng: np.random.Generator, taken: set[tuple[str, str, date]]) -> None:
        self.rng = rng
        self.taken = taken

    def nationality(self, weights: dict[str, float]) -> str:
        codes = list(weights)
        cumulative = np.cumsum([weights[code] for code in codes])
        return codes[int(np.searchsorted(cumulative, self.rng.random() * cumulative[-1]))]

    def pick(self, names: tuple[str, ...]) -> str:
        return names[int(self.rng.integers(len(names)))]

    def born(self, on: date, low: int, high: int) -> date:
        """A date of birth making them ``low``-``high`` years old on ``on``, most 30-55."""
        if self.rng.random() < 0.78:
            age = round(self.rng.normal(42, 8))
        else:
            age = int(self.rng.integers(low, high + 1))
        age = min(high, max(low, age))
        try:
            birthday = on.replace(year=on.year - age)
        except ValueError:  # 29 February
            birthday = on.replace(year=on.year - age, day=28)
        return birthday - timedelta(days=int(self.rng.integers(0, 365)))

    def person(self, nationality: str, born_on: date, low: int, high: int) -> Person:
        men, women, families = NAMES[nationality]
        gender = "F" if self.rng.random() < WOMEN_SHARE else "M"
        while True:
            given = self.pick(women if gender == "F" else men)
            first, second = self.pick(families), self.pick(families)
            family = family_name(nationality, gender, first, second, self.rng.random() < 0.6)
            born = self.born(born_on, low, high)
            found = Person(given, family, gender, born, nationality, "")
            if found.key not in self.taken:
                self.taken.add(found.key)
                break
        other = self.pick(men if gender == "F" else women)
        code = CALLING_CODE.get(nationality, 1)
        phone = f"+{code} 555 01{int(self.rng.integers(0, 100)):02d}"
        return Person(given, family, gender, born, nationality, f"{other} {family} {phone}")


def regulars_count(entrants: int) -> int:
    return min(REGULARS_MAX, entrants // 5)


def series_regulars(series: str, year: int, seed: int, count: int) -> list[Person]:
    """The first ``count`` regulars of the series' year: the same list in each race.

    Aged 28-64 on 1 July, so they are 21-70 at every race of the year.
    """
    people = _People(stream(seed, "regulars", series, year), set())
    mid_year = date(year, 7, 1)
    return [
        people.person(people.nationality(NATIONALITY_WEIGHT), mid_year, 28, 64)
        for _ in range(count)
    ]


def make_field(race: Race, count: int, seed: int) -> list[SimEntrant]:
    """``count`` entrants for ``race``, in bib order."""
    rng = stream(seed, "field", race.slug)
    regulars = series_regulars(race.series, race.starts_on.year, seed, regulars_count(count))
    people = _People(rng, {person.key for person in regulars})
    weights = dict(NATIONALITY_WEIGHT)
    host = alpha_3(race.country)
    if host in NAMES:
        weights[host] = weights.get(host, 0.0) + HOST_BOOST
    day = race.starts_on
    min_age, max_age = max(MIN_AGE, race.entry.min_age), min(MAX_AGE, race.entry.max_age)
    # Units start on consecutive bibs: a team, or one runner.
    units: list[tuple[str | None, list[Person], bool]] = []
    if len(regulars) >= 3 and race.teams.min_members <= 3:
        units.append((SLAM_TEAM, regulars[:3], True))  # a team of regulars in every race
        units += [(None, [person], True) for person in regulars[3:]]
    else:
        units += [(None, [person], True) for person in regulars]
    left = count - len(regulars)
    teams = max(1, round(count / RUNNERS_PER_TEAM)) if count >= 12 else 0
    names = _team_names(rng, teams)
    for name in names:
        size = min(left, 4 if rng.random() < 0.2 else 3)
        if size < max(3, race.teams.min_members):
            break
        nationality = people.nationality(weights)
        members = [people.person(nationality, day, min_age, max_age) for _ in range(size)]
        units.append((name, members, False))
        left -= size
    units += [
        (None, [people.person(people.nationality(weights), day, min_age, max_age)], False)
        for _ in range(left)
    ]
    order = rng.permutation(len(units))
    entrants: list[SimEntrant] = []
    tags: set[str] = set()
    bib = 0
    for index in order:
        team, members, regular = units[int(index)]
        for person in members:
            bib += 1 + int(rng.random() < UNUSED_BIB_SHARE)
            chips = [_tag(rng, tags)]
            if rng.random() < SPARE_TAG_SHARE:
                chips.append(_tag(rng, tags))
            entrants.append(SimEntrant(bib, person, team, tuple(chips), regular))
    return entrants


def _team_names(rng: np.random.Generator, count: int) -> list[str]:
    first, second = _TEAM_WORDS
    pairs = rng.permutation(len(first) * len(second))[:count]
    names = [f"{first[int(p) // len(second)]} {second[int(p) % len(second)]}" for p in pairs]
    # Past 400 teams, number them.
    return names + [f"Team {n}" for n in range(len(names) + 1, count + 1)]


def _tag(rng: np.random.Generator, taken: set[str]) -> str:
    while True:
        tag = f"{int(rng.integers(0, 16**TAG_DIGITS)):0{TAG_DIGITS}X}"
        if tag not in taken:
            taken.add(tag)
            return tag
