"""Checks on one entrant that need their race: entry ages and gender categories.

The entrants file reader checks each field's shape on its own; only these rules
depend on the race definition. They are warnings for the race office to rule on
(an exception may have been granted), so they are returned, never raised. Rules
that need other races (The Last Desert's required finishes) need the series
history and are checked where that history is.
"""

from __future__ import annotations

from desert_runners.domain.entrant import Entrant
from desert_runners.domain.race import Race


def check_entrant(entrant: Entrant, race: Race) -> list[tuple[str, str]]:
    """(field, message) for each race rule the entrant does not meet; empty when fine."""
    problems: list[tuple[str, str]] = []
    rule = f"({race.entry.min_age}-{race.entry.max_age})"
    # The age that counts is the age on race day, from the date of birth when known.
    field = "date_of_birth" if entrant.date_of_birth is not None else "age"
    age = entrant.age_on(race.starts_on)
    if age is None:
        problems.append((field, f"no date of birth or age, so the entry rule {rule} is unchecked"))
    elif not race.entry.min_age <= age <= race.entry.max_age:
        problems.append(
            (field, f"age {age} on {race.starts_on.isoformat()} is outside the entry rule {rule}")
        )
    if entrant.gender not in race.categories.genders:
        genders = ", ".join(race.categories.genders)
        problems.append(
            ("gender", f"gender {entrant.gender} is not a category of this race ({genders})")
        )
    return problems
