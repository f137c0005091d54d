"""What a page is made from, as one digest: a page whose digest is the one the last build
recorded is not rendered again (its file is kept as it is).

A page's digest covers the site (generator code, library versions, every setting, every
template, the navigation) and its own context, walked value by value. An article counts
by its cache key (its file's bytes and everything its parsing depends on) plus the names
the registries gave its outlet and topics. A listing, year or month counts by its own
fields and the *number* of its articles: the articles a page shows are in its pager, and
templates use a whole listing's articles only to count them (the incremental-build test
compares every page with a cold build, so a template that starts using more is caught).
A context holding a value of a kind not known here is never skipped: it is always rendered.

Most warm builds change a few articles and nothing of the site's structure (which articles
each listing, year, month and related list holds, in which order). `Structure` tells that
from what the index was made of (site.index.index_inputs); then a page that shows none of
the changed articles has the inputs it had last time, and keeps its fingerprint without
being walked (`shows`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .. import cache
from ..config import Config
from ..content.model import Article, Page
from ..site.index import IndexSnapshot, Listing, Month, Pager, SiteIndex, Year
from .pages import ListingHead, MonthHead, PageJob, YearHead

_SHALLOW = (Listing, Year, Month)
_HEADS = (ListingHead, YearHead, MonthHead)  # what later pages know of their list: no articles
_ARTICLE = {Article}


class _Unknown(Exception):
    pass


def site_digest(config: Config, nav_pages: list[Page]) -> str:
    """Everything every page depends on."""
    templates = Path(config.templates_dir)
    files = []
    if templates.is_dir():
        for path in sorted(templates.rglob("*")):
            if path.is_file():
                files += [path.relative_to(templates).as_posix(), path.read_bytes()]
    versions = [(name, cache.installed_version(name)) for name in ("Jinja2", "MarkupSafe", "Babel")]
    return cache.digest(cache.generator_digest(), tuple(versions), repr(config.resolved()), repr(nav_pages), *files)


@dataclass(frozen=True)
class Structure:
    """What every page's inputs hold besides the articles themselves: the site (`site_digest`),
    whether search is on, and the index (what it was made from, and the registries' entries
    added to it). Pages reach articles only through the index, so between two builds of one
    structure a page's fingerprint changes only if an article it shows changed (its cache key)."""

    digest: str
    keys: list[str]  # each article's cache key, in the index's order (newest first)
    # The structure less the index: the site, search, the registries, the static pages
    # (the registries' entries each listing shows follow from the registries and the index).
    frame: str = ""
    inputs: str = ""  # what the index was made from (site.index.index_inputs)

    @classmethod
    def of(cls, index: SiteIndex, site: str, search: bool, inputs: str, registries: object = None) -> Structure:
        """`inputs`: what the index was made from (site.index.index_inputs), which decides
        it; the registries' entries are added to it afterwards (`describe`). The registries
        also decide each article's outlet and topic names, with its file (content.curation)."""
        frame = cache.digest(site, search, repr(registries), repr(index.pages))
        about = [(listing.term.slug, listing.about) for listing in (*index.topics, *index.outlets)]
        return cls(cache.digest(frame, inputs, repr(about)), [article.body.key for article in index.articles],
                   frame, inputs)

    def changed_since(self, structure: str, keys: list[str], articles: list[Article]) -> set[int] | None:
        """The ids of the articles whose cache key differs from the last build's, when the
        last build had this structure (`structure`, `keys`: what it recorded); else None."""
        if not structure or structure != self.digest or len(keys) != len(articles) or "" in self.keys:
            return None
        return {id(article) for article, key in zip(articles, keys, strict=True) if article.body.key != key}

    def kept_pages(self, frame: str, inputs: str, keys: list[str], snapshot: IndexSnapshot | None,
                   index: SiteIndex, jobs: list[PageJob]) -> set[str]:
        """When the structure changed but not its frame (an article was added, removed,
        re-dated or re-topiced): the addresses of the pages whose inputs are the last build's
        all the same. `frame`, `inputs`, `keys`: what the last build recorded; `snapshot`:
        the index it made, trusted only if made from those inputs (a failed build may have
        saved another). With the same registries, an article's cache key decides its names
        too, so articles are compared by key:
        - an article page: the same article at the same address, with the same related
          articles in the same order;
        - a page of a topic, an outlet, a year or a month: the same articles in the same
          order in every listing, year and month it holds (a year: in each of its months
          too). Its pager is one page of that list, by number (page_jobs); its title and
          kind follow from it. The home pages have no such list: they are fingerprinted.
        """
        if (not frame or frame != self.frame or snapshot is None or snapshot.inputs != inputs
                or len(snapshot.paths) != len(keys) or "" in keys or "" in self.keys):
            return set()
        same = _same_lists(snapshot, keys, index)
        # Later pages hold a head of their list (ListingHead, YearHead, MonthHead): kept with the list.
        heads = {(kind, listing.term.slug) for kind, listings in (("topics", index.topics), ("outlets", index.outlets))
                 for listing in listings if id(listing) in same}
        for year in index.years:
            if id(year) in same:
                heads.add(("year", year.year))
            heads.update(("month", year.year, month.month) for month in year.months if id(month) in same)
        before = {url: (i, positions) for i, (url, positions) in enumerate(snapshot.related)}
        paths, key_at = snapshot.paths, keys.__getitem__
        kept = set()
        for job in jobs:
            context = job.context
            if "pager" in context:
                if ("listing" in context or "year" in context) and all(
                        id(value) in same if type(value) in _SHALLOW
                        else _head_key(value, context.get("kind")) in heads if type(value) in _HEADS
                        else key == "pager" or type(value) is str
                        for key, value in context.items()):
                    kept.add(job.url)
                continue
            # Exactly what page_jobs gives an article page: anything else is fingerprinted.
            if len(context) != 3 or "related" not in context or "article" not in context:
                continue
            article, related = context["article"], context["related"]
            if type(article) is not Article or type(related) is not list or context.get("title") != article.title:
                continue
            found = before.get(job.url)
            if found is None or len(found[1]) != len(related) or len(paths) <= found[0]:
                continue
            i, positions = found
            if paths[i] != article.source_path or keys[i] != article.body.key:
                continue
            try:  # in C where it can: this runs for every article of an addition's build
                if ((not related or set(map(type, related)) == _ARTICLE)
                        and list(map(key_at, positions)) == [r.body.key for r in related]):
                    kept.add(job.url)
            except IndexError:
                continue
        return kept


def _head_key(head: ListingHead | YearHead | MonthHead, kind: Any) -> tuple[Any, ...]:
    if type(head) is ListingHead:
        return (kind, head.term.slug)
    if type(head) is YearHead:
        return ("year", head.year)
    return ("month", head.year, head.month)  # type: ignore[union-attr]


def _same_lists(snapshot: IndexSnapshot, keys: list[str], index: SiteIndex) -> set[int]:
    """The ids of the listings, years and months of `index` that hold the articles (by cache
    key, `keys` by position in `snapshot`) the snapshot's namesake held, in the same order."""
    def same(positions: list[int], articles: list[Article]) -> bool:
        try:
            return len(positions) == len(articles) and [keys[p] for p in positions] == [a.body.key for a in articles]
        except IndexError:
            return False

    found: set[int] = set()
    for listings, before in ((index.topics, snapshot.topics), (index.outlets, snapshot.outlets)):
        by_term = dict(before)
        for listing in listings:
            positions = by_term.get(listing.term)
            if positions is not None and same(positions, listing.articles):
                found.add(id(listing))
    years = {year: (positions, dict(months)) for year, positions, months in snapshot.years}
    for year in index.years:
        if year.year not in years:
            continue
        positions, months = years[year.year]
        for month in year.months:
            if month.month in months and same(months[month.month], month.articles):
                found.add(id(month))
        if (same(positions, year.articles) and len(months) == len(year.months)
                and all(id(month) in found for month in year.months)):
            found.add(id(year))
    return found


class Fingerprints:
    """Page digests. A context is written out as one string, each value tagged with its kind
    and each string with its length, so two different contexts never write the same text;
    then hashed once. (Tuples and repr() did the same at twice the cost.)"""

    def __init__(self, site: str):
        self.site = site
        # Encoded articles and listings, by object: the same ones recur on many pages.
        self._memo: dict[int, str] = {}

    def of(self, job: PageJob) -> str | None:
        """The job's digest, or None when its context holds something unknown."""
        try:
            encoded = self._walk(job.context).encode("utf-8", "surrogatepass")
            return cache.digest(self.site, job.template, job.url, encoded)
        except _Unknown:
            return None

    def shows(self, value: Any, changed: set[int]) -> bool:
        """Whether a context holds one of the `changed` articles where `_walk` would meet it
        (or something `_walk` does not know, which counts as yes)."""
        kind = type(value)
        if kind is str or value is None or kind is int or kind is bool:
            return False
        if kind is Article:
            return id(value) in changed
        if kind is list or kind is tuple:
            shows = self.shows
            for item in value:
                if type(item) is Article:
                    if id(item) in changed:
                        return True
                elif shows(item, changed):
                    return True
            return False
        if kind is dict:
            shows = self.shows
            return any([shows(item, changed) for item in value.values()]) or any(
                [shows(key, changed) for key in value if type(key) is not str])
        if isinstance(value, (str, int, float, datetime, date)):
            return False
        if isinstance(value, Pager):
            return self.shows(list(value.items), changed)
        if isinstance(value, _SHALLOW) or isinstance(value, _HEADS):
            return False  # its fields are in the structure; its articles only counted, or absent
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return any(self.shows(getattr(value, f.name), changed) for f in dataclasses.fields(value))
        if isinstance(value, (list, tuple)):
            return any(self.shows(item, changed) for item in value)
        return True

    @staticmethod
    def article_text(article: Article) -> str:
        """What an article counts by: its cache key (the file and all its parsing depends
        on) and the registries' names for its outlet and topics. Feeds hash it as it is,
        once per feed."""
        if not article.body.key:
            return repr(article)
        return "\x1f".join([article.body.key, f"{article.outlet.name}\x1e{article.outlet.slug}",
                             *[f"{t.name}\x1e{t.slug}" for t in article.topics]])

    def _article(self, article: Article) -> str:
        found = self._memo.get(id(article))
        if found is None:
            # Hashed: an article recurs on many pages (its own, related lists, listings),
            # and a short stand-in keeps every page's text, and so its hashing, short.
            found = self._memo[id(article)] = f"A{cache.digest(self.article_text(article))};"
        return found

    def _walk(self, value: Any) -> str:
        kind = type(value)  # the common kinds first, by exact type: this runs for every page
        if kind is str:
            return f"s{len(value)}:{value}"
        if kind is Article:
            return self._memo.get(id(value)) or self._article(value)
        if kind is list or kind is tuple:
            # Lists of articles (related, a pager's items) are most of every page: their
            # encodings are looked up here, not one call each. The text is the same.
            memo, walk = self._memo, self._walk
            return "[" + "".join([(memo.get(id(item)) or self._article(item)) if type(item) is Article
                                  else walk(item) for item in value]) + "]"
        if kind is dict:
            walk = self._walk
            if all(type(k) is str for k in value):  # sorted by str(k), which is k
                return "{" + "".join([f"s{len(k)}:{k}" + walk(value[k]) for k in sorted(value)]) + "}"
            return "{" + "".join(walk(str(k)) + walk(value[k]) for k in sorted(value, key=str)) + "}"
        if value is None:
            return "N"
        if isinstance(value, bool):
            return "T" if value else "F"
        if isinstance(value, int):
            return f"i{value};"
        if isinstance(value, float):
            return f"f{value!r};"
        if isinstance(value, str):
            return self._walk(str(value))
        if isinstance(value, Article):
            return self._article(value)
        if isinstance(value, (list, tuple)):
            return "[" + "".join(self._walk(item) for item in value) + "]"
        if isinstance(value, dict):
            return "{" + "".join(self._walk(str(k)) + self._walk(value[k]) for k in sorted(value, key=str)) + "}"
        if isinstance(value, (datetime, date)):
            return self._walk(f"{type(value).__name__}:{value.isoformat()}")
        if isinstance(value, Pager):
            # `pages` lists every page's address: a function of the first page's address,
            # the count and the URL code (in the site digest). Walking it on every page of
            # a long listing would cost the square of its length.
            return "P" + self._walk([value.number, value.total, value.url, value.first_url, value.last_url,
                                     value.prev_url, value.next_url, len(value.pages), list(value.items)])
        if isinstance(value, _SHALLOW) or isinstance(value, _HEADS):  # on every page of a list: walked once
            found = self._memo.get(id(value))
            if found is None:
                found = self._memo[id(value)] = self._dataclass(value, shallow=True)
            return found
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._dataclass(value)
        raise _Unknown(type(value).__name__)

    def _dataclass(self, value: Any, shallow: bool = False) -> str:
        parts = []
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            parts.append(self._walk(f.name))
            # A listing's page shows the articles in its pager; of the whole list, its length.
            parts.append(self._walk(len(item)) if shallow and f.name == "articles" else self._walk(item))
        return "D" + self._walk(type(value).__name__) + "(" + "".join(parts) + ")"
