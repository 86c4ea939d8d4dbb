"""An entrant of one race, and the person behind them across the races of a series."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Entrant:
    bib: int
    given_name: str
    family_name: str
    gender: str  # M, F or X
    nationality: str  # ISO 3166 alpha-3
    date_of_birth: date | None = None
    age: int | None = None  # age on race day, when the date of birth is not known
    team: str | None = None
    tags: tuple[str, ...] = ()  # chip tag ids
    emergency_contact: str = ""  # name and phone, as given
    person: str | None = None  # an explicit identity that links this entrant across races

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return self.age
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def fold_name(name: str) -> str:
    """A name reduced for matching: no accents, no case, single spaces, no punctuation."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(
        char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char)
    )
    return " ".join(letters.casefold().split())


def identity_key(entrant: Entrant) -> str:
    """The key under which the same person is found again in another race of the series.

    An explicit ``person`` wins; otherwise folded names plus date of birth (or, without
    one, nationality), so two namesakes of different birthdays stay two people.
    """
    if entrant.person:
        return f"person:{fold_name(entrant.person)}"
    born = entrant.date_of_birth.isoformat() if entrant.date_of_birth else entrant.nationality
    return f"{fold_name(entrant.given_name)}|{fold_name(entrant.family_name)}|{born}"
