"""What the chip readers saw of the race: the mess of real timing.

One reader per timing point: a RaceResult decoder at each stage's start and finish (one
passing per crossing, now and then two), an Impinj reader at each checkpoint (raw reads:
about a dozen per crossing, within a second or two). Then, as in the desert:

- duplicate reads: many per crossing, and a runner who lingers on the mat and crosses
  it again minutes later (a second crossing the results set aside);
- missed reads: a chip not read at all at a mat (``MISS_RATE``); a volunteer's typed
  entry covers some (``entries``);
- a reader that is off for a while (flat battery, sand in a connector): nothing is read
  (one such outage each race at least, and now and then another);
- device clocks: each set in the morning to within a second, measured by the crew (the
  offset given at import) and drifting by some ppm; one reader's clock is a minute off
  and nobody measured it, another drifts fast;
- a chip nobody has (a lost spare, a volunteer's), read near a start mat.

All columnar (numpy): a 10,000-runner race has about three million reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from desert_runners.domain.race import FINISH, START
from desert_runners.simulate.model.course import Course
from desert_runners.simulate.model.performance import Performance
from desert_runners.simulate.model.runners import Floats, Ints

READS_PER_CROSSING = {"impinj": 13.0, "raceresult": 1.15}
MISS_RATE = 0.012
SPARE_MISS_RATE = 0.05  # a spare chip deep in the pack is read less well
LINGER_RATE = 0.015
EXTRA_OUTAGE_RATE = 0.02  # per reader, besides the one outage each race has
STRAY_TAGS = 2
CLOCK_SD_S, MEASURE_SD_S, DRIFT_SD_PPM = 0.8, 0.1, 15.0


@dataclass(frozen=True)
class Device:
    name: str  # "impinj 3/CP2": the format and where it reads
    kind: str  # "impinj" or "raceresult"
    stage: int
    point: str  # "start", "CP2", "finish"
    index: int  # the timing point's index in ``Course.points``
    sync: float  # when its clock was set, in the morning
    offset_s: float  # its clock minus the true time, when set
    drift_ppm: float
    measured_offset_s: float | None  # what the crew measured; None: nobody did
    outage: tuple[float, float] | None  # when it was off

    @property
    def clock_offset_s(self) -> float:
        """What to add to its times at import (positive when its clock is behind)."""
        return 0.0 if self.measured_offset_s is None else -round(self.measured_offset_s, 1)


@dataclass
class Timing:
    devices: list[Device]
    tags: list[str]  # tag number -> the chip's id
    device: Ints  # one row per read, in true time order
    tag: Ints
    time: Floats  # the true moment (UTC timestamp)
    wall: Floats  # the device's clock: local wall time as seconds since 1970-01-01 00:00
    antenna: Ints
    rssi: Ints
    unread: Ints  # the crossings (rows of the performance) nobody's chip was read at
    unread_off: NDArray[np.bool_]  # ... because the reader was off

    def wall_time(self, row: int) -> datetime:
        return datetime.fromtimestamp(float(self.wall[row]), UTC).replace(tzinfo=None)


def see(
    course: Course,
    performance: Performance,
    runner_tags: list[tuple[str, ...]],
    rng: np.random.Generator,
) -> Timing:
    devices = _devices(course, performance, rng)
    tags = [tag for chips in runner_tags for tag in chips]
    first_tag = np.cumsum([0] + [len(chips) for chips in runner_tags])[:-1]
    spare = np.array([len(chips) > 1 for chips in runner_tags], dtype=np.bool_)
    point, time = performance.point, performance.time
    start = np.array([d.outage[0] if d.outage else np.inf for d in devices])
    end = np.array([d.outage[1] if d.outage else -np.inf for d in devices])
    off = (time >= start[point]) & (time <= end[point])
    missed = off | (rng.random(len(time)) < MISS_RATE)
    # One row per chip that was read at a crossing: the first tag, and a spare one.
    seen_at = np.flatnonzero(~missed)
    with_spare = seen_at[spare[performance.runner[seen_at]]]
    with_spare = with_spare[rng.random(len(with_spare)) >= SPARE_MISS_RATE]
    crossing = np.concatenate([seen_at, with_spare])
    tag = first_tag[performance.runner[crossing]] + np.concatenate(
        [np.zeros(len(seen_at), dtype=np.int64), np.ones(len(with_spare), dtype=np.int64)]
    )
    when = time[crossing]
    where = point[crossing]
    # Lingering on the mat, and crossing it again (not at a start, nor an in/out point).
    plain = np.array([d.point != START for d in devices])[where]
    plain &= performance.direction[crossing] == 0
    again = plain & (rng.random(len(crossing)) < LINGER_RATE)
    tag = np.concatenate([tag, tag[again]])
    when = np.concatenate([when, when[again] + rng.uniform(70.0, 600.0, int(again.sum()))])
    where = np.concatenate([where, where[again]])
    reads = _reads(devices, where, tag, when, rng)
    reads = _with_strays(devices, performance, tags, reads, rng)
    # Nothing is read while the reader is off (a lingering runner's second pass neither).
    on = ~((reads[2] >= start[reads[0]]) & (reads[2] <= end[reads[0]]))
    reads = (reads[0][on], reads[1][on], reads[2][on])
    order = np.argsort(reads[2], kind="stable")
    device, tag_of, moment = reads[0][order], reads[1][order], reads[2][order]
    wall = _walls(devices, device, moment, course.zone)
    unread = np.flatnonzero(missed)
    return Timing(
        devices=devices,
        tags=tags,
        device=device,
        tag=tag_of,
        time=moment,
        wall=wall,
        antenna=rng.integers(1, 5, len(moment)),
        rssi=np.clip(np.round(rng.normal(-62, 6, len(moment))), -90, -30).astype(np.int64),
        unread=unread,
        unread_off=off[unread],
    )


def _devices(course: Course, performance: Performance, rng: np.random.Generator) -> list[Device]:
    points = course.points
    checkpoints = [i for i, (_, leg) in enumerate(points) if leg.point not in (START, FINISH)]
    busy = [i for i in checkpoints if np.any(performance.point == i)]
    pool = busy or checkpoints or list(range(len(points)))
    unmeasured, fast, off = (int(rng.choice(pool)) for _ in range(3))
    devices = []
    starts = {stage.number: stage.start for stage in course.stages}
    for index, (stage, leg) in enumerate(points):
        kind = "raceresult" if leg.point in (START, FINISH) else "impinj"
        offset = float(rng.normal(0.0, CLOCK_SD_S))
        measured: float | None = offset + float(rng.normal(0.0, MEASURE_SD_S))
        drift = float(rng.normal(0.0, DRIFT_SD_PPM))
        if index == unmeasured:
            offset, measured = float(rng.choice([-1, 1]) * rng.uniform(35.0, 95.0)), None
        if index == fast:
            drift = float(rng.choice([-1, 1]) * 400.0)
        outage = None
        if index == off or rng.random() < EXTRA_OUTAGE_RATE:
            outage = _outage(performance.time[performance.point == index], rng)
        devices.append(
            Device(
                name=f"{kind} {stage}/{leg.point}",
                kind=kind,
                stage=stage,
                point=leg.point,
                index=index,
                sync=starts[stage] - 3600.0,
                offset_s=offset,
                drift_ppm=drift,
                measured_offset_s=measured,
                outage=outage,
            )
        )
    return devices


def _outage(times: Floats, rng: np.random.Generator) -> tuple[float, float] | None:
    """Off for 20-60 minutes, from when a third of the field has passed."""
    if len(times) == 0:
        return None
    begin = float(np.quantile(times, 0.3))
    return begin, begin + float(rng.uniform(20.0, 60.0)) * 60


def _reads(
    devices: list[Device], where: Ints, tag: Ints, when: Floats, rng: np.random.Generator
) -> tuple[Ints, Ints, Floats]:
    """Many reads per chip crossing: the reader's kind says how many, within a second or two."""
    raw = np.array([d.kind == "impinj" for d in devices])[where]
    count = np.where(
        raw,
        1 + rng.poisson(READS_PER_CROSSING["impinj"] - 1, len(where)),
        1 + (rng.random(len(where)) < READS_PER_CROSSING["raceresult"] - 1),
    )
    row = np.repeat(np.arange(len(where)), count)
    spread = np.where(raw[row], rng.uniform(-1.5, 1.5, len(row)), rng.uniform(0.0, 1.0, len(row)))
    return where[row], tag[row], when[row] + spread


def _with_strays(
    devices: list[Device],
    performance: Performance,
    tags: list[str],
    reads: tuple[Ints, Ints, Floats],
    rng: np.random.Generator,
) -> tuple[Ints, Ints, Floats]:
    """A few reads of chips nobody has, near start mats, while the field gathers."""
    starts = [d.index for d in devices if d.point == START]
    device, tag, time = reads
    extra: list[tuple[int, int, float]] = []
    for number in range(STRAY_TAGS):
        taken = set(tags)
        stray = f"{int(rng.integers(0, 16**10)):010X}"
        if stray in taken or not starts:
            continue
        tags.append(stray)
        at = int(rng.choice(starts))
        seen = performance.time[performance.point == at]
        if len(seen) == 0:
            continue
        for moment in np.sort(rng.uniform(seen.min() - 600, seen.min(), 3 + number)):
            extra.append((at, len(tags) - 1, float(moment)))
    if not extra:
        return reads
    more = np.array(extra, dtype=np.float64)
    return (
        np.concatenate([device, more[:, 0].astype(np.int64)]),
        np.concatenate([tag, more[:, 1].astype(np.int64)]),
        np.concatenate([time, more[:, 2]]),
    )


def _walls(devices: list[Device], device: Ints, moment: Floats, zone: str) -> Floats:
    """Each read's time on its device's clock: local, off by its offset, drifting."""
    if len(moment) == 0:
        return moment.copy()
    offset = np.array([d.offset_s for d in devices])[device]
    drift = np.array([d.drift_ppm for d in devices])[device] / 1e6
    sync = np.array([d.sync for d in devices])[device]
    wall = moment + local_offsets(moment, zone) + offset + (moment - sync) * drift
    return np.asarray(wall, dtype=np.float64)


def local_offsets(moment: Floats, zone: str) -> Floats:
    """The zone's offset from UTC (seconds) at each moment, hour by hour (DST-aware)."""
    first, last = int(moment.min() // 3600), int(moment.max() // 3600)
    tz = ZoneInfo(zone)
    table = np.array([_offset(hour * 3600.0, tz) for hour in range(first, last + 1)])
    return np.asarray(table[(moment // 3600).astype(np.int64) - first], dtype=np.float64)


def _offset(moment: float, tz: ZoneInfo) -> float:
    found = datetime.fromtimestamp(moment, tz).utcoffset()
    return 0.0 if found is None else found.total_seconds()
