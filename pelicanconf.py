"""Site settings for the Anytown sample directory.

`healthdir build` and plain `pelican content` both read this file. Change AREA_NAME,
LOCALITIES and DIRECTORY_TEAM to run the directory for another area.
"""

import os

AREA_NAME = "Anytown"
SITENAME = "Anytown Community Health Directory"
# Links between the directory's own pages start at the site's root ("/domains/"), so the
# same build works wherever it is served.
SITEURL = ""

# The directory's public address, such as "https://directory.anytown.example.org": every
# link that leaves the site (printed sheets, emails, confirmation links, calendar files,
# feeds, CSV, open data, the sitemap) starts with it. `healthdir build` refuses to publish
# without it; `healthdir build --preview` (as `make run` does) uses a local address instead.
# Write it here, or set HEALTHDIR_PUBLIC_URL where the build runs.
PUBLIC_URL = os.environ.get("HEALTHDIR_PUBLIC_URL", "")

# Localities of the area: id (used in provider files) -> name people read. Two to four.
LOCALITIES = {
    "north": "Anytown North",
    "central": "Anytown Central",
    "south": "Anytown South",
}

# Which postcodes are in which locality: postcode districts ("AB1") or sectors ("AB2 8",
# the district, a space and the first digit of the second half). A sector listed for one
# locality wins over its district listed for another. The registration form works out
# the area from the venue's postcode with this, so people are never asked to choose one.
LOCALITY_POSTCODES = {
    "north": ["AB2 0", "AB2 2", "AB2 5", "AB2 7", "AB2 8", "AB2 9"],
    "central": ["AB2"],
    "south": ["AB1"],
}

# Freshness policy, in months since a provider's `last_confirmed`: after REVIEW_AFTER its
# pages say the details may have changed; after HIDE_AFTER it is left out of the site,
# search and open data (its file stays). CHECK_AFTER: the directory team's own check.
REVIEW_AFTER = 6
HIDE_AFTER = 12
CHECK_AFTER = 24

# Confirmation links in reminder emails (at PUBLIC_URL, served by `healthdir serve`): how
# many days a link works. Links are signed with HEALTHDIR_SECRET_KEY from the environment,
# or else a key kept in var/secret-key (never committed).
CONFIRM_LINK_DAYS = 60
CONFIRMATION_LOG = "var/confirmations.log"
REMINDER_STATE = "var/reminders.json"

# Who runs the directory: shown on every page as the people to contact.
DIRECTORY_TEAM = {
    "name": "Anytown Community Health Partnership",
    "email": "directory@anytown-chp.example.org",
    "phone": "01632 960000",
}

# Search: where the search box sends people (served by `healthdir serve`), where
# `healthdir build` writes the search index, and where anonymous counts of searches that
# found nothing are kept. Both paths are relative to this folder and never published.
SEARCH_URL = "/search"
SEARCH_INDEX = "search-index"
UNMET_NEED_DB = "var/unmet-need.sqlite3"

# Registration: the moderation queue (never published; outside content/) and how many
# forms one client may send to the service.
SUBMISSIONS_PATH = "submissions"
FORM_RATE_LIMIT = "10 per hour"

TIMEZONE = "Europe/London"
DEFAULT_LANG = "en-GB"
# The site's languages: the first at the site's root, each other under its own folder
# (/bn/, /ur/…). The interface's words come from entries/locales/<code>/; the domains' and
# pages' words from translated files (content/domains/<code>/<id>.md, and pages with a
# `Lang:` line). What groups write stays in their words.
LANGUAGES = ["en-GB", "bn", "ur", "pl", "so"]

PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = ["articles"]
STATIC_PATHS: list[str] = []
THEME = "theme"
PLUGINS = ["plugins.healthdir_directory"]  # installed with the project

PAGE_URL = "{slug}/"
PAGE_SAVE_AS = ""  # the directory writes them, once in each language
SLUGIFY_SOURCE = "basename"

# The directory writes its own pages; switch off Pelican's blog pages and feeds.
DIRECT_TEMPLATES: list[str] = []
ARTICLE_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False
