"""Matching race entries into persons: hand-worked pairs, the example series, links,
and properties that hold for any entries (input order, one entry per race per person)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desert_runners.domain.entrant import Entrant, identity_key
from desert_runners.results.matching import (
    Link,
    Matching,
    RaceEntry,
    edit_distance,
    match_persons,
)

A, G, S, L = "atacama-crossing-2010", "gobi-march-2010", "sahara-race-2010", "the-last-desert-2010"
RACES = (A, G, S, L)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "4deserts-2010" / "entrants"
BORN = date(1970, 5, 17)


def entry(
    race: str,
    bib: int,
    given: str,
    family: str,
    born: date | None = BORN,
    nationality: str = "ESP",
    gender: str = "M",
) -> RaceEntry:
    return RaceEntry(race, bib, given, family, born, nationality, gender)


def groups(matching: Matching) -> set[frozenset[tuple[str, int]]]:
    return {frozenset(e.key for e in person.entries) for person in matching.persons}


def together(matching: Matching, *keys: tuple[str, int]) -> bool:
    return any({e.key for e in p.entries} >= set(keys) for p in matching.persons)


def test_edit_distance() -> None:
    assert edit_distance("muller", "mueller") == 1
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3


def test_accents_fold_to_an_exact_match() -> None:
    matching = match_persons([entry(A, 1, "José", "Núñez"), entry(G, 7, "Jose", "Nunez")])
    [person] = matching.persons
    assert person.confidence == "exact"
    assert person.id == f"{A}/1"
    assert matching.candidates == ()


def test_mueller_is_probable_not_exact() -> None:
    """Decision: no German transliteration rule; ü folds to u, one letter from ue."""
    matching = match_persons(
        [entry(A, 1, "Thomas", "Müller", nationality="DEU"), entry(S, 2, "Thomas", "Mueller")]
    )
    [person] = matching.persons
    assert person.confidence == "probable"
    [candidate] = matching.candidates
    assert candidate.kind == "probable"
    assert "1 letter" in candidate.reason


def test_mueller_without_a_birthday_is_only_offered_for_review() -> None:
    matching = match_persons(
        [entry(A, 1, "Thomas", "Müller", None), entry(S, 2, "Thomas", "Mueller", None)]
    )
    assert len(matching.persons) == 2
    assert [c.kind for c in matching.candidates] == ["possible"]


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        (("Núñez", "José"), ("José", "Núñez"), "swapped"),
        (("Ana", "Paula Silva"), ("Ana Paula", "Silva"), "split differently"),
        (("José Antonio", "García"), ("José", "García"), "middle name"),
        (("María", "García López"), ("Maria", "Garcia"), "second surname"),
        (("Jonathan", "Edwards"), ("Jonathon", "Edwards"), "1 letter"),
        (("Katarzyna", "Wisniewska"), ("Katarzina", "Wisnewska"), "2 letters"),
        (("Wen", "Li"), ("Wei", "Li"), "1 letter"),
    ],
)
def test_probable_with_the_same_birthday_and_gender(
    first: tuple[str, str], second: tuple[str, str], why: str
) -> None:
    matching = match_persons([entry(A, 1, *first), entry(G, 2, *second)])
    [person] = matching.persons
    assert person.confidence == "probable"
    assert why in matching.candidates[0].reason


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("Li", "Wei"), ("Lu", "Wen")),  # two letters in a six-letter name: too many
        (("Jonathan", "Edwards"), ("Jon", "Edward")),
        (("Ana", "Silva"), ("Joana", "Costa")),
    ],
)
def test_not_similar_enough(first: tuple[str, str], second: tuple[str, str]) -> None:
    matching = match_persons([entry(A, 1, *first), entry(G, 2, *second)])
    assert len(matching.persons) == 2


def test_a_similar_name_of_another_gender_is_not_matched() -> None:
    matching = match_persons(
        [entry(A, 1, "Andrea", "Rossi"), entry(G, 2, "Andrea", "Rossi", gender="F")]
    )
    # The exact rule does not ask for the gender: a typo in it must not split a person.
    assert len(matching.persons) == 1
    matching = match_persons(
        [entry(A, 1, "Andrea", "Rossi"), entry(G, 2, "Andreas", "Rossi", gender="F")]
    )
    assert len(matching.persons) == 2
    assert [c.kind for c in matching.candidates] == ["possible"]


def test_without_a_birthday_the_name_nationality_and_gender_must_agree() -> None:
    entries = [
        entry(A, 1, "Pablo", "Ruiz", None),
        entry(G, 2, "Pablo", "Ruiz"),  # a birthday on one side only
        entry(S, 3, "Pablo", "Ruiz", None, nationality="ARG"),
        entry(L, 4, "Pablo", "Ruiz", None, gender="F"),
    ]
    matching = match_persons(entries, race_order=RACES)
    assert groups(matching) == {
        frozenset({(A, 1), (G, 2)}),
        frozenset({(S, 3)}),
        frozenset({(L, 4)}),
    }
    assert matching.persons[0].confidence == "probable"


def test_the_two_james_wilsons_stay_apart() -> None:
    matching = match_persons(
        [
            entry(A, 87, "James", "Wilson", date(1968, 5, 2), "GBR"),
            entry(S, 1, "James", "Wilson", date(1975, 9, 23), "USA"),
        ]
    )
    assert len(matching.persons) == 2
    assert matching.candidates == ()  # other birthday and nationality: nothing to review


def test_a_namesake_of_another_birthday_is_offered_for_review() -> None:
    matching = match_persons(
        [
            entry(A, 1, "James", "Wilson", date(1968, 5, 2), "GBR"),
            entry(S, 2, "James", "Wilson", date(1968, 2, 5), "GBR"),  # day and month swapped?
        ]
    )
    assert len(matching.persons) == 2
    [candidate] = matching.candidates
    assert candidate.kind == "possible"
    assert "other birthday" in candidate.reason


def test_a_link_forces_a_match() -> None:
    entries = [
        entry(A, 1, "James", "Wilson", date(1968, 5, 2), "GBR"),
        entry(S, 2, "James", "Wilson", date(1968, 2, 5), "GBR"),
        entry(G, 3, "Jim", "Wilson", date(1968, 5, 2), "GBR"),
    ]
    matching = match_persons(entries, [Link(S, 2, A, 1, same=True)], race_order=RACES)
    assert groups(matching) == {frozenset({(A, 1), (S, 2)}), frozenset({(G, 3)})}
    assert matching.persons[0].confidence == "linked"
    assert matching.persons[0].id == f"{A}/1"
    # Linked with Gobi too: the person is all three.
    both = [Link(S, 2, A, 1), Link(G, 3, A, 1)]
    assert groups(match_persons(entries, both)) == {frozenset({(A, 1), (S, 2), (G, 3)})}


def test_a_link_forbids_a_match() -> None:
    entries = [
        entry(A, 1, "José", "Núñez"),
        entry(G, 2, "Jose", "Nunez"),
        entry(S, 3, "José", "Núñez"),
    ]
    assert len(match_persons(entries).persons) == 1
    matching = match_persons(entries, [Link(A, 1, G, 2, same=False)], race_order=RACES)
    assert not together(matching, (A, 1), (G, 2))
    # Sahara joins Atacama (the first pair in race order); Gobi is left out, for review.
    assert groups(matching) == {frozenset({(A, 1), (S, 3)}), frozenset({(G, 2)})}
    [candidate] = matching.candidates
    assert candidate.kind == "conflict"
    assert (candidate.a.key, candidate.b.key) == ((G, 2), (S, 3))
    assert "link keeps" in candidate.reason


def test_never_two_entries_of_one_race_in_a_person() -> None:
    entries = [
        entry(A, 1, "Wei", "Wang", nationality="CHN"),
        entry(G, 5, "Wei", "Wang", nationality="CHN"),
        entry(G, 9, "Wei", "Wang", nationality="CHN"),
    ]
    matching = match_persons(entries, race_order=RACES)
    assert groups(matching) == {frozenset({(A, 1), (G, 5)}), frozenset({(G, 9)})}
    [candidate] = matching.candidates
    assert candidate.kind == "conflict"
    assert "two entries of gobi-march-2010" in candidate.reason


def test_an_exact_match_wins_over_a_probable_one() -> None:
    entries = [
        entry(A, 1, "Jordi", "Puig"),
        entry(G, 1, "Jordi", "Puig"),
        entry(G, 2, "Jordy", "Puig"),
    ]
    matching = match_persons(entries)
    assert together(matching, (A, 1), (G, 1))
    assert [c.kind for c in matching.candidates] == ["conflict"]


def test_contradicting_links_are_an_error() -> None:
    entries = [entry(A, 1, "Ana", "Silva"), entry(G, 2, "Bo", "Li"), entry(G, 3, "Bo", "Lu")]
    with pytest.raises(ValueError, match="contradict"):
        match_persons(entries, [Link(A, 1, G, 2), Link(G, 2, A, 1, same=False)])
    with pytest.raises(ValueError, match="two entries of gobi"):
        match_persons(entries, [Link(A, 1, G, 2), Link(A, 1, G, 3)])
    with pytest.raises(ValueError, match="unknown entry"):
        match_persons(entries, [Link(A, 1, S, 2)])
    with pytest.raises(ValueError, match="within one race"):
        match_persons(entries, [Link(G, 2, G, 3)])
    with pytest.raises(ValueError, match="twice"):
        match_persons([*entries, entries[0]])


def read_example() -> list[RaceEntry]:
    entries = []
    for race in RACES:
        with (EXAMPLE / f"{race}.csv").open(encoding="utf-8", newline="") as file:
            for row in csv.DictReader(file):
                born = date.fromisoformat(row["date_of_birth"]) if row["date_of_birth"] else None
                entrant = Entrant(
                    int(row["bib"]),
                    row["given_name"],
                    row["family_name"],
                    row["gender"],
                    row["nationality"],
                    born,
                )
                entries.append(RaceEntry.from_entrant(race, entrant))
    return entries


def test_the_example_series() -> None:
    entries = read_example()
    matching = match_persons(entries, race_order=RACES)
    sizes = Counter(len(person.entries) for person in matching.persons)
    assert sizes[4] == 30  # the Grand Slam hopefuls
    assert all(person.confidence == "exact" for person in matching.persons)
    assert matching.candidates == ()
    # The same persons as the domain's identity key (folded names + date of birth).
    by_key: dict[str, set[tuple[str, int]]] = {}
    for e in entries:
        key = identity_key(
            Entrant(e.bib, e.given_name, e.family_name, e.gender, e.nationality, e.date_of_birth)
        )
        by_key.setdefault(key, set()).add(e.key)
    assert groups(matching) == {frozenset(keys) for keys in by_key.values()}
    wilsons = [
        p
        for p in matching.persons
        if any((e.given_name, e.family_name) == ("James", "Wilson") for e in p.entries)
    ]
    assert [p.id for p in wilsons] == [f"{A}/87", f"{S}/1"]
    # Every Last Desert entrant is someone from at least two of the other races.
    for person in matching.persons:
        if any(e.race == L for e in person.entries):
            assert len(person.entries) >= 3


# --- properties -----------------------------------------------------------------------

NAMES = [
    ("José", "Núñez"),
    ("Jose", "Nunez"),
    ("Núñez", "José"),
    ("José Luis", "Núñez"),
    ("Thomas", "Müller"),
    ("Thomas", "Mueller"),
    ("Wei", "Wang"),
    ("Wang", "Wei"),
    ("Li", "Wei"),
    ("Li", "Wen"),
    ("James", "Wilson"),
]
BIRTHDAYS = [None, date(1970, 5, 17), date(1968, 5, 2), date(1975, 9, 23)]


@st.composite
def entry_lists(draw: st.DrawFn) -> list[RaceEntry]:
    keys = draw(
        st.lists(st.tuples(st.sampled_from(RACES), st.integers(1, 6)), unique=True, max_size=18)
    )
    return [
        RaceEntry(
            race,
            bib,
            *draw(st.sampled_from(NAMES)),
            draw(st.sampled_from(BIRTHDAYS)),
            draw(st.sampled_from(["ESP", "DEU"])),
            draw(st.sampled_from(["M", "F"])),
        )
        for race, bib in keys
    ]


@st.composite
def forbidding_links(draw: st.DrawFn, entries: list[RaceEntry]) -> list[Link]:
    pairs = [(a, b) for a in entries for b in entries if a.race < b.race]
    if not pairs:
        return []
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=4))
    return [Link(a.race, a.bib, b.race, b.bib, same=False) for a, b in chosen]


@st.composite
def any_links(draw: st.DrawFn, entries: list[RaceEntry]) -> list[Link]:
    pairs = [(a, b) for a in entries for b in entries if a.race < b.race]
    if not pairs:
        return []
    chosen = draw(st.lists(st.tuples(st.sampled_from(pairs), st.booleans()), max_size=4))
    return [Link(a.race, a.bib, b.race, b.bib, same) for (a, b), same in chosen]


def outcome(entries: list[RaceEntry], links: list[Link]) -> Matching | None:
    try:
        return match_persons(entries, links, race_order=RACES)
    except ValueError:
        return None  # contradicting links


@settings(max_examples=300, deadline=None)
@given(data=st.data(), entries=entry_lists())
def test_the_result_does_not_depend_on_input_order(
    data: st.DataObject, entries: list[RaceEntry]
) -> None:
    links = data.draw(any_links(entries))
    matching = outcome(entries, links)
    shuffled = data.draw(st.permutations(entries))
    flipped = [Link(k.race_b, k.bib_b, k.race_a, k.bib_a, k.same) for k in reversed(links)]
    assert outcome(shuffled, flipped) == matching
    if matching is not None:
        for link in links:
            keys = (link.race_a, link.bib_a), (link.race_b, link.bib_b)
            assert together(matching, *keys) == link.same


@settings(max_examples=200, deadline=None)
@given(data=st.data(), entries=entry_lists())
def test_every_person_is_possible(data: st.DataObject, entries: list[RaceEntry]) -> None:
    links = data.draw(forbidding_links(entries))
    matching = match_persons(entries, links)
    seen = [e.key for person in matching.persons for e in person.entries]
    assert sorted(seen) == sorted(e.key for e in entries)  # each entry exactly once
    for person in matching.persons:
        races = [e.race for e in person.entries]
        assert len(races) == len(set(races))  # never two entries of one race
        births = {e.date_of_birth for e in person.entries} - {None}
        assert len(births) <= 1  # different birthdays never match unless linked
        assert person.id == f"{person.entries[0].race}/{person.entries[0].bib}"
    for link in links:
        assert not together(matching, (link.race_a, link.bib_a), (link.race_b, link.bib_b))
