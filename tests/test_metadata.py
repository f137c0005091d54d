"""Metadata for machines: sitemap.xml, robots.txt, canonical URLs, Open Graph, JSON-LD."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import lxml.html
from lxml import etree
from PIL import Image

from conftest import Site
from newsarchive.config import Config
from newsarchive.render.sitemap import SitemapEntry, sitemap_files
from newsarchive.render.structured_data import script_json
from newsarchive.site.urls import Urls

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _site(site: Site, base_url: str = "https://example.org/") -> None:
    site.config(base_url=base_url)
    img = site.content / "articles/2019/photo.jpg"
    img.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (10, 90, 160)).save(img)
    site.article("2019/first", """
        title: First story
        date: 2019-05-06T10:00:00+02:00
        updated: 2019-07-01T09:00:00+00:00
        outlet: Example Times
        byline: Jane Doe
        topics: [Politics, Trade]
        source_url: https://example.com/first
        images:
          - src: photo.jpg
            caption: A photo
            credit: An agency
            alt: People at a table
        """)
    site.article("2019/second", """
        title: Second story
        date: 2019-06-01
        outlet: Other Daily
        topics: [Politics]
        """)
    site.write("content/pages/about.md", "---\ntitle: About\n---\n\nAbout the archive.\n")


def _pages(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("index.html"))


def _url_of(output: Path, page: Path, base: str) -> str:
    rel = page.relative_to(output).parent.as_posix()
    return base + (quote(rel) + "/" if rel != "." else "")


def test_sitemap_lists_every_page_with_content_dates(site: Site) -> None:
    _site(site)
    site.build()
    root = etree.parse(str(site.output / "sitemap.xml")).getroot()
    assert root.tag == f"{SM}urlset"
    entries = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}
    pages = {_url_of(site.output, p, "https://example.org/") for p in _pages(site.output)}
    assert set(entries) == pages  # every page, and nothing that is not a page
    assert "https://example.org/404.html" not in entries
    assert entries["https://example.org/2019/05/first/"] == "2019-07-01T09:00:00+00:00"  # updated
    assert entries["https://example.org/2019/06/second/"] == "2019-06-01T00:00:00+00:00"
    assert entries["https://example.org/topics/trade/"] == "2019-07-01T09:00:00+00:00"
    assert entries["https://example.org/outlets/other-daily/"] == "2019-06-01T00:00:00+00:00"
    assert entries["https://example.org/"] == "2019-07-01T09:00:00+00:00"  # newest change anywhere
    assert entries["https://example.org/about/"] is None  # no date known, so none invented
    robots = site.read("robots.txt")
    assert "User-agent: *" in robots
    assert "Sitemap: https://example.org/sitemap.xml\n" in robots


def test_sitemap_dates_later_pages_by_their_whole_list(site: Site) -> None:
    """A later page of a topic, an outlet, a year or a month knows only a head of its list
    (no articles); its lastmod is still the list's newest change, as on its first page."""
    _site(site)
    site.config("per_page = 1\n")
    site.article("2019/third", """
        title: Third story
        date: 2019-06-20
        outlet: Other Daily
        topics: [Politics]
        """)
    site.build()
    root = etree.parse(str(site.output / "sitemap.xml")).getroot()
    entries = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}
    base = "https://example.org/"
    for path, newest in (("topics/politics/", "2019-07-01T09:00:00+00:00"),  # First's update
                         ("outlets/other-daily/", "2019-06-20T00:00:00+00:00"),
                         ("archive/2019/", "2019-07-01T09:00:00+00:00"),
                         ("archive/2019/06/", "2019-06-20T00:00:00+00:00")):
        assert entries[base + path] == newest, path
        assert entries[base + path + "page/2/"] == newest, path
    assert entries[base + "topics/politics/page/3/"] == "2019-07-01T09:00:00+00:00"


def test_sitemap_splits_into_an_index_past_the_limit() -> None:
    urls = Urls(Config(base_url="https://example.org/archive/"))
    day = [datetime(2020, 1, d, tzinfo=UTC) for d in range(1, 8)]
    entries = [SitemapEntry(f"https://example.org/archive/p{n}/", day[n]) for n in range(7)]
    entries.append(SitemapEntry("https://example.org/archive/about/", None))
    files = {str(path): data for path, data in sitemap_files(entries, urls, limit=3)}
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    index = etree.fromstring(files["sitemap.xml"])
    assert index.tag == f"{SM}sitemapindex"
    parts = [(s.findtext(f"{SM}loc"), s.findtext(f"{SM}lastmod")) for s in index.findall(f"{SM}sitemap")]
    assert parts == [
        ("https://example.org/archive/sitemap-1.xml", "2020-01-03T00:00:00+00:00"),
        ("https://example.org/archive/sitemap-2.xml", "2020-01-06T00:00:00+00:00"),
        ("https://example.org/archive/sitemap-3.xml", "2020-01-07T00:00:00+00:00"),
    ]
    listed = []
    for name, data in files.items():
        if name != "sitemap.xml":
            part = etree.fromstring(data)
            assert part.tag == f"{SM}urlset" and len(part) <= 3
            listed += [u.findtext(f"{SM}loc") for u in part]
    assert listed == [e.loc for e in entries]
    # At or under the limit: one plain sitemap.
    single = sitemap_files(entries[:3], urls, limit=3)
    assert len(single) == 1 and etree.fromstring(single[0][1]).tag == f"{SM}urlset"


def test_every_page_has_its_canonical_url(site: Site) -> None:
    _site(site)
    site.build()
    for page in _pages(site.output):
        doc = lxml.html.fromstring(page.read_bytes())
        canonical = doc.xpath("//head/link[@rel='canonical']/@href")
        assert canonical == [_url_of(site.output, page, "https://example.org/")], page
    not_found = lxml.html.fromstring((site.output / "404.html").read_bytes())
    assert not_found.xpath("//link[@rel='canonical']") == []
    assert not_found.xpath("//meta[@name='robots']/@content") == ["noindex"]


def _meta(doc: lxml.html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in doc.xpath("//head/meta[@property or @name]"):
        found.setdefault(meta.get("property") or meta.get("name"), []).append(meta.get("content"))
    return found


def _json_ld(doc: lxml.html.HtmlElement) -> dict:
    scripts = doc.xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1
    return json.loads(scripts[0].text)


def test_article_pages_carry_social_and_structured_metadata(site: Site) -> None:
    _site(site)
    site.build()
    doc = lxml.html.fromstring(site.read("2019/05/first/index.html").encode())
    meta = _meta(doc)
    url = "https://example.org/2019/05/first/"
    image = "https://example.org/2019/05/first/photo.jpg"
    assert meta["og:type"] == ["article"] and meta["og:url"] == [url]
    assert meta["og:title"] == ["First story"] and meta["og:site_name"] == ["Test Archive"]
    assert meta["og:image"] == [image] and meta["og:image:alt"] == ["People at a table"]
    assert meta["og:image:width"] == ["64"] and meta["og:image:height"] == ["48"]
    assert meta["article:published_time"] == ["2019-05-06T08:00:00+00:00"]
    assert meta["article:modified_time"] == ["2019-07-01T09:00:00+00:00"]
    assert meta["article:tag"] == ["Politics", "Trade"]
    assert meta["twitter:card"] == ["summary_large_image"] and meta["twitter:image"] == [image]

    data = _json_ld(doc)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "First story"
    assert data["datePublished"] == "2019-05-06T08:00:00+00:00"
    assert data["dateModified"] == "2019-07-01T09:00:00+00:00"
    assert data["author"] == [{"@type": "Person", "name": "Jane Doe"}]
    assert data["publisher"] == {"@type": "Organization", "name": "Example Times"}
    assert data["image"] == [image]
    assert data["isBasedOn"] == "https://example.com/first" == data["sameAs"]
    assert data["keywords"] == ["Politics", "Trade"]
    assert data["mainEntityOfPage"]["@id"] == url

    second = lxml.html.fromstring(site.read("2019/06/second/index.html").encode())
    assert _meta(second)["twitter:card"] == ["summary"]
    data = _json_ld(second)
    assert data["author"] == [{"@type": "Organization", "name": "Other Daily"}]
    assert "image" not in data and "isBasedOn" not in data


def test_json_ld_cannot_break_out_of_its_script(site: Site) -> None:
    title = 'Evil </script><script>alert("x")</script> <!-- & \u2028 end'
    site.article("evil", f"title: {json.dumps(title)}\ndate: 2020-01-01\noutlet: O\ntopics: [A]\n")
    site.build()
    html = site.read("2020/01/evil/index.html")
    start = html.index('<script type="application/ld+json">')
    block = html[start:html.index("</script>", start)]
    assert "<" not in block[len('<script type="application/ld+json">'):]
    assert "\\u003c/script\\u003e" in block and "\\u0026" in block
    doc = lxml.html.fromstring(html.encode())
    assert len(doc.xpath("//script")) == 1  # nothing injected
    assert _json_ld(doc)["headline"] == title
    assert json.loads(str(script_json({"t": title})))["t"] == title


def test_metadata_under_a_sub_path(site: Site) -> None:
    base = "https://example.org/archive/"
    _site(site, base_url=base)
    site.build()
    root = etree.parse(str(site.output / "sitemap.xml")).getroot()
    locs = [u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")]
    assert set(locs) == {_url_of(site.output, p, base) for p in _pages(site.output)}
    assert "Sitemap: https://example.org/archive/sitemap.xml" in site.read("robots.txt")
    doc = lxml.html.fromstring(site.read("2019/05/first/index.html").encode())
    assert doc.xpath("//link[@rel='canonical']/@href") == ["https://example.org/archive/2019/05/first/"]
    assert _meta(doc)["og:image"] == ["https://example.org/archive/2019/05/first/photo.jpg"]
    assert _json_ld(doc)["url"] == "https://example.org/archive/2019/05/first/"
