"""What the timing crew, the volunteers and the race director produce, as events in time.

Every event has ``at``: when it happens (a UTC timestamp), so that all of them together
are one stream in time order (``SimulatedRace.events``), for a live driver to replay at
any speed. Chip reads carry the device's own wall clock (what its file or protocol
says), which is not the true time: the device's clock is off and drifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChipRead:
    at: float  # the true moment
    device: str  # "impinj 3/CP2"
    kind: str  # the device's format: "impinj" or "raceresult"
    stage: int
    point: str  # "start", "CP2", "finish"
    tag: str
    wall: datetime  # the device's clock when it read the chip (naive, local)
    antenna: int
    rssi: int


@dataclass(frozen=True)
class TypedEntry:
    """A bib and a time written by a volunteer (a missed read, a reader that was off)."""

    at: float  # when it was written down
    stage: int
    point: str
    direction: str | None  # "in" or "out" at a checkpoint with both
    bib: int  # as typed: now and then two digits swapped
    true_bib: int  # who really passed
    typed: datetime  # the time as written (local, naive): seconds off, or to the minute
    to_the_minute: bool
    source: str  # "3/CP2 volunteer sheet"
    key: str  # the entry's idempotency key, for a void to name it


@dataclass(frozen=True)
class Withdrawal:
    at: float  # when they stopped
    bib: int
    stage: int
    status: str  # "dnf" or "medical"
    reason: str


@dataclass(frozen=True)
class Penalty:
    at: float
    bib: int
    stage: int
    code: str  # from the race's catalogue
    reason: str
    evidence: str


@dataclass(frozen=True)
class MedicalHold:
    """A medic held one runner at a checkpoint: the time is neutralised for them."""

    at: float  # the end of the hold
    bib: int
    stage: int
    point: str
    seconds: float
    reason: str


@dataclass(frozen=True)
class EntryVoid:
    """The race office caught a typed entry's wrong bib: void it, record the right one."""

    at: float
    key: str  # the wrong entry's key
    reason: str
    corrected: TypedEntry  # the same passing under the right bib


Ruling = Withdrawal | Penalty | MedicalHold | EntryVoid
Event = ChipRead | TypedEntry | Ruling
