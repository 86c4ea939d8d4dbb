"""Who is who across the races of a series: race entries matched into persons.

The same runner has a new bib in each race and their name may be typed differently
(accents, given and family name swapped, a middle name left out, a typo). Entries are
compared in pairs of different races, after ``fold_name`` (no accents, no case, no
punctuation, single spaces):

- **exact**: the same folded given and family names and the same date of birth.
- **probable**, with the same date of birth and gender, when the names are similar:
  the same name tokens in another order or split differently between given and family
  name ("Núñez José" / "José Núñez", "Ana | Paula Silva" / "Ana Paula | Silva"); or
  the tokens of one name (at least two) all in the other (a missing middle name or second
  surname); or at most ``MAX_EDITS`` (2) letter edits between the full names, and no
  more than one edit per ``CHARS_PER_EDIT`` (5) letters of the longer name, so a short
  name allows one edit ("Li Wen" / "Li Wei") and a long one two. Without a date of
  birth (on either side): the same folded full name, nationality and gender.
- Two known, different dates of birth never match: a namesake is a different person
  (the example series has two James Wilsons).

Müller / Mueller: ``fold_name`` gives "muller" and "mueller", one edit apart; there is
no special rule for German transliteration, so with the same date of birth and gender
they are *probable* (not exact), and without a date of birth they are only offered for
review.

Explicit links override: ``same=True`` joins two entries whatever they say, ``same=False``
keeps them apart. Entries are then joined greedily, strongest evidence first (links,
exact, probable by similarity), never putting two entries of one race, or two entries a
link keeps apart, into one person, nor (unless linked) two dates of birth through an
entry without one; a match refused for that is offered for review (a ``conflict``).

Offered for review as well (``Matching.candidates``): every probable match, and pairs
that are similar but not matched (``possible``): the same birthday with similar names of
another gender or a difflib ratio of at least ``REVIEW_RATIO`` (0.6) of the sorted name
tokens; the same name, gender and nationality with another birthday (a typo?); similar
names without a date of birth. A pair a link has ruled on is never offered again.

Everything is ordered by a canonical key (race order, then bib), never by input order,
so the result does not depend on the order of the entries or links. A person's id is
``"<race>/<bib>"`` of their first entry in that order.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Literal

from desert_runners.domain.entrant import Entrant, fold_name

Confidence = Literal["exact", "probable", "linked"]
CandidateKind = Literal["probable", "possible", "conflict"]

MAX_EDITS = 2  # "one or two letters different"
CHARS_PER_EDIT = 5  # short names are common: "Li Wei" may only lose one letter
REVIEW_RATIO = 0.6  # difflib ratio from which a same-birthday pair is shown for review

Key = tuple[str, int]  # (race slug, bib)
# The weakest evidence in a person, weakest last: a probable match needs a human.
_LEVEL: dict[Confidence, int] = {"exact": 0, "linked": 1, "probable": 2}


@dataclass(frozen=True)
class RaceEntry:
    """An entrant of one race, as far as matching needs it."""

    race: str
    bib: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    nationality: str
    gender: str

    @classmethod
    def from_entrant(cls, race: str, entrant: Entrant) -> RaceEntry:
        return cls(
            race,
            entrant.bib,
            entrant.given_name,
            entrant.family_name,
            entrant.date_of_birth,
            entrant.nationality,
            entrant.gender,
        )

    @property
    def key(self) -> Key:
        return (self.race, self.bib)


@dataclass(frozen=True)
class Link:
    """A human's ruling on two entries: the same person (``same``) or not."""

    race_a: str
    bib_a: int
    race_b: str
    bib_b: int
    same: bool = True


@dataclass(frozen=True)
class Person:
    """One runner across the series. ``confidence`` is the weakest evidence that joined
    their entries: ``probable`` if any heuristic guess did, else ``linked`` if a link did,
    else ``exact`` (also a person with one entry: there is nothing to doubt)."""

    id: str
    entries: tuple[RaceEntry, ...]
    confidence: Confidence


@dataclass(frozen=True)
class Candidate:
    """A pair for a human to confirm or refuse with a ``Link``.

    ``probable``: matched by a guess; ``possible``: similar but not matched;
    ``conflict``: would match, but the person already has an entry in that race (or a
    link keeps them apart)."""

    a: RaceEntry
    b: RaceEntry
    kind: CandidateKind
    reason: str


@dataclass(frozen=True)
class Matching:
    persons: tuple[Person, ...]
    candidates: tuple[Candidate, ...] = ()

    def person(self, person_id: str) -> Person | None:
        return next((person for person in self.persons if person.id == person_id), None)


@dataclass(frozen=True)
class _Names:
    given: str
    family: str
    full: str  # "given family"
    swapped: str  # "family given"
    tokens: tuple[str, ...]  # sorted: the same tokens in any order or field


def _names(entry: RaceEntry) -> _Names:
    given, family = fold_name(entry.given_name), fold_name(entry.family_name)
    full = " ".join(part for part in (given, family) if part)
    swapped = " ".join(part for part in (family, given) if part)
    return _Names(given, family, full, swapped, tuple(sorted(full.split())))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions of one letter."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _similar_names(a: _Names, b: _Names) -> str | None:
    """Why two (folded) names may be one person's, or None."""
    if a.tokens == b.tokens:
        return "names swapped or split differently"
    short, long = sorted((a.tokens, b.tokens), key=len)
    if len(short) >= 2 and not Counter(short) - Counter(long):
        return "a missing middle name or second surname"
    edits = min(edit_distance(a.full, b.full), edit_distance(a.swapped, b.full))
    allowed = min(MAX_EDITS, max(len(a.full), len(b.full)) // CHARS_PER_EDIT)
    if edits <= allowed:
        return f"names {edits} letter{'s' if edits > 1 else ''} apart"
    return None


def _ratio(a: _Names, b: _Names) -> float:
    return difflib.SequenceMatcher(None, " ".join(a.tokens), " ".join(b.tokens)).ratio()


def _same(x: str, y: str) -> bool:
    return x.strip().casefold() == y.strip().casefold()


@dataclass(frozen=True)
class _Verdict:
    kind: Literal["exact", "probable", "possible"]
    reason: str


def _compare(a: RaceEntry, b: RaceEntry, na: _Names, nb: _Names) -> _Verdict | None:
    """The heuristic for one pair of entries of different races (see the module doc)."""
    same_gender = _same(a.gender, b.gender)
    if a.date_of_birth is not None and b.date_of_birth is not None:
        if a.date_of_birth != b.date_of_birth:
            if na.tokens == nb.tokens and same_gender and _same(a.nationality, b.nationality):
                return _Verdict("possible", "same name, gender and nationality, other birthday")
            return None
        if (na.given, na.family) == (nb.given, nb.family):
            return _Verdict("exact", "same name and date of birth")
        similar = _similar_names(na, nb)
        if similar and same_gender:
            return _Verdict("probable", f"same date of birth and gender, {similar}")
        if similar:
            return _Verdict("possible", f"same date of birth, {similar}, other gender")
        if _ratio(na, nb) >= REVIEW_RATIO:
            return _Verdict("possible", "same date of birth, somewhat similar names")
        return None
    # No date of birth on one side: only the whole name, nationality and gender can tell.
    if not (same_gender and _same(a.nationality, b.nationality)):
        return None
    if na.full == nb.full:
        return _Verdict("probable", "no date of birth; same name, nationality and gender")
    similar = _similar_names(na, nb)
    if similar:
        return _Verdict("possible", f"no date of birth; same nationality and gender, {similar}")
    return None


def _pairs(entries: Sequence[RaceEntry], names: dict[Key, _Names]) -> set[tuple[Key, Key]]:
    """The pairs worth comparing (blocking), so a big series is not n² comparisons: the
    same birthday, the same name tokens (namesakes of other birthdays), and anyone
    without a date of birth against their nationality and gender."""
    blocks: defaultdict[tuple[object, ...], list[RaceEntry]] = defaultdict(list)
    nationals: defaultdict[tuple[str, str], list[RaceEntry]] = defaultdict(list)
    for entry in entries:
        if entry.date_of_birth is not None:
            blocks["born", entry.date_of_birth].append(entry)
        blocks["name", names[entry.key].tokens].append(entry)
        nationals[entry.nationality.strip().casefold(), entry.gender.strip().casefold()].append(
            entry
        )
    found = [pair for block in blocks.values() for pair in combinations(block, 2)]
    for block in nationals.values():
        unborn = [entry for entry in block if entry.date_of_birth is None]
        found += [(a, b) for a in unborn for b in block if a.key != b.key]
    return {
        (a.key, b.key) if a.key < b.key else (b.key, a.key) for a, b in found if a.race != b.race
    }


class _Groups:
    """Union-find over entry keys that refuses to join two entries of one race, or two
    entries a link keeps apart."""

    def __init__(self, births: dict[Key, date | None], forbidden: dict[Key, set[Key]]) -> None:
        self.root: dict[Key, Key] = {key: key for key in births}
        self.members: dict[Key, list[Key]] = {key: [key] for key in self.root}
        self.level: dict[Key, int] = dict.fromkeys(self.root, _LEVEL["exact"])
        self.born = {key: {born} - {None} for key, born in births.items()}
        self.forbidden = forbidden

    def find(self, key: Key) -> Key:
        while self.root[key] != key:
            self.root[key] = self.root[self.root[key]]
            key = self.root[key]
        return key

    def obstacle(self, a: Key, b: Key, guess: bool = True) -> str | None:
        """Why the groups of a and b may not be joined, or None. A guess may not join two
        different dates of birth either (through an entry that has none)."""
        group_a, group_b = self.members[self.find(a)], self.members[self.find(b)]
        races = {key[0] for key in group_a} & {key[0] for key in group_b}
        if races:
            return f"would put two entries of {min(races)} in one person"
        born_a, born_b = self.born[self.find(a)], self.born[self.find(b)]
        if guess and born_a and born_b and not born_a & born_b:
            return "would join two dates of birth"
        for key in group_a:
            kept_apart = self.forbidden.get(key, set()) & set(group_b)
            if kept_apart:
                return f"a link keeps {_label(key)} and {_label(min(kept_apart))} apart"
        return None

    def join(self, a: Key, b: Key, confidence: Confidence) -> None:
        root_a, root_b = sorted((self.find(a), self.find(b)))
        self.root[root_b] = root_a
        self.members[root_a] += self.members.pop(root_b)
        self.born[root_a] |= self.born.pop(root_b)
        self.level[root_a] = max(self.level[root_a], self.level.pop(root_b), _LEVEL[confidence])


def _label(key: Key) -> str:
    return f"{key[0]}/{key[1]}"


def match_persons(
    entries: Iterable[RaceEntry], links: Iterable[Link] = (), race_order: Sequence[str] = ()
) -> Matching:
    """Match race entries into persons (see the module doc for the rules).

    ``race_order``: the races in the order that makes ids and listings (usually by date);
    races not in it follow, by slug. Raises ValueError for a (race, bib) given twice, a
    link to an unknown entry or within one race, and links that contradict each other.
    """
    by_key: dict[Key, RaceEntry] = {}
    for entry in entries:
        if entry.key in by_key:
            raise ValueError(f"entry {_label(entry.key)} given twice")
        by_key[entry.key] = entry
    position = {race: index for index, race in enumerate(dict.fromkeys(race_order))}

    def order(key: Key) -> tuple[int, str, int]:
        return (position.get(key[0], len(position)), key[0], key[1])

    def pair_order(pair: tuple[Key, Key]) -> tuple[tuple[int, str, int], ...]:
        return tuple(sorted((order(pair[0]), order(pair[1]))))

    rulings = _rulings(links, by_key)
    forbidden: dict[Key, set[Key]] = defaultdict(set)
    for (a, b), same in rulings.items():
        if not same:
            forbidden[a].add(b)
            forbidden[b].add(a)
    groups = _Groups({k: by_key[k].date_of_birth for k in sorted(by_key, key=order)}, forbidden)
    for a, b in sorted((pair for pair, same in rulings.items() if same), key=pair_order):
        if groups.find(a) == groups.find(b):
            continue
        obstacle = groups.obstacle(a, b, guess=False)
        if obstacle:
            raise ValueError(f"links contradict: joining {_label(a)} and {_label(b)} {obstacle}")
        groups.join(a, b, "linked")

    names = {key: _names(entry) for key, entry in by_key.items()}
    verdicts: dict[tuple[Key, Key], _Verdict] = {}
    scores: dict[tuple[Key, Key], float] = {}
    for pair in _pairs(list(by_key.values()), names):
        if pair in rulings:
            continue  # a human has ruled on this pair
        verdict = _compare(by_key[pair[0]], by_key[pair[1]], names[pair[0]], names[pair[1]])
        if verdict is not None:
            verdicts[pair] = verdict
            scores[pair] = _ratio(names[pair[0]], names[pair[1]])

    candidates: list[tuple[int, tuple[tuple[int, str, int], ...], Candidate]] = []

    def review(pair: tuple[Key, Key], kind: CandidateKind, reason: str) -> None:
        a, b = sorted(pair, key=order)
        rank = ("probable", "conflict", "possible").index(kind)
        candidates.append((rank, pair_order(pair), Candidate(by_key[a], by_key[b], kind, reason)))

    matches = [pair for pair, verdict in verdicts.items() if verdict.kind != "possible"]
    # Strongest evidence first, then the most similar names, then the canonical order.
    matches.sort(key=lambda p: (verdicts[p].kind == "probable", -scores[p], pair_order(p)))
    for pair in matches:
        a, b = pair
        if groups.find(a) == groups.find(b):
            continue
        verdict = verdicts[pair]
        obstacle = groups.obstacle(a, b)
        if obstacle:
            review(pair, "conflict", f"{verdict.reason}, but {obstacle}")
            continue
        groups.join(a, b, "exact" if verdict.kind == "exact" else "probable")
        if verdict.kind == "probable":
            review(pair, "probable", verdict.reason)
    for pair, verdict in verdicts.items():
        if verdict.kind == "possible" and groups.find(pair[0]) != groups.find(pair[1]):
            review(pair, "possible", verdict.reason)

    persons = []
    for root, members in groups.members.items():
        keys = sorted(members, key=order)
        level = groups.level[root]
        confidence = next(name for name, value in _LEVEL.items() if value == level)
        persons.append(Person(_label(keys[0]), tuple(by_key[k] for k in keys), confidence))
    persons.sort(key=lambda person: order(person.entries[0].key))
    candidates.sort(key=lambda item: item[:2])
    return Matching(tuple(persons), tuple(candidate for *_, candidate in candidates))


def _rulings(links: Iterable[Link], by_key: dict[Key, RaceEntry]) -> dict[tuple[Key, Key], bool]:
    """The links by canonical pair; a pair ruled both ways is an error."""
    rulings: dict[tuple[Key, Key], bool] = {}
    for link in links:
        a, b = (link.race_a, link.bib_a), (link.race_b, link.bib_b)
        for key in (a, b):
            if key not in by_key:
                raise ValueError(f"link to an unknown entry {_label(key)}")
        if a[0] == b[0]:
            raise ValueError(f"link within one race: {_label(a)} and {_label(b)}")
        pair = (a, b) if a < b else (b, a)
        if rulings.get(pair, link.same) != link.same:
            raise ValueError(f"links contradict: {_label(a)} and {_label(b)} same and not")
        rulings[pair] = link.same
    return rulings
