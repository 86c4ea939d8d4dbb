"""The tag history: who had a tag when, the later statement winning; and a read's bib
worked out from it at the read's time when results are computed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desert_runners.domain.events import Event, EventKind, Fact
from desert_runners.domain.tags import TagAssignment, current_owner, normalise_tag, tag_timeline
from desert_runners.results.facts import facts_frame
from desert_runners.services.read_bibs import with_read_bibs

T0 = datetime(2010, 3, 11, 11, 0, tzinfo=UTC)


def said(order: int, tag: str, bib: int | None, effective: datetime | None = None) -> TagAssignment:
    return TagAssignment(tag, bib, effective, T0, "tags", "ana", "", order)


def test_tags_are_letters_and_digits_in_upper_case() -> None:
    assert normalise_tag(" e200a1 ") == "E200A1"
    assert normalise_tag("12 03") is None
    assert normalise_tag("") is None
    assert normalise_tag("Ä1") is None
    assert normalise_tag("A" * 65) is None


def test_an_assignment_from_the_start_covers_every_read() -> None:
    timeline = tag_timeline([said(1, "A", 101)])
    assert timeline.bib_at("A", datetime(1999, 1, 1, tzinfo=UTC)) == 101
    assert timeline.bib_at("B", T0) is None


def test_a_tag_handed_on_keeps_its_earlier_reads_with_the_first_runner() -> None:
    timeline = tag_timeline([said(1, "A", 101), said(2, "A", 102, T0)])
    assert timeline.bib_at("A", T0 - timedelta(seconds=1)) == 101
    assert timeline.bib_at("A", T0) == 102
    assert timeline.tags_of(101) == {"A"}
    assert timeline.tags_of(102) == {"A"}


def test_a_release_makes_later_reads_nobodys() -> None:
    timeline = tag_timeline([said(1, "A", 101), said(2, "A", None, T0)])
    assert timeline.bib_at("A", T0 - timedelta(hours=1)) == 101
    assert timeline.bib_at("A", T0 + timedelta(hours=1)) is None


def test_a_later_statement_from_the_start_overrides_everything_said_before() -> None:
    history = [said(1, "A", 101), said(2, "A", 102, T0), said(3, "A", 103)]
    timeline = tag_timeline(history)
    assert timeline.bib_at("A", T0 - timedelta(hours=1)) == 103
    assert timeline.bib_at("A", T0 + timedelta(hours=1)) == 103
    assert timeline.segments["A"] == ((None, 103),)
    assert current_owner(history, "A") == history[2]
    assert current_owner(history, "B") is None


def test_an_earlier_statement_with_a_later_start_still_counts_from_then() -> None:
    later = T0 + timedelta(hours=2)
    timeline = tag_timeline([said(1, "A", 101, later), said(2, "A", 102, T0)])
    assert timeline.bib_at("A", T0 - timedelta(seconds=1)) is None  # unknown before
    assert timeline.bib_at("A", T0 + timedelta(hours=1)) == 102
    assert timeline.bib_at("A", later) == 102  # the later statement wins where both count


def test_the_order_recorded_decides_not_the_order_given() -> None:
    shuffled = [said(3, "A", 103, T0), said(1, "A", 101)]
    assert tag_timeline(shuffled).segments["A"] == ((None, 101), (T0, 103))


def _event(event_id: int, kind: EventKind, **fields: object) -> Event:
    fact = Fact(kind=kind, source="mat", author="ana", **fields)  # type: ignore[arg-type]
    return Event(event_id, "r", T0, fact)


def test_reads_get_the_bib_their_tag_had_at_their_time() -> None:
    timeline = tag_timeline([said(1, "A", 101), said(2, "A", 102, T0), said(3, "B", None)])
    before, after = T0 - timedelta(minutes=1), T0 + timedelta(minutes=1)
    events = [
        _event(1, EventKind.READ, tag="A", occurred_at=after, stage=1, checkpoint="CP1"),
        _event(2, EventKind.READ, tag="A", occurred_at=before, stage=1, checkpoint="CP1"),
        _event(3, EventKind.READ, tag="B", occurred_at=before),  # released: nobody's
        _event(4, EventKind.READ, tag="C", occurred_at=before),  # never assigned
        _event(5, EventKind.READ, tag="A", bib=7, occurred_at=before),  # a bib given: kept
        _event(6, EventKind.READ, payload={"rejected": "checksum"}),  # no tag, no time
        _event(7, EventKind.ENTRY, bib=103, occurred_at=before),
    ]
    frame = with_read_bibs(facts_frame(events), timeline)
    assert frame["event_id"].to_list() == [1, 2, 3, 4, 5, 6, 7]
    assert frame["bib"].to_list() == [102, 101, None, None, 7, None, 103]
    assert frame.columns == facts_frame(events).columns


@pytest.mark.parametrize("history", [[], [said(1, "Z", 9)]])
def test_without_reads_of_known_tags_nothing_changes(history: list[TagAssignment]) -> None:
    events = [_event(1, EventKind.ENTRY, bib=103, occurred_at=T0)]
    frame = facts_frame(events)
    assert with_read_bibs(frame, tag_timeline(history)).equals(frame)
