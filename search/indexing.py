"""Writing the index: one document per listed activity, with its provider's details."""

from __future__ import annotations

import shutil
from pathlib import Path

from whoosh import index

from entries import Activity, Directory
from entries.atomic import staging_folder, swap_into_place
from entries.formatting import labelled
from entries.summary import summarise
from search.fields import schema, word_pairs

DUE_FOR_REVIEW_BOOST = 0.8  # ranks below an equally relevant, freshly confirmed activity


def build_index(directory: Directory, path: Path) -> int:
    """Index every listed activity into ``path``, replacing any index there in one step.

    Returns the number of activities indexed.
    """
    staging = staging_folder(path)
    try:
        count = write_index(directory, staging)
        swap_into_place(staging, path.resolve())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def write_index(directory: Directory, folder: Path) -> int:
    """Write an index of every listed activity into the empty ``folder``."""
    ix = index.create_in(str(folder), schema())
    writer = ix.writer(limitmb=128)
    activities = directory.listed_activities()
    for activity in activities:
        writer.add_document(**_document(directory, activity))
    writer.commit(optimize=True)
    return len(activities)


def _document(directory: Directory, activity: Activity) -> dict[str, object]:
    provider, site = activity.provider, directory.site
    details = activity.details_text
    domain_titles = [directory.domains[d].title for d in activity.domains]
    venue = activity.venue
    place = [site.locality_name(activity.locality)]
    if venue:
        place += [venue.name, venue.address, venue.postcode, venue.postcode.split(" ")[0]]
    tags = [
        *domain_titles,
        activity.when,
        activity.who_for,
        *labelled([activity.cost], "cost"),
        *labelled([activity.how_to_join], "how_to_join"),
        *labelled(activity.delivery, "delivery"),
        *labelled(activity.accessibility, "accessibility"),
        *labelled(activity.suitable_for, "suitable_for"),
        *activity.languages,
    ]
    due = provider.is_due_for_review
    return {
        "key": f"{provider.slug}/{activity.slug}",
        "provider": provider.slug,
        "activity": activity.slug,
        "name": activity.name,
        "summary": activity.summary,
        "details": details,
        "name_text": activity.name,
        "org_text": provider.name,
        "summary_text": activity.summary,
        "body": " ".join([details, provider.about, *place, *tags]),
        "pairs": " ".join(
            pair
            for text in (activity.name, provider.name, activity.summary, details)
            for pair in word_pairs(text)
        ),
        "spelling": " ".join(
            [activity.name, activity.summary, details, provider.name, *place, *domain_titles]
        ),
        "domains": ",".join(activity.domains),
        "locality": activity.locality,
        "locality_name": site.locality_name(activity.locality),
        "point": _point(activity),
        "cost": activity.cost,
        "join": activity.how_to_join,
        "days": ",".join(activity.days),
        "delivery": ",".join(activity.delivery),
        "accessibility": ",".join(activity.accessibility),
        "languages": ",".join(activity.languages),
        "item": summarise(activity, site.locality_name(activity.locality)).json,
        "last_confirmed": provider.last_confirmed.isoformat(),
        "_boost": DUE_FOR_REVIEW_BOOST if due else 1.0,
    }


def _point(activity: Activity) -> tuple[float, float] | None:
    point = activity.venue.point if activity.venue else None
    return (point.lat, point.lon) if point else None
