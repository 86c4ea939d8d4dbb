"""Write courses/atacama-stage-1.gpx: a synthetic GPX 1.1 track for stage 1 of the
Atacama Crossing 2010 example.

The route is invented but plausible: it starts high in the Río Grande valley north-east
of San Pedro de Atacama (about 3,200 m), crosses a ridge, drops through canyons and ends
at the stage 1 camp (about 2,600 m). Points every ~100-200 m, with <ele> and no <time>.

Deterministic (fixed seed, stdlib only): running it again gives the same file.

    python make_gpx.py            # writes atacama-stage-1.gpx next to this script
"""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path
from xml.sax.saxutils import escape

SEED = 20100307
TARGET_KM = 37.2  # the stage's finish checkpoint is at km 37.0, just inside the track
EARTH_RADIUS_M = 6_371_008.8
OUT = Path(__file__).with_name("atacama-stage-1.gpx")

# Coarse route (lat, lon): Río Grande valley -> ridge -> canyons -> camp.
WAYPOINTS = [
    (-22.6520, -68.1650),
    (-22.6680, -68.1480),
    (-22.6900, -68.1420),
    (-22.7080, -68.1590),
    (-22.7150, -68.1850),
    (-22.7330, -68.2010),
    (-22.7520, -68.1930),
    (-22.7700, -68.2080),
    (-22.7790, -68.2330),
    (-22.7950, -68.2450),
    (-22.8120, -68.2360),
    (-22.8290, -68.2480),
]

# Elevation profile: (fraction of the distance, metres).
PROFILE = [
    (0.00, 3185.0),
    (0.08, 3250.0),
    (0.14, 3292.0),  # ridge above the valley
    (0.27, 3010.0),
    (0.40, 2905.0),  # canyon floor
    (0.52, 2960.0),
    (0.63, 3065.0),  # second climb
    (0.75, 2840.0),
    (0.88, 2690.0),
    (1.00, 2605.0),  # camp 1
]


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def track_length_m(points: list[tuple[float, float]]) -> float:
    return sum(haversine_m(p, q) for p, q in itertools.pairwise(points))


def densify(rng: random.Random) -> list[tuple[float, float]]:
    """Points every ~50 m along the waypoints, meandering a little sideways."""
    points = [WAYPOINTS[0]]
    phase = rng.uniform(0, 2 * math.pi)
    for start, end in itertools.pairwise(WAYPOINTS):
        leg = haversine_m(start, end)
        travelled = 0.0
        while True:
            step = rng.uniform(40.0, 60.0)
            if travelled + step >= leg - 25.0:
                break
            travelled += step
            phase += step / 700.0
            t = travelled / leg
            lat = start[0] + (end[0] - start[0]) * t
            lon = start[1] + (end[1] - start[1]) * t
            # sideways wiggle, fading out at the waypoints so legs join smoothly
            wiggle = math.sin(phase) * 0.0022 * math.sin(math.pi * t) + rng.uniform(
                -0.00015, 0.00015
            )
            dlat, dlon = end[0] - start[0], end[1] - start[1]
            norm = math.hypot(dlat, dlon)
            points.append((lat - dlon / norm * wiggle, lon + dlat / norm * wiggle))
        points.append(end)
    return points


def scale_to(points: list[tuple[float, float]], target_m: float) -> list[tuple[float, float]]:
    """Stretch the path about its start so that it is target_m long."""
    origin = points[0]
    for _ in range(5):
        factor = target_m / track_length_m(points)
        points = [
            (origin[0] + (lat - origin[0]) * factor, origin[1] + (lon - origin[1]) * factor)
            for lat, lon in points
        ]
    return points


def resample(points: list[tuple[float, float]], rng: random.Random) -> list[tuple[float, float]]:
    """Points along the path at random spacings of 110-180 m (the last one is the end)."""
    out = [points[0]]
    next_at = rng.uniform(110.0, 180.0)
    done = 0.0
    for a, b in itertools.pairwise(points):
        leg = haversine_m(a, b)
        while done + leg >= next_at:
            t = (next_at - done) / leg
            out.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
            next_at += rng.uniform(110.0, 180.0)
        done += leg
    if haversine_m(out[-1], points[-1]) < 60.0:
        out.pop()
    out.append(points[-1])
    return out


def elevation(fraction: float, rng: random.Random, noise: list[float], index: int) -> float:
    for (f0, e0), (f1, e1) in itertools.pairwise(PROFILE):
        if f0 <= fraction <= f1:
            t = (fraction - f0) / (f1 - f0)
            t = t * t * (3 - 2 * t)  # smoothstep between profile points
            base = e0 + (e1 - e0) * t
            break
    else:
        base = PROFILE[-1][1]
    return min(3300.0, max(2400.0, base + noise[index]))


def main() -> None:
    rng = random.Random(SEED)
    points = scale_to(resample(scale_to(densify(rng), TARGET_KM * 1000.0), rng), TARGET_KM * 1000.0)
    total = track_length_m(points)
    # smooth noise: a random walk, low-pass filtered, so the climb stays realistic
    walk, value = [], 0.0
    for _ in points:
        value = 0.8 * value + rng.uniform(-2.5, 2.5)
        walk.append(value)
    done = 0.0
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="Desert Runners examples/4deserts-2010/courses/make_gpx.py"',
        '     xmlns="http://www.topografix.com/GPX/1/1"',
        '     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        '     xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
        'http://www.topografix.com/GPX/1/1/gpx.xsd">',
        "  <metadata>",
        f"    <name>{escape('Atacama Crossing 2010 - Stage 1')}</name>",
        "    <desc>Synthetic course for the Desert Runners examples; approximates the terrain, "
        "not the real route.</desc>",
        "  </metadata>",
        "  <trk>",
        f"    <name>{escape('Stage 1 - Río Grande')}</name>",
        "    <trkseg>",
    ]
    elevations = []
    for index, (lat, lon) in enumerate(points):
        if index:
            done += haversine_m(points[index - 1], (lat, lon))
        ele = elevation(done / total, rng, walk, index)
        elevations.append(ele)
        lines.append(f'      <trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>{ele:.1f}</ele></trkpt>')
    lines += ["    </trkseg>", "  </trk>", "</gpx>", ""]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    climb = sum(max(0.0, b - a) for a, b in itertools.pairwise(elevations))
    descent = sum(max(0.0, a - b) for a, b in itertools.pairwise(elevations))
    print(
        f"{OUT.name}: {len(points)} points, {total / 1000:.2f} km, "
        f"ele {min(elevations):.0f}-{max(elevations):.0f} m, "
        f"climb {climb:.0f} m, descent {descent:.0f} m"
    )


if __name__ == "__main__":
    main()
