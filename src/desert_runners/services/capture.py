"""Capture: every read a timing device sends is stored once, and nothing is dropped.

Each read becomes a ``read`` fact as the device sent it: its tag, its time as sent
(``device_time``), the instant worked out from it (``occurred_at``: the stage's date, the
midnight rollover, the device's clock offset) and the raw line. The bib is *not* stored:
a read's bib is its tag's bib at the read's time, worked out from the tag history
whenever results are computed, so a tag fixed later fixes its reads too. A read whose
tag nobody has is stored all the same and counted as an unknown tag.

A line that cannot be read (malformed, a failed checksum, an impossible date) is stored
too, as a ``read`` fact with no tag and no time and ``payload.rejected`` saying why: it
stays in the log for anyone to see, and the results set it aside.

A read sent again (a re-imported file, a reader's rewind after a reconnection) is
stored once: its idempotency key is made of the device, the timing point, the device's
sequence number when it numbers its reads, the tag, the time as sent and the antenna;
not the raw line (a rewound line says "rewind") nor the clock offset (measured anew at
each connection). The first stored version stays.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desert_runners.adapters.readers.model import DeviceRead, LineProblem
from desert_runners.adapters.storage import event_log, tag_repo
from desert_runners.bootstrap import Context
from desert_runners.domain.device_time import TimeProblem, device_time_text, resolve_device_time
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import EventKind, Fact
from desert_runners.domain.tags import tag_timeline
from desert_runners.services.races import find_race
from desert_runners.services.recording import TimingPoint, find_timing_point

GUN_TAGS = frozenset({"guntime"})  # ChronoTrack's and MyLaps' start gun, not a chip
NumberedRead = tuple[int | None, DeviceRead]  # the line in its file (None: live)


@dataclass(frozen=True)
class Rejection:
    line: int | None
    reason: str
    raw: str


@dataclass
class IngestReport:
    race: str
    checkpoint: str  # STAGE/CHECKPOINT as the race definition names it
    device: str
    file: str | None = None
    format: str | None = None
    lines: int | None = None  # lines in the file, blank and control lines included
    reads: int = 0  # reads received
    stored: int = 0  # reads new to the log
    already_stored: int = 0  # reads the log held already (or sent twice here)
    guns: int = 0  # start gun markers (stored as reads, no runner's)
    unknown_tags: dict[str, int] = field(default_factory=dict)  # tag -> reads, no bib then
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def unknown(self) -> int:
        return sum(self.unknown_tags.values())


def ingest_reads(
    context: Context,
    race_slug: str | None,
    checkpoint_ref: str,
    device: str,
    reads: Sequence[DeviceRead],
    clock_offset_s: float = 0.0,
) -> IngestReport:
    """Store ``reads`` from ``device`` at ``checkpoint_ref`` (``STAGE/CP``) in one
    transaction: all of them are durable when this returns, or none."""
    return capture(
        context,
        race_slug,
        checkpoint_ref,
        device,
        [(None, read) for read in reads],
        clock_offset_s=clock_offset_s,
    )


def capture(
    context: Context,
    race_slug: str | None,
    checkpoint_ref: str,
    device: str,
    reads: Sequence[NumberedRead],
    problems: Sequence[LineProblem] = (),
    *,
    clock_offset_s: float = 0.0,
    file: str | None = None,
) -> IngestReport:
    """``ingest_reads`` with line numbers, and the lines that could not be read."""
    if not device.strip():
        raise UserError("device: give the device a name (--device)")
    if not math.isfinite(clock_offset_s):
        raise UserError(f"--clock-offset {clock_offset_s}: expected a number of seconds")
    row = find_race(context, race_slug)
    point = find_timing_point(row.race, checkpoint_ref)
    report = IngestReport(row.race.slug, f"{point.stage.number}/{point.id}", device, file)
    builder = _Facts(context.author, device, point, file, clock_offset_s)
    good: list[tuple[Fact, DeviceRead]] = []
    rejected: list[Fact] = []
    for line, read in reads:
        moment = resolve_device_time(
            read.time, point.stage, row.race.zone, km=point.km, clock_offset_s=clock_offset_s
        )
        if isinstance(moment, TimeProblem):
            report.rejected.append(Rejection(line, moment.reason, read.raw))
            rejected.append(builder.rejected(moment.reason, read.raw, line, read.format, read))
        else:
            good.append((builder.read(read, line, moment), read))
    for problem in problems:
        report.rejected.append(Rejection(problem.line, problem.reason, problem.raw))
        rejected.append(builder.rejected(problem.reason, problem.raw, problem.line, problem.format))
    report.reads = len(reads)
    report.rejected.sort(key=lambda item: (item.line is None, item.line or 0))
    for attempt in range(2):
        try:
            _store(context, row.id, row.race.slug, good, rejected, report)
            break
        except event_log.IdempotencyConflictError:
            # Another writer stored the same read between our look and our insert:
            # look again, it is then "already stored".
            if attempt:
                raise
    return report


def _store(
    context: Context,
    race_id: int,
    race: str,
    good: list[tuple[Fact, DeviceRead]],
    rejected: list[Fact],
    report: IngestReport,
) -> None:
    report.stored = report.already_stored = report.guns = 0
    report.unknown_tags = {}
    with context.store.write() as connection:
        timeline = tag_timeline(tag_repo.tag_history(connection, race_id))
        facts = [fact for fact, _ in good] + rejected
        held = event_log.existing_keys(connection, race_id, (fact.key for fact in facts))
        new: dict[str, Fact] = {}
        for fact, read in good:
            if fact.key in held or fact.key in new:
                report.already_stored += 1
            else:
                new[fact.key] = fact
                report.stored += 1
            assert fact.occurred_at is not None
            if read.tag in GUN_TAGS:
                report.guns += 1
            elif timeline.bib_at(read.tag, fact.occurred_at) is None:
                report.unknown_tags[read.tag] = report.unknown_tags.get(read.tag, 0) + 1
        for fact in rejected:
            if fact.key not in held:
                new.setdefault(fact.key, fact)
        event_log.append(connection, race_id, race, new.values(), context.clock())


@dataclass(frozen=True)
class _Facts:
    author: str
    device: str
    point: TimingPoint
    file: str | None
    clock_offset_s: float

    def read(self, read: DeviceRead, line: int | None, moment: datetime) -> Fact:
        sent = device_time_text(read.time)
        payload: dict[str, Any] = {
            "format": read.format,
            "raw": read.raw,
            "sequence": read.sequence,
            "antenna": read.antenna,
            "rssi": read.rssi,
        }
        extra = {
            "file": self.file,
            "line": line,
            "reader": read.device or None,
            "location": read.location or None,
            "device_bib": read.bib,  # kept as the device said; the tag history decides
            "clock_offset_s": self.clock_offset_s or None,
        }
        payload |= {key: value for key, value in extra.items() if value is not None}
        return Fact(
            kind=EventKind.READ,
            source=self.device,
            author=self.author,
            occurred_at=moment,
            device_time=sent,
            tag=read.tag,
            stage=self.point.stage.number,
            checkpoint=self.point.id,
            payload=payload,
            idempotency_key=self._key("read", read.sequence, read.tag, sent, read.antenna),
        )

    def rejected(
        self,
        reason: str,
        raw: str,
        line: int | None,
        kind: str,
        read: DeviceRead | None = None,
    ) -> Fact:
        payload: dict[str, Any] = {"rejected": reason, "format": kind, "raw": raw}
        if read is not None:  # read, but at an impossible time: keep what it said
            payload |= {"tag": read.tag, "sequence": read.sequence}
        extra = {"file": self.file, "line": line}
        payload |= {key: value for key, value in extra.items() if value is not None}
        return Fact(
            kind=EventKind.READ,
            source=self.device,
            author=self.author,
            device_time=device_time_text(read.time) if read is not None else None,
            stage=self.point.stage.number,
            checkpoint=self.point.id,
            payload=payload,
            idempotency_key=self._key("rejected", raw),
        )

    def _key(self, kind: str, *content: object) -> str:
        where = [self.device, self.point.stage.number, self.point.id]
        text = json.dumps([*where, *content], separators=(",", ":"), default=str)
        return f"{kind}:" + hashlib.sha256(text.encode()).hexdigest()[:40]


class StoreSink:
    """The live readers' ``ReadSink`` on the event log: one device at one timing point.

    ``clock_offset_s`` may be changed between calls (a client measures the device's
    clock at each connection); ``last_report`` says what the latest call stored.
    """

    def __init__(
        self,
        context: Context,
        race_slug: str | None,
        checkpoint_ref: str,
        device: str,
        clock_offset_s: float = 0.0,
    ) -> None:
        row = find_race(context, race_slug)
        point = find_timing_point(row.race, checkpoint_ref)  # a wrong point fails now
        self.context = context
        self.race_slug = row.race.slug
        self.race_id = row.id
        self.checkpoint = f"{point.stage.number}/{point.id}"
        self.device = device
        self.clock_offset_s = clock_offset_s
        self.last_report: IngestReport | None = None

    def store(self, reads: Sequence[DeviceRead]) -> None:
        """Durable when it returns (one committed transaction); raises if not stored."""
        self.last_report = ingest_reads(
            self.context, self.race_slug, self.checkpoint, self.device, reads, self.clock_offset_s
        )

    def reject(self, problems: Sequence[LineProblem]) -> None:
        """Keep the lines the client could not read, with why (not part of ``ReadSink``)."""
        self.last_report = capture(
            self.context,
            self.race_slug,
            self.checkpoint,
            self.device,
            [],
            problems,
            clock_offset_s=self.clock_offset_s,
        )

    def resume_position(self, device: str) -> int | None:
        with self.context.store.read() as connection:
            return event_log.highest_sequence(connection, self.race_id, device)
