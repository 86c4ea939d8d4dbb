"""A station's facts as they travel: the wire form, the bundle file, the compact messages
made from facts, and the kit. Each says exactly what the station stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from desert_runners.domain.entrant import Entrant
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.domain.station.bundle import (
    Bundle,
    BundleError,
    decode_bundle,
    encode_bundle,
    looks_like_bundle,
)
from desert_runners.domain.station.compact import decode_message
from desert_runners.domain.station.compact_facts import (
    compact_messages,
    facts_of_message,
    item_of,
)
from desert_runners.domain.station.keys import (
    check_station_name,
    fact_key,
    parse_fact_key,
    station_of_source,
)
from desert_runners.domain.station.kit import (
    KitError,
    StationKit,
    decode_kit,
    encode_kit,
    entrant_of,
    entrant_record,
)
from desert_runners.domain.station.wire import (
    WireError,
    fact_from_wire,
    fact_to_wire,
    with_void_targets,
)

SANTIAGO = ZoneInfo("America/Santiago")


def local(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2010, 3, 7, hour, minute, second, tzinfo=SANTIAGO)


def fact(seq: int, bib: int | None, at: datetime, **changes: object) -> Fact:
    fields: dict[str, object] = {
        "kind": EventKind.ENTRY,
        "source": "station:cp1-a",
        "author": "Ana",
        "occurred_at": at,
        "bib": bib,
        "stage": 1,
        "checkpoint": "CP1",
        "idempotency_key": fact_key("cp1-a", "abc123", seq),
    }
    return Fact(**(fields | changes))  # type: ignore[arg-type]


FACTS = [
    fact(1, 101, local(9, 32, 5)),
    fact(2, 102, local(9, 41), device_time="09:41"),
    fact(3, 103, local(9, 50, 12), device_time="09:50:12"),
    fact(
        4,
        102,
        local(9, 55),
        kind=EventKind.VOID,
        payload={"target": 17, "target_key": fact_key("cp1-a", "abc123", 2), "reason": "typo"},
    ),
    fact(
        5,
        104,
        local(10, 10),
        kind=EventKind.WITHDRAWAL,
        author="Bo",
        payload={"status": "dnf", "reason": "blisters"},
    ),
]


def without_local_id(found: Fact) -> Fact:
    payload = {name: value for name, value in found.payload.items() if name != "target"}
    return Fact(**(vars(found) | {"payload": payload}))


def test_keys_and_names() -> None:
    key = fact_key("cp1-a", "abc123", 12)
    assert key == "station:cp1-a:abc123:12"
    parsed = parse_fact_key(key)
    assert parsed is not None
    assert (parsed.station, parsed.install, parsed.seq) == (
        "cp1-a",
        "abc123",
        12,
    )
    assert parse_fact_key("station:cp1-a:abc123:0") is None
    assert parse_fact_key("sha256:abc") is None
    assert station_of_source("station:cp1-a") == "cp1-a"
    assert station_of_source("cli") is None
    with pytest.raises(UserError) as raised:
        check_station_name("CP 1")
    assert str(raised.value) == (
        "station name 'CP 1': use 1 to 24 lowercase letters, digits and dashes, "
        "starting with a letter or digit (e.g. cp3-a)"
    )


def test_the_wire_form_round_trips_without_the_laptops_own_ids() -> None:
    for original in FACTS:
        back = fact_from_wire(json.loads(json.dumps(fact_to_wire(original))), "cp1-a")
        assert back == without_local_id(original)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"key": "station:cp9:abc123:1"},
            "key 'station:cp9:abc123:1' is not a key of station 'cp1-a'",
        ),
        ({"kind": "penalty"}, "kind 'penalty': a station sends only entry, withdrawal, void"),
        ({"author": ""}, "author: expected a text of 1 to 500 characters"),
        ({"bib": True}, "bib: expected a whole number above 0, got True"),
        ({"bib": None}, "bib: expected a whole number above 0, got None"),
        (
            {"occurred_at": "2010-03-07 09:32"},
            "occurred_at: expected an ISO 8601 time with its offset, got '2010-03-07 09:32'",
        ),
        ({"checkpoint": "CP 1"}, "checkpoint: expected a checkpoint id, got 'CP 1'"),
        ({"direction": "up"}, "direction: expected in, out or null, got 'up'"),
        ({"payload": {"x": "y"}}, "payload of a entry: expected nothing"),
        (
            {"extra": 1},
            "expected a fact with the fields key, kind, author, occurred_at, device_time, bib, "
            "stage, checkpoint, direction, payload",
        ),
    ],
)
def test_a_malformed_fact_is_refused(change: dict[str, object], message: str) -> None:
    wire = fact_to_wire(FACTS[0]) | change
    with pytest.raises(WireError) as raised:
        fact_from_wire(wire, "cp1-a")
    assert str(raised.value) == message


def test_a_station_voids_only_its_own_earlier_facts() -> None:
    wire = fact_to_wire(FACTS[3])
    for target in ("station:cp2:abc123:2", "station:cp1-a:abc123:9", "station:cp1-a:zzz999:2"):
        with pytest.raises(WireError) as raised:
            fact_from_wire(wire | {"payload": {"target_key": target, "reason": ""}}, "cp1-a")
        assert (
            str(raised.value) == f"void {FACTS[3].key}: a station voids only its own earlier facts"
        )


def test_a_void_travels_with_what_it_voids() -> None:
    every = {found.key: found for found in FACTS}
    assert [f.key for f in with_void_targets([FACTS[3]], every)] == [FACTS[1].key, FACTS[3].key]


def bundle() -> Bundle:
    return Bundle(
        "dune-run-2010", "cp1-a", "abc123", datetime(2010, 3, 7, 20, tzinfo=UTC), tuple(FACTS)
    )


def test_a_bundle_round_trips() -> None:
    text = encode_bundle(bundle())
    assert looks_like_bundle(text)
    back = decode_bundle(text + "\n")  # an editor's blank line at the end is harmless
    assert back.facts == tuple(without_local_id(found) for found in FACTS)
    assert (back.race, back.station, back.install) == ("dune-run-2010", "cp1-a", "abc123")


def test_a_bundle_cut_short_or_damaged_is_refused_whole() -> None:
    text = encode_bundle(bundle())
    lines = text.splitlines(keepends=True)
    again = "copy it again from the station"
    cases = {
        "".join(lines[:3]): f"the bundle is incomplete (1 of 5 facts or no checksum line): {again}",
        text[: len(text) // 2]: (
            f"the bundle is incomplete (2 of 5 facts or no checksum line): {again}"
        ),
        text.replace('"bib":101', '"bib":107'): (
            "the bundle is damaged (its checksum does not match): copy it again"
        ),
        "hello\n": "not a station bundle (its first line is not a bundle header)",
        text.replace(
            '"version":1', '"version":2'
        ): "bundle version 2: this software reads version 1",
    }
    for broken, message in cases.items():
        with pytest.raises(BundleError) as raised:
            decode_bundle(broken)
        assert str(raised.value) == message


def test_compact_messages_say_what_the_facts_say() -> None:
    [text] = compact_messages("dune-run-2010", "cp1-a", "abc123", FACTS, SANTIAGO)
    assert facts_of_message(decode_message(text), SANTIAGO) == [without_local_id(f) for f in FACTS]


def test_compact_messages_split_each_whole_with_the_targets_of_its_voids() -> None:
    texts = compact_messages("dune-run-2010", "cp1-a", "abc123", FACTS, SANTIAGO, max_bytes=80)
    assert len(texts) > 1
    assert all(len(text) <= 80 for text in texts)
    received = [f for text in texts for f in facts_of_message(decode_message(text), SANTIAGO)]
    assert {f.key: f for f in received} == {f.key: without_local_id(f) for f in FACTS}
    void_message = next(text for text in texts if "!" in text.split(" ")[6])
    keys = [f.key for f in facts_of_message(decode_message(void_message), SANTIAGO)]
    assert FACTS[1].key in keys  # the voided entry travels again with its void
    with pytest.raises(UserError) as raised:
        compact_messages("dune-run-2010", "cp1-a", "abc123", FACTS, SANTIAGO, max_bytes=40)
    assert str(raised.value).startswith(
        "--max-bytes 40 is too small: one fact with its header takes"
    )


def test_what_a_compact_message_cannot_say_is_refused_before_it_is_sent() -> None:
    with pytest.raises(ValueError, match="not a station's fact"):
        item_of(fact(1, 101, local(9, 32, 5).replace(microsecond=5)), SANTIAGO)
    with pytest.raises(ValueError, match="is not HH:MM"):
        item_of(fact(1, 101, local(9, 32), device_time="0932"), SANTIAGO)


def kit() -> StationKit:
    entrant = Entrant(101, "Ana", "Pérez", "F", "CHL", tags=("A101",))
    return StationKit(
        kit="k1234abcd",
        issued_at=datetime(2010, 3, 6, 20, tzinfo=UTC),
        issued_by="director",
        station="cp1-a",
        stage=2,
        checkpoint="CP2",
        direction=Direction.OUT,
        token="secret",
        series={"slug": "s", "name": "S", "definition": {"events": []}},
        race={"slug": "r", "definition": {"slug": "r"}, "digest": "d", "source": "r.yaml"},
        entrants=[entrant_record(entrant)],
        out_of_race={104: "out since stage 1: dnf"},
    )


def test_a_kit_round_trips_and_a_damaged_one_is_refused() -> None:
    text = encode_kit(kit())
    assert decode_kit(text) == kit()
    assert entrant_of(decode_kit(text).entrants[0]).tags == ("A101",)
    cases = {
        text.replace(
            '"cp1-a"', '"cp1-b"'
        ): "the kit is damaged (its checksum does not match): copy it again",
        "{}": "not a station kit (make one at camp with `desert-runners station kit`)",
        "not json": "not a station kit (make one at camp with `desert-runners station kit`)",
    }
    for broken, message in cases.items():
        with pytest.raises(KitError) as raised:
            decode_kit(broken)
        assert str(raised.value) == message


@pytest.mark.parametrize(
    ("fact_index", "payload", "message"),
    [
        (4, {"status": "dq", "reason": ""}, "status 'dq': expected dnf, medical"),
        (4, {"status": "dnf", "reason": 7}, "payload of a withdrawal: expected texts"),
        (3, {"target_key": "x"}, "payload of a void: expected reason, target_key"),
    ],
)
def test_a_malformed_payload_is_refused(
    fact_index: int, payload: dict[str, object], message: str
) -> None:
    wire = fact_to_wire(FACTS[fact_index]) | {"payload": payload}
    with pytest.raises(WireError) as raised:
        fact_from_wire(wire, "cp1-a")
    assert str(raised.value) == message


def test_a_bundle_with_a_bad_header_is_refused() -> None:
    text = encode_bundle(bundle()).replace('"install":"abc123"', '"install":"ABC"')
    with pytest.raises(BundleError) as raised:
        decode_bundle(text)
    assert str(raised.value) == "the bundle's header is not valid: copy it again from the station"


def test_a_kit_of_another_version_or_incomplete_is_refused() -> None:
    newer = json.loads(encode_kit(kit()))
    newer["version"] = 2
    with pytest.raises(KitError) as raised:
        decode_kit(json.dumps(newer))
    assert str(raised.value) == "kit version 2: this software reads 1"
    incomplete = kit()
    broken = encode_kit(
        StationKit(**(vars(incomplete) | {"entrants": [{"bib": 101, "nickname": "x"}]}))
    )
    with pytest.raises(KitError) as raised:
        decode_kit(broken)
    assert str(raised.value) == "the kit is not complete: make it again at camp"
