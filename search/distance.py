"""Near me: how far each activity is from a place, and how to order results by it.

Distances are measured from each venue's point (its exact location, else its postcode's
sector or district) to the place searched from, all offline (``entries.places``).
Activities with no venue (online, by phone, home visits) have no distance: they stay in
the results, marked for what they are.
"""

from __future__ import annotations

import numpy as np
from babel.numbers import format_decimal

from entries.formatting import locale
from entries.i18n import gettext, ngettext
from entries.places import EARTH_RADIUS_MILES, Point

WITHIN_CHOICES = (1, 2, 5, 10, 20)  # miles, as offered on the search page
DEFAULT_WITHIN = 5
# Near a place, results are ordered by how well they match (strong, fair, weak), then by
# these bands, then by score: so a much better match half a mile further still comes first.
BANDS = np.array([0.5, 1, 2, 5, 10, 20], dtype=np.float32)
SORTS = ("relevance", "distance")


class UnknownPlace(ValueError):
    """A place or postcode the directory cannot put on the map."""


def distances(lat: np.ndarray, lon: np.ndarray, origin: Point) -> np.ndarray:
    """Miles from ``origin`` to each point (NaN where an activity has none)."""
    lat1, lon1 = np.radians(origin.lat), np.radians(origin.lon)
    lat2, lon2 = np.radians(lat), np.radians(lon)
    half_chord = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return (2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.minimum(1.0, half_chord)))).astype(
        np.float32
    )


def band(miles: np.ndarray, within: float) -> np.ndarray:
    """Each activity's distance band (0 nearest); those with no distance go last."""
    bands = np.searchsorted(BANDS[within > BANDS], miles, side="left").astype(np.float32)
    return np.where(np.isnan(miles), len(BANDS) + 1, bands)


def relevance_tier(scores: np.ndarray) -> np.ndarray:
    """0 for strong matches (at least half the best score), 1 for fair, 2 for weak: near a
    place, a strong match a little further away comes before a weak one close by."""
    best = float(scores.max()) or 1.0
    return np.where(scores >= 0.5 * best, 0, np.where(scores >= 0.2 * best, 1, 2))


def miles_text(miles: float) -> str:
    """A distance (to a tenth of a mile) as people read it: ``0.4 miles``, ``1 mile``."""
    if miles < 0.1:
        return gettext("Under 0.1 miles")
    if miles == int(miles):
        return ngettext("%(num)s mile", "%(num)s miles", int(miles))
    number = format_decimal(miles, locale=locale(), group_separator=False)
    return gettext("%(distance)s miles", distance=number)


def no_venue_label(delivery: list[str]) -> str:
    """What to say instead of a distance for an activity with no venue."""
    if "online" in delivery:
        return gettext("Online")
    if "telephone" in delivery:
        return gettext("By phone")
    if "home-visit" in delivery:
        return gettext("Comes to you")
    return gettext("No fixed place")
