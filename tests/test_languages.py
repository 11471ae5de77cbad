"""The directory in the area's languages (issue 17): a site per language, the catalogs
complete and up to date, every interface word through them (a pseudo-localised build),
right to left for Urdu, the service in each language, and the easy-read guide."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup
from conftest import REPO, TODAY, site_using
from leftover_english import english_left, words_people_wrote

from entries import i18n, load_directory
from entries.site_settings import site_settings
from healthdir.publish import build
from service import create_app

SETTINGS = site_settings(REPO)
LANGUAGES = i18n.languages(SETTINGS)
SHIPPED = [language.code for language in LANGUAGES[1:]]
POT = i18n.LOCALES / "messages.pot"
# A language the sample does not ship, for the pseudo-localised build: one whose own
# words (its name, and what Babel's locale data says in it) are not in Latin letters.
PSEUDO = "el"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|<[^>]+>|&[a-z]+;")
ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ",
)


def pseudo(message: str) -> str:
    """``message`` accented and bracketed, its placeholders and tags left as they are."""
    parts, last = [], 0
    for found in PLACEHOLDER.finditer(message):
        parts += [message[last : found.start()].translate(ACCENTED), found.group()]
        last = found.end()
    return "⟦" + "".join([*parts, message[last:].translate(ACCENTED)]) + "⟧"


def pseudo_catalog(folder: Path) -> Path:
    """A compiled catalog for :data:`PSEUDO` in ``folder`` with every message of the
    template pseudo-localised."""
    with POT.open("rb") as source:
        template = read_po(source)
    catalog = Catalog(locale=PSEUDO)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(pseudo(form) for form in message.id)
            catalog.add(message.id, (forms[0], forms[1]), flags={"fuzzy"})
        else:
            catalog.add(message.id, pseudo(message.id), flags={"fuzzy"})  # not reviewed
    messages = folder / PSEUDO / "LC_MESSAGES"
    messages.mkdir(parents=True)
    with (messages / "messages.po").open("wb") as po:
        write_po(po, catalog)
    with (messages / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog, use_fuzzy=True)
    return folder


@pytest.fixture(scope="module")
def pseudo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample site built in English and the pseudo-language."""
    folder = tmp_path_factory.mktemp("pseudo")
    root = site_using(
        folder / "site",
        LANGUAGES=["en-GB", PSEUDO],
        LOCALES_PATH=str(pseudo_catalog(folder / "locales")),
    )
    build(root, root / "output", today=TODAY, index=root / "search-index")
    return root, root / "output"


def written() -> set[str]:
    directory, _ = load_directory(REPO, SETTINGS, today=TODAY)
    return words_people_wrote(directory, REPO / "content", SETTINGS)


def test_every_page_of_the_pseudo_language_has_every_interface_word_translated(
    pseudo_site: tuple[Path, Path],
) -> None:
    _, output = pseudo_site
    people = written()
    pages = sorted((output / PSEUDO).rglob("*.html"))
    assert len(pages) > 50
    leaks = {}
    for page in pages:
        left = english_left(page.read_text(encoding="utf-8"), people)
        if left:
            leaks[str(page.relative_to(output))] = sorted(set(left))
    assert leaks == {}, "Interface words not through the catalogs (see babel.cfg)"


def test_the_service_pages_of_the_pseudo_language_have_every_word_translated(
    pseudo_site: tuple[Path, Path],
) -> None:
    root, output = pseudo_site
    app = create_app(root, output, index=root / "search-index", unmet_need=root / "u.sqlite3")
    client = app.test_client()
    people = written()
    leaks = {}
    for path in (
        f"/{PSEUDO}/search?q=walking",
        f"/{PSEUDO}/search?q=walking&day=tuesday&cost=free",
        f"/{PSEUDO}/search?q=zzzzqqq",
        f"/{PSEUDO}/search?q=walking&near=AB1",
        f"/{PSEUDO}/register",
        f"/{PSEUDO}/no-such-page/",
    ):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        left = english_left(response.get_data(as_text=True), people)
        if left:
            leaks[path] = sorted(set(left))
    assert leaks == {}


def test_pseudo_localisation_catches_a_word_left_out_of_the_catalogs() -> None:
    page = "<html><body><p>⟦Ƒīƞḓ ȧ ɠřǿŭƥ⟧</p><p>Browse by topic</p></body></html>"
    assert english_left(page, {"walking"}) == ["Browse", "by", "topic"]
    assert english_left("<p>⟦Ƒīƞḓ⟧ Millbrook Walkers</p>", {"millbrook", "walkers"}) == []


def test_every_shipped_catalog_has_every_message(tmp_path: Path) -> None:
    with POT.open("rb") as source:
        template = read_po(source)
    wanted = {message.id for message in template if message.id}
    assert len(wanted) > 100
    for code in SHIPPED:
        with (i18n.LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalog = read_po(source)
        missing = [
            message.id
            for message in catalog
            if message.id
            and not (all(message.string) if isinstance(message.string, tuple) else message.string)
        ]
        assert missing == [], f"{code}: messages without a translation"
        assert {message.id for message in catalog if message.id} >= wanted, code


def test_the_catalogs_template_is_up_to_date(tmp_path: Path) -> None:
    """Every word marked in the code is in messages.pot: run `make translations` if not."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [Path(sys.executable).with_name("pybabel"), "--quiet", "extract", "--mapping", "babel.cfg",
         "--keywords", "N_", "--no-location", "--ignore-dirs", ".* ._ tests benchmarks node_modules output",
         "--output", str(fresh), "."],
        cwd=REPO, check=True,
    )  # fmt: skip
    with fresh.open("rb") as new, POT.open("rb") as old:
        assert {m.id for m in read_po(new)} == {m.id for m in read_po(old)}


def test_each_language_is_built_under_its_own_folder(sample_output: Path) -> None:
    for language in LANGUAGES:
        home = BeautifulSoup(
            (sample_output / language.prefix / "index.html").read_text(), "html.parser"
        )
        assert home.html["lang"] == language.code
        assert home.html["dir"] == language.direction
        links = {a["hreflang"]: a["href"] for a in home.select("link[rel=alternate]")}
        assert links == {other.code: f"/{other.prefix}" for other in LANGUAGES}
    assert (
        BeautifulSoup((sample_output / "ur" / "index.html").read_text(), "html.parser").html["dir"]
        == "rtl"
    )


def test_the_language_switcher_keeps_you_on_the_same_page(sample_output: Path) -> None:
    page = next((sample_output / "bn" / "activities").rglob("index.html"))
    path = page.relative_to(sample_output / "bn").parent.as_posix() + "/"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    switcher = {a["hreflang"]: a["href"] for a in soup.select(".hd-languages a[hreflang]")}
    assert switcher == {other.code: f"/{other.prefix}{path}" for other in LANGUAGES}
    assert soup.select_one(".hd-languages a[aria-current]")["hreflang"] == "bn"
    for href in switcher.values():
        assert (sample_output / href.strip("/") / "index.html").is_file()


def test_a_language_not_yet_reviewed_says_so_in_that_language_and_in_english(
    pseudo_site: tuple[Path, Path],
) -> None:
    _, output = pseudo_site
    soup = BeautifulSoup((output / PSEUDO / "index.html").read_text(), "html.parser")
    notice = soup.select_one(".hd-unreviewed")
    assert notice is not None
    assert "⟦" in notice.get_text()
    assert (
        "not yet been checked by a fluent speaker" in notice.select_one("[lang=en-GB]").get_text()
    )
    assert (
        BeautifulSoup((output / "index.html").read_text(), "html.parser").select_one(
            ".hd-unreviewed"
        )
        is None
    )


def test_translated_domains_and_pages_are_used(sample_output: Path) -> None:
    for code in SHIPPED:
        for domain in (REPO / "content" / "domains" / code).glob("*.md"):
            title = next(
                line for line in domain.read_text().splitlines() if line.startswith("Title:")
            )
            page = sample_output / code / "domains" / domain.stem / "index.html"
            heading = BeautifulSoup(page.read_text(), "html.parser").h1.get_text(strip=True)
            assert heading == title.split(":", 1)[1].strip()
    about = BeautifulSoup(
        (sample_output / "ur" / "about" / "index.html").read_text(), "html.parser"
    )
    assert about.h1.get_text(strip=True) != "About this directory"


def test_the_easy_read_guide_is_linked_from_every_page(sample_output: Path) -> None:
    for language in LANGUAGES:
        guide = sample_output / language.prefix / "easy-read" / "index.html"
        assert len(BeautifulSoup(guide.read_text(), "html.parser").select(".hd-easy-read li")) >= 5
    for page in list(sample_output.rglob("*.html"))[:400]:
        if page.name == "index.html" and "<html" in (text := page.read_text()):
            soup = BeautifulSoup(text, "html.parser")
            if soup.select_one("main") is not None:
                assert soup.select_one('.hd-languages a[href$="/easy-read/"]'), page


def test_the_service_speaks_the_language_of_the_path(
    sample_build: tuple[Path, Path], tmp_path: Path
) -> None:
    output, index = sample_build
    app = create_app(
        REPO, output, index=index, unmet_need=tmp_path / "u.sqlite3", submissions=tmp_path / "s"
    )
    client = app.test_client()
    page = BeautifulSoup(client.get("/bn/search?q=walking").get_data(as_text=True), "html.parser")
    assert page.html["lang"] == "bn"
    assert page.select_one("form[action]")["action"].startswith("/bn/search")
    results = [a["href"] for a in page.select("main h2 a, main h3 a")]
    assert results and all(href.startswith("/bn/") for href in results)
    urdu = BeautifulSoup(client.get("/ur/register").get_data(as_text=True), "html.parser")
    assert (urdu.html["lang"], urdu.html["dir"]) == ("ur", "rtl")
    assert client.get("/xx/search?q=walking").status_code == 404
