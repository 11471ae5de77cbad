"""For search engines and feed readers: sitemap, Atom feed, schema.org JSON-LD."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from markupsafe import Markup

from entries import Activity, Directory
from open_data.oruk import service_id

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50


def site_urls(directory: Directory, pages: list[str]) -> list[str]:
    """Every page of the published directory worth finding (not search or the list page),
    in each of its languages (the first at the root, the others under ``bn/``…).

    ``pages`` are the site's own pages, such as ``about/``.
    """
    urls = [
        "",
        "easy-read/",
        "domains/",
        "localities/",
        "providers/",
        "recently-confirmed/",
        "freshness/",
        "provision/",
    ]
    urls += [f"domains/{d}/" for d in directory.domains] + [
        f"leaflets/domains/{d}/" for d in directory.domains
    ]
    urls += [f"localities/{loc}/" for loc in directory.site.localities]
    urls += [f"leaflets/localities/{loc}/" for loc in directory.site.localities]
    for provider in directory.providers:
        if provider.listed_activities:
            urls += [provider.url, *(a.url for a in provider.listed_activities)]
    prefixes = ["", *(f"{code}/" for code in directory.site.languages[1:])]
    return [prefix + url for prefix in prefixes for url in urls + pages]


def sitemap(urls: list[str], base_url: str) -> str:
    """The sitemap, written out rather than built as a tree: at 10,000 providers it lists
    30,000 pages, and ElementTree took a second to make and write them."""
    if not urls:
        return _xml(ET.Element("urlset", xmlns=SITEMAP))
    entries = "".join(
        f"  <url>\n    <loc>{escape(f'{base_url}/{url}')}</loc>\n  </url>\n" for url in urls
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{SITEMAP}">\n{entries}</urlset>\n'
    )


def atom_feed(directory: Directory, base_url: str, title: str) -> str:
    """New and recently confirmed activities, newest confirmation first."""
    ET.register_namespace("", ATOM)
    activities = sorted(
        directory.listed_activities(),
        key=lambda a: (a.provider.last_confirmed, a.name),
        reverse=True,
    )[:FEED_SIZE]
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"{title}: new and recently confirmed"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{base_url}/feeds/activities.atom"
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{base_url}/feeds/activities.atom", rel="self")
    newest = activities[0].provider.last_confirmed if activities else directory.today
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = f"{newest.isoformat()}T00:00:00Z"
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = directory.site.team_name or title
    for activity in activities:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(
            entry, f"{{{ATOM}}}title"
        ).text = f"{activity.name} ({activity.provider.name})"
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:uuid:{service_id(activity)}"
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{base_url}/{activity.url}")
        updated = activity.provider.last_confirmed.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = f"{updated}T00:00:00Z"
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = f"{activity.summary} {activity.when}."
    return _xml(feed)


def json_ld(activity: Activity, base_url: str) -> Markup:
    """schema.org Service markup for an activity page, safe inside a <script> element."""
    provider, contact = activity.provider, activity.contact
    data = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": activity.name,
        "description": activity.summary,
        "url": f"{base_url}/{activity.url}",
        "provider": {
            "@type": "Organization",
            "name": provider.name,
            "url": f"{base_url}/{provider.url}",
            **({"telephone": contact.phone} if contact.phone else {}),
            **({"email": contact.email} if contact.email else {}),
        },
        "areaServed": activity.locality,
        "hoursAvailable": activity.when,
        **({"isAccessibleForFree": activity.cost == "free"} if activity.cost != "ask" else {}),
        "dateModified": provider.last_confirmed.isoformat(),
    }
    if activity.venue:
        data["availableChannel"] = {
            "@type": "ServiceChannel",
            "serviceLocation": {
                "@type": "Place",
                "name": activity.venue.name,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": activity.venue.address,
                    "postalCode": activity.venue.postcode,
                    "addressCountry": "GB",
                },
            },
        }
    text = json.dumps(data, ensure_ascii=False)
    # Nothing in the JSON can close the <script> element or start a comment.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
