"""How realistic is the race simulator? Real races beside the same races simulated.

    python bench/realism.py            # the comparison (what the realism tests check)
    python bench/realism.py --fit      # fit the parameters again, print them for calibrated.py
    python bench/realism.py --data DIR # the real data elsewhere (default ../shared/data)

For each family of real races (UTMB 2015-2016: "mountain"; 100 Meilen Berlin 2013, 2015,
2016: "flat"), each race is simulated on its own course and both are measured the same
way (src/desert_runners/simulate/model/measures.py): the quantiles of section pace over
the runner's average pace, the share of starters stopping in each quarter of the
distance, and the spread of finishers' speeds. Then the simulated desert race (the
example Atacama Crossing, 1,000 entrants) for context: its finish rate and its long
march's relative paces.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from desert_runners.adapters.importers.race_definition import load_definitions
from desert_runners.simulate.calibration import Comparison, compare, real_races
from desert_runners.simulate.fitting import fit_hazard, fit_pace
from desert_runners.simulate.model import measures
from desert_runners.simulate.model.calibrated import PACE
from desert_runners.simulate.model.hazard import Hazard
from desert_runners.simulate.model.performance import OUT
from desert_runners.simulate.model.simulation import simulate_race
from desert_runners.simulate.output import summary

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SERIES = ROOT / "examples" / "4deserts-2010" / "series.yaml"
console = Console(highlight=False)


def show(found: Comparison) -> None:
    table = Table(title=f"{found.family}: {', '.join(found.races)}")
    for column in ("figure", "real", "simulated", "sim / real"):
        table.add_column(column, justify="right")
    pairs = zip(found.real.quantiles, found.simulated.quantiles, strict=True)
    for q, (real, sim) in zip(measures.QUANTILES, pairs, strict=True):
        table.add_row(f"relative pace q{round(q * 100):02d}", *_ratio(real, sim))
    stops = zip(found.real.stops, found.simulated.stops, strict=True)
    for band, (real, sim) in enumerate(stops, start=1):
        table.add_row(f"stopped in quarter {band}", *_difference(real, sim))
    table.add_row("stopped in all", *_difference(found.real.stopped, found.simulated.stopped))
    table.add_row("finishers' speed spread", *_ratio(found.real.spread, found.simulated.spread))
    table.add_row("starters", str(found.real.starters), str(found.simulated.starters), "")
    console.print(table)


def _ratio(real: float, sim: float) -> tuple[str, str, str]:
    return f"{real:.3f}", f"{sim:.3f}", f"{sim / real:.3f}"


def _difference(real: float, sim: float) -> tuple[str, str, str]:
    return f"{real:.3f}", f"{sim:.3f}", f"{sim - real:+.3f} (difference)"


def desert() -> None:
    race = next(item.race for item in load_definitions(SERIES).races if "atacama" in item.race.slug)
    simulated = simulate_race(race, 1000, 1)
    facts = summary(simulated)
    started, finished = int(str(facts["starters"])), int(str(facts["finishers"]))
    done = simulated.performance
    stage = next(s for s in simulated.course.stages if s.long_march)
    first = sum(len(s.legs) for s in simulated.course.stages if s.number < stage.number)
    keep = done.direction != OUT
    table = measures.split_table(
        done.runner[keep], done.point[keep], done.time[keep], first, len(stage.legs) - 1, 1000
    )
    km = np.array([leg.km for leg in stage.legs[1:]])
    quantiles = measures.relative_pace_quantiles(table, km)
    console.print(
        f"\nsimulated {race.name}, 1,000 entrants: {started} started, {finished} finished "
        f"({finished / started:.0%}), {facts['withdrawn']} withdrew, {facts['medical']} "
        f"medical, {facts['missed_cutoff']} missed a cutoff"
    )
    paces = zip(measures.QUANTILES, quantiles, strict=True)
    console.print(
        f"its long march ({stage.distance_km} km), relative pace: "
        + " ".join(f"q{round(q * 100):02d} {value:.2f}" for q, value in paces)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--fit", action="store_true", help="fit the parameters again")
    args = parser.parse_args()
    if not (args.data / "utmb").is_dir():
        console.print(f"no real data in {args.data}: give --data DIR")
        return 1
    races = real_races(args.data)
    params, hazard = PACE, Hazard()
    if args.fit:
        params = fit_pace(races, params, rounds=12, say=console.print)
        hazard = fit_hazard(races, params, hazard, rounds=5)
        console.print(params, hazard)
    for found in compare(races, params, hazard):
        show(found)
    desert()
    return 0


if __name__ == "__main__":
    sys.exit(main())
