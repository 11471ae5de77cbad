"""Places: a UK postcode as an approximate point, the distance between two points, and
the locality a postcode is in.

The points come from two tables shipped in ``entries/postcodes/`` (centroids of postcode
sectors and outward codes from the ONS National Statistics Postcode Lookup, under the Open
Government Licence; see its README), so no postcode anyone types is ever sent elsewhere.
A full postcode is placed at its sector (a few hundred metres in towns), else at its
outward code (a few kilometres).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

EARTH_RADIUS_MILES = 3958.8
_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_INWARD = re.compile(r"[0-9][A-Z]{2}")
_SECTOR_DIGIT = re.compile(r"[0-9][A-Z]{0,2}")  # "2", or a postcode's inward code cut short


@dataclass(frozen=True, slots=True)
class Point:
    """A place on the map (WGS84 degrees)."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class PostcodeKey:
    """A postcode as the tables know it: its outward code and, if typed, its sector."""

    outward: str  # "AB1"
    sector: str = ""  # "AB1 2", or "" when only the outward code was given


def postcode_key(text: str) -> PostcodeKey | None:
    """``"ab1 2dl"``, ``"AB12DL"`` → ``AB1`` / ``AB1 2``; ``"ab1 2"`` → the sector;
    ``"AB1"`` → the outward code alone. ``None`` for text that is not shaped like any of
    these. Case and spacing do not matter."""
    words = text.upper().split()
    compact = "".join(words)
    if not 2 <= len(compact) <= 7 or not compact.isalnum() or len(words) > 2:
        return None
    if len(compact) >= 5 and _INWARD.fullmatch(compact[-3:]) and _OUTWARD.fullmatch(compact[:-3]):
        return PostcodeKey(compact[:-3], f"{compact[:-3]} {compact[-3]}")
    if len(words) == 2 and _OUTWARD.fullmatch(words[0]) and _SECTOR_DIGIT.fullmatch(words[1]):
        return PostcodeKey(words[0], f"{words[0]} {words[1][0]}")
    if _OUTWARD.fullmatch(compact):
        tables = _tables()
        if compact not in tables.outcodes and compact[-1].isdigit():
            # "AB12" with no space: an outward code AB12, or else the sector "AB1 2".
            sector = f"{compact[:-1]} {compact[-1]}"
            if sector in tables.sectors and _OUTWARD.fullmatch(compact[:-1]):
                return PostcodeKey(compact[:-1], sector)
        return PostcodeKey(compact)
    return None


def postcode_point(text: str) -> Point | None:
    """Where a postcode, sector or outward code is: a full postcode at its sector, else its
    outward code. ``None`` if it is not one, or is not in the tables."""
    key = postcode_key(text)
    if key is None:
        return None
    tables = _tables()
    return tables.sectors.get(key.sector) or tables.outcodes.get(key.outward)


def miles(a: Point, b: Point) -> float:
    """The distance between two points along the Earth's surface (haversine), in miles."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    half_chord = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, half_chord)))


def locality_of(text: str, locality_postcodes: Mapping[str, Iterable[str]]) -> str | None:
    """The locality whose postcode districts or sectors (a site setting, such as
    ``{"north": ["AB2 8"], "central": ["AB2"]}``) hold the postcode ``text``.

    A listed sector wins over a listed district, so a district can be shared out. ``None``
    when the postcode is in none of them.
    """
    key = postcode_key(text)
    if key is None:
        return None
    index = _locality_index(_frozen(locality_postcodes))
    return index.get(key.sector) if key.sector in index else index.get(key.outward)


def locality_point(locality: str, locality_postcodes: Mapping[str, Iterable[str]]) -> Point | None:
    """The middle of a locality: the mean of its districts' and sectors' points."""
    points = [postcode_point(code) for code in locality_postcodes.get(locality, ())]
    found = [point for point in points if point]
    if not found:
        return None
    return Point(
        round(sum(p.lat for p in found) / len(found), 5),
        round(sum(p.lon for p in found) / len(found), 5),
    )


def check_locality_postcodes(
    locality_postcodes: Mapping[str, Iterable[str]], localities: Iterable[str]
) -> list[str]:
    """What is wrong with a ``LOCALITY_POSTCODES`` setting, one sentence each."""
    problems = []
    known, seen = set(localities), {}
    for locality, codes in locality_postcodes.items():
        if locality not in known:
            problems.append(f'"{locality}" is not one of the localities in LOCALITIES.')
        for code in [codes] if isinstance(codes, str) else codes:
            key = postcode_key(str(code))
            name = key and (key.sector or key.outward)
            if not key or postcode_point(name) is None:
                problems.append(
                    f'"{code}" ({locality}) is not a postcode district or sector we know, '
                    'such as "AB1" or "AB1 2".'
                )
            elif name in seen and seen[name] != locality:
                problems.append(f'"{name}" is listed for both {seen[name]} and {locality}.')
            else:
                seen[name] = locality
    return problems


@dataclass(frozen=True)
class _Tables:
    outcodes: dict[str, Point]
    sectors: dict[str, Point]


@cache
def _tables() -> _Tables:
    """Both tables, read once per process (about 15,000 rows, a few milliseconds)."""
    folder = resources.files("entries").joinpath("postcodes")
    return _Tables(
        outcodes=_read(folder.joinpath("outcodes.csv").read_text(encoding="utf-8")),
        sectors=_read(folder.joinpath("sectors.csv").read_text(encoding="utf-8")),
    )


def _read(text: str) -> dict[str, Point]:
    found = {}
    for line in text.splitlines()[1:]:  # key,lat,lon,postcodes
        key, lat, lon, _ = line.split(",")
        found[key] = Point(float(lat), float(lon))
    return found


def _frozen(mapping: Mapping[str, Iterable[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
        (locality, tuple([codes] if isinstance(codes, str) else codes))
        for locality, codes in mapping.items()
    )


@cache
def _locality_index(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    """District or sector → locality, for one setting."""
    index = {}
    for locality, codes in frozen:
        for code in codes:
            key = postcode_key(code)
            if key:
                index[key.sector or key.outward] = locality
    return index
