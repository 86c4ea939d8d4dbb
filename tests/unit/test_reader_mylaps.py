"""MyLaps Exchange: the documented record and message, a stream, acks, bad records."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.adapters.readers import mylaps
from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

FIXTURE = Path(__file__).parent.parent / "fixtures" / "readers" / "mylaps_messages.txt"
SAMPLE = "t=13:11:30.904|c=0000041|ct=UH|d=120606|l=13|dv=4|re=0|an=00001111|g=0|b=41|n=41"
SECOND = "t=13:12:21.830|c=0000039|ct=UH|d=120606|l=30|dv=4|re=0|an=00001101|g=0|b=39|n=39"
MESSAGE = f"10KM@Passing@{SAMPLE}@{SECOND}@1016@$"
CONTROL = "not a passing (control message)"


def stream() -> list[tuple[int, str]]:
    lines = FIXTURE.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    return list(enumerate(lines, start=1))


def test_the_documented_record() -> None:
    assert mylaps.parse_line(SAMPLE, 4) == DeviceRead(
        format="mylaps",
        tag="0000041",
        time=DeviceTime(local=datetime(2012, 6, 6, 13, 11, 30, 904000)),
        raw=SAMPLE,
        device="4",
        bib=41,
    )


def test_the_documented_message_and_its_ack() -> None:
    assert mylaps.parse_message(MESSAGE, 9) == [
        DeviceRead(
            format="mylaps",
            tag="0000041",
            time=DeviceTime(local=datetime(2012, 6, 6, 13, 11, 30, 904000)),
            raw=SAMPLE,
            device="4",
            bib=41,
            location="10KM",
        ),
        DeviceRead(
            format="mylaps",
            tag="0000039",
            time=DeviceTime(local=datetime(2012, 6, 6, 13, 12, 21, 830000)),
            raw=SECOND,
            device="4",
            bib=39,
            location="10KM",
        ),
    ]
    assert mylaps.ack_for(MESSAGE) == "DesertRunners@AckPassing@1016@$"
    assert mylaps.ack_for(MESSAGE, server="Camp4Laptop") == "Camp4Laptop@AckPassing@1016@$"


def test_a_message_framed_without_its_dollar_or_with_a_line_break() -> None:
    framed = MESSAGE.removesuffix("$")
    assert mylaps.parse_message(framed) == mylaps.parse_message(MESSAGE)
    assert mylaps.parse_message(MESSAGE + "\r\n") == mylaps.parse_message(MESSAGE)
    assert mylaps.ack_for(framed) == "DesertRunners@AckPassing@1016@$"


def test_without_a_date_the_time_is_a_time_of_day() -> None:
    read = mylaps.parse_line("c=KX41873|t=00:04:12.660")
    assert isinstance(read, DeviceRead)
    assert read.time == DeviceTime(time_of_day=time(0, 4, 12, 660000))


@pytest.mark.parametrize(
    ("record", "antenna", "rssi"),
    [
        ("c=1|t=10:00:00.000|an=2", 2, None),
        ("c=1|t=10:00:00.000|an=00001111", None, None),  # a BibTag mask, no single antenna
        ("c=1|t=10:00:00.000|an=00001111|ans=3|amd=-101.15", 3, -101.15),
    ],
)
def test_antenna_and_signal(record: str, antenna: int | None, rssi: float | None) -> None:
    read = mylaps.parse_line(record)
    assert isinstance(read, DeviceRead)
    assert (read.antenna, read.rssi) == (antenna, rssi)


def test_a_gunshot_marker_is_a_read_with_tag_guntime() -> None:
    message = "Camp4@Marker@mt=Gunshot|t=06:30:00.000|n=Gunshot 1@1@$"
    assert mylaps.parse_message(message, 3) == [
        DeviceRead(
            format="mylaps",
            tag="guntime",
            time=DeviceTime(time_of_day=time(6, 30)),
            raw="mt=Gunshot|t=06:30:00.000|n=Gunshot 1",
            location="Camp4",
        )
    ]
    [dated] = mylaps.parse_message("S@Marker@mt=Gunshot|t=2024-03-14 06:30:00.000@2@$")
    assert isinstance(dated, DeviceRead)
    assert dated.time == DeviceTime(local=datetime(2024, 3, 14, 6, 30))
    assert mylaps.ack_for(message) == "DesertRunners@AckMarker@1@$"


@pytest.mark.parametrize(
    ("message", "kind", "ack"),
    [
        (MESSAGE, "passing", "DesertRunners@AckPassing@1016@$"),
        ("S@Marker@mt=Gunshot|t=06:30:00.000@7@$", "passing", "DesertRunners@AckMarker@7@$"),
        ("Camp4@Pong@$", "control", "DesertRunners@AckPong@Version2.1@$"),
        ("Camp4@Ping@$", "control", "DesertRunners@AckPing@$"),
        ("Camp4@AckPing@$", "control", None),
        ("Camp4@GetLocations@ln=Camp4@ln=CP7@$", "control", None),
        ("Camp4@AckGetInfo@id=1|n=BibTagDecoder00DF@$", "control", None),
        ("Camp4@Store@KV8658316:13:57.417 3 0F  1000025030870@5@$", "unknown", None),
        ("Camp4@Passing@t=00:02:10.000|c=0000124@@$", "passing", None),  # no number to ack
        (SAMPLE, "passing", None),  # a bare record, not a message
        ("", "unknown", None),
        ("@", "unknown", None),
        ("$", "unknown", None),
    ],
)
def test_classify_and_ack(message: str, kind: str, ack: str | None) -> None:
    assert mylaps.classify(message) == kind
    assert mylaps.ack_for(message) == ack


@pytest.mark.parametrize("server", ["", "Camp@4", "Camp$", "a|b"])
def test_our_name_cannot_break_the_framing(server: str) -> None:
    with pytest.raises(ValueError, match="server name"):
        mylaps.ack_for(MESSAGE, server=server)


def test_the_stream() -> None:
    results = [(n, r) for n, text in stream() for r in mylaps.parse_message(text, n)]
    kinds = [mylaps.classify(text) for _, text in stream()]
    assert (kinds.count("passing"), kinds.count("control"), kinds.count("unknown")) == (12, 6, 1)

    problems = [(n, r.reason) for n, r in results if isinstance(r, LineProblem)]
    assert problems == [
        (1, CONTROL),
        (2, CONTROL),
        (3, CONTROL),
        (6, CONTROL),
        (9, "t: expected HH:MM:SS.mmm, got '25:00:00.000'"),
        (9, "d: expected YYMMDD, got '240231'"),
        (9, "c: missing (the chip)"),
        (10, "message number: expected a whole number, got ''"),
        (11, "command: expected Passing or Marker, got 'Store'"),
        (12, "b: expected a whole number, got '12a'"),
        (14, CONTROL),
        (15, "not a passing (marker 'Manual', not a Gunshot)"),
        (17, "t: given twice"),
        (18, "field: expected key=value, got 'garbage'"),
        (19, CONTROL),
    ]
    reads = [(n, r) for n, r in results if isinstance(r, DeviceRead)]
    assert [n for n, _ in reads] == [4, 5, 5, 7, 7, 8, 8, 9, 13, 13, 13, 16, 16]
    assert reads[0][1].tag == "guntime"
    # The same chip read twice in one crossing, on two antennas.
    assert [(r.tag, r.antenna, r.bib) for _, r in reads[1:3]] == [
        ("KX41873", 2, 118),
        ("KX41873", 3, 118),
    ]
    # Past midnight the reader's date moves on with the time.
    assert reads[2][1].time.local == datetime(2024, 3, 15, 23, 59, 58, 977000)
    assert reads[3][1].time.local == datetime(2024, 3, 16, 0, 0, 1, 870000)
    # A message sent again (our ack was lost) gives the same reads again.
    assert [r for n, r in reads if n == 7] == [r for n, r in reads if n == 8]
    assert {r.location for _, r in reads} == {"Camp4"}
    acks = [mylaps.ack_for(text) for _, text in stream()]
    assert [a for a in acks if a and "AckPassing" in a] == [
        f"DesertRunners@AckPassing@{n}@$" for n in (2, 3, 3, 4, 6, 7, 9, 10, 11)
    ]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("c=41|t=25:61:00.000", "t: expected HH:MM:SS.mmm, got '25:61:00.000'"),
        ("c=41|t=13:11:30,904", "t: expected HH:MM:SS.mmm, got '13:11:30,904'"),
        ("c=41", "t: missing (the time)"),
        ("t=13:11:30.904", "c: missing (the chip)"),
        ("c=|t=13:11:30.904", "c: expected letters and digits, got ''"),
        ("c=0000041|t=13:11:30.904|d=120230", "d: expected YYMMDD, got '120230'"),
        ("c=0000041|t=13:11:30.904|d=2012-06-06", "d: expected YYMMDD, got '2012-06-06'"),
        ("c=0000041|t=13:11:30.904|b=-4", "b: expected a whole number, got '-4'"),
        (
            "c=0000041|t=13:11:30.904|an=A",
            "an: expected an antenna number or an 8-digit 0/1 mask, got 'A'",
        ),
        ("c=0000041|t=13:11:30.904|ans=x", "ans: expected a whole number, got 'x'"),
        ("c=0000041|t=13:11:30.904|amd=loud", "amd: expected dBm like -101.15, got 'loud'"),
        ("c=0000041|c=0000042|t=13:11:30.904", "c: given twice"),
        ("c=0000041||t=13:11:30.904", "field: expected key=value, got ''"),
        ("Camp4@Ping@$", CONTROL),
        (MESSAGE, "expected one passing record 'key=value|...', got a message"),
    ],
)
def test_problems_say_what_was_expected(record: str, reason: str) -> None:
    assert mylaps.parse_line(record, 6) == LineProblem(
        format="mylaps", line=6, raw=record, reason=reason
    )


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("no at sign", "expected a message 'Source@Command@...@$', got no '@'"),
        ("Camp4@Passing@$", "message number: expected a whole number, got ''"),
        (f"Camp4@Passing@{SAMPLE}@x@$", "message number: expected a whole number, got 'x'"),
        ("Camp4@Hello@$", "command: expected Passing or Marker, got 'Hello'"),
        (
            "S@Marker@mt=Gunshot|t=14/03/2024 06:30:00.000@2@$",
            "t: expected HH:MM:SS.mmm or YYYY-MM-DD HH:MM:SS.mmm, got '14/03/2024 06:30:00.000'",
        ),
    ],
)
def test_message_problems(message: str, reason: str) -> None:
    [problem] = mylaps.parse_message(message, 2)
    assert isinstance(problem, LineProblem)
    assert (problem.line, problem.reason) == (2, reason)


def test_a_message_with_no_passings_is_still_acknowledged() -> None:
    assert mylaps.parse_message("Camp4@Passing@12@$") == []
    assert mylaps.ack_for("Camp4@Passing@12@$") == "DesertRunners@AckPassing@12@$"


# --- fuzz ----------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    """A valid record or message with a few characters replaced, dropped or added."""
    chars = list(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(chars)))
        new = draw(st.sampled_from(list("@$|=:.0123456789 x\r\x00é")))
        match draw(st.sampled_from(["replace", "delete", "insert"])):
            case "replace" if at < len(chars):
                chars[at] = new
            case "delete" if at < len(chars):
                del chars[at]
            case _:
                chars.insert(at, new)
    return "".join(chars)


def check(text: str, line: int) -> None:
    assert mylaps.classify(text) in {"passing", "control", "unknown"}
    single = mylaps.parse_line(text, line)
    assert isinstance(single, DeviceRead | LineProblem)
    assert single.raw == text
    for result in mylaps.parse_message(text, line):
        assert isinstance(result, DeviceRead | LineProblem)
        if isinstance(result, LineProblem):
            assert result.line == line
            assert result.reason
    ack = mylaps.ack_for(text)
    assert ack is None or (ack.startswith("DesertRunners@Ack") and ack.endswith("@$"))


@given(st.text(), st.integers(1, 10**6))
def test_any_text_gives_reads_or_problems(text: str, line: int) -> None:
    check(text, line)


GUNSHOT = "S@Marker@mt=Gunshot|t=2024-03-14 06:30:00.000@2@$"


@given(st.one_of(mutated(SAMPLE), mutated(MESSAGE), mutated(GUNSHOT)))
def test_mutated_records_give_reads_or_problems(text: str) -> None:
    check(text, 1)
