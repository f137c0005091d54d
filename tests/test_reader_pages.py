"""What a reader gets in the HTML: dates, direction, figures, pagination, navigation, search."""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import BASIC_ARTICLE, REPO, Site


def tree(site: Site, rel: str):  # type: ignore[no-untyped-def]
    return lxml_html.fromstring(site.read(rel))


def png(path: Path, width: int, height: int) -> None:
    """A valid, tiny PNG of the given size (one grey row repeated)."""
    row = b"\x00" + b"\x80" * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


# Dates ---------------------------------------------------------------------------------------

def test_dates_are_long_form_in_the_sites_language_with_a_machine_readable_datetime(site: Site) -> None:
    site.config('language = "fr"\n')
    site.article("a", BASIC_ARTICLE.replace("2020-01-02", "2016-06-22"))
    site.build()
    time = tree(site, "2016/06/a/index.html").cssselect(".article__header time")[0]
    assert time.text == "22 juin 2016"
    assert time.get("datetime") == "2016-06-22"
    assert tree(site, "archive/2016/06/index.html").cssselect("h1")[0].text_content() == "juin 2016"


def test_dates_are_shown_in_the_sites_time_zone(site: Site) -> None:
    site.config('timezone = "Asia/Tehran"\n')
    # 22:00 UTC is 02:30 the next day in Tehran: the reader sees the 23rd.
    site.article("late", BASIC_ARTICLE.replace("2020-01-02", "2016-06-22T22:00:00+00:00"))
    site.build()
    page = next(site.output.glob("2016/06/late/index.html"))
    time = lxml_html.fromstring(page.read_text()).cssselect(".article__header time")[0]
    assert time.text == "June 23, 2016"
    assert time.get("datetime") == "2016-06-23T02:30:00+04:30"  # the same instant


def test_date_format_does_not_depend_on_the_machine_locale(site: Site) -> None:
    site.article("a", BASIC_ARTICLE)
    env = dict(os.environ, LC_ALL="de_DE.UTF-8", LANG="de_DE.UTF-8")
    site.build()
    first = site.read("2020/01/a/index.html")
    import subprocess
    import sys
    subprocess.run([sys.executable, str(REPO / "build.py"), "--config", str(site.root / "config.toml")],
                   check=True, env=env, capture_output=True, cwd=site.root)
    assert site.read("2020/01/a/index.html") == first
    assert "January 2, 2020" in first


# Right to left -----------------------------------------------------------------------------------

ARABIC = """
title: "كيري يلتقي دبلوماسيين"
date: 2016-06-23
outlet: الجزيرة
topics: [Syria]
language: ar
"""


def test_rtl_article_sets_lang_and_dir_and_keeps_site_words_in_the_sites_language(site: Site) -> None:
    site.article("ar", ARABIC, "نص المقال.\n")
    site.article("en", BASIC_ARTICLE.replace("[Politics]", "[Syria]"))
    site.build()
    doc = tree(site, "2016/06/ar/index.html")
    article = doc.cssselect("article.article")[0]
    assert (article.get("lang"), article.get("dir")) == ("ar", "rtl")
    assert doc.get("lang") == "en" and doc.get("dir") == "ltr"
    assert doc.cssselect(".article__header .meta")[0].get("lang") == "en"
    assert doc.cssselect(".article__footer")[0].get("lang") == "en"


def test_a_site_in_a_right_to_left_language_is_right_to_left(site: Site) -> None:
    site.config('language = "fa"\n')
    site.article("a", BASIC_ARTICLE.replace("2020-01-02", "2016-06-22"))
    site.build()
    doc = tree(site, "index.html")
    assert (doc.get("lang"), doc.get("dir")) == ("fa", "rtl")
    assert doc.cssselect(".card time")[0].text == "22 ژوئن 2016"


def test_mixed_direction_listing_isolates_each_entry(site: Site) -> None:
    site.article("ar", ARABIC, "نص المقال.\n")
    site.article("en", BASIC_ARTICLE.replace("[Politics]", "[Syria]"))
    site.build()
    cards = tree(site, "topics/syria/index.html").cssselect(".card")
    by_title = {c.cssselect(".card__title")[0].text_content().strip(): c for c in cards}
    ar = by_title["كيري يلتقي دبلوماسيين"]
    assert (ar.get("lang"), ar.get("dir")) == ("ar", "rtl")
    assert ar.cssselect(".meta")[0].get("lang") == "en"
    assert by_title["A basic article"].get("dir") is None  # inherits the page's ltr
    # Outlet names in any script are isolated from the text around them.
    assert ar.cssselect(".kicker bdi")[0].text == "الجزيرة"
    assert tree(site, "outlets/index.html").cssselect(".term-index bdi")


# Figures -------------------------------------------------------------------------------------------

def test_images_have_dimensions_alt_and_lazy_loading_below_the_lead(site: Site) -> None:
    png(site.content / "articles/images/one.png", 40, 30)
    png(site.content / "articles/images/two.png", 20, 10)
    site.article("pics", BASIC_ARTICLE + """images:
  - src: images/one.png
    caption: The lead photo
    credit: Agency
  - src: images/two.png
    caption: A second photo
    alt: Two people talking
""", "Para one.\n\n[[figure 2]]\n\nPara two.\n")
    site.build()
    doc = tree(site, "2020/01/pics/index.html")
    lead, second = doc.cssselect("figure img")
    assert (lead.get("width"), lead.get("height")) == ("40", "30")
    assert lead.get("alt") == "The lead photo"  # no alt: the caption
    assert lead.get("loading") is None and lead.get("fetchpriority") == "high"
    assert (second.get("width"), second.get("height")) == ("20", "10")
    assert second.get("alt") == "Two people talking"
    assert second.get("loading") == "lazy"
    credit = doc.cssselect("figure figcaption .figure__credit")[0]
    assert credit.text == "Agency"
    assert (site.output / "2020/01/pics/images/one.png").is_file()


def test_an_image_that_was_not_kept_is_a_captioned_placeholder(site: Site) -> None:
    site.article("nopic", BASIC_ARTICLE + "images:\n  - caption: A lost photo\n    credit: AFP\n")
    site.build()
    figure = tree(site, "2020/01/nopic/index.html").cssselect("figure")[0]
    assert "figure--missing" in figure.get("class")
    assert not figure.cssselect("img")
    assert figure.cssselect(".figure__placeholder")[0].text_content().strip() == "Photo not kept in the archive"
    assert figure.cssselect("figcaption")[0].text_content().split() == ["A", "lost", "photo", "AFP"]


# Navigation, breadcrumbs, pagination -------------------------------------------------------------

def test_header_navigation_lists_every_section_and_marks_the_current_page(site: Site) -> None:
    site.write("content/pages/about.md", "---\ntitle: About\n---\n\nHello.\n")
    site.article("a", BASIC_ARTICLE)
    site.build()
    nav = tree(site, "topics/index.html").cssselect("nav.site-nav a")
    assert [a.text for a in nav] == ["Home", "Topics", "Outlets", "Archive", "Search", "About"]
    assert [a.text for a in nav if a.get("aria-current") == "page"] == ["Topics"]
    section = tree(site, "topics/politics/index.html").cssselect("nav.site-nav a.is-section")
    assert [a.text for a in section] == ["Topics"]


def test_breadcrumbs_lead_back_up_from_every_kind_of_page(site: Site) -> None:
    site.article("a", BASIC_ARTICLE)
    site.build()

    def crumbs(rel: str) -> list[str]:
        return [a.text_content() for a in tree(site, rel).cssselect("nav.breadcrumbs a")]

    assert crumbs("2020/01/a/index.html") == ["Home", "Archive", "2020", "January"]
    assert crumbs("topics/politics/index.html") == ["Home", "Topics"]
    assert crumbs("outlets/example-times/index.html") == ["Home", "Outlets"]
    assert crumbs("archive/2020/index.html") == ["Home", "Archive"]
    assert crumbs("archive/2020/01/index.html") == ["Home", "Archive", "2020"]


def test_pagination_is_numbered_with_gaps_and_marks_the_current_page(site: Site) -> None:
    site.config("per_page = 1\n")
    for day in range(1, 10):
        site.article(f"a{day}", BASIC_ARTICLE.replace("2020-01-02", f"2020-01-{day:02d}"))
    site.build()
    nav = tree(site, "page/5/index.html").cssselect("nav.pagination")[0]
    assert nav.get("aria-label") == "Pagination"
    labels = [li.text_content().strip() for li in nav.cssselect("li")]
    assert labels == ["← Newer", "Page 1", "…", "Page 3", "Page 4", "Page 5", "Page 6", "Page 7", "…", "Page 9", "Older →"]
    current = nav.cssselect('a[aria-current="page"]')
    assert len(current) == 1 and current[0].text_content() == "Page 5"
    assert nav.cssselect('a[rel="prev"]')[0].get("href") == "/page/4/"
    assert nav.cssselect('a[rel="next"]')[0].get("href") == "/page/6/"
    first = tree(site, "index.html").cssselect("nav.pagination")[0]
    assert not first.cssselect('a[rel="prev"]') and first.cssselect(".is-disabled")


# Search -------------------------------------------------------------------------------------------------

def test_search_index_is_built_with_filters_and_only_the_search_page_loads_javascript(site: Site) -> None:
    site.article("a", BASIC_ARTICLE)
    result = site.build()
    assert "search is off" not in result.stdout
    assert (site.output / "pagefind/pagefind.js").is_file()
    assert list((site.output / "pagefind/2020/filter").glob("*.pf_filter"))
    shards = json.loads((site.output / "pagefind/shards.json").read_text(encoding="utf-8"))["shards"]
    assert [(s["year"], s["path"], s["articles"]) for s in shards] == [(2020, "2020/", 1)]
    article = tree(site, "2020/01/a/index.html")
    assert article.cssselect("[data-pagefind-body]")
    assert {e.get("data-pagefind-filter").split(":")[0] for e in article.cssselect("[data-pagefind-filter]")} == {
        "outlet", "topic", "year"}
    for rel in ("2020/01/a/index.html", "index.html", "topics/politics/index.html"):
        assert not tree(site, rel).cssselect("script:not([type='application/ld+json'])"), rel
    search = tree(site, "search/index.html")
    assert search.cssselect('form[role="search"] input[type="search"]')
    assert search.cssselect("script")[0].get("src") == "/static/js/search.js"
    assert search.cssselect("form")[0].get("data-pagefind") == "/pagefind/pagefind.js"
    assert search.cssselect("form")[0].get("data-shards") == "/pagefind/shards.json"


def test_without_the_pagefind_binary_the_build_works_and_search_says_it_is_off(site: Site) -> None:
    site.article("a", BASIC_ARTICLE)
    site.build()
    assert (site.output / "pagefind").is_dir()
    env = dict(os.environ, PAGEFIND_BINARY_PATH=str(site.root / "no-such-pagefind"))
    import subprocess
    import sys
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--config", str(site.root / "config.toml")],
                            env=env, capture_output=True, text=True, cwd=site.root)
    assert result.returncode == 0, result.stderr
    assert "search is off" in result.stdout
    assert not (site.output / "pagefind").exists()  # a stale index is not left behind
    notice = tree(site, "search/index.html").cssselect("main .notice")[0].text_content()
    assert "Search is switched off" in notice
    assert not tree(site, "search/index.html").cssselect("script")


def test_search_index_is_byte_identical_across_builds(site: Site, tmp_path: Path) -> None:
    for n, topics in enumerate(["[Syria, Diplomacy, Iran]", "[Economy, Iran]", "[Sport, Syria, Health, Law]"]):
        site.article(f"a{n}", BASIC_ARTICLE.replace("[Politics]", topics).replace("Example Times", f"Outlet {n}"))
    snapshots = []
    for run in range(3):
        site.build("--output", str(tmp_path / f"out{run}"))
        root = tmp_path / f"out{run}"
        snapshots.append({p.relative_to(root).as_posix(): p.read_bytes()
                          for p in sorted(root.rglob("*")) if p.is_file()})
    assert snapshots[0] == snapshots[1] == snapshots[2]
    assert any(name.startswith("pagefind/2020/filter/") for name in snapshots[0])


def test_article_pages_ask_no_other_host_for_anything(site: Site) -> None:
    site.article("a", BASIC_ARTICLE + "source_url: https://example.com/original\n")
    site.build()
    doc = tree(site, "2020/01/a/index.html")
    for element in doc.iter():
        for attr in ("src", "srcset"):
            value = element.get(attr)
            assert value is None or value.startswith("/"), (element.tag, value)
    for link in doc.cssselect("link[href]"):
        # canonical and feed autodiscovery are absolute addresses on the site's own host
        if link.get("rel") not in ("canonical", "alternate"):
            assert link.get("href").startswith("/"), link.get("href")
        else:
            assert link.get("href").startswith("https://example.org/"), link.get("href")
    css = (site.output / "static/css/site.css").read_text()
    assert not re.search(r"url\(|@import", css)


@pytest.mark.parametrize("rel", ["index.html", "2016/06/kerry-meets-dissent-diplomats-urging-strikes-on-syria/index.html"])
def test_article_and_home_pages_weigh_under_40_kb_with_their_css(rel: str, tmp_path: Path) -> None:
    import subprocess
    import sys
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(REPO / "build.py"), "--output", str(out), "-q"], check=True, cwd=REPO)
    size = (out / rel).stat().st_size + (out / "static/css/site.css").stat().st_size
    assert size < 40 * 1024, size


def test_long_dates_are_babel_s_own_in_every_language():
    """Long dates are formatted once per day of the year and the year put in after, where a
    language writes the year as its plain number: the text must be Babel's, in every locale
    Babel has, for years of one to four digits and for 29 February."""
    from datetime import date

    from babel.dates import format_date
    from babel.localedata import locale_identifiers

    from newsarchive.render.templates import _long_date, site_locale

    days = [date(1, 1, 1), date(999, 12, 31), date(2000, 2, 29), date(2016, 6, 22), date(2020, 10, 2),
            date(2024, 2, 29), date(9999, 12, 31)]
    checked = 0
    for tag in sorted(locale_identifiers()):
        language = tag.replace("_", "-")
        for day in days:
            assert _long_date(day, language) == format_date(day, "long", locale=site_locale(language)), (tag, day)
            checked += 1
    assert checked > 500 * len(days)
