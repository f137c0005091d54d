"""sitemap.xml (split by a sitemap index past 50,000 addresses) and robots.txt.

Every page the build writes is listed, except the 404 page. `lastmod` comes from content
only: an article's `updated` or `date`; a listing's newest article (adding an article shifts
every page of its listings); nothing for pages without dates. Never the build time.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ..content.model import Article
from ..site.index import SiteIndex
from ..site.urls import Urls
from .absolute import xml_safe
from .pages import ListingHead, MonthHead, YearHead

if TYPE_CHECKING:
    from .pages import PageJob

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # per sitemap file, by the sitemaps.org protocol


@dataclass(frozen=True)
class SitemapEntry:
    loc: str  # absolute
    lastmod: datetime | None


def sitemap_entries(jobs: Iterable[PageJob], index: SiteIndex, urls: Urls) -> list[SitemapEntry]:
    """The sitemap lines of the pages the build wrote, in their order; not the 404 page."""
    newest = _Newest()
    return [SitemapEntry(urls.absolute(job.url), page_lastmod(job, index, newest))
            for job in jobs if job.url != urls.not_found()]


def page_lastmod(job: PageJob, index: SiteIndex, newest: _Newest | None = None) -> datetime | None:
    """The newest content date a page shows, from the context it was rendered with."""
    newest = newest or _Newest()
    ctx = job.context
    if "article" in ctx:
        return ctx["article"].modified
    for key in ("listing", "month", "year"):  # a topic or outlet, a month, a year
        if key in ctx:
            # A later page holds a head of its list, without the articles (ListingHead,
            # MonthHead, YearHead); its date is the list's all the same, since a new article
            # shifts every page after it.
            found = getattr(ctx[key], "articles", None)
            return newest(found if found is not None else newest.of_head(index, ctx[key], ctx.get("kind")))
    if "pager" in ctx or "listings" in ctx or "years" in ctx:  # home, topic/outlet index, archive
        return newest(index.articles)
    return None  # static pages carry no dates


class _Newest:
    """Newest change in an article list, computed once per list (every page of a listing asks)."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Sequence[Article], datetime | None]] = {}
        self._lists: dict[tuple[object, ...], Sequence[Article]] | None = None
        # Each article's `modified`, by id, once: the lists hold every article five or six
        # times over (topics, outlet, year, month, the home pages), and a list's newest is
        # then found in C. The ids are the index's articles', which outlive this object.
        self._modified: dict[int, datetime] = {}

    def of_head(self, index: SiteIndex, head: ListingHead | YearHead | MonthHead, kind: str | None) -> Sequence[Article]:
        """The articles of the list whose head a later page holds (`kind`: "topics" or
        "outlets", for a ListingHead)."""
        if self._lists is None:
            lists: dict[tuple[object, ...], Sequence[Article]] = {
                (name, listing.term.slug): listing.articles
                for name, listings in (("topics", index.topics), ("outlets", index.outlets)) for listing in listings}
            for year in index.years:
                lists[("year", year.year)] = year.articles
                lists.update((("month", year.year, month.month), month.articles) for month in year.months)
            self._lists = lists
        if isinstance(head, ListingHead):
            return self._lists[(kind, head.term.slug)]
        if isinstance(head, YearHead):
            return self._lists[("year", head.year)]
        return self._lists[("month", head.year, head.month)]

    def __call__(self, articles: Sequence[Article]) -> datetime | None:
        hit = self._seen.get(id(articles))
        if hit is None or hit[0] is not articles:
            modified = self._modified
            try:
                newest = max(map(modified.__getitem__, map(id, articles)), default=None)
            except KeyError:  # articles not met yet
                modified.update((id(a), a.modified) for a in articles)
                newest = max(map(modified.__getitem__, map(id, articles)), default=None)
            hit = self._seen[id(articles)] = (articles, newest)
        return hit[1]


def sitemap_files(entries: Sequence[SitemapEntry], urls: Urls,
                  limit: int = MAX_URLS) -> list[tuple[PurePosixPath, bytes]]:
    """sitemap.xml alone, or past `limit` addresses a sitemap index and its parts."""
    if len(entries) <= limit:
        return [(urls.output_file(urls.sitemap()), _document("urlset", "url", entries))]
    parts = [entries[i:i + limit] for i in range(0, len(entries), limit)]
    files, index = [], []
    for number, part in enumerate(parts, 1):
        url = urls.sitemap(number)
        files.append((urls.output_file(url), _document("urlset", "url", part)))
        index.append(SitemapEntry(urls.absolute(url), _newest_date(part)))
    return [(urls.output_file(urls.sitemap()), _document("sitemapindex", "sitemap", index)), *files]


def robots_txt(urls: Urls) -> bytes:
    """Everything may be crawled; the sitemap is named so crawlers find every page."""
    return (f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(urls.sitemap())}\n").encode()


def _document(root: str, tag: str, entries: Sequence[SitemapEntry]) -> bytes:
    """The XML text, written out directly: a plain list of escaped addresses and dates, made
    again on every addition, for every page (13,000 entries: 23 ms; an lxml tree, 81 ms).
    The bytes are the ones lxml's pretty print gave."""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", f'<{root} xmlns="{SITEMAP_NS}">']
    for entry in entries:
        lastmod = f"\n    <lastmod>{entry.lastmod.isoformat()}</lastmod>" if entry.lastmod is not None else ""
        lines.append(f"  <{tag}>\n    <loc>{html.escape(xml_safe(entry.loc), quote=False)}</loc>{lastmod}\n  </{tag}>")
    lines.append(f"</{root}>\n")
    return "\n".join(lines).encode("utf-8")


def _newest_date(entries: Sequence[SitemapEntry]) -> datetime | None:
    return max((e.lastmod for e in entries if e.lastmod is not None), default=None)
