"""The built site in a real browser: Debian's headless Chromium, driven by Playwright.

One site is built for the module: the repository's real content plus a few dozen generated
articles (so listings paginate, and an Arabic article sits among English ones), served over
HTTP on 127.0.0.1. axe-core, the Nu Html Checker and Lighthouse come from node_modules
(`npm ci`); Java runs the checker.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import REPO, require
from tools import lighthouse
from tools.browser import chromium_path, free_port, launch, serve

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SEED = "/2016/06/kerry-meets-dissent-diplomats-urging-strikes-on-syria/"
OUTLETS = ["Daily Ledger", "Evening Post", "Harbour Times"]
TOPICS = ["Economy", "Trade", "Health", "Climate", "Elections"]


def _extra_articles(folder: Path) -> None:
    """Thirty small articles across outlets, topics and two years; one in Arabic."""
    for n in range(30):
        year, month, day = 2017 + n % 2, 1 + n % 12, 1 + n % 27
        topics = [TOPICS[n % 5], TOPICS[(n + 2) % 5]]
        lines = [f'title: "Story number {n}: ministers meet over {topics[0].lower()} plans"',
                 f"date: {year}-{month:02d}-{day:02d}", f"outlet: {OUTLETS[n % 3]}",
                 f"topics: [{', '.join(topics)}]", "byline: Staff reporter",
                 f"source_url: https://example.org/story-{n}"]
        body = f"Paragraph one of story {n}, about {topics[0].lower()}.\n\nParagraph two of story {n}.\n"
        if n == 7:
            lines = ['title: "وزراء يجتمعون لبحث خطط الاقتصاد"', "date: 2018-03-04", "outlet: الجزيرة",
                     "topics: [Economy]", "language: ar"]
            body = "فقرة أولى من الخبر.\n\nفقرة ثانية من الخبر.\n"
        path = folder / f"{year}" / f"story-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(lines) + "\n---\n\n" + body, encoding="utf-8")


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require(chromium_path() is not None, "Chromium (/usr/bin/chromium)")
    root = tmp_path_factory.mktemp("browser-site")
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, root / name)
    _extra_articles(root / "content" / "articles" / "generated")
    with open(root / "content" / "topics.toml", "a", encoding="utf-8") as registry:
        for topic in TOPICS:
            registry.write(f'\n[[topic]]\nname = "{topic}"\ndescription = "Generated test articles about {topic.lower()}."\n')
    with open(root / "content" / "outlets.toml", "a", encoding="utf-8") as registry:
        for outlet in [*OUTLETS, "الجزيرة"]:
            registry.write(f'\n[[outlet]]\nname = "{outlet}"\n')
    port = free_port()
    config = (REPO / "config.toml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^base_url = .*$", f'base_url = "http://127.0.0.1:{port}/"', config)
    config = re.sub(r"(?m)^per_page = .*$", "per_page = 10", config)
    (root / "config.toml").write_text(config, encoding="utf-8")
    subprocess.run([sys.executable, str(REPO / "build.py"), "--config", str(root / "config.toml"), "-q"],
                   check=True, cwd=root)
    with serve(root / "output", port) as base:
        yield base.rstrip("/")


@pytest.fixture(scope="module")
def browser(site_url: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()
    assert errors == [], f"the page reported errors: {errors}"


def h1(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("main h1").first.inner_text().strip()


# Navigation ------------------------------------------------------------------------------------------

def test_navigation_reaches_every_page_kind(page, site_url: str) -> None:
    page.goto(site_url + "/")
    assert h1(page) == "Latest articles"
    nav = page.get_by_role("navigation", name="Site")

    nav.get_by_role("link", name="Topics").click()
    assert h1(page) == "Topics"
    page.locator(".term-index a", has_text="Syria").click()
    assert h1(page) == "Syria" and page.url.endswith("/topics/syria/")
    page.locator(".card__title a").first.click()
    assert page.url.endswith(SEED)
    assert h1(page).startswith("Kerry meets")
    page.locator(".article__header .kicker a").click()
    assert h1(page) == "Press TV" and "/outlets/press-tv/" in page.url
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Outlets").click()
    assert h1(page) == "Outlets"

    nav.get_by_role("link", name="Archive").click()
    assert h1(page) == "Archive"
    page.get_by_role("link", name="2016", exact=True).click()
    assert h1(page) == "2016"
    page.locator(".month-grid a", has_text="June").click()
    assert h1(page) == "June 2016"
    page.locator(".card__title a").first.click()
    assert page.url.endswith(SEED)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="June").click()
    assert h1(page) == "June 2016"

    nav.get_by_role("link", name="Search").click()
    assert h1(page) == "Search"
    nav.get_by_role("link", name="About").click()
    assert h1(page) == "About"
    nav.get_by_role("link", name="Home").click()
    assert h1(page) == "Latest articles"

    response = page.goto(site_url + "/404.html")
    assert response is not None and response.ok and h1(page) == "Page not found"


def test_pagination_moves_through_the_pages(page, site_url: str) -> None:
    page.goto(site_url + "/")
    pagination = page.get_by_role("navigation", name="Pagination")
    assert pagination.locator('[aria-current="page"]').text_content() == "Page 1"
    pagination.get_by_role("link", name="Older").click()
    assert page.url == site_url + "/page/2/"
    assert h1(page) == "Latest articles, page 2"
    pagination = page.get_by_role("navigation", name="Pagination")
    pagination.get_by_role("link", name="Page 4", exact=True).click()
    assert page.url == site_url + "/page/4/"
    pagination = page.get_by_role("navigation", name="Pagination")
    assert pagination.locator('[aria-current="page"]').text_content() == "Page 4"
    assert pagination.get_by_role("link", name="Older").count() == 0  # the last page
    titles = page.locator(".card__title").all_inner_texts()
    assert 0 < len(titles) <= 10
    pagination.get_by_role("link", name="Newer").click()
    assert page.url == site_url + "/page/3/"


# Search --------------------------------------------------------------------------------------------------

def test_search_finds_the_seed_article_for_kerry_and_filters_narrow_it(page, site_url: str) -> None:
    page.goto(site_url + "/search/")
    box = page.get_by_label("Words to find in the archive")
    box.fill("Kerry")
    box.press("Enter")
    first = page.locator(".search__results .card__title a").first
    first.wait_for()
    assert first.get_attribute("href") == SEED
    assert first.inner_text().startswith("Kerry meets")
    assert "1 article found" in page.locator(".search__status").inner_text()
    assert "q=Kerry" in page.url

    page.get_by_label("Outlet").select_option("Press TV")
    page.wait_for_function("location.search.includes('outlet=')")
    page.locator(".search__results .card").first.wait_for()
    assert page.locator(".search__results .card").count() == 1

    page.get_by_label("Year").select_option("2018")
    page.wait_for_function("document.querySelector('.search__status').textContent.startsWith('No articles')")
    assert page.locator(".search__results .card").count() == 0


def test_search_results_keep_each_articles_direction(page, site_url: str) -> None:
    page.goto(site_url + "/search/?q=" + "الاقتصاد")
    card = page.locator(".search__results .card").first
    card.wait_for()
    assert (card.get_attribute("lang"), card.get_attribute("dir")) == ("ar", "rtl")
    assert card.locator(".card__title a").get_attribute("href") == "/2018/03/story-7/"


def test_a_search_address_can_be_shared(page, site_url: str) -> None:
    page.goto(site_url + "/search/?topic=Economy&year=2018")
    page.locator(".search__results .card").first.wait_for()
    status = page.locator(".search__status").inner_text()
    count = int(status.split()[0])
    assert count >= 3
    assert page.get_by_label("Topic").input_value() == "Economy"


def test_search_results_are_newest_first_across_the_years_shards(page, site_url: str) -> None:
    from datetime import datetime

    page.goto(site_url + "/search/?q=story")
    page.locator(".search__results .card").first.wait_for()
    assert page.locator(".search__status").inner_text().startswith("29 articles found")
    more = page.get_by_role("button", name="Show more results")
    while more.is_visible():
        shown = page.locator(".search__results .card").count()
        more.click()
        page.wait_for_function(f"document.querySelectorAll('.search__results .card').length > {shown}")
    dates = [datetime.strptime(text, "%B %d, %Y") for text in page.locator(".search__results .card .meta").all_inner_texts()]
    assert len(dates) == 29
    assert {d.year for d in dates} == {2017, 2018}
    assert dates == sorted(dates, reverse=True)


def test_a_year_filter_searches_that_years_shard_only(page, site_url: str) -> None:
    paths: list[str] = []
    page.on("request", lambda request: paths.append(urlparse(request.url).path))
    page.goto(site_url + "/search/?q=story&year=2017")
    page.locator(".search__results .card").first.wait_for()
    assert page.locator(".search__status").inner_text().startswith("15 articles found")
    hrefs = page.locator(".search__results .card__title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(href.startswith("/2017/") for href in hrefs)
    assert any(path.startswith("/pagefind/2017/index/") for path in paths)
    assert not any(path.startswith(("/pagefind/2018/index/", "/pagefind/2016/index/")) for path in paths)


# Layout --------------------------------------------------------------------------------------------------

LAYOUT_PAGES = ["/", SEED, "/topics/syria/", "/outlets/press-tv/", "/archive/", "/archive/2016/06/",
                "/search/?q=Kerry", "/about/", "/2018/03/story-7/", "/topics/economy/"]


@pytest.mark.parametrize("width", [320, 360, 1280])
def test_no_horizontal_overflow(browser, site_url: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    try:
        for path in LAYOUT_PAGES:
            tab.goto(site_url + path)
            overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} overflows by {overflow}px at {width}px"
    finally:
        context.close()


def _luminance(css_color: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_scheme_follows_the_reader(browser, site_url: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    tab = context.new_page()
    try:
        tab.goto(site_url + SEED)
        background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        text = tab.evaluate("getComputedStyle(document.body).color")
        if scheme == "dark":
            assert _luminance(background) < 0.15 and _luminance(text) > 0.8
        else:
            assert _luminance(background) > 0.9 and _luminance(text) < 0.2
    finally:
        context.close()


def test_rtl_article_renders_right_to_left(page, site_url: str) -> None:
    page.goto(site_url + "/2018/03/story-7/")
    article = page.locator("article.article")
    assert article.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    heading = page.locator("article h1").bounding_box()
    body = page.locator(".article__body").bounding_box()
    assert heading and body
    assert abs((heading["x"] + heading["width"]) - (body["x"] + body["width"])) < 2  # right-aligned


def test_print_shows_the_article_with_its_source_and_date_and_hides_navigation(page, site_url: str) -> None:
    page.goto(site_url + SEED)
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert not page.locator(".related").is_visible() if page.locator(".related").count() else True
    assert page.locator(".source-url").is_visible()
    assert "presstv.ir" in page.locator(".source-url").inner_text()
    assert page.locator(".article__header time").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_article_page_loads_no_script_and_asks_no_other_host(page, site_url: str) -> None:
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(site_url + SEED, wait_until="networkidle")
    hosts = {urlparse(r.url).netloc for r in requests}
    assert hosts == {urlparse(site_url).netloc}
    assert not [r.url for r in requests if r.resource_type == "script"]
    weight = sum(r.response().body().__len__() for r in requests
                 if r.resource_type in ("document", "stylesheet") and r.response())
    assert weight < 40 * 1024, weight


# axe-core ---------------------------------------------------------------------------------------------------

AXE_PAGES = {"home": "/", "article": SEED, "topic": "/topics/syria/", "outlet": "/outlets/press-tv/",
             "archive": "/archive/", "search": "/search/?q=Kerry", "rtl-article": "/2018/03/story-7/",
             "month": "/archive/2016/06/", "paginated": "/page/2/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_violations(browser, site_url: str, name: str, scheme: str) -> None:
    require(AXE.is_file(), "node_modules/axe-core (npm ci)")
    context = browser.new_context(color_scheme=scheme)
    tab = context.new_page()
    try:
        tab.goto(site_url + AXE_PAGES[name], wait_until="networkidle")
        if name == "search":
            tab.locator(".search__results .card").first.wait_for()
        tab.add_script_tag(path=str(AXE))
        result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                  for v in result["violations"]]
    assert violations == []


# Lighthouse -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", SEED, "/topics/syria/"])
def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(site_url: str, path: str) -> None:
    require(lighthouse.LIGHTHOUSE.is_file(), "node_modules/lighthouse (npm ci)")
    report = lighthouse.audit(site_url + path)
    print(f"lighthouse {path}: {report.line()}")
    for category in ("accessibility", "best-practices", "seo"):
        assert report.scores[category] == 1, (category, report.failures.get(category))
    assert report.requests and all(url.startswith(site_url + "/") for url in report.requests), report.requests
