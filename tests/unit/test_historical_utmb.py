"""UTMB elapsed-time tables: the real 2015 and 2016 files, slices of them, broken rows.

The real files are in /work/shared/data (not in the repository). Without them the tests
that read them skip, or fail under DR_STRICT=1.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from tests.conftest import real_data

from desert_runners.adapters.importers.historical import (
    HistoricalFormatError,
    HistoricalRace,
    HistoricalRow,
    TimingPoint,
    detect_format,
    read_historical,
    read_utmb,
)
from desert_runners.adapters.importers.historical.model import (
    MAC_ROMAN_MOJIBAKE,
    decode,
    parse_elapsed,
    repair_mojibake,
)
from desert_runners.domain.errors import UserError

DATA = Path(__file__).parents[3] / "shared" / "data" / "utmb"
CHECKPOINTS = DATA / "checkpoints_2015_2016.csv"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "historical"


def t(text: str) -> timedelta:
    return parse_elapsed(text)


def read_real(year: int) -> HistoricalRace:
    [race] = read_utmb(real_data(DATA / f"utmb_{year}.csv"), real_data(CHECKPOINTS))
    return race


def competition_ranks(rows: list[HistoricalRow]) -> dict[int | None, int]:
    """Place by official time, ties sharing a place (1, 1, 3)."""
    times = sorted(row.official_time for row in rows if row.official_time is not None)
    return {
        row.bib: 1 + sum(1 for other in times if other < row.official_time)
        for row in rows
        if row.official_time is not None
    }


# --- the real files --------------------------------------------------------------------

# year: (starters, finishers, did not finish)
COUNTS = {2015: (2561, 1631, 930), 2016: (2554, 1468, 1086)}


@pytest.mark.parametrize("year", [2015, 2016])
def test_real_file_reads_every_starter(year: int) -> None:
    race = read_real(year)
    starters, finishers, dnfs = COUNTS[year]

    assert (race.format, race.name, race.year, race.course) == ("utmb", "UTMB", year, "UTMB")
    assert race.ranks_by == "overall"
    assert race.problems == ()
    assert len(race.rows) == starters
    assert sum(row.status == "finished" for row in race.rows) == finishers
    assert sum(row.status == "dnf" for row in race.rows) == dnfs
    assert len({row.bib for row in race.rows}) == starters
    assert {row.gender for row in race.rows} == {"M", "F"}
    assert all(len(row.elapsed) == len(race.timing_points) == 25 for row in race.rows)


# Finishers whose place by official time is not their official rank: none in either year
# (ties share a rank, e.g. 2015 bibs 125 and 1966 are both 85th in 29:37:38).
RANK_EXCEPTIONS: dict[int, set[int]] = {2015: set(), 2016: set()}


@pytest.mark.parametrize("year", [2015, 2016])
def test_rank_by_official_time_is_the_official_rank_for_every_finisher(year: int) -> None:
    race = read_real(year)
    finishers = [row for row in race.rows if row.status == "finished"]
    ranks = competition_ranks(finishers)

    differ = {row.bib for row in finishers if ranks[row.bib] != row.official_rank}

    assert differ == RANK_EXCEPTIONS[year]
    assert all(row.official_rank is None for row in race.rows if row.status == "dnf")


@pytest.mark.parametrize("year", [2015, 2016])
def test_last_elapsed_time_is_the_official_time_for_every_finisher(year: int) -> None:
    race = read_real(year)

    differ = [
        row.bib
        for row in race.rows
        if row.status == "finished" and row.elapsed[-1] != row.official_time
    ]

    assert differ == []


@pytest.mark.parametrize(
    ("year", "finishers_missing_a_split"),
    [(2015, 35), (2016, 49)],
)
def test_elapsed_times_go_forward_and_some_finishers_miss_a_mat(
    year: int, finishers_missing_a_split: int
) -> None:
    race = read_real(year)

    for row in race.rows:
        present = [time for time in row.elapsed if time is not None]
        assert present == sorted(present), row.bib
    missing = [row for row in race.rows if row.status == "finished" and None in row.elapsed]
    assert len(missing) == finishers_missing_a_split


@pytest.mark.parametrize("year", [2015, 2016])
def test_every_timing_point_gets_the_checkpoint_data(year: int) -> None:
    points = read_real(year).timing_points

    assert all(point.elevation_m is not None for point in points)
    kms = [point.km for point in points if point.km is not None]
    assert len(kms) == len(points)
    assert kms == sorted(kms)
    assert (points[0].name, points[0].km, points[-1].name, points[-1].km) == (
        "Delevret",
        13.8,
        "Arrivee",
        169.4,
    )
    by_id = {point.id: point for point in points}
    # Courm2 (leaving Courmayeur) has no row of its own in the checkpoints file.
    assert by_id["Courm2"] == TimingPoint("Courm2", "Courm2", 78.8, 4520, 4360, 1195, True)
    assert sum(point.cutoff for point in points) == 15


def test_2016_names_are_repaired_and_eleven_keep_a_lost_letter() -> None:
    raw = real_data(DATA / "utmb_2016.csv").read_bytes()
    race = read_real(2016)

    assert decode(raw)[1] == MAC_ROMAN_MOJIBAKE
    texts = [text for row in race.rows for text in (row.name, row.team)]
    leftovers = [text for text in texts if any(mark in text for mark in "ÃÅÌÂ")]
    assert leftovers == ["CONCEIÇÃO Rui Pedro"]
    # The letter after Ã went through cp1252 as a character Mac Roman does not have
    # (í, ó, ä, ...) and was written as "_": it cannot be told back.
    lost = {row.bib for row in race.rows if "\ufffd" in row.name + row.team}
    assert lost == {98, 156, 204, 305, 573, 581, 935, 1312, 2058, 2069, 2219}


def test_2015_and_2016_name_the_same_runners_the_same_way() -> None:
    names_2015 = {row.name for row in read_real(2015).rows}
    names_2016 = {row.name for row in read_real(2016).rows}

    assert {"CAMUS Sébastien", "DE LA BARRA Álvaro", "OLIVEIRA MARQUES João Paulo"} & (
        names_2015 | names_2016
    ) == {"CAMUS Sébastien", "DE LA BARRA Álvaro", "OLIVEIRA MARQUES João Paulo"}
    assert "CAMUS Sébastien" in names_2015 & names_2016


# --- the slices ------------------------------------------------------------------------


def test_2015_slice_first_row_exactly() -> None:
    [race] = read_utmb(FIXTURES / "utmb_2015_slice.csv", FIXTURES / "checkpoints_2015_2016.csv")

    assert race.source == "utmb_2015_slice.csv"
    assert race.year == 2015
    assert [row.line for row in race.rows] == list(range(2, 11))
    assert race.rows[0] == HistoricalRow(
        line=2,
        bib=8,
        name="THEVENARD Xavier",
        given_name="Xavier",
        family_name="THEVENARD",
        gender="M",
        category="SE H",
        nationality="FR",
        team="ASICS",
        course="UTMB",
        status="finished",
        official_rank=1,
        official_time=t("21:09:15"),
        elapsed=tuple(
            t(text)
            for text in [
                "01:14:46",
                "01:49:08",
                "02:47:35",
                "03:44:39",
                "04:44:08",
                "05:12:57",
                "06:37:26",
                "07:29:53",
                "08:09:59",
                "08:35:00",
                "09:00:26",
                "09:03:48",
                "09:58:44",
                "10:48:14",
                "11:23:57",
                "12:18:12",
                "13:09:52",
                "14:36:13",
                "16:11:24",
                "16:38:16",
                "17:43:31",
                "18:17:02",
                "19:55:59",
                "20:26:43",
                "21:09:15",
            ]
        ),
        birth_year=None,
    )
    assert race.timing_points[0] == TimingPoint("Delev", "Delevret", 13.8, 896, 167, 1764, False)
    assert race.timing_points[1] == TimingPoint("StGer", "St.Gervais", 21.0, 951, 1168, 818, True)


def test_2015_slice_names_ties_gaps_and_dnfs() -> None:
    [race] = read_utmb(FIXTURES / "utmb_2015_slice.csv")
    rows = {row.bib: row for row in race.rows}

    assert (rows[3].family_name, rows[3].given_name) == ("HERNANDO ALZAGA", "Luis Alberto")
    assert (rows[125].official_rank, rows[1966].official_rank) == (85, 85)
    assert rows[125].official_time == rows[1966].official_time == t("29:37:38")
    # A finisher the La Giète mat missed; a DNF with a gap, a DNF with one split.
    assert rows[1891].elapsed[18] is None
    assert rows[1891].elapsed[-1] == t("46:55:14")
    assert rows[1439].elapsed[12] is None
    assert rows[1439].elapsed[13] == t("21:33:38")
    assert rows[1823].elapsed == (t("03:11:30"),) + (None,) * 24
    dnf = rows[2716]
    assert (dnf.status, dnf.official_rank, dnf.official_time) == ("dnf", None, None)
    assert (dnf.team, dnf.nationality, dnf.category) == ("", "", "V1 H")
    assert dnf.elapsed[-2:] == (t("45:30:36"), None)
    # Without the checkpoints file the timing points are the columns, km unknown.
    assert race.timing_points[11] == TimingPoint("Courm2", "Courm2")


def test_2016_slice_mac_roman_names() -> None:
    [race] = read_historical(FIXTURES / "utmb_2016_slice.csv")

    assert race.format == "utmb"
    assert [(row.line, row.name, row.team) for row in race.rows] == [
        (2, "POMMERET Ludovic", "HOKA - CABB"),
        (3, "CAMUS Sébastien", "TEAM GARMIN ADVENTURE"),
        (4, "PARRA HERNANDEZ Vicente", "PEDREZUELA"),
        (5, "TEJERO Sergio Lu\ufffds", "CLUB pedrezuela"),
        (6, "BEPPU Koji", "★Foodies"),
        (7, "KONOPKA Sławomir", "FUNDACJA NA RATUNEK"),
        (8, "ZÁRATE RUIZ Ismael", "CORRECAMINOS ALFINDEN"),
        (9, "VANRELL BAUZÀ Antoni Miquel", "CLUB CICLISTA LLORET"),
        (10, "CIEPŁY  Tomasz", ""),
        (11, "LE BOEUF Alain", ""),
    ]
    ranks = [row.official_rank for row in race.rows]
    assert ranks == [1, 7, 85, 85, 119, 162, 460, 613, None, None]


def test_names_in_capitals_only_keep_the_last_word_as_given_name(tmp_path: Path) -> None:
    header = (FIXTURES / "utmb_2015_slice.csv").read_bytes().split(b"\r\n")[0].decode()
    path = tmp_path / "utmb.csv"
    splits = "," * 24
    path.write_text(
        f"{header}\n0,1,PIAZZA LUCIANO,,V2 H,1,IT,40:00:00,00:00:00,{splits}\n"
        f"1,2,BAVAY reynald,,V1 F,2,FR,41:00:00,01:00:00,{splits}\n",
        encoding="utf-8",
    )

    [race] = read_utmb(path)

    assert [(row.family_name, row.given_name, row.gender) for row in race.rows] == [
        ("PIAZZA", "LUCIANO", "M"),
        ("BAVAY", "reynald", "F"),
    ]
    assert race.year is None


# --- bad rows and bad files ------------------------------------------------------------


def test_broken_rows_are_kept_aside_with_exact_problems() -> None:
    [race] = read_utmb(FIXTURES / "utmb_broken.csv")

    assert [row.bib for row in race.rows] == [8, 3, 2716]
    assert race.problems == (
        "utmb_broken.csv:5: bib: '8a' is not a whole number",
        "utmb_broken.csv:6: bib: bib 3 already at line 3",
        "utmb_broken.csv:7: time: '25:61:00' is not a time H:MM:SS",
        "utmb_broken.csv:8: rank: missing for a finisher",
        "utmb_broken.csv:9: StGer: '01:49:0' is not a time H:MM:SS",
        "utmb_broken.csv:10: row: has 20 fields, the header has 34",
    )


def test_format_is_told_by_the_header_not_the_name(tmp_path: Path) -> None:
    renamed = tmp_path / "results.txt"
    renamed.write_bytes((FIXTURES / "utmb_2016_slice.csv").read_bytes())

    assert detect_format(renamed) == "utmb"
    assert detect_format(FIXTURES / "result_course_2014_slice.csv") == "sportident"


def test_an_unknown_file_is_one_user_error_naming_the_file_and_the_formats(
    tmp_path: Path,
) -> None:
    path = tmp_path / "entrants.csv"
    path.write_text("bib,first_name,last_name\n1,A,B\n", encoding="utf-8")

    with pytest.raises(HistoricalFormatError) as raised:
        read_historical(path)

    assert isinstance(raised.value, UserError)
    assert str(raised.value) == (
        "entrants.csv: not a historical results file this program knows; known formats: "
        "UTMB elapsed-time CSV (bib,name,...,rank,nationality,time,timediff,...); "
        "SPORTident result export (Platz/Punkte;StartNr;...;Laufzeit;...)"
    )
    assert "\n" not in str(raised.value)


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(HistoricalFormatError, match=r"^nothing\.csv: cannot read: "):
        read_historical(tmp_path / "nothing.csv")


# --- text helpers ----------------------------------------------------------------------


def test_repair_mojibake_only_when_it_is_clear() -> None:
    assert repair_mojibake("RÃŒckstand") == "Rückstand"  # ISO 8859-15: Œ is BC
    assert repair_mojibake("SÃ©bastien") == "Sébastien"  # cp1252
    assert repair_mojibake("CUORSORES ÅLAND") == "CUORSORES ÅLAND"
    assert repair_mojibake("Lauffeuer Fröttstädt") == "Lauffeuer Fröttstädt"
    assert repair_mojibake("ÜÇBILEK Mustafa") == "ÜÇBILEK Mustafa"


def test_decode_tells_utf8_mac_roman_mojibake_and_cp1252() -> None:
    assert decode("Zoë Brontë\r\n".encode()) == ("Zoë Brontë\r\n", "utf-8")
    assert decode(b"\xef\xbb\xbfbib") == ("bib", "utf-8")
    assert decode(b"CAMUS S\xcc\xa9bastien") == ("CAMUS Sébastien", MAC_ROMAN_MOJIBAKE)
    assert decode("Sébastien Müller".encode("cp1252")) == ("Sébastien Müller", "cp1252")
    # Real NFD UTF-8 (e + combining acute) stays what it is.
    assert decode("Se\u0301bastien".encode()) == ("Se\u0301bastien", "utf-8")


def _through_cp1252_then_mac_roman(text: str) -> bytes:
    """What the tool that made utmb_2016.csv did to UTF-8 text."""
    out = bytearray()
    for byte in text.encode("utf-8"):
        try:
            char = bytes((byte,)).decode("cp1252")
        except UnicodeDecodeError:
            out.append(byte)  # a cp1252 hole went through as it was
            continue
        try:
            out += char.encode("mac_roman")
        except UnicodeEncodeError:
            out += b"_"
    return bytes(out)


_LETTERS = [
    char
    for char in map(chr, range(0xC0, 0x180))
    if char.isalpha() and b"_" not in _through_cp1252_then_mac_roman(char)
]


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@given(st.text(alphabet=st.sampled_from([*_LETTERS, *"abcXYZ -,"]), min_size=1, max_size=30))
def test_decode_undoes_the_mac_roman_round_trip(text: str) -> None:
    """Whenever the damaged bytes are no UTF-8, as for the whole 2016 file. A few damaged
    letters alone are valid UTF-8 too (é becomes CC A9, U+0329; "aã" and NFD "aạ" are the
    same bytes): then the more plausible reading wins, UTF-8 on a tie."""
    damaged = _through_cp1252_then_mac_roman(text)
    assume(not _is_utf8(damaged))

    assert decode(damaged) == (text, MAC_ROMAN_MOJIBAKE)


def test_decode_prefers_the_repair_when_utf8_reads_as_stray_marks() -> None:
    # CC A9 CC A8 is valid UTF-8 (U+0329 U+0328) but reads as marks on nothing.
    assert decode(_through_cp1252_then_mac_roman("Frédéric Sébastien Hélène")) == (
        "Frédéric Sébastien Hélène",
        MAC_ROMAN_MOJIBAKE,
    )


def test_parse_elapsed_takes_hours_past_a_day() -> None:
    assert parse_elapsed("46:36:32") == timedelta(hours=46, minutes=36, seconds=32)
    assert parse_elapsed(" 0:02:03 ") == timedelta(minutes=2, seconds=3)
    for bad in ("12:60:00", "1:2:3", "", "fehlt!"):
        with pytest.raises(ValueError, match="is not a time H:MM:SS"):
            parse_elapsed(bad)


def test_fixtures_are_whole_lines_of_the_real_files() -> None:
    for fixture, real, end in (
        ("utmb_2015_slice.csv", "utmb_2015.csv", b"\r\n"),
        ("utmb_2016_slice.csv", "utmb_2016.csv", b"\r"),
    ):
        real_lines = set(real_data(DATA / real).read_bytes().split(end))
        lines = (FIXTURES / fixture).read_bytes().split(end)
        assert lines[-1] == b""
        assert all(line in real_lines for line in lines[:-1]), fixture
    assert (FIXTURES / "checkpoints_2015_2016.csv").read_bytes() == CHECKPOINTS.read_bytes()


def test_the_rank_column_of_non_finishers_is_no_finishing_rank() -> None:
    """Why a DNF's ``rank`` is not kept: it runs on after the last finisher's, in file order
    (with a few ties), so it orders the non-finishers among themselves and nothing more."""
    for year, (_, finishers, _) in COUNTS.items():
        text, _ = decode(real_data(DATA / f"utmb_{year}.csv").read_bytes())
        table = list(csv.reader(io.StringIO(text, newline="")))
        dnf_ranks = [int(row[5]) for row in table[1:] if not row[7].strip()]
        assert dnf_ranks[0] == finishers + 1
        assert dnf_ranks == sorted(dnf_ranks)


def test_bibs_and_times_out_of_any_range_are_kept_aside(tmp_path: Path) -> None:
    header = (FIXTURES / "utmb_2015_slice.csv").read_bytes().split(b"\r\n")[0].decode()
    path = tmp_path / "utmb.csv"
    splits = "," * 24
    huge = "9" * 30
    path.write_text(
        f"{header}\n0,²,A B,,V2 H,1,IT,40:00:00,00:00:00,{splits}\n"
        f"1,{huge},C D,,V1 F,2,FR,41:00:00,01:00:00,{splits}\n"
        f"2,7,E F,,V1 F,3,FR,{huge}:00:00,01:00:00,{splits}\n"
        f"3,8,G H,,V1 F,³,FR,42:00:00,01:00:00,{splits}\n",
        encoding="utf-8",
    )

    [race] = read_utmb(path)

    assert race.rows == ()
    assert race.problems == (
        "utmb.csv:2: bib: '²' is not a whole number",
        f"utmb.csv:3: bib: {huge} is above 999999",
        f"utmb.csv:4: time: '{huge}:00:00' is more than 9999 hours",
        "utmb.csv:5: rank: '³' is not a rank for a finisher",
    )
