"""The Open Referral UK query API under ``/api/oruk/``, for the directories and social
prescribing platforms that read ORUK: services and services at locations, searched,
filtered and paged as the UK profile (HSDS 3.0) says.

Every record is the static feed's (:mod:`open_data.oruk`), built from the directory the
service has loaded, so its id is the feed's, the same from build to build, and hidden
(overdue) or closed activities never appear. ``search`` is the directory's own search
engine, and ``postcode`` with ``proximity`` its offline distances.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request

from entries import Activity, Directory
from entries.schema import labels
from entries.site_settings import public_url
from entries.text_safety import one_line
from open_data import oruk
from open_data.writer import LICENCE
from search.distance import UnknownPlace
from search.querying import MAX_QUERY_CHARS, MissingIndex
from service.search_pages import MAX_PLACE_CHARS
from service.shared import api_error, current_directory, services

blueprint = Blueprint("oruk_api", __name__, url_prefix="/api/oruk")

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
OLDEST = 150  # years: an age above this is a mistake
METRES_PER_MILE = 1609.344
EVERY_MATCH = sys.maxsize  # the search ranks every match; filters and paging come after
# ORUK filters this API does not offer are refused rather than ignored, so that no program
# takes the whole list for a filtered one.
NOT_OFFERED = ("taxonomy_id", "organization_id", "modified_after", "start_time", "end_time")
ONLY_AT_LOCATIONS = ("postcode", "proximity")
UNKNOWN_TERM = "No taxonomy term has this id: /api/oruk/taxonomy_terms lists them."
# "MO", "mon" and "Monday" (any case) -> our day id.
DAYS = {
    name.casefold(): day
    for day, code in oruk.BYDAY.items()
    for name in (day, code, labels("day")[day])
}

Item = TypeVar("Item")


class BadParameter(Exception):
    """A query parameter the API cannot use: which one, and why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Query:
    """A list request's parameters, checked."""

    page: int
    per_page: int
    text: str = ""
    domain: str = ""
    day: str = ""
    minimum_age: float | None = None
    maximum_age: float | None = None
    near: str = ""
    within: float | None = None  # miles; None: any distance

    def admits(self, activity: Activity) -> bool:
        """Whether ``activity`` passes the filters. As the profile words them, a minimum
        age of at least ``minimum_age`` (none stated counts as 0) and a maximum age of at
        most ``maximum_age`` (none stated is no limit, so never at most)."""
        return (
            (not self.domain or self.domain in activity.domains)
            and (not self.day or self.day in activity.days)
            and (self.minimum_age is None or (activity.age_min or 0) >= self.minimum_age)
            and (
                self.maximum_age is None
                or (activity.age_max is not None and activity.age_max <= self.maximum_age)
            )
        )


@dataclass(frozen=True)
class Kind:
    """Services, or services at locations: which of the listed activities they are, and
    each one's record and id."""

    noun: str
    select: Callable[[list[Activity]], list[Activity]]
    record: Callable[[Activity, Directory, str], dict[str, Any]]
    record_id: Callable[[Activity], str]


KINDS = {
    "services": Kind("service", list, oruk.service, oruk.service_id),
    "service_at_locations": Kind(
        "service at a location",
        # Activities with a venue: those online, by phone or at home are not at a location.
        lambda listed: [activity for activity in listed if activity.venue],
        oruk.service_at_location,
        oruk.service_at_location_id,
    ),
}


@dataclass(frozen=True)
class Listed:
    """One kind's activities, A to Z, and each by its record's id."""

    activities: list[Activity]
    by_id: dict[str, Activity]


@blueprint.after_request
def _open_to_any_website(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.errorhandler(BadParameter)
def _bad_parameter(error: BadParameter) -> Response:
    return api_error(400, error.parameter, str(error))


@blueprint.errorhandler(MissingIndex)
def _no_index(_: MissingIndex) -> Response:
    return api_error(503, "", "Search is not available right now.")


@blueprint.get("/")
def about() -> Response:
    """What this API is (the profile's ``/``), with the data's licence."""
    settings = services()["settings"]
    return jsonify(
        version=HSDS_VERSION,
        profile=PROFILE_URL,
        openapi_url=OPENAPI_URL,
        description=f"{settings['SITENAME']}: every live group and activity, searchable by "
        "words, topic, day, age and distance from a postcode.",
        licence=LICENCE,
    )


@blueprint.get("/<any(services, service_at_locations):kind>")
def list_records(kind: str) -> Response:
    directory, base, of = current_directory(), _base_url(), KINDS[kind]
    query = _query(directory, at_locations=kind == "service_at_locations")
    return _paged(
        _matches(query, _listed(directory, kind).activities),
        query.page,
        query.per_page,
        lambda activity: oruk.one_to_one(of.record(activity, directory, base)),
    )


@blueprint.get("/<any(services, service_at_locations):kind>/<record_id>")
def one_record(kind: str, record_id: str) -> Response:
    directory = current_directory()
    activity = _listed(directory, kind).by_id.get(record_id)
    if activity is None:
        noun = KINDS[kind].noun
        return api_error(404, "id", f"No {noun} has this id: /api/oruk/{kind} lists them.")
    return jsonify(KINDS[kind].record(activity, directory, _base_url()))


@blueprint.get("/taxonomies")
def list_taxonomies() -> Response:
    return _paged([_taxonomy()], *_paging(), lambda taxonomy: taxonomy)


@blueprint.get("/taxonomies/<record_id>")
def one_taxonomy(record_id: str) -> Response:
    taxonomy = _taxonomy()
    if taxonomy["id"] != record_id:
        return api_error(404, "id", "No taxonomy has this id: /api/oruk/taxonomies lists them.")
    return jsonify(taxonomy)


@blueprint.get("/taxonomy_terms")
def list_taxonomy_terms() -> Response:
    return _paged(_taxonomy()["taxonomy_terms"], *_paging(), lambda term: term)


@blueprint.get("/taxonomy_terms/<record_id>")
def one_taxonomy_term(record_id: str) -> Response:
    for term in _taxonomy()["taxonomy_terms"]:
        if term["id"] == record_id:
            return jsonify(term)
    return api_error(404, "id", UNKNOWN_TERM)


def _query(directory: Directory, *, at_locations: bool) -> Query:
    """The list request's parameters; :class:`BadParameter` for the first that is wrong."""
    args = request.args
    for name in NOT_OFFERED:
        if name in args:
            raise BadParameter(name, f"This API does not filter by {name}.")
    for name in ONLY_AT_LOCATIONS:
        if name in args and not at_locations:
            raise BadParameter(
                name,
                f"{name} works on /api/oruk/service_at_locations, where services have a place.",
            )
    near = one_line(args.get("postcode", ""))[:MAX_PLACE_CHARS]
    proximity = _number("proximity", "a distance in metres, more than 0, such as 2000", zero=False)
    if proximity is not None and not near:
        raise BadParameter("proximity", "proximity needs a postcode to measure from.")
    terms = {oruk.taxonomy_term_id(domain): domain for domain in directory.domains}
    term = args.get("taxonomy_term_id", "")
    if term and term not in terms:
        raise BadParameter("taxonomy_term_id", UNKNOWN_TERM)
    day = args.get("day", "")
    if day and day.casefold() not in DAYS:
        raise BadParameter("day", "day must be a day of the week, such as MO or Monday.")
    return Query(
        *_paging(),
        text=one_line(args.get("search", ""))[:MAX_QUERY_CHARS],
        domain=terms.get(term, ""),
        day=DAYS.get(day.casefold(), ""),
        minimum_age=_number("minimum_age", f"an age in years, from 0 to {OLDEST}", OLDEST),
        maximum_age=_number("maximum_age", f"an age in years, from 0 to {OLDEST}", OLDEST),
        near=near,
        within=None if proximity is None else proximity / METRES_PER_MILE,
    )


def _paging() -> tuple[int, int]:
    """``page`` and ``per_page``: whole numbers, 1 or more (``per_page`` at most 500)."""
    page = _whole_number("page", 1, math.inf)
    return page, _whole_number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)


def _whole_number(name: str, default: int, most: float) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= most:
        allowed = f"from 1 to {most}" if math.isfinite(most) else "1 or more"
        raise BadParameter(name, f"{name} must be a whole number, {allowed}.")
    return int(raw)


def _number(name: str, what: str, most: float = math.inf, zero: bool = True) -> float | None:
    """A number from 0 (or more than 0, without ``zero``) to ``most``, if given; ``what``
    says what it must be when it is not."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0 <= value <= most and math.isfinite(value)) or (value == 0 and not zero):
        raise BadParameter(name, f"{name} must be {what}.")
    return value


def _matches(query: Query, activities: list[Activity]) -> list[Activity]:
    """The ``activities`` the query selects, in order: A to Z; with ``search``, best match
    first, by the directory's own search engine; near a postcode, nearest first (with
    ``search``, best match within distance bands, as on the search page)."""
    admitted = [activity for activity in activities if query.admits(activity)]
    if not (query.text or query.near):
        return admitted
    by_key = {(activity.provider.slug, activity.slug): activity for activity in admitted}
    try:
        found = services()["search"].search(
            query.text,
            limit=EVERY_MATCH,
            near=query.near,
            within=query.within or math.inf,  # without a proximity, any distance
            sort="relevance" if query.text else "distance",
        )
    except UnknownPlace as unknown:
        raise BadParameter("postcode" if query.near else "search", str(unknown)) from None
    return [
        by_key[key]
        for result in found.results
        if (key := (result.provider, result.activity)) in by_key
        # Within a proximity, a venue we cannot place is not known to be near.
        and not (query.within and result.distance_miles is None)
    ]


def _paged(
    items: Sequence[Item], page: int, per_page: int, record: Callable[[Item], dict[str, Any]]
) -> Response:
    """Page ``page`` of ``items`` as an ORUK list response, each item as ``record`` makes it
    (only the items shown are made into records)."""
    start = (page - 1) * per_page
    shown = [record(item) for item in items[start : start + per_page]]
    return jsonify(oruk.page(shown, len(items), page, per_page))


def _listed(directory: Directory, kind: str) -> Listed:
    """``kind``'s activities in ``directory``, worked out once for each loaded directory:
    in a large one, sorting them and a UUID each take too long to redo for every request."""
    cache = services()
    known = cache.get("oruk_listed")
    if known is None or known[0] is not directory:
        listed = directory.listed_activities()
        kinds = {}
        for name, of in KINDS.items():
            chosen = of.select(listed)
            kinds[name] = Listed(chosen, {of.record_id(a): a for a in chosen})
        known = cache["oruk_listed"] = (directory, kinds)
    return known[1][kind]


def _taxonomy() -> dict[str, Any]:
    return oruk.taxonomy(current_directory(), _base_url())


def _base_url() -> str:
    """The directory's public address, as the static feed's records give it."""
    return public_url(services()["settings"])
