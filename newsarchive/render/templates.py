"""The Jinja environment: autoescaping on, undefined names are errors, a few filters.

Dates are shown in the site's language and time zone (`language`, `timezone` in the config),
with Babel's bundled CLDR data: the output never depends on the building machine's locale.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, get_month_names
from markupsafe import Markup

from ..cache import generator_digest


@lru_cache(maxsize=32)
def site_locale(tag: str) -> Locale:
    """The Babel locale for a BCP 47 tag: 'pt-BR', then 'pt', then English."""
    for candidate in (tag.replace("-", "_"), tag.split("-")[0]):
        try:
            return Locale.parse(candidate)
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse("en")


def _local(ctx: Any, value: datetime) -> datetime:
    """The instant in the site's time zone (a date-only article is midnight there already)."""
    return value.astimezone(ctx["site"].tz) if value.tzinfo else value


@jinja2.pass_context
def human_date(ctx: Any, value: datetime) -> str:
    """'22 June 2016' or 'June 22, 2016', as the site's language writes a long date."""
    return _long_date(_local(ctx, value).date(), ctx["site"].language)


# Babel takes tens of microseconds a date, and a site shows thousands of days: each is
# formatted once per language and, where the year is written as its plain number, each
# day of the year once (as in a leap year), its year's digits put in after.
@lru_cache(maxsize=16384)
def _long_date(day: date, language: str) -> str:
    if _plain_year(language):
        return _day_of_year(day.month, day.day, language).replace("2000", str(day.year))
    return format_date(day, "long", locale=site_locale(language))


@lru_cache(maxsize=1024)
def _day_of_year(month: int, day: int, language: str) -> str:
    return format_date(date(2000, month, day), "long", locale=site_locale(language))


@lru_cache(maxsize=64)
def _plain_year(language: str) -> bool:
    """Whether the language's long date holds the year only as `y` (its number, unpadded),
    besides the day and month: then 2000 is the only "2000" in its text."""
    fields = set(re.findall(r"%\((\w+)\)s", site_locale(language).date_formats["long"].format))
    return "y" in fields and fields <= {"d", "dd", "M", "MM", "MMM", "MMMM", "L", "LL", "LLL", "LLLL", "y"}


@jinja2.pass_context
def month_year(ctx: Any, year: int, month: int) -> str:
    """'June 2016', 'juin 2016', 'junho de 2016'."""
    return _month_year(year, month, ctx["site"].language)


@lru_cache(maxsize=4096)
def _month_year(year: int, month: int, language: str) -> str:
    return format_skeleton("yMMMM", datetime(year, month, 1), locale=site_locale(language))


@jinja2.pass_context
def month_name(ctx: Any, number: int) -> str:
    return _month_name(number, ctx["site"].language)


@lru_cache(maxsize=512)
def _month_name(number: int, language: str) -> str:
    return get_month_names("wide", context="stand-alone", locale=site_locale(language))[number]


@jinja2.pass_context
def time_attr(ctx: Any, value: datetime) -> str:
    """The `datetime` of a <time>: the date alone when it is midnight in the site's zone."""
    local = _local(ctx, value)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return local.date().isoformat()
    return value.isoformat()


@jinja2.pass_context
def site_direction(ctx: Any) -> str:
    """'rtl' when the site's own language is written right to left."""
    return "rtl" if site_locale(ctx["site"].language).character_order == "right-to-left" else "ltr"


CARD_TEMPLATE = "partials/card.html"
CHROME_TEMPLATE = "partials/chrome.html"


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    section: bool = False  # shown as the reader's section on every page below its address


def site_nav(urls: Any, nav_pages: Sequence[Any]) -> tuple[NavItem, ...]:
    """The navigation of every page: the site's sections, then the pages marked `nav`."""
    return (NavItem("Home", urls.home()), NavItem("Topics", urls.topics(), True),
            NavItem("Outlets", urls.outlets(), True), NavItem("Archive", urls.archive(), True),
            NavItem("Search", urls.search(), True), *(NavItem(p.title, urls.page(p)) for p in nav_pages))


def site_chrome(env: jinja2.Environment) -> tuple[Callable[..., Markup], ...]:
    """`masthead(page_url)`, `site_footer()` and `site_feed_links()` (the <head>'s links to
    the site-wide feeds): the macros of partials/chrome.html, rendered once per build (the
    masthead once per way a page stands to the navigation: the item that is the page, the
    section that holds it) and reused on every page. Rendered on each page, their links
    cost a third of an article page's time. The macros are given `site`, `urls` and the
    navigation with each item's state, and nothing else of the page."""
    made: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def render(ctx: Any, macro: str, states: tuple[str, ...] = ()) -> Markup:
        site, urls, nav = ctx["site"], ctx["urls"], ctx["nav"]
        key = (id(site), id(urls), id(nav), macro, states)
        found = made.get(key)
        # The objects are kept with the text: an id is never reused meanwhile.
        if found is not None and found[0] is site and found[1] is urls and found[2] is nav:
            return found[3]  # type: ignore[no-any-return]
        module = env.get_template(CHROME_TEMPLATE).make_module({"site": site, "urls": urls})
        args = (list(zip(nav, states, strict=True)),) if states else ()
        html = Markup(getattr(module, macro)(*args))
        made[key] = (site, urls, nav, html)
        return html

    @jinja2.pass_context
    def masthead(ctx: Any, page_url: str) -> Markup:
        states = tuple("current" if item.url == page_url else
                       "section" if item.section and page_url.startswith(item.url) else "" for item in ctx["nav"])
        return render(ctx, "masthead", states)

    @jinja2.pass_context
    def site_footer(ctx: Any) -> Markup:
        return render(ctx, "footer")

    @jinja2.pass_context
    def site_feed_links(ctx: Any) -> Markup:
        return render(ctx, "feed_links")

    return masthead, site_footer, site_feed_links


def article_cards(env: jinja2.Environment) -> Callable[..., Markup]:
    """`article_card(a, show_outlet, heading)`: the `card` macro of partials/card.html,
    rendered once per article, kind of list and heading, then reused on every list that
    shows the article (each article is on the home pages, its topics', its outlet's, its
    year's and month's, and beside related articles). The macro is given `site` and `urls`
    and nothing else of the page, so a card cannot depend on the page it is on."""
    cards: dict[tuple[int, ...], tuple[Any, ...]] = {}
    modules: dict[tuple[int, int], tuple[Any, ...]] = {}

    @jinja2.pass_context
    def article_card(ctx: Any, a: Any, show_outlet: bool, heading: str) -> Markup:
        site, urls = ctx["site"], ctx["urls"]
        key = (id(a), id(site), id(urls), bool(show_outlet), hash(heading))
        found = cards.get(key)
        # The objects themselves are kept with the card: an id is never reused meanwhile.
        if found is not None and found[0] is a and found[1] is site and found[2] is urls and found[3] == heading:
            return found[4]  # type: ignore[no-any-return]
        module = modules.get((id(site), id(urls)))
        if module is None or module[0] is not site or module[1] is not urls:
            made = env.get_template(CARD_TEMPLATE).make_module({"site": site, "urls": urls})
            module = modules[(id(site), id(urls))] = (site, urls, made)
        html = Markup(module[2].card(a, show_outlet, heading))
        cards[key] = (a, site, urls, heading, html)
        return html

    return article_card


def make_environment(templates_dir: Path, cache_dir: Path | None = None, site: Any = None,
                     urls: Any = None) -> jinja2.Environment:
    """With a cache folder, compiled templates are kept there (Jinja checks each against
    its source), so a rebuild does not compile every template again. The folder is named
    by the generator's code, which sets the environment's options Jinja does not check.

    `site` (the Config) and `urls` (site.urls.Urls), the same for every page of a build, are
    globals as well as page variables: a partial imported without context sees them, and
    Jinja makes such a module once, not once per page (a page imports two to four)."""
    bytecode = None
    if cache_dir is not None:
        folder = Path(cache_dir) / f"templates-{generator_digest()[:16]}"
        try:
            if not folder.is_dir():
                for old in Path(cache_dir).glob("templates-*"):
                    shutil.rmtree(old, ignore_errors=True)
                folder.mkdir(parents=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(folder))
        except OSError:
            pass  # compiled afresh each time
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        bytecode_cache=bytecode,
        autoescape=True,  # every template, whatever its extension: front matter is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Each build makes its own environment: no need to stat every template file each
        # time a page extends, imports or includes it (several times a page).
        auto_reload=False,
    )
    env.filters["human_date"] = human_date
    env.filters["month_name"] = month_name
    env.filters["iso"] = lambda value: value.isoformat()
    env.filters["time_attr"] = time_attr
    env.globals["month_year"] = month_year
    env.globals["site_direction"] = site_direction
    env.globals["Markup"] = Markup
    if site is not None:
        env.globals["site"] = site
    if urls is not None:
        env.globals["urls"] = urls
    env.globals["article_card"] = article_cards(env)
    env.globals["masthead"], env.globals["site_footer"], env.globals["site_feed_links"] = site_chrome(env)
    return env
