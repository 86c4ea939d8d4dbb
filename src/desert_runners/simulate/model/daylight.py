"""Hours of darkness at the race's place, on the race's days.

Runners are slower in the dark (a head torch on sand or rock), so the long march's night
costs time. Dusk and dawn are the ends of civil twilight (the sun 6 degrees below the
horizon), from the NOAA solar equations (declination and equation of time by the
fractional year), accurate to a few minutes: plenty for a pace factor. Near the poles
in summer (The Last Desert) it never gets dark; in winter it never gets light.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pycountry
from numpy.typing import NDArray

TWILIGHT_ZENITH = 96.0  # degrees: civil twilight


@dataclass(frozen=True)
class Place:
    latitude: float  # degrees north
    longitude: float  # degrees east


# Where the desert races of these countries are run (approximately): the race file has a
# country and a time zone, not coordinates.
PLACES: dict[str, Place] = {
    "CHL": Place(-22.9, -68.2),  # Atacama, San Pedro
    "CHN": Place(42.0, 89.0),  # Gobi, Xinjiang
    "MNG": Place(44.0, 103.0),  # Gobi
    "EGY": Place(27.0, 28.5),  # Western Desert
    "JOR": Place(29.6, 35.4),  # Wadi Rum
    "NAM": Place(-24.7, 15.3),  # Namib
    "MAR": Place(31.0, -5.0),  # Marathon des Sables
    "ZAF": Place(-28.6, 20.3),  # Kalahari
    "ATA": Place(-62.5, -59.5),  # Antarctic Peninsula
    "USA": Place(37.0, -112.5),  # Grand to Grand
    "AUS": Place(-25.3, 131.0),  # Red Centre
    "ISL": Place(64.5, -18.0),
    "FRA": Place(45.9, 6.9),  # Chamonix (UTMB)
    "DEU": Place(52.5, 13.4),  # Berlin
}
DEFAULT_LATITUDE = 25.0  # the desert belt


def alpha_3(country: str) -> str:
    """A race file's country as ISO alpha-3 (it may say CL for CHL, or ATA)."""
    found = pycountry.countries.get(alpha_2=country) if len(country) == 2 else None
    return found.alpha_3 if found is not None else country.upper()


def place_of(country: str, zone: str, on: date) -> Place:
    """The race's place, or a guess: the desert belt, at the longitude of its clock."""
    country = alpha_3(country)
    if country in PLACES:
        return PLACES[country]
    noon = datetime.combine(on, datetime.min.time(), tzinfo=ZoneInfo(zone)) + timedelta(hours=12)
    offset = noon.utcoffset() or timedelta(0)
    return Place(DEFAULT_LATITUDE, offset.total_seconds() / 3600 * 15)


def twilight_utc(place: Place, day: date) -> tuple[float, float] | bool:
    """(dawn, dusk) of ``day`` as UTC timestamps; True when dark all day, False when light."""
    gamma = 2 * math.pi / 365 * (day.timetuple().tm_yday - 1)
    eqtime = 229.18 * (
        0.000075
        + 0.001868 * math.cos(gamma)
        - 0.032077 * math.sin(gamma)
        - 0.014615 * math.cos(2 * gamma)
        - 0.040849 * math.sin(2 * gamma)
    )
    decl = (
        0.006918
        - 0.399912 * math.cos(gamma)
        + 0.070257 * math.sin(gamma)
        - 0.006758 * math.cos(2 * gamma)
        + 0.000907 * math.sin(2 * gamma)
        - 0.002697 * math.cos(3 * gamma)
        + 0.00148 * math.sin(3 * gamma)
    )
    lat = math.radians(place.latitude)
    cos_ha = math.cos(math.radians(TWILIGHT_ZENITH)) / (math.cos(lat) * math.cos(decl)) - math.tan(
        lat
    ) * math.tan(decl)
    if cos_ha > 1:
        return True
    if cos_ha < -1:
        return False
    ha = math.degrees(math.acos(cos_ha))
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=UTC).timestamp()
    dawn = midnight + 60 * (720 - 4 * (place.longitude + ha) - eqtime)
    dusk = midnight + 60 * (720 - 4 * (place.longitude - ha) - eqtime)
    return dawn, dusk


class Darkness:
    """The dark spells over some days, to ask of many moments at once."""

    def __init__(self, place: Place, first: date, last: date) -> None:
        # The light spells, day by day; the dark is what lies between them.
        light: list[tuple[float, float]] = []
        day = first - timedelta(days=2)
        begin = datetime.combine(day, datetime.min.time(), tzinfo=UTC).timestamp()
        while day <= last + timedelta(days=2):
            midnight = datetime.combine(day, datetime.min.time(), tzinfo=UTC).timestamp()
            sun = twilight_utc(place, day)
            if sun is False:
                light.append((midnight, midnight + 86400))
            elif sun is not True:
                light.append(sun)
            day += timedelta(days=1)
        end = datetime.combine(day, datetime.min.time(), tzinfo=UTC).timestamp()
        light.sort()
        spells: list[tuple[float, float]] = []
        cursor = begin
        for dawn, dusk in light:
            if dawn > cursor:
                spells.append((cursor, dawn))
            cursor = max(cursor, dusk)
        if cursor < end:
            spells.append((cursor, end))
        self.starts = np.array([start for start, _ in spells], dtype=np.float64)
        self.ends = np.array([stop for _, stop in spells], dtype=np.float64)

    def is_dark(self, moments: NDArray[np.float64]) -> NDArray[np.bool_]:
        if len(self.starts) == 0:
            return np.zeros(np.shape(moments), dtype=np.bool_)
        index = np.searchsorted(self.starts, moments, side="right") - 1
        inside = (index >= 0) & (moments < self.ends[np.maximum(index, 0)])
        return np.asarray(inside, dtype=np.bool_)
