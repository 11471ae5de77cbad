"""The Pelican generator that writes the directory's pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache
from markupsafe import Markup
from pelican.generators import Generator

import theme
from entries import Directory, clock, i18n, load_directory
from entries.freshness import confirmed_within
from entries.model import ALL_LOCALITIES
from entries.outputs import Outputs, Reading, providers_in
from entries.site_settings import public_url
from open_data.tables import provision
from open_data.writer import own_pages, write_open_data

log = logging.getLogger(__name__)

# Settings through which `healthdir build` hands the plugin what it has already done: the
# directory it loaded and checked, the build date, and that open data is written alongside.
PRELOADED = "HEALTHDIR_DIRECTORY"
BUILD_DATE = "HEALTHDIR_BUILD_DATE"
OPEN_DATA_WRITTEN = "HEALTHDIR_OPEN_DATA_WRITTEN"
# ...and where its pages go: an `entries.outputs.Outputs` that records what each is made
# from and, in an incremental build, takes the unchanged ones as published.
OUTPUTS = "HEALTHDIR_OUTPUTS"
# ...and the activities' list items it already has (`once` in theme/__init__.py), by key.
FRAGMENTS = "HEALTHDIR_FRAGMENTS"

ASSETS = ("css/healthdir.css", "js/nhsuk-frontend.min.js")


class ContentProblems(Exception):
    """The content has problems: nothing is written."""


def configure_jinja(generator: Generator) -> None:
    """Let every template use the NHS.UK frontend macros, escaping all text by default."""
    theme.configure(generator.env, generator.env.loader)
    generator.env.auto_reload = False  # one build, fixed templates: no stat() per use
    # Compiled templates kept between builds (checked against their source): compiling
    # them is a good part of a rebuild after one change.
    generator.env.bytecode_cache = FileSystemBytecodeCache(pattern="healthdir-build-%s.cache")


class DirectoryGenerator(Generator):
    """Writes home, domain, locality, provider, activity and list pages."""

    def generate_context(self) -> None:
        # healthdir build passes the directory it has already loaded and checked, so the
        # files are not read twice; plain `pelican content` loads them here instead.
        directory = self.settings.get(PRELOADED) or self._load()
        self._check_assets()
        self.directory: Directory = directory
        self.context.update(
            directory=directory,
            site=directory.site,
            domains=directory.domains,
            ALL_LOCALITIES=ALL_LOCALITIES,
            PUBLIC_URL=public_url(self.settings),
            fragments=self._fragments(),
            languages=i18n.languages(self.settings),
        )

    def _fragments(self) -> theme.Fragments:
        handed = self.settings.get(FRAGMENTS)
        return theme.Fragments() if handed is None else handed

    def _load(self) -> Directory:
        content = Path(self.settings["PATH"])
        today = self.settings.get(BUILD_DATE) or clock.today()
        directory, problems = load_directory(content.parent, self.settings, today=today)
        if problems:
            for problem in problems:
                log.error("%s", problem)
            raise ContentProblems(
                f"{len(problems)} problem(s) in the content; nothing was published."
            )
        return directory

    def _check_assets(self) -> None:
        static = Path(self.settings["THEME"]) / "static"
        missing = [name for name in ASSETS if not (static / name).is_file()]
        if missing:
            raise ContentProblems(
                f"The theme's styles are missing ({', '.join(missing)}). "
                "Run `make setup` (or `npm ci && npm run build:assets`) first."
            )

    def generate_output(self, writer: Any) -> None:
        self.outputs = self.settings.get(OUTPUTS) or Outputs(Path(self.output_path), self.directory)
        # Each topic's and area's activities, worked out once: its page and its leaflet, in
        # every language, list the same.
        d = self.directory
        self.by_domain, self.by_locality = d.by_domain(), d.by_locality()
        # Every page once in each language: the first at the site's root, the others
        # under their own folder (/bn/, /ur/…), each with the footer in that language.
        for language in self.context["languages"]:
            with i18n.use(language):
                self.context.update(theme.language_values(self.settings, language))
                # The header and footer are the same on every page of a language.
                for part in ("header", "footer"):
                    self.context[f"{part}_html"] = Markup(
                        self.get_template(f"partials/{part}").render(self.context)
                    )
                self._pages_in(language)
        if not self.settings.get(OPEN_DATA_WRITTEN):  # `healthdir build` writes it alongside
            write_open_data(
                self.directory,
                Path(self.output_path),
                public_url(self.settings),
                self.settings["SITENAME"],
                own_pages(Path(self.settings["PATH"])),
                self.outputs,
            )

    def _pages_in(self, language: i18n.Language) -> None:
        d = self.directory
        self.prefix = language.prefix
        self._page("index.html", "index", "")
        self._page("domains/index.html", "domains", "domains/")
        for domain in d.domains.values():
            self._page(
                f"domains/{domain.id}/index.html",
                "domain",
                f"domains/{domain.id}/",
                domain=domain,
                groups=self.by_domain[domain.id],
            )
        self._page("localities/index.html", "localities", "localities/")
        for locality_id, name in d.site.localities.items():
            self._page(
                f"localities/{locality_id}/index.html",
                "locality",
                f"localities/{locality_id}/",
                locality_id=locality_id,
                locality_name=name,
                groups=self.by_locality[locality_id],
            )
        self._page("providers/index.html", "providers", "providers/", letters=d.providers_a_to_z())
        for provider in d.providers:
            listed = provider.listed_activities
            if not listed:
                continue
            # Made from their provider alone: 30,000 pages at 10,000 providers, most of
            # them taken as published, need not be searched for the providers they show.
            own = frozenset((provider.slug,))
            url = provider.url
            self._page(f"{url}index.html", "provider", url, uses=own, provider=provider)
            for activity in listed:
                url = activity.url
                self._page(f"{url}index.html", "activity", url, uses=own, activity=activity)
        self._page(
            "recently-confirmed/index.html",
            "recently_confirmed",
            "recently-confirmed/",
            providers=d.recently_confirmed(),
        )
        self._page(
            "freshness/index.html",
            "freshness",
            "freshness/",
            derived=lambda r: {
                "shares": [confirmed_within(r, 6), confirmed_within(r, 12)],
                "today": r.today,
            },
        )
        # Static hosting has no search service: /search explains and offers browsing.
        self._page("search/index.html", "search_fallback", "search/")
        self._page("my-list/index.html", "my_list", "my-list/")
        self._page("easy-read/index.html", "easy_read", "easy-read/")
        for domain in d.domains.values():
            title = i18n.gettext("%(topic)s in %(area)s", topic=domain.title, area=d.site.area_name)
            items = [a for group in self.by_domain[domain.id].values() for a in group]
            self._page(f"leaflets/domains/{domain.id}/index.html", "leaflet", f"leaflets/domains/{domain.id}/",
                       title=title, activities=items, back=f"domains/{domain.id}/")  # fmt: skip
        for locality_id, name in d.site.localities.items():
            items = list(
                dict.fromkeys(a for group in self.by_locality[locality_id].values() for a in group)
            )
            self._page(f"leaflets/localities/{locality_id}/index.html", "leaflet", f"leaflets/localities/{locality_id}/",
                       title=i18n.gettext("Groups and activities in %(area)s", area=name), activities=items, back=f"localities/{locality_id}/")  # fmt: skip
        self._page(
            "provision/index.html",
            "provision",
            "provision/",
            derived=lambda r: {"table": provision(r)},
        )
        self._own_pages(language)

    def _own_pages(self, language: i18n.Language) -> None:
        """The site's own pages (about, accessibility…), in ``language`` where a translation
        says ``Lang:`` it, else as written (and marked as English)."""
        for page in self.context.get("pages", []):
            shown = next((t for t in page.translations if t.lang == language.code), page)
            url = f"{page.slug}/"
            self._page(f"{url}index.html", "page", url, page=shown)

    def _page(
        self,
        save_as: str,
        template: str,
        url: str,
        derived: Callable[[Directory], dict[str, Any]] | None = None,
        uses: frozenset[str] | None = None,
        **values: Any,
    ) -> None:
        """Write one page from ``values`` (and what ``derived`` works out from the whole
        directory), recording what it was made from (the providers in ``values``, unless
        the caller says: ``uses``); in an incremental build, a page that would come out the
        same is taken as published instead."""
        reading = Reading(self.directory)  # what the page reads of the whole directory
        if derived:
            values.update(derived(reading))
        if uses is None:
            uses = providers_in(values)
        save_as = f"{self.prefix}{save_as}"
        if self.outputs.reuse(save_as, uses, reading.reads):
            return
        self.context["fragments"].shared_page = len(uses) > 1
        # Rendered and written here rather than by Pelican's writer, which copies the
        # whole context and checks the path again for each of thousands of pages.
        text = self.get_template(template).render(
            self.context, url=url, page_url=url, directory=reading, **values
        )
        self.outputs.write(save_as, text, uses, reading.reads)
