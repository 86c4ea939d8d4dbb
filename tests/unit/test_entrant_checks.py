"""Checks of one entrant against their race: entry ages on race day, gender categories."""

from __future__ import annotations

from datetime import date

import pytest

from desert_runners.domain.entrant import Entrant
from desert_runners.domain.entrant_checks import check_entrant
from desert_runners.domain.race import Categories, EntryRules, Race

ATACAMA = Race(
    slug="atacama-2010",
    name="Atacama Crossing 2010",
    series="4-deserts",
    event="atacama-crossing",
    time_zone="America/Santiago",
    starts_on=date(2010, 3, 7),
    ends_on=date(2010, 3, 13),
)


def runner(born: date | None = None, age: int | None = None, gender: str = "F") -> Entrant:
    return Entrant(
        bib=1,
        given_name="Ana",
        family_name="López",
        gender=gender,
        nationality="CHL",
        date_of_birth=born,
        age=age,
    )


def test_a_runner_inside_the_rules_has_no_problems() -> None:
    assert check_entrant(runner(date(1980, 5, 1)), ATACAMA) == []


def test_too_young_on_race_day() -> None:
    assert check_entrant(runner(date(1990, 3, 8)), ATACAMA) == [
        ("date_of_birth", "age 19 on 2010-03-07 is outside the entry rule (21-70)")
    ]


@pytest.mark.parametrize(
    ("born", "ok"),
    [
        (date(1989, 3, 7), True),  # 21st birthday on race day
        (date(1989, 3, 8), False),  # 21 one day too late
        (date(1939, 3, 8), True),  # still 70
        (date(1939, 3, 7), False),  # 71 on race day
    ],
)
def test_the_age_that_counts_is_the_age_on_the_first_race_day(born: date, ok: bool) -> None:
    assert (check_entrant(runner(born), ATACAMA) == []) is ok


def test_an_age_without_a_date_of_birth_is_checked_as_given() -> None:
    assert check_entrant(runner(age=71), ATACAMA) == [
        ("age", "age 71 on 2010-03-07 is outside the entry rule (21-70)")
    ]


def test_nothing_to_check_the_age_with() -> None:
    assert check_entrant(runner(), ATACAMA) == [
        ("age", "no date of birth or age, so the entry rule (21-70) is unchecked")
    ]


def test_gender_must_be_a_category_of_the_race() -> None:
    assert check_entrant(runner(age=40, gender="X"), ATACAMA) == [
        ("gender", "gender X is not a category of this race (M, F)")
    ]


def test_race_rules_are_the_races_own() -> None:
    open_race = Race(
        slug="kids-2010",
        name="Kids Run",
        series="4-deserts",
        event="kids",
        time_zone="UTC",
        starts_on=date(2010, 3, 7),
        ends_on=date(2010, 3, 7),
        categories=Categories(genders=("M", "F", "X")),
        entry=EntryRules(min_age=12, max_age=17),
    )

    assert check_entrant(runner(age=14, gender="X"), open_race) == []
    assert check_entrant(runner(age=40, gender="M"), open_race) == [
        ("age", "age 40 on 2010-03-07 is outside the entry rule (12-17)")
    ]
