"""``/search`` (server-rendered, works without JavaScript), ``/api/search`` (JSON) and
the "Tell us what you were looking for" form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, redirect, render_template, request

from entries import clock, i18n
from entries.i18n import gettext, ngettext, translate
from entries.text_safety import one_line
from search import Filters, SearchResults
from search.distance import DEFAULT_WITHIN, SORTS, WITHIN_CHOICES, UnknownPlace
from search.facets import facet_options
from search.querying import MAX_QUERY_CHARS, MissingIndex
from search.unmet_need import MAX_MESSAGE_CHARS
from service.shared import api_error, form_rate_limit, limiter, services, too_long

blueprint = Blueprint("search_pages", __name__)
PAGE_SIZE = 10
MAX_PAGES = 25
API_MAX_LIMIT = 100
MAX_PLACE_CHARS = 60


@dataclass(frozen=True)
class Place:
    """Where to measure distances from, how far to look, and how to order results."""

    near: str = ""
    within: float | None = None
    sort: str = "relevance"

    @classmethod
    def from_args(cls, args: Any) -> Place:
        """From the query string; a distance or order that is not offered is ignored."""
        within = args.get("within", "")
        sort = args.get("sort", "")
        return cls(
            near=one_line(args.get("near", ""))[:MAX_PLACE_CHARS],
            within=float(within) if within in {str(w) for w in WITHIN_CHOICES} else None,
            sort=sort if sort in SORTS else "relevance",
        )

    def args(self) -> dict[str, str]:
        """As query-string pairs (none without a place)."""
        if not self.near:
            return {}
        found = {"near": self.near}
        if self.within:
            found["within"] = f"{self.within:g}"
        if self.sort != "relevance":
            found["sort"] = self.sort
        return found


@blueprint.get("/search")
def search_page() -> Any:
    text = one_line(request.args.get("q", ""))[:MAX_QUERY_CHARS]
    filters = Filters.from_args(request.args)
    page = _whole_number(request.args.get("page"), 1, MAX_PAGES)
    try:
        return _render_search(text, filters, page, place=Place.from_args(request.args))
    except MissingIndex:
        return render_template("search_fallback.html"), 503


@blueprint.get("/api/search")
def api_search() -> Any:
    text = one_line(request.args.get("q", ""))[:MAX_QUERY_CHARS]
    limit = _whole_number(request.args.get("limit"), 20, API_MAX_LIMIT)
    place = Place.from_args(request.args)
    if request.args.get("within") and place.within is None:
        offered = ", ".join(str(w) for w in WITHIN_CHOICES)
        return api_error(400, "within", f"within must be one of {offered} (miles).")
    try:
        found = services()["search"].search(
            text,
            Filters.from_args(request.args),
            limit=limit,
            near=place.near,
            within=place.within,
            sort=place.sort,
        )
    except MissingIndex:
        return api_error(503, "", "Search is not available right now.")
    except UnknownPlace as unknown:
        return api_error(400, "near", str(unknown))
    response = jsonify(found.as_json())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.post("/search/tell-us")
@limiter.limit(form_rate_limit)
def tell_us() -> Any:
    text = one_line(request.form.get("q", ""))[:MAX_QUERY_CHARS]
    filters = Filters.from_args(request.form)
    message = one_line(request.form.get("message", ""))
    if not message or len(message) > MAX_MESSAGE_CHARS:
        error = (
            gettext("Tell us what you were looking for")
            if not message
            else too_long(MAX_MESSAGE_CHARS)
        )
        return _render_search(text, filters, 1, tell_us_error=error, message=message), 400
    services()["unmet_need"].record_told_us(text, filters.active(), message, clock.today())
    return redirect(_search_url(text, filters, told="1"), code=303)


def _render_search(
    text: str, filters: Filters, page: int, place: Place | None = None, **extra: Any
) -> Any:
    place = place or Place()
    found: SearchResults | None = None
    place_error = ""
    if text.strip() or filters or place.near:
        try:
            found = services()["search"].search(
                text,
                filters,
                limit=PAGE_SIZE * page,
                near=place.near,
                within=place.within,
                sort=place.sort,
            )
        except UnknownPlace as unknown:
            place_error = str(unknown)
        # One search counted once: not again when the page comes back after "Tell us what
        # you were looking for" (told=1), nor when that form is shown again with an error.
        counted = "tell_us_error" in extra or request.args.get("told") == "1"
        if found and found.total == 0 and not counted:
            services()["unmet_need"].record_zero_results(text, filters.active(), clock.today())
    if found and found.understood and not extra:
        # "walking near Anytown South": show it as the search for "walking" in that area,
        # with the area a filter the person can see and remove.
        place = Place(found.near, found.within if found.near else None, found.sort)
        return redirect(_search_url(found.query, found.filters, **place.args()), code=303)
    shown = found.results[PAGE_SIZE * (page - 1) :] if found else []
    options = _filter_options(found, filters)
    return render_template(
        "search.html",
        q=text,
        filters=filters,
        found=found,
        shown=shown,
        page=page,
        pages=-(-found.total // PAGE_SIZE) if found else 0,
        options=options,
        showing=_showing(text, filters, options, place),
        place=place,
        place_error=place_error,
        within_choices=WITHIN_CHOICES,
        default_within=DEFAULT_WITHIN,
        told=request.args.get("told") == "1",
        search_url=lambda words, chosen, **more: _search_url(words, chosen, **place.args(), **more),
        **extra,
    )


def _filter_options(found: SearchResults | None, filters: Filters) -> list[dict[str, Any]]:
    """Every facet, with how many activities each choice would show (none before a search)."""
    env = current_app.jinja_env.globals
    return facet_options(
        filters,
        env["site"],
        env["domains"],
        counts=found.facets if found else None,
        languages=found.labels.get("language", {}) if found else None,
    )


def _showing(
    text: str, filters: Filters, options: list[dict[str, Any]], place: Place
) -> list[dict[str, str]]:
    """What narrows the results (filters and the place), each with the address of the
    same search without it."""
    chips = [
        {
            "text": gettext(
                "%(filter)s: %(chosen)s",
                filter=translate(option["facet"].heading),
                chosen=", ".join(c["text"] for c in option["choices"] if c["selected"]),
            ),
            "href": _search_url(text, filters.without(option["facet"].name), **place.args()),
        }
        for option in options
        if filters.get(option["facet"].name)
    ]
    if place.near:
        within = place.within or DEFAULT_WITHIN
        words = ngettext(
            "Within %(num)s mile of %(place)s",
            "Within %(num)s miles of %(place)s",
            int(within),
            place=place.near,
        )
        chips.append({"text": words, "href": _search_url(text, filters)})
    return chips


def _search_url(text: str, filters: Filters, **more: str) -> str:
    """A /search address (in the language of the page) for ``text`` and ``filters``, plus
    any ``more`` parameters."""
    params = {k: v for k, v in {"q": text, **filters.active(), **more}.items() if v}
    language = i18n.current()
    page = f"/{language.prefix if language else ''}search"
    return f"{page}?{urlencode(params)}" if params else page


def _whole_number(raw: str | None, default: int, most: int) -> int:
    return min(int(raw), most) if raw and raw.isdigit() and int(raw) > 0 else default
