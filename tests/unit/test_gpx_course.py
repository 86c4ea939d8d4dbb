from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest

from desert_runners.adapters.importers.gpx_course import course_profile, read_track
from desert_runners.domain.course import CourseError, CourseProfile, Leg

FIXTURES = Path(__file__).parent.parent / "fixtures" / "gpx"
KM_PER_DEGREE = 6378.137 * math.pi / 180  # along a meridian, with gpxpy's earth radius


def write_gpx(directory: Path, body: str, name: str = "course.gpx") -> Path:
    path = directory / name
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f"{body}\n</gpx>\n",
        encoding="utf-8",
    )
    return path


def trkpt(lat: float, elevation: float | str | None = None) -> str:
    ele = "" if elevation is None else f"<ele>{elevation}</ele>"
    return f'<trkpt lat="{lat}" lon="-68.2">{ele}</trkpt>'


def raises(path: Path, *, checkpoint_kms: tuple[float, ...] = ()) -> str:
    """The message of the error from reading the file (or, given kms, profiling it)."""
    call: Callable[[], object] = (
        (lambda: course_profile(path, checkpoint_kms))
        if checkpoint_kms
        else (lambda: read_track(path))
    )
    with pytest.raises(CourseError) as caught:
        call()
    return str(caught.value)


# The fixtures


def test_reads_all_segments_of_the_track_in_order() -> None:
    # 56 points due north along lon -68.2, from lat -22.95 to -22.9, in two segments;
    # the 21st point has no elevation.
    points = read_track(FIXTURES / "valley_run.gpx")

    assert len(points) == 56
    assert points[0].km == 0.0
    assert points[-1].km == pytest.approx(0.05 * KM_PER_DEGREE, abs=1e-9)
    assert all(a.km < b.km for a, b in pairwise(points))
    # The gap between the two segments counts as distance, like any other step.
    assert points[31].km - points[30].km == pytest.approx(0.000909 * KM_PER_DEGREE, abs=1e-6)
    assert points[20].elevation_m is None
    assert points[0].elevation_m == 2440.0
    assert points[-1].elevation_m == 2482.0


def test_profile_of_a_stage_with_a_hill() -> None:
    # Made as 2440 m at the start, 2560 m at km 3, 2480 m at the end, plus up to 2 m of
    # GPS noise: about 120 m up to CP1, then about 78 m down to the finish at km 5.5
    # (the track runs on to 5.566 km).
    assert course_profile(FIXTURES / "valley_run.gpx", [3.0, 5.5]) == CourseProfile(
        length_km=5.566,
        legs=(Leg(3.0, 2557.9, 119.4, 0.0), Leg(5.5, 2482.0, 0.0, 75.9)),
    )


def test_reads_a_route_when_there_is_no_track() -> None:
    # Four steps of 0.01 degree east along lat -22.9.
    points = read_track(FIXTURES / "route_only.gpx")

    step_km = 0.01 * KM_PER_DEGREE * math.cos(math.radians(22.9))
    assert [p.km for p in points] == pytest.approx([i * step_km for i in range(5)], rel=1e-6)
    assert [p.elevation_m for p in points] == [2410, 2412, 2431, 2407, 2395]
    assert course_profile(FIXTURES / "route_only.gpx", [2.0, 4.1]) == CourseProfile(
        length_km=4.102,
        legs=(Leg(2.0, 2430.1, 20.1, 0.0), Leg(4.1, 2395.0, 0.0, 36.0)),
    )


def test_a_track_without_elevation_has_only_distances() -> None:
    path = FIXTURES / "no_elevation.gpx"

    points = read_track(path)
    assert [p.km for p in points] == pytest.approx(
        [0, 0.005 * KM_PER_DEGREE, 0.010 * KM_PER_DEGREE, 0.015 * KM_PER_DEGREE], abs=1e-9
    )
    assert course_profile(path, [1.0, 1.67]) == CourseProfile(
        length_km=1.67, legs=(Leg(1.0, None, None, None), Leg(1.67, None, None, None))
    )


def test_a_broken_file_names_the_line() -> None:
    path = FIXTURES / "broken.gpx"

    assert raises(path) == f"{path}:9: not valid XML (mismatched tag)"


# Choices and errors, on small files


def test_the_first_track_wins_over_other_tracks_and_routes(tmp_path: Path) -> None:
    path = write_gpx(
        tmp_path,
        '<rte><rtept lat="-22.9" lon="-68.3"/><rtept lat="-22.8" lon="-68.3"/></rte>\n'
        f"<trk><trkseg>{trkpt(-22.9, 2400)}{trkpt(-22.91, 2410)}</trkseg></trk>\n"
        f"<trk><trkseg>{trkpt(-23.0)}{trkpt(-23.5)}</trkseg></trk>",
    )

    points = read_track(path)
    assert [p.elevation_m for p in points] == [2400, 2410]
    assert points[-1].km == pytest.approx(0.01 * KM_PER_DEGREE, abs=1e-9)


def test_a_byte_order_mark_and_a_declared_encoding_are_understood(tmp_path: Path) -> None:
    body = f"<trk><name>Café</name><trkseg>{trkpt(-22.9, 1)}{trkpt(-22.91, 2)}</trkseg></trk>"
    with_bom = tmp_path / "bom.gpx"
    with_bom.write_bytes(b"\xef\xbb\xbf" + write_gpx(tmp_path, body).read_bytes())
    latin_1 = tmp_path / "latin1.gpx"
    latin_1.write_bytes(
        f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<gpx version="1.1">{body}</gpx>'.encode(
            "latin-1"
        )
    )

    assert len(read_track(with_bom)) == 2
    assert len(read_track(latin_1)) == 2


def test_an_elevation_that_is_not_a_number_is_no_elevation(tmp_path: Path) -> None:
    path = write_gpx(
        tmp_path, f"<trk><trkseg>{trkpt(-22.9, 'nan')}{trkpt(-22.91, 5)}</trkseg></trk>"
    )

    assert [p.elevation_m for p in read_track(path)] == [None, 5.0]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.gpx"

    assert raises(path) == f"{path}: no such file"
    assert raises(path, checkpoint_kms=(1.0,)) == f"{path}: no such file"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    assert raises(tmp_path) == f"{tmp_path}: cannot read the file (Is a directory)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "1: not valid XML (no element found)"),
        (b"Stage 1, 38 km\n", "1: not valid XML (syntax error)"),
        (b'<?xml version="1.0"?>\n<gpx>\n  <trk>\n</gpx>\n', "4: not valid XML (mismatched tag)"),
        (
            b'<?xml version="1.0"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>',
            ": not a GPX file (the document is <kml>)",
        ),
        (
            b'<gpx version="1.1"><wpt lat="-22.9" lon="-68.2"><name>CP1</name></wpt></gpx>',
            ": no track or route in the file",
        ),
        (b'<?xml version="1.0" encoding="x-klingon"?><gpx/>', ": unknown encoding 'x-klingon'"),
        (
            b"<gpx><name>Caf\xe9</name></gpx>",
            ": not UTF-8 text (invalid continuation byte at byte 14)",
        ),
    ],
)
def test_unreadable_files_are_named_in_one_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "course.gpx"
    path.write_bytes(content)

    text = raises(path)
    separator = "" if message.startswith(":") else ":"
    assert text == f"{path}{separator}{message}"
    assert "\n" not in text


def test_a_bad_value_is_not_valid_gpx(tmp_path: Path) -> None:
    path = write_gpx(tmp_path, f"<trk><trkseg>{trkpt(-22.9, 'high')}</trkseg></trk>")

    # The rest of the message is gpxpy's.
    assert raises(path).startswith(f"{path}: not valid GPX (")


def test_course_errors_name_the_file(tmp_path: Path) -> None:
    one_point = write_gpx(tmp_path, f"<trk><trkseg>{trkpt(-22.9, 1)}</trkseg></trk>", "one.gpx")
    valley = FIXTURES / "valley_run.gpx"

    assert (
        raises(one_point, checkpoint_kms=(1.0,))
        == f"{one_point}: the track has fewer than 2 points"
    )
    assert raises(valley, checkpoint_kms=(3.0, 7.0)) == (
        f"{valley}: checkpoint at 7.0 km is beyond the end of the course (5.6 km)"
    )
