"""Which pages exist, and the context each template gets. Presentation stays in templates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import jinja2
from markupsafe import Markup

from ..config import Config
from ..content.markdown import FIGURE_MARKER
from ..content.model import Article, Image, Term
from ..content.registry import Entry
from ..site.index import Listing, SiteIndex, paginate
from ..site.urls import Urls
from .structured_data import article_json_ld


@dataclass(frozen=True)
class ListingHead:
    """What a topic's or outlet's later pages know of the listing: its term and registry
    entry, not its articles. Only the first page shows how many there are: a later page
    stays the same while the articles it shows do, so an addition leaves the pages before
    its place as they were (a template asking a later page for `listing.articles` fails)."""

    term: Term
    about: Entry | None = None


@dataclass(frozen=True)
class MonthHead:
    """A month as its later pages know it, and its year's later pages (YearHead.months): no articles."""

    year: int
    month: int


@dataclass(frozen=True)
class YearHead:
    """A year as its later pages and its months' pages know it: its months, no articles (as
    with ListingHead, only a year's first page counts them, so an addition to the year leaves
    its pages before the article's place, and the pages of its other months, as they were)."""

    year: int
    months: tuple[MonthHead, ...] = ()


@dataclass(frozen=True)
class PageJob:
    url: str
    template: str
    context: dict[str, Any]
    # Context that is costly to make (an article's body and figures): made only when the
    # page is rendered, in whichever process renders it, from what `context` holds.
    lazy: Callable[[], dict[str, Any]] | None = None

    def full_context(self) -> dict[str, Any]:
        return {**self.context, **self.lazy()} if self.lazy else self.context


class FigureRenderer:
    """Figure markup comes from templates/partials/figure.html, for lead and body alike."""

    def __init__(self, env: jinja2.Environment, urls: Urls):
        self._macro = env.get_template("partials/figure.html").module.figure  # type: ignore[attr-defined]
        self._urls = urls

    def __call__(self, article: Article, image: Image, lead: bool = False, absolute: bool = False) -> Markup:
        src = self._urls.image(article, image) if image.src else ""
        if src and absolute:  # for feeds: readers show entries away from the site
            src = self._urls.absolute(src)
        return Markup(self._macro(image=image, src=src, lead=lead))

    def body(self, article: Article, absolute: bool = False) -> Markup:
        """The body HTML with each [[figure N]] marker replaced by its figure."""
        def replace(match: Any) -> str:
            return str(self(article, article.images[int(match[1]) - 1], absolute=absolute))

        html = FIGURE_MARKER.sub(replace, article.body_html)
        return Markup(html)


def page_jobs(index: SiteIndex, config: Config, urls: Urls, figures: FigureRenderer,
              search_enabled: bool = False) -> Iterator[PageJob]:
    per_page = config.per_page

    shown = config.home_pages * per_page or len(index.articles)
    for pager in paginate(index.articles[:shown], per_page, urls.home):
        # The last home page points on to the archive when older articles are left out.
        older = len(index.articles) > shown and pager.number == pager.total
        yield PageJob(pager.url, "home.html", {"pager": pager, "title": config.title, "older_in_archive": older})

    for article in index.articles:
        yield article_job(article, config, urls, figures, index.related[urls.article(article)])

    for kind, listings, url_of in (("topics", index.topics, urls.topic), ("outlets", index.outlets, urls.outlet)):
        yield PageJob(urls.topics() if kind == "topics" else urls.outlets(), "terms.html",
                      {"title": kind.capitalize(), "kind": kind, "listings": listings})
        yield from _term_jobs(listings, kind, url_of, per_page)

    yield PageJob(urls.archive(), "archive.html", {"title": "Archive", "years": index.years})
    for year in index.years:
        months = tuple(MonthHead(year.year, month.month) for month in year.months)
        year_head = YearHead(year.year, months)
        for pager in paginate(year.articles, per_page, _bind(urls.year, year.year)):
            yield PageJob(pager.url, "year.html", {"title": str(year.year), "pager": pager,
                                                   "year": year if pager.number == 1 else year_head})
        for month, month_head in zip(year.months, months, strict=True):
            url_of = _bind(urls.month, year.year, month.month)
            for pager in paginate(month.articles, per_page, url_of):
                yield PageJob(pager.url, "month.html", {"title": f"{month.month:02d}/{year.year}", "year": year_head,
                                                        "month": month if pager.number == 1 else month_head,
                                                        "pager": pager})

    for page in index.pages:
        yield PageJob(urls.page(page), "page.html", {"title": page.title, "page": page,
                                                     "body": Markup(page.body_html)})

    yield PageJob(urls.search(), "search.html", {"title": "Search", "search_enabled": search_enabled})

    yield PageJob(urls.not_found(), "404.html", {"title": "Page not found"})


def _term_jobs(listings: list[Listing], kind: str, url_of: Callable[..., str], per_page: int) -> Iterator[PageJob]:
    for listing in listings:
        head = ListingHead(listing.term, listing.about)
        for pager in paginate(listing.articles, per_page, _bind(url_of, listing.term.slug)):
            yield PageJob(pager.url, "term.html", {"title": listing.term.name, "kind": kind,
                                                   "listing": listing if pager.number == 1 else head, "pager": pager})


ARTICLE_TEMPLATE = "article.html"  # an article's page; no other page is made with it


def article_job(article: Article, config: Config, urls: Urls, figures: FigureRenderer,
                related: list[Article]) -> PageJob:
    return PageJob(urls.article(article), ARTICLE_TEMPLATE, {"article": article, "title": article.title,
                                                           "related": related},
                   lazy=partial(_article_lazy, figures, urls, config, article))


def _article_lazy(figures: FigureRenderer, urls: Urls, config: Config, article: Article) -> dict[str, Any]:
    return {**_article_figures(figures, article), "json_ld": article_json_ld(article, urls, config)}


def _article_figures(figures: FigureRenderer, article: Article) -> dict[str, Any]:
    return {
        "body": figures.body(article),
        "lead_figure": figures(article, article.lead_image, lead=True) if article.lead_image else "",
        "trailing_figures": [figures(article, img) for img in article.trailing_images],
    }


def _bind(fn: Callable[..., str], *args: Any) -> Callable[[int], str]:
    return lambda n: fn(*args, page=n)
