"""Distances on the earth and a small built-in geocoder for Norwegian postcodes.

The geocoder maps a postcode to the town at the centre of its postcode area (the first two
digits of a Norwegian postcode name a region, e.g. 50-53 Bergen, 70-72 Trondheim). That is
accurate to a town, which is what "clinics near me" needs; it is documented in
docs/integrations/journal-systems.md. A full postcode register (Bring's Postnummerregister with
coordinates from Kartverket) can replace the table through ``KVITT_POSTCODE_FILE``: a CSV with
the columns ``postcode,place,latitude,longitude``; exact postcodes there win over the table.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE_LATITUDE = 111.32


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """A lat/lon box that contains every point within ``radius_km``: a cheap SQL prefilter."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    # Longitude degrees shrink towards the poles; use the box's pole-most latitude so the box never cuts the circle.
    widest_lat = min(89.9, abs(lat) + dlat)
    dlon = radius_km / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(widest_lat)))
    return BoundingBox(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float


# (first two digits from, to, town, latitude, longitude): the town that serves the postcode area.
POSTCODE_AREAS: tuple[tuple[int, int, str, float, float], ...] = (
    (0, 12, "Oslo", 59.9139, 10.7522),
    (13, 13, "Sandvika", 59.8899, 10.5238),
    (14, 14, "Ski", 59.7195, 10.8354),
    (15, 15, "Moss", 59.4340, 10.6590),
    (16, 16, "Fredrikstad", 59.2181, 10.9298),
    (17, 17, "Sarpsborg", 59.2840, 11.1096),
    (18, 18, "Askim", 59.5840, 11.1600),
    (19, 21, "Lillestrøm", 59.9560, 11.0490),
    (22, 22, "Kongsvinger", 60.1905, 11.9977),
    (23, 23, "Hamar", 60.7945, 11.0680),
    (24, 25, "Elverum", 60.8819, 11.5623),
    (26, 27, "Lillehammer", 61.1153, 10.4662),
    (28, 29, "Gjøvik", 60.7957, 10.6916),
    (30, 30, "Drammen", 59.7439, 10.2045),
    (31, 31, "Tønsberg", 59.2675, 10.4076),
    (32, 32, "Sandefjord", 59.1313, 10.2166),
    (33, 34, "Hokksund", 59.7700, 9.9100),
    (35, 35, "Hønefoss", 60.1680, 10.2565),
    (36, 36, "Kongsberg", 59.6689, 9.6502),
    (37, 38, "Skien", 59.2096, 9.6090),
    (39, 39, "Porsgrunn", 59.1405, 9.6561),
    (40, 42, "Stavanger", 58.9700, 5.7331),
    (43, 43, "Sandnes", 58.8517, 5.7350),
    (44, 45, "Flekkefjord", 58.2970, 6.6600),
    (46, 47, "Kristiansand", 58.1467, 7.9956),
    (48, 49, "Arendal", 58.4617, 8.7721),
    (50, 53, "Bergen", 60.3913, 5.3221),
    (54, 54, "Stord", 59.7797, 5.5005),
    (55, 55, "Haugesund", 59.4138, 5.2680),
    (56, 59, "Voss", 60.6280, 6.4180),
    (60, 62, "Ålesund", 62.4722, 6.1495),
    (63, 64, "Molde", 62.7375, 7.1591),
    (65, 65, "Kristiansund", 63.1104, 7.7279),
    (66, 69, "Førde", 61.4522, 5.8572),
    (70, 72, "Trondheim", 63.4305, 10.3951),
    (73, 75, "Stjørdal", 63.4680, 10.9180),
    (76, 76, "Levanger", 63.7464, 11.2996),
    (77, 77, "Steinkjer", 64.0149, 11.4954),
    (78, 79, "Namsos", 64.4662, 11.4957),
    (80, 83, "Bodø", 67.2804, 14.4049),
    (84, 85, "Narvik", 68.4385, 17.4273),
    (86, 89, "Mo i Rana", 66.3128, 14.1428),
    (90, 93, "Tromsø", 69.6492, 18.9553),
    (94, 94, "Harstad", 68.7983, 16.5417),
    (95, 95, "Alta", 69.9689, 23.2716),
    (96, 97, "Hammerfest", 70.6634, 23.6821),
    (98, 98, "Vadsø", 70.0744, 29.7487),
    (99, 99, "Kirkenes", 69.7271, 30.0450),
)


class UnknownPostcode(ValueError):
    pass


@lru_cache(maxsize=1)
def _register() -> dict[str, Place]:
    path = getattr(settings, "KVITT_POSTCODE_FILE", "") or ""
    if not path:
        return {}
    places = {}
    with Path(path).open(newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            try:
                places[row["postcode"].strip()] = Place(row["place"], float(row["latitude"]), float(row["longitude"]))
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path} line {line_no}: {exc}") from exc
    return places


def geocode_postcode(postcode: str) -> Place:
    """The coordinates of a Norwegian postcode (four digits)."""
    postcode = postcode.strip().replace(" ", "")
    if len(postcode) != 4 or not postcode.isdigit():
        raise UnknownPostcode(f"{postcode!r} is not a Norwegian postcode (four digits)")
    exact = _register().get(postcode)
    if exact:
        return exact
    prefix = int(postcode[:2])
    for first, last, name, lat, lon in POSTCODE_AREAS:
        if first <= prefix <= last:
            return Place(name, lat, lon)
    raise UnknownPostcode(f"No place is known for postcode {postcode}")
