"""The compact satellite message: every fact comes back exactly, and no garbage crashes it."""

from __future__ import annotations

import contextlib
import random
import string
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desert_runners.domain.station.compact import (
    EARLIEST,
    LATEST,
    CompactError,
    Item,
    Message,
    decode_message,
    encode_message,
    number_text,
    unzigzag,
    zigzag,
)

BASE = 1_267_963_200  # 2010-03-07 12:00 UTC


def message(items: list[Item]) -> Message:
    return Message("atacama-crossing-2010", "cp3-a", "k7f2a9", tuple(items))


def entry(seq: int, bib: int, at: int, **changes: object) -> Item:
    item = Item(seq, "entry", "Ana", 1, "CP3", None, at, None, bib)
    return replace(item, **changes)  # type: ignore[arg-type]


def test_a_small_message_as_it_is_written() -> None:
    items = [
        entry(1, 101, BASE),
        entry(2, 17, BASE + 61),
        entry(3, 102, BASE + 120, typed="minutes", author="Bo Li"),
        Item(4, "void", "Bo Li", 1, "CP3", None, BASE + 130, bib=17, target=2, reason="typo"),
        Item(5, "withdrawal", "Bo Li", 1, "CP3", None, BASE + 140, None, 33, "dnf", None, "heat"),
    ]
    text = encode_message(message(items))
    assert text == (
        "DR1 atacama-crossing-2010 cp3-a k7f2a9 kywuo0 Ana,Bo%20Li "
        "@1/CP3;Lk0B4At~1Lp2!1k'typo'*D4a'heat' " + text.rsplit(" ", 1)[1]
    )
    assert decode_message(text) == message(items)


def test_numbers_need_no_separator() -> None:
    assert [number_text(n) for n in (0, 31, 32, 991, 992)] == ["0", "v", "A0", "zv", "AA0"]
    assert [zigzag(n) for n in (0, -1, 1, -2)] == [0, 1, 2, 3]
    assert all(unzigzag(zigzag(n)) == n for n in range(-1000, 1000))


CHECKPOINTS = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=20)


@st.composite
def messages(draw: st.DrawFn) -> Message:
    names = st.text(min_size=1, max_size=12)
    reasons = st.one_of(st.just(""), st.text(min_size=1, max_size=30))
    count = draw(st.integers(1, 30))
    seq = draw(st.integers(1, 5000))
    at = draw(st.integers(EARLIEST + 10**6, LATEST - 10**6))
    items: list[Item] = []
    for _ in range(count):
        seq += draw(st.integers(1, 3))
        at += draw(st.integers(-3600, 3600))
        author = draw(names)
        targets = [item for item in items if item.kind != "void"]
        if targets and draw(st.integers(0, 5)) == 0:
            target = draw(st.sampled_from(targets))
            items.append(
                Item(
                    seq,
                    "void",
                    author,
                    target.stage,
                    target.checkpoint,
                    target.direction,
                    at,
                    None,
                    target.bib,
                    None,
                    target.seq,
                    draw(reasons),
                )
            )
            continue
        typed = draw(st.sampled_from([None, "minutes", "seconds"]))
        kind = draw(st.sampled_from(["entry", "entry", "entry", "withdrawal"]))
        items.append(
            Item(
                seq,
                kind,
                author,
                draw(st.integers(1, 999)),
                draw(CHECKPOINTS),
                draw(st.sampled_from([None, "in", "out"])),
                at - at % 60 if typed == "minutes" else at,
                typed,
                draw(st.integers(1, 99_999)),
                draw(st.sampled_from(["dnf", "medical"])) if kind == "withdrawal" else None,
                None,
                draw(reasons) if kind == "withdrawal" else "",
            )
        )
    station = draw(st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=24))
    return Message("dune-run-2010", station, "abc123", tuple(items))


@settings(max_examples=200)
@given(messages())
def test_every_message_comes_back_exactly(original: Message) -> None:
    text = encode_message(original)
    assert text.isascii()
    assert "\n" not in text
    assert decode_message(text) == original


@settings(max_examples=500)
@given(st.text(max_size=200))
def test_garbage_never_crashes_the_decoder(text: str) -> None:
    with contextlib.suppress(CompactError):
        decode_message(text)


@settings(max_examples=200)
@given(messages(), st.data())
def test_a_damaged_message_is_refused_never_misread(original: Message, data: st.DataObject) -> None:
    text = encode_message(original)
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from(string.printable))
    damaged = text[:position] + replacement + text[position + 1 :]
    cut = text[: data.draw(st.integers(0, len(text) - 1))]
    for broken in (damaged, cut):
        if broken == text:
            continue
        with pytest.raises(CompactError):
            decode_message(broken)


@settings(max_examples=300)
@given(
    st.text(
        alphabet="0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZwxyz^~@<>=!*+';/",
        max_size=80,
    )
)
def test_any_body_with_a_good_checksum_is_read_or_refused_cleanly(body: str) -> None:
    """The checksum cannot help here: the body is garbage with a valid checksum."""
    from desert_runners.domain.station.compact import _check

    head = f"DR1 dune-run-2010 cp1 abc123 kywse0 Ana,Bo {body}"
    with contextlib.suppress(CompactError):
        decode_message(f"{head} {_check(head)}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a compact station message (it starts with DR1 and has 8 parts)"),
        ("DR2 a b c d e f g", "not a compact station message (it starts with DR1 and has 8 parts)"),
        ("DR1 a b c d e f ggg", "the message is damaged (its checksum does not match)"),
    ],
)
def test_messages_that_are_not_ours(text: str, message: str) -> None:
    with pytest.raises(CompactError) as raised:
        decode_message(text)
    assert str(raised.value) == message


def sign(head: str) -> str:
    from desert_runners.domain.station.compact import _check

    return f"{head} {_check(head)}"


@pytest.mark.parametrize(
    ("head", "message"),
    [
        ("DR1 Bad_Race cp1 abc123 kywse0 Ana @1/CP1;Ck0", "the message's header is not valid"),
        (
            "DR1 r cp1 abc123 zzzzzzzz Ana @1/CP1;Ck0",
            "the message's base time 'zzzzzzzz' is not valid",
        ),
        ("DR1 r cp1 abc123 kywse0 %FF @1/CP1;Ck0", "the message's list of authors is not valid"),
        ("DR1 r cp1 abc123 kywse0 Ana Ck0", "the message is damaged at character 3 of its body"),
        (
            "DR1 r cp1 abc123 kywse0 Ana @1/CP1;Ck",
            "the message is damaged at character 10 of its body",
        ),
        (
            "DR1 r cp1 abc123 kywse0 Ana @1/CP1;!0k",
            "void #1 does not travel with the fact it voids",
        ),
        (
            "DR1 r cp1 abc123 kywse0 Ana @1/CP1;~1Ck0",
            "the message is damaged at character 10 of its body",
        ),
        ("DR1 r cp1 abc123 kywse0 Ana -", "the message is damaged at character 1 of its body"),
        ("DR1 r cp1 abc123 kywse0 Ana ", "the message holds no facts"),
    ],
)
def test_damage_with_a_good_checksum_is_named(head: str, message: str) -> None:
    with pytest.raises(CompactError) as raised:
        decode_message(sign(head))
    assert str(raised.value) == message


def passings(count: int, seed: int = 2010) -> Message:
    """A checkpoint's day: the field passes over about four hours, on the station's clock."""
    rng = random.Random(seed)
    bibs = rng.sample(range(1, 201), count) if count <= 200 else list(range(1, count + 1))
    at, items = BASE, []
    for seq, bib in enumerate(bibs, start=1):
        at += round(rng.expovariate(count / (4 * 3600)))
        items.append(entry(seq, bib, at))
    return message(items)


@pytest.mark.parametrize(("count", "most"), [(50, 5.5), (200, 4.3)])
def test_bytes_per_passing(count: int, most: float) -> None:
    text = encode_message(passings(count))
    per_passing = len(text.encode()) / count
    print(f"{count} passings: {len(text.encode())} bytes, {per_passing:.2f} bytes per passing")
    assert per_passing <= most
