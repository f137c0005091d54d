"""Feeds: site-wide RSS 2.0, Atom 1.0 and JSON Feed 1.1, and RSS and Atom per topic and outlet.

A feed subscriber must see each archived article once, with its full text, forever:

- ids are permanent (site/ids.py), never the page address;
- every entry carries the whole article (lead image, body with its in-body figures, the
  images the body did not place, and where it was first published), with every address
  made absolute;
- the feed's own dates come from the content (the newest `updated`/`date` among its
  entries), never from the clock, so an unchanged archive gives byte-identical feeds.

RSS and Atom are written by feedgen; the Media RSS (`media:content` with `media:description`
and `media:credit`) and Dublin Core elements it cannot write come from the small feedgen
extension below. feedgen has no JSON Feed: `json_feed` writes it, after
https://jsonfeed.org/version/1.1.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import jinja2

from .. import cache, parallel
from ..config import Config
from ..content.model import Article
from ..errors import ContentError
from ..site import ids
from ..site.index import SiteIndex
from ..site.urls import Urls
from .absolute import absolute_links, xml_safe
from .fingerprint import Fingerprints
from .pages import FigureRenderer
from .run import template_error

if TYPE_CHECKING:
    from ..output import Records, StagedOutput
    from .feed_xml import FeedEntries

# What an empty feed says it was last changed: a constant, since there is no content date.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TEMPLATE = "partials/feed_content.html"
ICON = "favicon.svg"  # in static/; Atom <icon> and JSON Feed `favicon` (RSS <image> must be a bitmap)
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".webp": "image/webp", ".avif": "image/avif", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class FeedImage:
    url: str  # absolute
    caption: str
    credit: str
    mime: str
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Category:
    name: str
    scheme: str  # absolute address of the topics or outlets index


@dataclass(frozen=True)
class FeedItem:
    """One article as every feed format shows it; computed once per article per build."""

    id: str
    url: str  # absolute address of the archive page
    title: str
    summary: str  # plain text
    content_html: str  # the full article, absolute addresses
    published: datetime
    updated: datetime
    outlet: str
    outlet_url: str
    byline: str
    topics: tuple[Category, ...]
    outlet_category: Category
    source_url: str
    language: str
    images: tuple[FeedImage, ...]


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    description: str
    home_url: str  # the HTML page the feed follows
    language: str
    items: tuple[FeedItem, ...]
    rss_url: str
    atom_url: str
    json_url: str = ""
    icon_url: str = ""  # the site's icon (static/favicon.svg), when it has one

    @property
    def updated(self) -> datetime:
        """The newest change among the entries: content, not the clock."""
        return max((item.updated for item in self.items), default=EPOCH)


class FeedItems:
    """Builds each article's FeedItem once, however many feeds it appears in."""

    def __init__(self, env: jinja2.Environment, config: Config, urls: Urls, figures: FigureRenderer):
        self._template = env.get_template(CONTENT_TEMPLATE)
        self._config, self._urls, self._figures = config, urls, figures
        self._authority = ids.authority(config)
        self._cache: dict[str, FeedItem] = {}

    def __call__(self, article: Article) -> FeedItem:
        item = self._cache.get(article.source_path)
        if item is None:
            item = self._cache[article.source_path] = self._item(article)
        return item

    def _item(self, article: Article) -> FeedItem:
        urls, figures = self._urls, self._figures
        url = urls.absolute(urls.article(article))
        content = self._template.render(
            site=self._config, urls=urls, article=article,
            lead_figure=figures(article, article.lead_image, lead=True, absolute=True) if article.lead_image else "",
            body=figures.body(article, absolute=True),
            trailing_figures=[figures(article, image, absolute=True) for image in article.trailing_images],
        )
        return FeedItem(
            id=ids.article_id(article, self._authority),
            url=url,
            title=xml_safe(article.title),
            summary=xml_safe(article.summary),
            content_html=absolute_links(content.strip(), url),
            published=article.date,
            updated=article.modified,
            outlet=xml_safe(article.outlet.name),
            outlet_url=urls.absolute(urls.outlet(article.outlet.slug)),
            byline=xml_safe(article.byline),
            topics=tuple(Category(xml_safe(t.name), urls.absolute(urls.topics())) for t in article.topics),
            outlet_category=Category(xml_safe(article.outlet.name), urls.absolute(urls.outlets())),
            source_url=article.source_url,
            language=article.language,
            images=tuple(
                FeedImage(urls.absolute(urls.image(article, image)), xml_safe(image.caption), xml_safe(image.credit),
                          IMAGE_TYPES.get(PurePosixPath(image.src).suffix.lower(), "image/*"),
                          image.width, image.height)
                for image in article.images if image.src
            ),
        )


def site_feeds(index: SiteIndex, config: Config, urls: Urls, items: FeedItems) -> list[Feed]:
    """Every feed of the site: the site-wide one, then one per topic and one per outlet."""
    return [replace(feed, items=tuple(items(a) for a in articles))
            for feed, articles in feed_plans(index, config, urls)]


def feed_plans(index: SiteIndex, config: Config, urls: Urls) -> list[tuple[Feed, list[Article]]]:
    """Each feed without its items, and the articles its items are made from (newest first
    by publication date, the site's order: an update changes an entry's `updated`, not its
    place, so a correction never poses as news)."""
    authority = ids.authority(config)
    length = config.feed_length
    has_icon = (Path(config.static_dir) / ICON).is_file()
    icon = urls.absolute(urls.static(ICON)) if has_icon else ""

    feeds = [(Feed(
        id=ids.feed_id(authority),
        title=config.title,
        description=config.description or f"The latest articles in {config.title}",
        home_url=urls.absolute(urls.home()),
        language=config.language,
        items=(),
        rss_url=urls.absolute(urls.feed("rss")),
        atom_url=urls.absolute(urls.feed("atom")),
        json_url=urls.absolute(urls.feed("json")),
        icon_url=icon,
    ), index.articles[:length])]
    for kind, listings, about in (("topics", index.topics, "about"), ("outlets", index.outlets, "from")):
        for listing in listings:
            term = listing.term
            feeds.append((Feed(
                id=ids.feed_id(authority, kind, term.slug),
                title=f"{term.name} · {config.title}",
                description=f"Articles {about} {term.name} in {config.title}",
                home_url=urls.absolute(urls.topic(term.slug) if kind == "topics" else urls.outlet(term.slug)),
                language=config.language,
                items=(),
                rss_url=urls.absolute(urls.term_feed(kind, term.slug, "rss")),
                atom_url=urls.absolute(urls.term_feed(kind, term.slug, "atom")),
                icon_url=icon,
            ), listing.articles[:length]))
    return feeds


# Below this many feeds to make, forking costs more than it saves.
_PARALLEL_FROM = 24


def write_feeds(index: SiteIndex, config: Config, urls: Urls, env: jinja2.Environment,
                figures: FigureRenderer, out: StagedOutput, site: str = "", spread: bool = True
                ) -> list[ContentError]:
    """Write every feed of the site into the staged output; template errors are returned.

    A feed whose inputs (its own fields, the site's digest from render/fingerprint.py, its
    articles' cache keys) are those of the last build is kept as it is, not made again: a
    feed's entries carry whole article bodies. For many feeds the work is spread over the
    cores (if `spread`) in two steps, each in input order: every article's item once (an
    article is in several feeds), then the feeds' documents, which each worker writes itself.
    """
    items = FeedItems(env, config, urls, figures)
    text: dict[int, str] = {}  # an article's Fingerprints.article_text: it is in several feeds
    todo: list[tuple[Feed, list[Article]]] = []
    for feed, articles in feed_plans(index, config, urls):
        keys = [_file(urls, url).as_posix() for url in (feed.rss_url, feed.atom_url, feed.json_url) if url]
        texts = [text.get(id(a)) or text.setdefault(id(a), Fingerprints.article_text(a)) for a in articles]
        inputs = cache.digest(site, repr(feed), "\x1d".join(texts))
        if all(out.previous.pages.get(k) == inputs for k in keys) and all(out.keep(k) for k in keys):
            out.pages.update(dict.fromkeys(keys, inputs))
            continue
        out.pages.update(dict.fromkeys(keys, inputs))
        todo.append((feed, articles))
    if not todo:
        return []
    workers = parallel.cpu_count()
    # The articles in more than one of these feeds: each process keeps their entries.
    uses = Counter(a.source_path for _, articles in todo for a in articles)
    repeated = {a.source_path: a for _, articles in todo for a in articles if uses[a.source_path] > 1}
    if not spread or workers < 2 or len(todo) < _PARALLEL_FROM or not parallel.can_fork():
        from .feed_xml import FeedEntries  # feedgen and lxml: loaded only by a build that writes a feed

        try:
            entries = FeedEntries(frozenset(items(a).id for a in repeated.values()))
            for feed, articles in todo:
                _write_feed(urls, replace(feed, items=tuple(items(a) for a in articles)), out, entries)
        except jinja2.TemplateError as exc:
            return [template_error(exc, Path(config.templates_dir))]
        return []

    # Each article's item once, over all cores; then the feeds, which only assemble them.
    unique = list({a.source_path: a for _, articles in todo for a in articles}.values())
    made: list[FeedItem] = []
    with parallel.fork_pool(workers, _start_worker, ((items, unique, config),)) as pool:
        for chunk, error in pool.imap(_items_range, _ranges(len(unique), workers)):
            if error is not None:
                return [error]
            made.extend(chunk)
    by_path = {a.source_path: item for a, item in zip(unique, made, strict=True)}
    feeds = [replace(feed, items=tuple(by_path[a.source_path] for a in articles)) for feed, articles in todo]
    repeated_ids = frozenset(by_path[path].id for path in repeated)
    out.stage()  # here, not in a worker: there is one staging folder
    mine = out.records()
    with parallel.fork_pool(workers, _start_worker, ((urls, feeds, out, repeated_ids),)) as pool:
        results = list(pool.imap(_feeds_range, _ranges(len(feeds), workers, minimum=4)))
    out.absorb(mine)
    for records in results:
        out.absorb(records)
    return []


def _ranges(count: int, workers: int, minimum: int = 16) -> list[tuple[int, int]]:
    return [(r.start, r.stop) for r in parallel.chunks(range(count), workers, minimum=minimum)]


def _write_feed(urls: Urls, feed: Feed, out: StagedOutput, entries: FeedEntries) -> None:
    from .feed_xml import xml_feeds

    rss, atom = xml_feeds(feed, entries)
    out.write(_file(urls, feed.rss_url), rss)
    out.write(_file(urls, feed.atom_url), atom)
    if feed.json_url:
        out.write(_file(urls, feed.json_url), json_feed(feed))


# What this worker process works on, inherited from the parent at fork.
_worker: dict[str, Any] = {}


def _start_worker(state: tuple[Any, ...]) -> None:
    _worker["state"] = state


def _items_range(bounds: tuple[int, int]) -> tuple[list[FeedItem], ContentError | None]:
    items, articles, config = _worker["state"]
    try:
        return [items(a) for a in articles[bounds[0]:bounds[1]]], None
    except jinja2.TemplateError as exc:  # its traceback, which names the line, stays here
        return [], template_error(exc, Path(config.templates_dir))


def _feeds_range(bounds: tuple[int, int]) -> Records:
    from .feed_xml import FeedEntries

    urls, feeds, out, repeated = _worker["state"]
    entries = _worker.setdefault("entries", FeedEntries(repeated))  # for each range this worker takes
    for feed in feeds[bounds[0]:bounds[1]]:
        _write_feed(urls, feed, out, entries)
    return out.records()


def _file(urls: Urls, absolute_url: str) -> PurePosixPath:
    return urls.output_file(absolute_url[len(urls.origin):])


# --- JSON Feed 1.1 ---------------------------------------------------------------------------

def json_feed(feed: Feed) -> bytes:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""
    document: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.json_url,
        "description": feed.description,
        "language": feed.language,
        **({"favicon": feed.icon_url} if feed.icon_url else {}),
        "items": [_json_item(item) for item in feed.items],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_item(item: FeedItem) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": item.id,
        "url": item.url,
    }
    if item.source_url:
        entry["external_url"] = item.source_url
    entry.update({
        "title": item.title,
        "content_html": item.content_html,
        "summary": item.summary,
    })
    if item.images:
        entry["image"] = item.images[0].url
    entry.update({
        "date_published": item.published.isoformat(),
        "date_modified": item.updated.isoformat(),
        "authors": [{"name": item.byline}] if item.byline else [{"name": item.outlet, "url": item.outlet_url}],
        "tags": [t.name for t in item.topics],
    })
    if item.language:
        entry["language"] = item.language
    # Extension (spec: names start with "_"): what JSON Feed has no field for.
    entry["_newsarchive"] = {
        "about": "newsarchive: the outlet that first published the article, and every image "
                 "of the article with its caption and credit",
        "outlet": {"name": item.outlet, "url": item.outlet_url},
        "images": [{"url": i.url, "caption": i.caption, "credit": i.credit} for i in item.images],
    }
    return entry
