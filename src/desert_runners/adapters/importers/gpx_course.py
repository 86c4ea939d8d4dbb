"""Read a stage's course from a GPX file: the track as points with their distance along it."""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

import gpxpy
import gpxpy.geo
import gpxpy.gpx

from desert_runners.domain.course import CourseError, CourseProfile, TrackPoint, profile

# XML names its own encoding in its declaration; UTF-8 when it does not.
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# ElementTree (and lxml) end their messages with the position, which we give as file:line.
_POSITION = re.compile(r"[:,]?\s*line \d+, column \d+$")


def course_profile(
    path: Path, checkpoint_kms: Sequence[float], *, threshold_m: float = 5.0
) -> CourseProfile:
    """The profile of the course in ``path`` at the given checkpoints (km from the start)."""
    points = read_track(path)
    try:
        return profile(points, checkpoint_kms, threshold_m=threshold_m)
    except CourseError as error:
        raise CourseError(f"{path}: {error}") from None


def read_track(path: Path) -> list[TrackPoint]:
    """The first track of the file (all its segments, in order), or with no track the first
    route, as points with their cumulative 2D distance in km."""
    gpx = _parse(path)
    if gpx.tracks:
        # Segments split a track where the recording paused; the course carries on across
        # the gap, so the gap's straight-line distance counts.
        located = [
            (point.latitude, point.longitude, point.elevation)
            for segment in gpx.tracks[0].segments
            for point in segment.points
        ]
    elif gpx.routes:
        located = [
            (point.latitude, point.longitude, point.elevation) for point in gpx.routes[0].points
        ]
    else:
        raise CourseError(f"{path}: no track or route in the file")

    points: list[TrackPoint] = []
    metres = 0.0
    for index, (latitude, longitude, elevation) in enumerate(located):
        if index:
            previous_latitude, previous_longitude, _ = located[index - 1]
            # Horizontal distance: the race distance is measured on the map, not the slope.
            metres += gpxpy.geo.haversine_distance(
                previous_latitude, previous_longitude, latitude, longitude
            )
        usable = elevation is not None and math.isfinite(elevation)
        points.append(TrackPoint(metres / 1000, elevation if usable else None))
    return points


def _parse(path: Path) -> gpxpy.gpx.GPX:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CourseError(f"{path}: no such file") from None
    except OSError as error:
        raise CourseError(f"{path}: cannot read the file ({error.strerror})") from None

    declared = _ENCODING.match(data)
    encoding = declared.group(1).decode("ascii") if declared else "UTF-8"
    try:
        # utf-8-sig drops a byte order mark, which some GPS software writes.
        text = data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except LookupError:
        raise CourseError(f"{path}: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        raise CourseError(
            f"{path}: not {encoding} text ({error.reason} at byte {error.start})"
        ) from None

    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as error:
        raise CourseError(_xml_error(path, error)) from None
    except gpxpy.gpx.GPXException as error:  # well-formed XML with a bad value in it
        raise CourseError(f"{path}: not valid GPX ({error})") from None

    # gpxpy reads any XML document, a KML file included, as a GPX without tracks.
    root = _root_name(text)
    if root != "gpx":
        raise CourseError(f"{path}: not a GPX file (the document is <{root}>)")
    return gpx


def _xml_error(path: Path, error: gpxpy.gpx.GPXXMLSyntaxException) -> str:
    cause = error.__cause__
    position = getattr(cause, "position", None)  # (line, column) in ElementTree and lxml
    if cause is None or not isinstance(position, tuple):
        return f"{path}: not valid XML ({error})"
    reason = _POSITION.sub("", str(cause)) or "syntax error"
    return f"{path}:{position[0]}: not valid XML ({reason})"


def _root_name(text: str) -> str:
    # Only the first element is needed; the document already parsed as a whole.
    for _, element in ElementTree.iterparse(io.StringIO(text), events=("start",)):
        tag: str = element.tag
        return tag.rpartition("}")[2]  # without its namespace
    return ""
