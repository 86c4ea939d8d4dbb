"""The figures compared between a real race and a simulated one, measured the same way.

A race here is a split table: one row per starter, one column per timing point, the
elapsed time from the start in seconds (NaN where there is none), with each point's km.

- ``relative_pace_quantiles``: each section's pace (s/km) divided by the runner's
  average pace over the whole race, for every finisher and every section of at least
  ``min_km`` (a missing split merges two sections into one; a section shorter than
  ``min_km``, such as the way in and out of an aid station, is left out);
- ``stop_shares``: the share of starters who did not finish whose last timing point lies
  in each band of the distance (quarters by default; a runner with no time at all
  stopped at km 0);
- ``speed_spread``: the standard deviation of the log of finishers' average speeds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
BANDS = 4

Floats = NDArray[np.float64]


def finished(elapsed: Floats) -> NDArray[np.bool_]:
    return np.asarray(np.isfinite(elapsed[:, -1]), dtype=np.bool_)


def relative_paces(elapsed: Floats, km: Floats, min_km: float = 1.0) -> Floats:
    """Every qualifying section's relative pace, over the finishers."""
    rows = elapsed[finished(elapsed)]
    if len(rows) == 0:
        return np.zeros(0)
    average = rows[:, -1] / km[-1]
    found: list[Floats] = []
    last_km = np.zeros(len(rows))
    last_time = np.zeros(len(rows))
    for column, point_km in enumerate(km):
        times = rows[:, column]
        timed = np.isfinite(times)
        long_enough = timed & (point_km - last_km >= min_km)
        section = (times - last_time) / np.maximum(point_km - last_km, 1e-9)
        found.append(section[long_enough] / average[long_enough])
        last_km = np.where(long_enough, point_km, last_km)
        last_time = np.where(long_enough, times, last_time)
    return np.concatenate(found)


def relative_pace_quantiles(elapsed: Floats, km: Floats, min_km: float = 1.0) -> Floats:
    paces = relative_paces(elapsed, km, min_km)
    return np.asarray(np.quantile(paces, QUANTILES), dtype=np.float64)


def last_km(elapsed: Floats, km: Floats) -> Floats:
    """The km of each starter's last timed point (0 when they have none)."""
    timed = np.isfinite(elapsed)
    last = np.where(timed, km[np.newaxis, :], 0.0)
    return np.asarray(last.max(axis=1), dtype=np.float64)


def stop_counts(elapsed: Floats, km: Floats, bands: int = BANDS) -> NDArray[np.int64]:
    """How many starters stopped in each band of the distance."""
    stopped = last_km(elapsed, km)[~finished(elapsed)]
    edges = np.linspace(0.0, km[-1], bands + 1)
    band = np.clip(np.searchsorted(edges, stopped, side="right") - 1, 0, bands - 1)
    return np.bincount(band, minlength=bands).astype(np.int64)


def stop_shares(elapsed: Floats, km: Floats, bands: int = BANDS) -> Floats:
    return np.asarray(stop_counts(elapsed, km, bands) / max(len(elapsed), 1), dtype=np.float64)


def speed_spread(elapsed: Floats, km: Floats) -> float:
    rows = elapsed[finished(elapsed)]
    return float(np.std(np.log(km[-1] / rows[:, -1])))


def median_speed_kmh(elapsed: Floats, km: Floats) -> float:
    rows = elapsed[finished(elapsed)]
    return float(np.median(km[-1] / rows[:, -1] * 3600))


def split_table(
    runner: NDArray[np.int64],
    point: NDArray[np.int64],
    time: Floats,
    first_point: int,
    points: int,
    runners: int,
) -> Floats:
    """A stage's split table from its crossings (ins and plain ones, not outs): one row
    per runner who crossed the start (``first_point``), elapsed from their own start at
    each of the stage's next ``points`` timing points."""
    table = np.full((runners, points + 1), np.nan)
    inside = (point >= first_point) & (point <= first_point + points)
    # The first crossing of a point wins: write the later ones first.
    order = np.argsort(-time[inside])
    table[runner[inside][order], point[inside][order] - first_point] = time[inside][order]
    started = np.isfinite(table[:, 0])
    return np.asarray(table[started, 1:] - table[started, :1], dtype=np.float64)
