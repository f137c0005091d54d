"""Every URL the site has, from one place. Templates ask this; nobody builds paths by hand.

Each method returns a site path that starts with the base path (so a site under
https://example.org/archive/ links to /archive/…) and is percent-encoded, so Arabic or
accented slugs are valid in href attributes. `output_file` maps a path back to the file.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from ..config import Config
from ..content.model import Article, Image, Page

# What quote(path, safe="/:") never changes.
_PLAIN = re.compile(r"[A-Za-z0-9_.~/:-]*")
# First path segments the site itself uses; a static page may not take them.
RESERVED = {"page", "topics", "outlets", "archive", "search", "static", "feeds", "pagefind", "404.html"}

FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
TERM_FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml"}


class Urls:
    def __init__(self, config: Config):
        self.base = config.base_path
        self.origin = config.origin
        # Listings ask for the same few thousand paths over and over; quoting is the cost.
        self._memo: dict[tuple[object, ...], str] = {}
        self._articles: dict[int, tuple[Article, str]] = {}

    def _path(self, *parts: str | int, page: int = 1, file: str = "") -> str:
        key = (*parts, page, file)
        path = self._memo.get(key)
        if path is None:
            path = self._memo[key] = self._build_path(parts, page, file)
        return path

    def _build_path(self, parts: tuple[str | int, ...], page: int, file: str) -> str:
        segments = [str(p) for p in parts if p != ""]
        if page > 1:
            segments += ["page", str(page)]
        path = "/".join(segments)
        path = self.base + (path + "/" if path else "") + file
        # quote() is slow, and most paths are plain ASCII already: those it leaves as they are.
        return path if _PLAIN.fullmatch(path) else quote(path, safe="/:")

    def absolute(self, path: str) -> str:
        return self.origin + path

    def home(self, page: int = 1) -> str:
        return self._path(page=page)

    def article(self, article: Article) -> str:
        # Asked for every article by every stage: remembered by object (kept, so its id
        # cannot be reused by another article while this Urls lives).
        found = self._articles.get(id(article))
        if found is None or found[0] is not article:
            date, slug = article.date, article.slug
            # Not through _path's memo: each article has its own path, asked for once.
            path = f"{self.base}{date.year:04d}/{date.month:02d}/{slug}/" if slug else ""
            if not path or not _PLAIN.fullmatch(path):
                path = self._build_path((f"{date.year:04d}", f"{date.month:02d}", slug), 1, "")
            found = self._articles[id(article)] = (article, path)
        return found[1]

    def image(self, article: Article, image: Image) -> str:
        return self.article(article) + quote(image.src)

    def topics(self) -> str:
        return self._path("topics")

    def topic(self, slug: str, page: int = 1) -> str:
        return self._path("topics", slug, page=page)

    def outlets(self) -> str:
        return self._path("outlets")

    def outlet(self, slug: str, page: int = 1) -> str:
        return self._path("outlets", slug, page=page)

    def archive(self) -> str:
        return self._path("archive")

    def year(self, year: int, page: int = 1) -> str:
        return self._path("archive", f"{year:04d}", page=page)

    def month(self, year: int, month: int, page: int = 1) -> str:
        return self._path("archive", f"{year:04d}", f"{month:02d}", page=page)

    def search(self, query: str = "") -> str:
        return self._path("search") + (f"?q={quote(query)}" if query else "")

    def pagefind(self, name: str) -> str:
        """A file of the search index that Pagefind writes at build time."""
        return self._path("pagefind", file=name)

    def page(self, page: Page) -> str:
        return self._path(page.slug)

    def static(self, name: str) -> str:
        return self._path("static", file=name)

    def not_found(self) -> str:
        return self._path(file="404.html")

    def file(self, name: str) -> str:
        """A file at the site's root, such as feed.xml or sitemap.xml."""
        return self._path(file=name)

    # Feeds: RSS 2.0, Atom 1.0 and (site-wide only) JSON Feed 1.1. See README, "Feeds".
    def feed(self, fmt: str = "rss") -> str:
        """The site-wide feed in `fmt`: 'rss', 'atom' or 'json'."""
        return self._path(file=FEED_FILES[fmt])

    def topic_feed(self, slug: str, fmt: str = "rss") -> str:
        return self._path("topics", slug, file=TERM_FEED_FILES[fmt])

    def outlet_feed(self, slug: str, fmt: str = "rss") -> str:
        return self._path("outlets", slug, file=TERM_FEED_FILES[fmt])

    def term_feed(self, kind: str, slug: str, fmt: str = "rss") -> str:
        """A topic's or outlet's feed; `kind` is 'topics' or 'outlets', as in the templates."""
        return self.topic_feed(slug, fmt) if kind == "topics" else self.outlet_feed(slug, fmt)

    def sitemap(self, part: int = 0) -> str:
        """sitemap.xml, or with `part` the n-th file of a sitemap split by an index."""
        return self._path(file=f"sitemap-{part}.xml" if part else "sitemap.xml")

    def robots(self) -> str:
        return self._path(file="robots.txt")

    def alias(self, rel: str) -> str:
        """An article's old address (a path below the base, from `aliases:`)."""
        return quote(self.base + rel, safe="/:")

    def output_file(self, path: str) -> PurePosixPath:
        """The file (relative to output/) that serves a site path."""
        return PurePosixPath(self.output_rel(path))

    def output_rel(self, path: str) -> str:
        """output_file as a string, for the loops over every page."""
        rel = unquote(path)[len(self.base):]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        return rel
