"""The race director's rulings: withdrawals, kit-check penalties, medical holds.

- A runner who stopped is withdrawn where they stopped, with a reason (a medical one
  for the medics' withdrawals); a runner pulled out at a cutoff needs no ruling: the
  results see the late passing.
- Kit check before stage 1 and spot checks at camp: a few runners get a penalty from
  the race's own catalogue, the common ones (a missing minor item, a lost bib) far more
  often than the disqualifying ones (no sleeping bag, outside assistance).
- A medic's hold is neutralised for that runner.
"""

from __future__ import annotations

import numpy as np

from desert_runners.domain.race import PenaltyRule, Race
from desert_runners.simulate.model.course import Course
from desert_runners.simulate.model.events import MedicalHold, Penalty, Withdrawal
from desert_runners.simulate.model.performance import Performance

KIT_CHECK_FAIL = 0.03  # of starters, at the kit check before stage 1
CAMP_CHECK_FAIL = 0.005  # per runner and stage, at camp
KIT_CHECK_BEFORE_S = 2 * 3600.0

_DNF_REASONS = (
    "blisters: cannot walk on",
    "knee pain since CP2",
    "ankle sprain in the dunes",
    "exhausted: asked to stop",
    "stomach problems, cannot keep food down",
    "lost too much time, chose to stop",
)
_MEDICAL_REASONS = (
    "heat exhaustion: medics withdrew the runner",
    "dehydration: IV fluids given",
    "suspected stress fracture",
    "hyponatraemia: evacuated to the medical tent",
    "hypothermia after the night section",
)
# How common each kind of penalty is, by words in its code (the catalogue is the race's).
_WEIGHTS = (
    ("kit", 5.0),
    ("bib", 2.0),
    ("calor", 1.0),
    ("litter", 1.0),
    ("credit", 0.5),
    ("checkpoint", 0.5),
    ("sleeping", 0.1),
    ("assistance", 0.1),
)
_EVIDENCE = ("kit check sheet", "photo", "marshal's report", "camp manager's note")


def withdrawals(
    performance: Performance, course: Course, bibs: list[int], rng: np.random.Generator
) -> list[Withdrawal]:
    found = []
    for stop in performance.stops:
        if stop.cause == "cutoff":
            continue
        medical = stop.cause == "medical"
        where = course.points[stop.point][1].point
        reason = str(rng.choice(_MEDICAL_REASONS if medical else _DNF_REASONS))
        found.append(
            Withdrawal(
                at=stop.at,
                bib=bibs[stop.runner],
                stage=stop.stage,
                status="medical" if medical else "dnf",
                reason=f"{reason} (after {where})",
            )
        )
    return found


def holds(performance: Performance, course: Course, bibs: list[int]) -> list[MedicalHold]:
    found = []
    for hold in performance.holds:
        where = course.points[hold.point][1].point
        minutes = round(hold.seconds / 60)
        found.append(
            MedicalHold(
                at=hold.start + hold.seconds,
                bib=bibs[hold.runner],
                stage=hold.stage,
                point=where,
                seconds=hold.seconds,
                reason=f"medical hold at {where}: {minutes} min under observation",
            )
        )
    return found


def penalties(
    race: Race,
    course: Course,
    performance: Performance,
    bibs: list[int],
    rng: np.random.Generator,
) -> list[Penalty]:
    rules = [rule for rule in race.penalties if rule.code]
    if not rules or not course.stages:
        return []
    weights = np.array([_weight(rule) for rule in rules])
    weights /= weights.sum()
    finished = _stages_finished(performance, course)
    found: list[Penalty] = []
    first = course.stages[0]
    started = np.flatnonzero(performance.started)
    for runner in started[rng.random(len(started)) < KIT_CHECK_FAIL]:
        rule = rules[int(rng.choice(len(rules), p=weights))]
        at = first.start - KIT_CHECK_BEFORE_S
        found.append(_penalty(rule, at, bibs[runner], first.number, "kit check", rng))
    for stage in course.stages[:-1]:
        camp = finished.get(stage.number, np.zeros(0, dtype=np.int64))
        for runner in camp[rng.random(len(camp)) < CAMP_CHECK_FAIL]:
            rule = rules[int(rng.choice(len(rules), p=weights))]
            at = stage.start + 14 * 3600.0
            found.append(_penalty(rule, at, bibs[runner], stage.number, "camp check", rng))
    return found


def _weight(rule: PenaltyRule) -> float:
    code = rule.code.casefold()
    return next((weight for word, weight in _WEIGHTS if word in code), 0.5)


def _penalty(
    rule: PenaltyRule, at: float, bib: int, stage: int, check: str, rng: np.random.Generator
) -> Penalty:
    evidence = f"{rng.choice(_EVIDENCE)} {int(rng.integers(1, 400))}"
    return Penalty(at, bib, stage, rule.code, f"{check}: {rule.description}", evidence)


def _stages_finished(performance: Performance, course: Course) -> dict[int, np.ndarray]:
    """Who reached each stage's finish."""
    found: dict[int, np.ndarray] = {}
    index = 0
    for stage in course.stages:
        index += len(stage.legs)
        found[stage.number] = np.unique(performance.runner[performance.point == index - 1])
    return found
