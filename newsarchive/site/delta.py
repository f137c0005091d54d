"""The last build's index brought up to date for a few added, removed or changed articles.

`build_index` sorts, groups and checks every article, and looks at every related list to
find those a change reaches: passes over the whole archive, most of the index's time in
a build that adds one article to ten thousand. Here the last index (an IndexSnapshot) is
taken as it was, and only what the changed articles touch is done again: each goes into
its place in the order, its listings, year and month, and the related lists it can reach
are ranked again, as `_reached` decides for build_index.

The result is the index build_index would make, list for list (a test compares them over
random sequences of changes). Wherever that could differ, or an error is to be reported,
there is no update (None) and the build makes the index afresh: two articles at one place
in the order, a URL or id already taken, two spellings of a topic's slug, other pages or
settings, or more changes than an update is worth.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from ..content.model import Article, Page, Term
from .index import IndexSnapshot, Listing, Month, SiteIndex, Year, newest_first, rank_one
from .urls import Urls

# Changed rows (an article added or removed counts one, a changed one two) past which the
# index is made afresh: the update's work grows with them, build_index's does not.
UPDATE_MAX = 64


def updated_index(snapshot: IndexSnapshot, articles: list[Article], rows: list[str], pages: list[Page],
                  frame: str, urls: Urls, count: int) -> SiteIndex | None:
    """The index of `articles` (their `index_rows`, in the same order) and `pages` (with the
    settings, `frame`: index_frame), from the last build's; None where build_index must
    make it."""
    if (not snapshot.rows or snapshot.frame != frame or snapshot.count != count
            or len(snapshot.rows) != len(snapshot.paths)):
        return None
    before, now = set(snapshot.rows), set(rows)
    came, went = now - before, before - now
    if not came and not went or len(came) + len(went) > UPDATE_MAX or len(now) != len(rows):
        return None
    position = dict(zip(snapshot.paths, range(len(snapshot.paths)), strict=True))
    try:
        gone = sorted(position[row.partition("\x1f")[0]] for row in went)
    except KeyError:
        return None
    added = [article for article, row in zip(articles, rows, strict=True) if row in came]
    by_path = {article.source_path: article for article in articles}
    old: list[Article | None] = [by_path.get(path) for path in snapshot.paths]
    for g in gone:
        old[g] = None
    page_by_path = {page.source_path: page for page in pages}
    if (old.count(None) != len(gone) or len(articles) != len(old) - len(gone) + len(added)
            or len(page_by_path) != len(snapshot.pages) or not page_by_path.keys() >= set(snapshot.pages)):
        return None

    merged = _merged(old, added)
    if merged is None or not _unique(snapshot, old, gone, added, urls):
        return None
    articles_in_order, sources = merged
    topics = _listings(snapshot.topics, old, gone, added, lambda a: a.topics)
    outlets = _listings(snapshot.outlets, old, gone, added, lambda a: (a.outlet,))
    if topics is None or outlets is None:
        return None
    related = _related(snapshot, old, set(gone), articles_in_order, sources, added,
                       {listing.term.slug: listing for listing in topics}, urls, count)
    return SiteIndex(
        articles=articles_in_order,
        pages=[page_by_path[path] for path in snapshot.pages],
        topics=topics,
        outlets=outlets,
        years=_years(snapshot.years, old, gone, added),
        related=related,
    )


def _merged(old: list[Article | None], added: list[Article]) -> tuple[list[Article], list[int]] | None:
    """The articles newest first, and where each was in the last order (-1: added); None
    where two share a place (build_index would order them by file name)."""
    at = [i for i, article in enumerate(old) if article is not None]
    survivors: list[Article] = [old[i] for i in at]  # type: ignore[misc]
    fresh = sorted(added, key=newest_first)
    keys = [newest_first(article) for article in fresh]
    if any(a == b for a, b in zip(keys, keys[1:], strict=False)):
        return None
    merged: list[Article] = []
    sources: list[int] = []
    done = 0
    for article, key in zip(fresh, keys, strict=True):
        place = bisect_left(survivors, key, key=newest_first)
        if place < len(survivors) and newest_first(survivors[place]) == key:
            return None
        merged += survivors[done:place]
        sources += at[done:place]
        merged.append(article)
        sources.append(-1)
        done = place
    merged += survivors[done:]
    sources += at[done:]
    return merged, sources


def _unique(snapshot: IndexSnapshot, old: list[Article | None], gone: list[int], added: list[Article],
            urls: Urls) -> bool:
    """Whether every added article has a URL and an id (if any) no other article has."""
    taken = {url for url, _ in snapshot.related}
    taken.difference_update(snapshot.related[g][0] for g in gone)
    ids = {article.id for article in old if article is not None and article.id}
    for article in added:
        url = urls.article(article)
        if url in taken or (article.id and article.id in ids):
            return False
        taken.add(url)
        if article.id:
            ids.add(article.id)
    return True


def _holds(positions: list[int], gone: list[int]) -> bool:
    """Whether the ascending `positions` hold one of `gone`."""
    for g in gone:
        i = bisect_left(positions, g)
        if i < len(positions) and positions[i] == g:
            return True
    return False


def _of(positions: list[int], old: list[Article | None], gone: list[int]) -> list[Article]:
    listed = [old[i] for i in positions]
    return [article for article in listed if article is not None] if gone and _holds(positions, gone) else listed  # type: ignore[misc]


def _insert(articles: list[Article], article: Article) -> None:
    articles.insert(bisect_left(articles, newest_first(article), key=newest_first), article)


def _listings(before: list[tuple[Term, list[int]]], old: list[Article | None], gone: list[int],
              added: list[Article], terms_of: Callable[[Article], tuple[Term, ...]]) -> list[Listing] | None:
    """The topics' or outlets' listings; None where an added article spells a slug otherwise."""
    listings = [Listing(term, _of(positions, old, gone)) for term, positions in before]
    by_slug = {listing.term.slug: listing for listing in listings}
    new = False
    for article in added:
        for term in terms_of(article):
            listing = by_slug.get(term.slug)
            if listing is None:
                listing = by_slug[term.slug] = Listing(term)
                listings.append(listing)
                new = True
            elif listing.term != term:
                return None
            _insert(listing.articles, article)
    listings = [listing for listing in listings if listing.articles]
    if new:
        listings.sort(key=lambda listing: (listing.term.name.casefold(), listing.term.slug))
    return listings


def _years(before: list[tuple[int, list[int], list[tuple[int, list[int]]]]], old: list[Article | None],
           gone: list[int], added: list[Article]) -> list[Year]:
    years = {year: Year(year, [Month(year, month, _of(m, old, gone)) for month, m in months], _of(positions, old, gone))
             for year, positions, months in before}
    for article in added:
        date = article.date  # already in the site's time zone, as _years takes it
        year = years.get(date.year)
        if year is None:
            year = years[date.year] = Year(date.year)
        month = next((m for m in year.months if m.month == date.month), None)
        if month is None:
            month = Month(date.year, date.month)
            year.months.append(month)
            year.months.sort(key=lambda m: -m.month)  # newest first, as build_index meets them
        _insert(year.articles, article)
        _insert(month.articles, article)
    for year in years.values():
        year.months = [month for month in year.months if month.articles]
    return sorted((year for year in years.values() if year.articles), key=lambda y: -y.year)


def _slugs(article: Article) -> tuple[str, ...]:
    return tuple(term.slug for term in article.topics)


def _related(snapshot: IndexSnapshot, old: list[Article | None], gone: set[int], merged: list[Article],
             sources: list[int], added: list[Article], topics: dict[str, Listing], urls: Urls,
             count: int) -> dict[str, list[Article]]:
    """Each article's related list: ranked again where a change can reach it (as `_reached`
    decides for build_index), else the last build's."""
    at = {id(article): j for j, article in enumerate(merged)}
    reach = {at[id(article)] for article in added}
    if gone:
        for i, (_url, positions) in enumerate(snapshot.related):
            article = old[i]
            if article is not None and not gone.isdisjoint(positions):
                reach.add(at[id(article)])
    fresh = [(article, set(_slugs(article)), newest_first(article)) for article in added]
    for article, _, _ in fresh:
        for slug in _slugs(article):
            for other in topics[slug].articles:
                j = at[id(other)]
                if j in reach:
                    continue
                listed = snapshot.related[sources[j]][1]
                if len(listed) < count:
                    reach.add(j)  # a short list takes any newcomer that shares a topic
                    continue
                mine = set(_slugs(other))
                last = old[listed[-1]]
                worst = (-len(mine.intersection(_slugs(last))), newest_first(last))  # type: ignore[arg-type]
                if any((-len(mine & theirs), key) < worst for _, theirs, key in fresh if not mine.isdisjoint(theirs)):
                    reach.add(j)
    by_topic = _Positions(topics, at)
    members: dict[str, set[int]] = {}
    ranked = {j: rank_one(j, _slugs(merged[j]), by_topic, members, count) for j in sorted(reach)}
    related: dict[str, list[Article]] = {}
    for j, (article, i) in enumerate(zip(merged, sources, strict=True)):
        url = snapshot.related[i][0] if i >= 0 else urls.article(article)
        chosen = ranked.get(j)
        related[url] = [merged[k] for k in chosen] if chosen is not None else [
            old[k] for k in snapshot.related[i][1]]  # type: ignore[misc]
    return related


class _Positions(dict[str, list[int]]):
    """A topic's articles by position in the new order, ascending, made when first asked."""

    def __init__(self, topics: dict[str, Listing], at: dict[int, int]):
        super().__init__()
        self.topics, self.at = topics, at

    def __missing__(self, slug: str) -> list[int]:
        found = self[slug] = [self.at[id(article)] for article in self.topics[slug].articles]
        return found
