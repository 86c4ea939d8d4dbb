"""A simulated race, loaded through the services, gives the results that really happened.

The small two-stage test race (a long march over midnight, an in/out checkpoint),
60 entrants, on each backend: the entrants import, one device file per timing point,
the typed entries and the rulings, then ``result_sheet``. What the simulation knows
to be true (``performance``) is checked against the results: the same finishers ranked
in order of their true times, the others out with the right status, and each bib a
volunteer swapped refused, voided, set aside or flagged, never silently used.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.integration.test_result_sheets import FIXTURES

from desert_runners.adapters.storage import event_log
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.results.facts import facts_frame, facts_from_log
from desert_runners.services.races import find_race, load_race_file
from desert_runners.services.results import compute, result_sheet
from desert_runners.services.simulation import Loaded, load_simulation
from desert_runners.simulate.model.events import EntryVoid, MedicalHold, Penalty
from desert_runners.simulate.model.performance import Performance
from desert_runners.simulate.model.runners import Floats
from desert_runners.simulate.model.simulation import SimulatedRace, simulate_race

RACE = "dune-run-2010"
ENTRANTS, SEED = 60, 11  # a seed with a swapped bib the office catches
CHIP_TOLERANCE = timedelta(seconds=10)  # read spreads, clock offsets measured to 0.1 s
TYPED_TOLERANCE = timedelta(seconds=90)  # a volunteer's watch, or the time to the minute


def simulated_into(context: Context) -> tuple[SimulatedRace, Loaded]:
    load_race_file(context, FIXTURES / "series.yaml")
    simulated = simulate_race(find_race(context, RACE).race, ENTRANTS, SEED)
    return simulated, load_simulation(context, simulated)


def test_a_simulated_race_gives_the_results_that_happened(context: Context) -> None:
    simulated, loaded = simulated_into(context)
    assert loaded.entrants == ENTRANTS
    assert loaded.files == len(simulated.timing.devices)
    assert loaded.reads_stored == len(simulated.timing.time)  # every read, once
    assert loaded.reads_unknown_tag > 0  # the stray chips
    assert loaded.withdrawals + loaded.penalties + loaded.holds > 0
    truth = _truth(simulated)
    assert truth["finished"].sum() >= 0.6 * ENTRANTS
    assert (~truth["finished"]).sum() >= 1  # someone did not finish
    rows = result_sheet(context, RACE).sections[0][1]
    got = rows.join(truth, on="bib")
    mess = _messy_bibs(simulated)
    clean = got.filter(~pl.col("bib").is_in(mess))
    # The finishers, and only they, are ranked; in the order of their times.
    ranked = clean.filter(pl.col("rank").is_not_null())
    assert ranked["bib"].sort().to_list() == clean.filter("ranked_truly")["bib"].sort().to_list()
    by_rank = got.filter(pl.col("rank").is_not_null()).sort("rank")
    assert by_rank["time"].is_sorted()
    # Their times are the true ones (the holds neutralised, the penalties added).
    for row in ranked.iter_rows(named=True):
        tolerance = TYPED_TOLERANCE if row["typed"] else CHIP_TOLERANCE
        assert abs(row["time"] - row["penalty"] - row["true_time"]) <= tolerance, row
    # The others are out with the status of what happened to them.
    out = clean.filter(pl.col("rank").is_null())
    for row in out.iter_rows(named=True):
        assert row["status"] in row["expected"], row


def test_a_swapped_bib_the_office_caught_is_voided_and_corrected(context: Context) -> None:
    simulated, loaded = simulated_into(context)
    caught = [r for r in simulated.rulings if isinstance(r, EntryVoid)]
    assert caught
    assert loaded.voids == sum(r.key in loaded.entry_events for r in caught)
    passings = compute(context, RACE).reconciliation.passings
    for void in caught:
        wrong = loaded.entry_events.get(void.key)
        used = passings.filter(pl.col("events").list.contains(wrong or -1))
        assert used.is_empty()  # the voided entry counts for nobody
        fixed = void.corrected
        assert fixed.key in loaded.entry_events  # recorded again under the right bib
        right = passings.filter(
            (pl.col("bib") == fixed.bib)
            & (pl.col("stage") == fixed.stage)
            & (pl.col("checkpoint") == fixed.point.casefold())
        )
        assert not right.is_empty()


def test_a_swapped_bib_nobody_caught_is_refused_set_aside_flagged_or_harmless(
    context: Context,
) -> None:
    """Harmless: at a checkpoint between start and finish, where no time is taken from
    (the first test checks those runners' times against the truth)."""
    simulated, loaded = simulated_into(context)
    caught = {r.key for r in simulated.rulings if isinstance(r, EntryVoid)}
    reconciled = compute(context, RACE).reconciliation
    aside = set(reconciled.set_aside["event_id"].to_list())
    doubtful = reconciled.passings.filter(pl.col("status") != "good")["events"].explode()
    flagged = set(doubtful.to_list()) | set(reconciled.conflicts["events"].explode().to_list())
    for entry in simulated.entries:
        if entry.bib == entry.true_bib or entry.key in caught:
            continue
        event = loaded.entry_events.get(entry.key)
        refused = event is None and any(f"bib {entry.bib} " in line for line in loaded.refused)
        harmless = entry.point not in ("start", "finish")
        assert refused or event in aside or event in flagged or harmless, entry


def test_a_race_with_entrants_is_never_simulated_into(context: Context) -> None:
    simulated, _ = simulated_into(context)
    with pytest.raises(UserError, match="already has 60 entrants"):
        load_simulation(context, simulated)


def _truth(simulated: SimulatedRace) -> pl.DataFrame:
    """Per bib: finished, the true overall time (holds taken off), typed entries, and the
    statuses their outcome may show as."""
    performance, course = simulated.performance, simulated.course
    first: dict[int, int] = {}
    index = 0
    for stage in course.stages:
        first[stage.number] = index
        index += len(stage.legs)
    total = np.zeros(len(simulated.entrants))
    finished = np.ones(len(simulated.entrants), dtype=np.bool_)
    for stage in course.stages:
        count = len(simulated.entrants)
        start = _first_times(performance, first[stage.number], count)
        finish = _first_times(performance, first[stage.number] + len(stage.legs) - 1, count)
        total += finish - start
        finished &= np.isfinite(finish)
    bibs = simulated.bibs
    held = dict.fromkeys(bibs, 0.0)
    dq: set[int] = set()
    for ruling in simulated.rulings:
        if isinstance(ruling, MedicalHold):
            held[ruling.bib] += ruling.seconds
        if isinstance(ruling, Penalty):
            rule = simulated.race.penalty(ruling.code)
            if rule is not None and rule.dq:
                dq.add(ruling.bib)
    causes = {bibs[stop.runner]: stop.cause for stop in performance.stops}
    expected = {
        "withdrawal": ["dnf"],
        "medical": ["medical"],
        "cutoff": ["missed_cutoff"],
    }
    typed = {entry.true_bib for entry in simulated.entries}
    return pl.DataFrame(
        {
            "bib": bibs,
            "finished": finished.tolist(),
            "ranked_truly": [bool(f) and b not in dq for f, b in zip(finished, bibs, strict=True)],
            "true_time": [
                timedelta(seconds=float(t) - held[b]) if f else None
                for t, f, b in zip(total, finished, bibs, strict=True)
            ],
            "typed": [b in typed for b in bibs],
            "expected": [
                ["dq"]
                if b in dq
                else expected.get(causes.get(b, ""), ["dns"] if not started else ["dnf"])
                for b, started in zip(bibs, performance.started.tolist(), strict=True)
            ],
        },
        schema_overrides={"true_time": pl.Duration("us")},
    )


def _first_times(performance: Performance, point: int, count: int) -> Floats:
    """Each runner's first crossing of ``point`` (NaN: never)."""
    times = np.full(count, np.inf)
    mask = performance.point == point
    np.minimum.at(times, performance.runner[mask], performance.time[mask])
    return np.where(np.isinf(times), np.nan, times)


def _messy_bibs(simulated: SimulatedRace) -> list[int]:
    """Bibs whose results the mess may change: either side of a bib swapped at a start or
    a finish and never corrected, a finish the reader missed that nobody wrote down."""
    caught = {r.key for r in simulated.rulings if isinstance(r, EntryVoid)}
    swapped = [e for e in simulated.entries if e.bib != e.true_bib and e.key not in caught]
    swapped = [e for e in swapped if e.point in ("start", "finish")]
    mess = {e.bib for e in swapped} | {e.true_bib for e in swapped}
    performance, timing = simulated.performance, simulated.timing
    finishes = {i for i, (_, leg) in enumerate(simulated.course.points) if leg.point == "finish"}
    written = {(e.true_bib, e.stage, e.point) for e in simulated.entries if e.key not in caught}
    written |= {(e.true_bib, e.stage, e.point) for e in simulated.entries if e.key in caught}
    for row in timing.unread:
        point = int(performance.point[row])
        stage, leg = simulated.course.points[point]
        bib = simulated.bibs[performance.runner[row]]
        if point in finishes and (bib, stage, leg.point) not in written:
            mess.add(bib)
    return sorted(mess)


def test_the_log_read_as_columns_gives_the_facts_read_event_by_event(context: Context) -> None:
    # compute() reads the log as columns (no object per event); it must give exactly the
    # facts frame that reading each event gives, payloads and times included.
    simulated_into(context)
    row = find_race(context, RACE)
    stage = row.race.stages[0]
    when = stage.start + timedelta(hours=2, microseconds=123_456)
    extra = [
        Fact(EventKind.READ, "mat", "t", tag="NOTIME", payload={"rejected": "no time: 25:61"}),
        Fact(
            EventKind.READ,
            "mat",
            "t",
            when,
            tag="A1",
            stage=1,
            checkpoint="CP1",
            payload={"bib": 7, "raw": "x"},
        ),  # a device's own fields: not the engine's
        Fact(
            EventKind.CORRECTION,
            "office",
            "t",
            payload={
                "target": 1,
                "occurred_at": when.isoformat(),
                "checkpoint": "CP1",
                "direction": "in",
                "bib": 3,
                "stage": 1,
                "reason": "clock",
            },
        ),
        Fact(
            EventKind.APPEAL,
            "jury",
            "t",
            payload={"target": 2, "decision": "upheld", "reason": "r"},
        ),
        Fact(
            EventKind.ENTRY,
            "desk",
            "t",
            when,
            bib=5,
            stage=1,
            checkpoint="CP1",
            direction=Direction.OUT,
        ),
    ]
    with context.store.write() as connection:
        event_log.append(connection, row.id, RACE, extra, when)
    with context.store.read() as connection:
        by_event = facts_frame(event_log.query_events(connection, row.id, RACE))
        by_column = facts_from_log(event_log.log_columns(connection, row.id))
    assert_frame_equal(by_column, by_event)
    assert by_column.height > 1_000
    assert (
        by_column.filter(pl.col("kind") == "read")["new_bib"].null_count()
        == by_column.filter(pl.col("kind") == "read").height
    )
    corrected = by_column.filter(pl.col("kind") == "correction").row(-1, named=True)
    assert (corrected["new_at"], corrected["new_checkpoint"]) == (when, "cp1")
