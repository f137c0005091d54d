"""Feeds, read back the way subscribers' software reads them: feedparser, lxml, json."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from PIL import Image

from conftest import REPO, Site

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
OFFSET = re.compile(r"(?:[+-]\d{2}:\d{2}|[+-]\d{4})$")

FIRST = """
title: "Budget <b>talks</b> & the euro"
date: 2020-01-02T08:15:00+01:00
updated: 2020-02-03T10:00:00-05:00
outlet: Example Times
byline: Jane Doe
topics: [Politics, Économie]
source_url: https://example.com/news/2020/budget?id=1#top
images:
  - src: lead.png
    caption: The lead picture
    credit: Photo Agency
  - src: images/second.png
    caption: "A second picture, placed in the body"
    credit: Staff photographer
    alt: Two people
"""
FIRST_BODY = """
First paragraph with a [topic link](/topics/politics/) and a [relative link](other/).

[[figure 2]]

Last paragraph of the first article, with a footnote.[^1] ![inline](images/second.png)

[^1]: The footnote text.
"""
SECOND = """
title: Second article
date: 2020-03-04T09:30:00+04:30
outlet: Other Daily
topics: [Politics]
id: 6F1C1F2A-3B4C-4D5E-8F90-A1B2C3D4E5F6
"""
THIRD = """
title: "سوريا اليوم"
date: 2020-04-05
outlet: Example Times
topics: [سوريا]
language: ar
id: tag:example.org,2026:third
"""


def _png(path: Path, size: tuple[int, int] = (40, 30)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 30)).save(path)


def _archive(site: Site) -> None:
    _png(site.content / "articles/2020/lead.png")
    _png(site.content / "articles/2020/images/second.png", (20, 10))
    site.article("2020/budget-talks", FIRST, FIRST_BODY)
    site.article("2020/second", SECOND, "Second article body.\n")
    site.article("2020/third", THIRD, "نص المقالة.\n")


def _feeds(output: Path) -> list[Path]:
    return sorted([*output.glob("*.xml"), *output.glob("*/*/*.xml")])


def _xml_feeds(output: Path) -> list[Path]:
    return [p for p in _feeds(output) if p.name in ("feed.xml", "atom.xml")]


@pytest.fixture
def archive(site: Site) -> Site:
    _archive(site)
    site.build()
    return site


def test_every_feed_parses_in_a_real_feed_reader(archive: Site) -> None:
    expected = {
        "feed.xml": 3, "atom.xml": 3,
        "topics/politics/feed.xml": 2, "topics/politics/atom.xml": 2,
        "topics/economie/feed.xml": 1, "topics/economie/atom.xml": 1,
        "topics/سوريا/feed.xml": 1, "topics/سوريا/atom.xml": 1,
        "outlets/example-times/feed.xml": 2, "outlets/example-times/atom.xml": 2,
        "outlets/other-daily/feed.xml": 1, "outlets/other-daily/atom.xml": 1,
    }
    found = {p.relative_to(archive.output).as_posix() for p in _xml_feeds(archive.output)}
    assert found == set(expected)
    for rel, count in expected.items():
        parsed = feedparser.parse((archive.output / rel).read_bytes())
        assert not parsed.bozo, (rel, parsed.get("bozo_exception"))
        assert parsed.version in ("rss20", "atom10"), rel
        assert len(parsed.entries) == count, rel
        for entry in parsed.entries:
            assert entry.id and entry.link.startswith("https://example.org/")
            assert entry.title and entry.summary
            assert entry.content[0].value.strip(), rel  # full content, not only a summary
            assert entry.get("published") and entry.get("updated"), rel
            assert entry.tags, rel


def test_entries_carry_ids_dates_with_offsets_and_full_text(archive: Site) -> None:
    atom = feedparser.parse((archive.output / "atom.xml").read_bytes())
    rss = feedparser.parse((archive.output / "feed.xml").read_bytes())
    # Newest first by publication date.
    assert [e.title for e in atom.entries] == ["سوريا اليوم", "Second article", "Budget <b>talks</b> & the euro"]
    ids = [e.id for e in atom.entries]
    assert ids == [e.id for e in rss.entries]
    assert ids[0] == "tag:example.org,2026:third"
    assert ids[1] == "urn:uuid:6f1c1f2a-3b4c-4d5e-8f90-a1b2c3d4e5f6"  # a bare UUID, normalised
    assert ids[2] == "tag:newsarchive.invalid,2026:source:https://example.com/news/2020/budget?id=1%23top"

    root = etree.parse(str(archive.output / "atom.xml")).getroot()
    entry = root.findall(f"{ATOM}entry")[2]
    # The instants as written, in the site's time zone (UTC here), offsets kept.
    assert entry.findtext(f"{ATOM}published") == "2020-01-02T07:15:00+00:00"
    assert entry.findtext(f"{ATOM}updated") == "2020-02-03T15:00:00+00:00"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Jane Doe"
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"Politics", "Économie", "Example Times"}
    links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
    assert links == {"alternate": "https://example.org/2020/01/budget-talks/",
                     "via": "https://example.com/news/2020/budget?id=1#top"}

    item = etree.parse(str(archive.output / "feed.xml")).getroot().findall("channel/item")[2]
    assert item.findtext("pubDate") == "Thu, 02 Jan 2020 07:15:00 +0000"
    assert item.findtext(f"{DCTERMS}modified") == "2020-02-03T15:00:00+00:00"
    assert item.findtext(f"{DC}creator") == "Jane Doe"
    assert item.findtext(f"{DC}publisher") == "Example Times"
    assert item.findtext(f"{DC}source") == "https://example.com/news/2020/budget?id=1#top"
    assert item.find("guid").get("isPermaLink") == "false"

    for parsed in (atom, rss):
        html = parsed.entries[2].content[0].value
        assert "First paragraph with a" in html and "Last paragraph of the first article" in html
        assert "The footnote text." in html
        assert "A second picture, placed in the body" in html  # the in-body figure, expanded
        assert "newsarchive:figure" not in html
        assert "Originally published by Example Times" in html


def test_links_and_images_in_entries_are_absolute(archive: Site) -> None:
    for path in _xml_feeds(archive.output):
        for entry in feedparser.parse(path.read_bytes()).entries:
            html = entry.content[0].value
            for attr, value in re.findall(r'\b(href|src)="([^"]*)"', html):
                assert value.startswith(("https://", "mailto:")), (path, attr, value)
    html = feedparser.parse((archive.output / "atom.xml").read_bytes()).entries[2].content[0].value
    assert 'href="https://example.org/topics/politics/"' in html
    assert 'href="https://example.org/2020/01/budget-talks/other/"' in html
    assert 'src="https://example.org/2020/01/budget-talks/lead.png"' in html
    assert 'src="https://example.org/2020/01/budget-talks/images/second.png"' in html
    assert 'href="https://example.org/2020/01/budget-talks/#fn:1"' in html


def test_images_are_media_rss_with_caption_and_credit(archive: Site) -> None:
    for name in ("feed.xml", "atom.xml"):
        root = etree.parse(str(archive.output / name)).getroot()
        entries = root.findall("channel/item") or root.findall(f"{ATOM}entry")
        media = entries[2].findall(f"{MEDIA}content")
        assert [m.get("url") for m in media] == [
            "https://example.org/2020/01/budget-talks/lead.png",
            "https://example.org/2020/01/budget-talks/images/second.png",
        ]
        assert media[0].get("type") == "image/png" and media[0].get("medium") == "image"
        assert (media[0].get("width"), media[0].get("height")) == ("40", "30")
        assert media[0].findtext(f"{MEDIA}description") == "The lead picture"
        assert media[0].findtext(f"{MEDIA}credit") == "Photo Agency"
        assert media[1].findtext(f"{MEDIA}credit") == "Staff photographer"
        assert entries[0].findall(f"{MEDIA}content") == []  # no image, no media
    parsed = feedparser.parse((archive.output / "feed.xml").read_bytes())
    assert parsed.entries[2].media_content[0]["url"].endswith("/lead.png")


def test_rss_has_its_required_elements(archive: Site) -> None:
    for path in _xml_feeds(archive.output):
        if path.name != "feed.xml":
            continue
        root = etree.parse(str(path)).getroot()  # raises if not well-formed
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        for required in ("title", "link", "description"):
            assert (channel.findtext(required) or "").strip(), (path, required)
        self_link = channel.find(f"{ATOM}link[@rel='self']")
        rel = path.relative_to(archive.output).as_posix()
        assert self_link.get("href") == "https://example.org/" + _encoded(rel)
        assert OFFSET.search(channel.findtext("lastBuildDate"))
        for item in channel.findall("item"):
            assert item.findtext("title") and item.findtext("link") and item.findtext("description")
            assert item.findtext(f"{CONTENT}encoded")
            assert item.find("guid").get("isPermaLink") == "false"
            assert OFFSET.search(item.findtext("pubDate"))


def test_atom_has_its_required_elements(archive: Site) -> None:
    for path in _xml_feeds(archive.output):
        if path.name != "atom.xml":
            continue
        root = etree.parse(str(path)).getroot()
        assert root.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated"):
            assert (root.findtext(f"{ATOM}{required}") or "").strip(), (path, required)
        rel = path.relative_to(archive.output).as_posix()
        assert root.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/" + _encoded(rel)
        assert OFFSET.search(root.findtext(f"{ATOM}updated"))
        assert root.findtext(f"{ATOM}icon") == "https://example.org/static/favicon.svg"
        for entry in root.findall(f"{ATOM}entry"):
            for required in ("id", "title", "updated", "published"):
                assert entry.findtext(f"{ATOM}{required}"), (path, required)
            assert entry.findtext(f"{ATOM}author/{ATOM}name")  # no feed-level author: per entry
            assert entry.find(f"{ATOM}content").get("type") == "html"
            alternates = entry.findall(f"{ATOM}link[@rel='alternate']")
            assert len(alternates) == 1


def test_json_feed_follows_version_1_1(archive: Site) -> None:
    feed = json.loads(archive.read("feed.json"))
    assert list(feed)[0] == "version" and feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Test Archive"
    assert feed["home_page_url"] == "https://example.org/"
    assert feed["feed_url"] == "https://example.org/feed.json"
    assert feed["favicon"] == "https://example.org/static/favicon.svg"
    known = {"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
             "icon", "favicon", "authors", "language", "expired", "hubs", "items"}
    assert set(feed) <= known
    item_keys = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
                 "banner_image", "date_published", "date_modified", "authors", "tags", "language",
                 "attachments"}
    atom = feedparser.parse((archive.output / "atom.xml").read_bytes())
    assert [i["id"] for i in feed["items"]] == [e.id for e in atom.entries]
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["content_html"]
        assert set(k for k in item if not k.startswith("_")) <= item_keys
        for key in ("date_published", "date_modified"):
            assert datetime.fromisoformat(item[key]).utcoffset() is not None
        assert all(author.get("name") for author in item["authors"])
    first = feed["items"][2]
    assert first["external_url"] == "https://example.com/news/2020/budget?id=1#top"
    assert first["image"] == "https://example.org/2020/01/budget-talks/lead.png"
    assert first["tags"] == ["Politics", "Économie"]
    assert first["authors"] == [{"name": "Jane Doe"}]
    assert first["date_modified"] == "2020-02-03T15:00:00+00:00"
    assert feed["items"][0]["language"] == "ar"
    assert "A second picture, placed in the body" in first["content_html"]


def test_feed_dates_come_from_content_and_rebuilds_are_byte_identical(archive: Site) -> None:
    before = {p: p.read_bytes() for p in [*_feeds(archive.output), archive.output / "feed.json"]}
    root = etree.parse(str(archive.output / "feed.xml")).getroot()
    # The newest change in the feed is the Second article's publication (05:00 UTC, 4 March).
    newest = datetime.fromisoformat("2020-04-05T00:00:00+00:00")
    assert parsedate_to_datetime(root.findtext("channel/lastBuildDate")) == newest
    assert root.findtext("channel/lastBuildDate") == format_datetime(newest).replace("-0000", "+0000")
    assert root.findtext("channel/generator") == "newsarchive"
    atom = etree.parse(str(archive.output / "topics/politics/atom.xml")).getroot()
    assert atom.findtext(f"{ATOM}updated") == "2020-03-04T05:00:00+00:00"
    shutil.rmtree(archive.output)
    archive.build()
    after = {p: p.read_bytes() for p in before}
    assert after == before


def test_feed_length_limits_entries_newest_first(site: Site) -> None:
    site.config("feed_length = 2\n")
    for day in (1, 3, 2):
        site.article(f"a{day}", f"title: Day {day}\ndate: 2021-05-0{day}\noutlet: O\ntopics: [T]\n")
    site.build()
    for rel in ("feed.xml", "atom.xml", "topics/t/feed.xml", "outlets/o/atom.xml"):
        parsed = feedparser.parse((site.output / rel).read_bytes())
        assert [e.title for e in parsed.entries] == ["Day 3", "Day 2"], rel
    assert [i["title"] for i in json.loads(site.read("feed.json"))["items"]] == ["Day 3", "Day 2"]


def test_ids_survive_every_edit(site: Site) -> None:
    """Title, body, topics, slug and base_url change; no entry id may."""
    site.config('id_authority = "example.org,2026"\n')
    own = "title: Own id\ndate: 2020-01-01\noutlet: O\ntopics: [A]\nid: urn:uuid:0a6f0d1e-2b3c-4d5e-9f80-123456789abc\n"
    by_source = "title: From source\ndate: 2020-01-02\noutlet: O\ntopics: [A]\nsource_url: https://o.example/x\n"
    by_file = "title: From file\ndate: 2020-01-03\noutlet: O\ntopics: [A]\n"
    site.article("own", own)
    site.article("source", by_source)
    site.article("file", by_file)
    site.build()
    before = _entry_ids(site)
    assert before == {
        "Own id": "urn:uuid:0a6f0d1e-2b3c-4d5e-9f80-123456789abc",
        "From source": "tag:example.org,2026:source:https://o.example/x",
        "From file": "tag:example.org,2026:file:articles/file",
    }

    def edit(text: str, n: int) -> str:
        text = text.replace("title: ", f"title: Renamed {n} ").replace("topics: [A]", "topics: [B, C]")
        return text + f"slug: moved-{n}\n"

    site.config('id_authority = "example.org,2026"\n', base_url="https://mirror.example.net/sub/")
    site.article("own", edit(own, 1), "A new body.\n\nWith two paragraphs.\n")
    site.article("source", edit(by_source, 2), "Another body.\n")
    site.article("file", edit(by_file, 3), "Third body.\n")
    site.build()
    after = _entry_ids(site)
    assert {title.split(" ", 2)[-1]: ident for title, ident in after.items()} == before
    links = [e.link for e in feedparser.parse((site.output / "atom.xml").read_bytes()).entries]
    assert all(link.startswith("https://mirror.example.net/sub/") for link in links)  # the edits took


def _entry_ids(site: Site) -> dict[str, str]:
    ids = {}
    for name in ("feed.xml", "atom.xml"):
        for entry in feedparser.parse((site.output / name).read_bytes()).entries:
            ids.setdefault(entry.title, entry.id)
            assert ids[entry.title] == entry.id
    for item in json.loads(site.read("feed.json"))["items"]:
        assert ids[item["title"]] == item["id"]
    return ids


def test_two_articles_of_one_source_need_their_own_ids(site: Site) -> None:
    front = "title: {}\ndate: 2020-01-0{}\noutlet: O\ntopics: [A]\nsource_url: https://o.example/same\n"
    site.article("one", front.format("One", 1))
    site.article("two", front.format("Two", 2))
    result = site.run()
    assert result.returncode == 1
    assert "articles/two.md:6: source_url: gives the feed id" in result.stderr
    assert "which articles/one.md already has" in result.stderr
    assert "own permanent 'id:'" in result.stderr
    assert not site.output.exists()


def test_bad_id_authority_is_a_clear_error(site: Site) -> None:
    site.config('id_authority = "example.org"\n')
    site.article("one", "title: One\ndate: 2020-01-01\noutlet: O\ntopics: [A]\n")
    result = site.run()
    assert result.returncode == 1
    assert "id_authority: expected a domain or e-mail address you own, a comma and a date" in result.stderr
    assert 'id_authority = "example.org,2026"' in result.stderr


def test_pages_announce_their_feeds(archive: Site) -> None:
    home = archive.read("index.html")
    for href, kind in (("https://example.org/feed.xml", "application/rss+xml"),
                       ("https://example.org/atom.xml", "application/atom+xml"),
                       ("https://example.org/feed.json", "application/feed+json")):
        assert f'<link rel="alternate" type="{kind}" title="Test Archive' in home
        assert f'href="{href}"' in home
    assert '<a href="/feed.xml" type="application/rss+xml">RSS</a>' in home  # visible, in the footer
    topic = archive.read("topics/politics/index.html")
    assert ('<link rel="alternate" type="application/rss+xml" title="Politics · Test Archive (RSS)" '
            'href="https://example.org/topics/politics/feed.xml">') in topic
    assert 'href="https://example.org/topics/politics/atom.xml"' in topic
    assert '<a href="/topics/politics/feed.xml" type="application/rss+xml">RSS</a>' in topic
    outlet = archive.read("outlets/other-daily/index.html")
    assert 'href="https://example.org/outlets/other-daily/feed.xml"' in outlet
    assert '<a href="/outlets/other-daily/atom.xml" type="application/atom+xml">Atom</a>' in outlet
    # Every autodiscovery link leads to a file the build wrote.
    for page in archive.output.rglob("*.html"):
        for href in re.findall(r'<link rel="alternate" [^>]*href="([^"]+)"', page.read_text(encoding="utf-8")):
            rel = href.removeprefix("https://example.org/")
            assert (archive.output / _decoded(rel)).is_file(), (page, href)


def test_feeds_under_a_sub_path(site: Site) -> None:
    site.config(base_url="https://example.org/archive/")
    _archive(site)
    site.build()
    rss = etree.parse(str(site.output / "feed.xml")).getroot()
    assert rss.find(f"channel/{ATOM}link").get("href") == "https://example.org/archive/feed.xml"
    assert rss.findtext("channel/link") == "https://example.org/archive/"
    topic = etree.parse(str(site.output / "topics/politics/atom.xml")).getroot()
    assert topic.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/archive/topics/politics/atom.xml"
    entry = feedparser.parse((site.output / "atom.xml").read_bytes()).entries[2]
    assert entry.link == "https://example.org/archive/2020/01/budget-talks/"
    html = entry.content[0].value
    # Resolved exactly as a browser resolves them on the article page.
    assert 'href="https://example.org/topics/politics/"' in html
    assert 'href="https://example.org/archive/2020/01/budget-talks/other/"' in html
    assert 'href="https://example.org/archive/2020/01/budget-talks/#fn:1"' in html
    assert 'src="https://example.org/archive/2020/01/budget-talks/lead.png"' in html
    assert json.loads(site.read("feed.json"))["feed_url"] == "https://example.org/archive/feed.json"
    assert 'href="https://example.org/archive/feed.xml"' in site.read("index.html")
    assert '<a href="/archive/feed.xml"' in site.read("index.html")


def test_the_real_archive_feeds_carry_the_seed_article_once_in_full(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "config.toml", root / "config.toml")
    site = Site(root)
    site.build()
    seed = (REPO / "content/articles/2016/06/kerry-meets-dissent-diplomats-urging-strikes-on-syria.md").read_text()
    seed_id = re.search(r"^id: (.+)$", seed, re.M)[1]
    last_words = "are engaged in crimes against humanity in the areas under their control."
    for name in ("feed.xml", "atom.xml", "topics/syria/feed.xml", "outlets/press-tv/atom.xml"):
        parsed = feedparser.parse((site.output / name).read_bytes())
        assert not parsed.bozo, name
        matching = [e for e in parsed.entries if e.id == seed_id]
        assert len(matching) == 1, name
        html = matching[0].content[0].value
        assert "US Secretary of State John Kerry has met" in html and last_words in html
        assert "F-15E Strike Eagle flying over northern Iraq" in html  # the in-body figure
    items = [i for i in json.loads(site.read("feed.json"))["items"] if i["id"] == seed_id]
    assert len(items) == 1 and last_words in items[0]["content_html"]


def _encoded(rel: str) -> str:
    from urllib.parse import quote
    return quote(rel, safe="/")


def _decoded(rel: str) -> str:
    from urllib.parse import unquote
    return unquote(rel)


def test_derived_ids_are_announced_with_verbose(site: Site) -> None:
    site.article("no-source", "title: A\ndate: 2020-01-01\noutlet: O\ntopics: [T]\n")
    site.article("with-source", "title: B\ndate: 2020-01-02\noutlet: O\ntopics: [T]\nsource_url: https://o.example/b\n")
    site.article("own", "title: C\ndate: 2020-01-03\noutlet: O\ntopics: [T]\nid: tag:example.org,2026:c\n")
    result = site.run("-v", check=True)
    assert ("feeds: 2 article(s) have no 'id:', so their feed ids are derived under the fallback authority "
            "'newsarchive.invalid,2026': set id_authority in config.toml") in result.stderr
    assert "1 of them from their file name, which a rename would change (e.g. articles/no-source.md)" in result.stderr


BASE = "https://example.org/2020/01/story/"


@pytest.mark.parametrize("fragment", [
    '<p><a href="/topics/x/">root</a></p>',
    "<p><a href='other/'>single quotes</a></p>",
    "<p><a href=other/>unquoted</a></p>",
    '<p><A HREF="other/">upper case</A></p>',
    '<p><a href="&#104;ttps-not-really/">an entity</a></p>',
    '<img src="x.png" srcset="a.png 1x, https://cdn.test/b.png 2x" alt="">',
    '<p style="background: url(bg.png)">css</p>',
    '<p><a href="https://example.org/ok/">fine</a><img src="pic.png" alt=""></p>',
    '<!-- <a href="/in/a/comment/"> --><p>text</p>',
    '<p>x = "y</p><a href = "/spaced/">spaced</a>',
    '<p STYLE="background: URL(bg.png)">upper-case CSS</p>',
    '<p><a data-x="1" href="#fn:1">1</a> and <a href="../up/">up</a></p>',
])
def test_entries_with_any_relative_address_go_through_the_parser(fragment: str) -> None:
    """The shortcut for fragments whose addresses are all absolute refuses whatever it cannot
    judge at a glance; the parser then resolves every address."""
    import lxml.html

    from newsarchive.render.absolute import _all_absolute, absolute_links

    assert not _all_absolute(fragment)
    root = lxml.html.fragment_fromstring(absolute_links(fragment, BASE), create_parent="div")
    for _element, _attribute, link, _pos in root.iterlinks():
        assert link.startswith("https://"), link


@pytest.mark.parametrize("fragment", [
    '<p>A claim.<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup> And <a href="https://x.test/">a link</a>.</p>\n'
    '<div class="footnote">\n<hr>\n<ol>\n<li id="fn:1">\n<p>The note.&#160;<a class="footnote-backref" href="#fnref:1" '
    'title="Jump back to footnote 1 in the text">&#8617;</a></p>\n</li>\n</ol>\n</div>',
    "<p><a href='#top'>single</a> <a href=#end>unquoted</a> <img src=\"https://x.test/a.png\" alt=\"\"></p>",
])
def test_addresses_on_the_page_itself_are_completed_where_they_stand(fragment: str) -> None:
    """Footnotes' addresses (`#fn:1`) are the only relative ones in most entries: they are
    completed without the parser, to what the parser makes of them."""
    import lxml.html

    from newsarchive.render import absolute
    from newsarchive.render.absolute import absolute_links

    def links(html: str) -> list[tuple[str, str]]:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        return [(element.tag, link) for element, _attribute, link, _pos in root.iterlinks()]

    fast = absolute_links(fragment, BASE)
    assert absolute._same_page_addresses(fragment)
    parsed = absolute_links(fragment + '<a href="/x/">', BASE)  # a root-relative one: parsed
    assert links(fast) == links(parsed)[:-1]
    assert all(link.startswith("https://") for _tag, link in links(fast))
    assert f'{BASE}#' in fast and fast.replace(BASE, "") == fragment


def test_an_entry_whose_addresses_are_all_absolute_is_kept_as_written() -> None:
    from newsarchive.render.absolute import absolute_links

    fragment = ('<figure><img src="https://example.org/2020/01/story/images/a.png" alt="A" width="4" height="3">'
                '</figure>\n<p>See <a href="https://news.test/a?x=1&amp;y=2">this</a>, '
                '<a href="mailto:desk@news.test">write</a>.\x0b</p>')
    assert absolute_links(fragment, BASE) == fragment.replace("\x0b", "")  # only XML's forbidden characters go
