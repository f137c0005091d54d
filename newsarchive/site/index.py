"""Site-wide structure from the articles' metadata: listings, taxonomies, related articles.

Also the checks only the whole site can make: two articles at one URL, two topics whose
names differ but whose slugs collide, a page that takes a URL the site needs.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Generic, TypeVar

from .. import parallel
from ..content.model import Article, Page, Term
from ..content.registry import Entry, Registries
from ..errors import ContentError
from .urls import RESERVED, Urls

T = TypeVar("T")


@dataclass
class Listing:
    """The articles filed under one topic or outlet, newest first."""

    term: Term
    articles: list[Article] = field(default_factory=list)
    # The registry's entry (description, homepage…) when content/topics.toml or outlets.toml has one.
    about: Entry | None = None


@dataclass
class Month:
    year: int
    month: int
    articles: list[Article] = field(default_factory=list)


@dataclass
class Year:
    year: int
    months: list[Month] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)


@dataclass
class SiteIndex:
    articles: list[Article]  # newest first
    pages: list[Page]
    topics: list[Listing]  # by name
    outlets: list[Listing]  # by name
    years: list[Year]  # newest first
    related: dict[str, list[Article]]  # article URL -> related articles


@dataclass(frozen=True)
class Pager(Generic[T]):
    """One page of a paginated listing, with what the pagination controls need."""

    number: int
    total: int
    items: Sequence[T]
    url: str
    prev_url: str
    next_url: str
    first_url: str
    last_url: str
    # (number, url) for every page, so templates can draw the controls without arithmetic.
    pages: tuple[tuple[int, str], ...] = ()


def paginate(items: Sequence[T], per_page: int, url_of: Callable[[int], str]) -> list[Pager[T]]:
    total = max(1, math.ceil(len(items) / per_page))
    pages = tuple((n, url_of(n)) for n in range(1, total + 1))
    address = ("", *(url for _n, url in pages), "")  # each page's URL asked for once, not five times
    return [
        Pager(
            number=n,
            total=total,
            items=items[(n - 1) * per_page : n * per_page],
            url=address[n],
            prev_url=address[n - 1],
            next_url=address[n + 1],
            first_url=address[1],
            last_url=address[total],
            pages=pages,
        )
        for n in range(1, total + 1)
    ]


def newest_first(article: Article) -> tuple[float, str]:
    return (-article.date.timestamp(), article.slug)


def build_index(
    articles: list[Article], pages: list[Page], urls: Urls, related_count: int, memo: RelatedMemo | None = None
) -> tuple[SiteIndex, list[ContentError]]:
    """The site's structure; `memo` (the last build's related lists) is used and updated."""
    errors: list[ContentError] = []
    keys = [newest_first(article) for article in articles]  # once: the related lists need them too
    order = sorted(range(len(articles)), key=keys.__getitem__)
    articles, keys = [articles[i] for i in order], [keys[i] for i in order]
    errors += _unique(articles, urls.article, "slug", "is already the URL of {other}",
                      "set a different 'slug:' in one of them")
    errors += _unique([a for a in articles if a.id], lambda a: a.id, "id", "is already the id of {other}",
                      "ids are permanent and unique: give this article its own")
    errors += _check_pages(pages, urls)

    topics = _listings(articles, lambda a: a.topics, "topics", errors)
    outlets = _listings(articles, lambda a: (a.outlet,), "outlet", errors)
    index = SiteIndex(
        articles=articles,
        pages=sorted(pages, key=lambda p: p.slug),
        topics=topics,
        outlets=outlets,
        years=_years(articles),
        related=_related(articles, urls, related_count, memo, keys),
    )
    return index, errors


def index_inputs(articles: list[Article], pages: list[Page], settings: str) -> str:
    """A digest of everything build_index reads: of each article its path, date (with its
    offset), slug, id, outlet and topics; of each page its path and slug; and `settings`
    (the site's settings: of them it reads the base path and the related count). Equal
    inputs give an equal index, so the last
    build's can be used again (IndexSnapshot). A test changes each field of an article and
    checks that either this digest or the index changes: a field build_index starts to read
    must be added here."""
    h = hashlib.blake2b(digest_size=16)
    rows = [f"{a.source_path}\x1f{a.date.isoformat()}\x1f{a.slug}\x1f{a.id}\x1f{a.outlet.name}\x1e{a.outlet.slug}"
            + "".join([f"\x1f{t.name}\x1e{t.slug}" for t in a.topics]) for a in articles]
    rows += [f"\x1d{page.source_path}\x1f{page.slug}" for page in pages]
    rows.append(settings)
    h.update("\n".join(rows).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@dataclass
class IndexSnapshot:
    """The index a build made, with each article by its position in `paths` (newest first):
    kept in the build cache, and used again by a build whose `inputs` (index_inputs) are
    the same, instead of sorting, grouping and checking ten thousand articles again."""

    inputs: str
    paths: list[str]
    pages: list[str]  # source paths, in the index's order
    topics: list[tuple[Term, list[int]]]
    outlets: list[tuple[Term, list[int]]]
    years: list[tuple[int, list[int], list[tuple[int, list[int]]]]]  # year, articles, (month, articles)
    related: list[tuple[str, list[int]]]  # article URL, related articles

    @classmethod
    def of(cls, index: SiteIndex, inputs: str) -> IndexSnapshot:
        position = {id(article): i for i, article in enumerate(index.articles)}.__getitem__

        def at(articles: list[Article]) -> list[int]:
            return list(map(position, map(id, articles)))  # in C: 90,000 at 10,000 articles

        return cls(
            inputs=inputs,
            paths=[article.source_path for article in index.articles],
            pages=[page.source_path for page in index.pages],
            topics=[(listing.term, at(listing.articles)) for listing in index.topics],
            outlets=[(listing.term, at(listing.articles)) for listing in index.outlets],
            years=[(year.year, at(year.articles), [(month.month, at(month.articles)) for month in year.months])
                   for year in index.years],
            related=[(url, at(related)) for url, related in index.related.items()],
        )

    def restore(self, articles: list[Article], pages: list[Page]) -> SiteIndex | None:
        """The index again, made of these articles and pages; None if they are not the ones
        it was made of (the caller compares inputs first: this is a last check)."""
        by_path = {article.source_path: article for article in articles}
        page_by_path = {page.source_path: page for page in pages}
        if len(by_path) != len(self.paths) or len(page_by_path) != len(self.pages):
            return None
        try:
            ordered = [by_path[path] for path in self.paths]
            ordered_pages = [page_by_path[path] for path in self.pages]
        except KeyError:
            return None

        def of(positions: list[int]) -> list[Article]:
            return [ordered[i] for i in positions]

        return SiteIndex(
            articles=ordered,
            pages=ordered_pages,
            topics=[Listing(term, of(positions)) for term, positions in self.topics],
            outlets=[Listing(term, of(positions)) for term, positions in self.outlets],
            years=[Year(year, [Month(year, month, of(m)) for month, m in months], of(positions))
                   for year, positions, months in self.years],
            related={url: of(positions) for url, positions in self.related},
        )


def describe(index: SiteIndex, registries: Registries) -> None:
    """Attach each topic's and outlet's registry entry, for its page."""
    for listings, registry in ((index.topics, registries.topics), (index.outlets, registries.outlets)):
        if registry is not None:
            for listing in listings:
                listing.about = registry.entry(listing.term.slug)


def _unique(items: list[Article], key: Callable[[Article], str], field_name: str, message: str, hint: str) -> list[ContentError]:
    """Articles sharing a key: each but the first by file name is an error."""
    first: dict[str, Article] = {}
    shared = set()
    for article in items:  # one pass, no list per key: a shared key is rare
        k = key(article)
        if first.setdefault(k, article) is not article:
            shared.add(k)
    if not shared:
        return []
    groups: dict[str, list[Article]] = {k: [] for k in shared}
    for article in items:
        k = key(article)
        if k in shared:
            groups[k].append(article)
    errors = []
    for k, group in groups.items():
        if len(group) > 1:  # rare: the sort is paid only here
            first, *others = sorted(group, key=lambda a: a.source_path)
            errors += [ContentError(a.source_path, a.line_of(field_name), field_name,
                                    f"{k!r} " + message.format(other=first.source_path), hint) for a in others]
    return sorted(errors, key=lambda e: e.path)


def _check_pages(pages: list[Page], urls: Urls) -> list[ContentError]:
    errors = []
    seen: dict[str, Page] = {}
    for page in sorted(pages, key=lambda p: p.source_path):
        if page.slug in RESERVED or re.fullmatch(r"\d{4}", page.slug):
            errors.append(ContentError(page.source_path, 1, "slug", f"{page.slug!r} is a URL the site itself uses",
                                       "rename the file or set another 'slug:'"))
        elif page.slug in seen:
            errors.append(ContentError(page.source_path, 1, "slug",
                                       f"{page.slug!r} is already the URL of {seen[page.slug].source_path}",
                                       "rename the file or set another 'slug:'"))
        else:
            seen[page.slug] = page
    return errors


def _listings(articles: list[Article], terms_of: Callable[[Article], tuple[Term, ...]], field_name: str,
              errors: list[ContentError]) -> list[Listing]:
    """Group articles by term slug; two spellings of one slug are an error, never merged silently."""
    # One pass, newest first, when every slug has one spelling (nearly always); else the
    # listings and errors as below, which name the file that spelled it first.
    grouped: dict[str, Listing] = {}
    for article in articles:
        for term in terms_of(article):
            listing = grouped.get(term.slug)
            if listing is None:
                listing = grouped[term.slug] = Listing(term)
            elif listing.term != term:
                break
            listing.articles.append(article)
        else:
            continue
        break
    else:
        return sorted(grouped.values(), key=lambda listing: (listing.term.name.casefold(), listing.term.slug))
    by_slug: dict[str, Listing] = {}
    first_seen: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: a.source_path):
        for term in terms_of(article):
            listing = by_slug.get(term.slug)
            if listing is None:
                by_slug[term.slug] = Listing(term)
                first_seen[term.slug] = article.source_path
            elif listing.term.name != term.name:
                errors.append(ContentError(
                    article.source_path, article.line_of(field_name), field_name,
                    f"{term.name!r} and {listing.term.name!r} (in {first_seen[term.slug]}) share the URL slug {term.slug!r}",
                    f"write it as {listing.term.name!r} everywhere"))
    for article in articles:  # newest first, so each listing is too
        for term in terms_of(article):
            by_slug[term.slug].articles.append(article)
    return sorted(by_slug.values(), key=lambda listing: (listing.term.name.casefold(), listing.term.slug))


def _years(articles: list[Article]) -> list[Year]:
    years: dict[int, Year] = {}
    months: dict[tuple[int, int], Month] = {}
    for article in articles:
        local = article.date  # already in the site's time zone
        year = years.setdefault(local.year, Year(local.year))
        year.articles.append(article)
        key = (local.year, local.month)
        if key not in months:
            months[key] = Month(local.year, local.month)
            year.months.append(months[key])
        months[key].articles.append(article)
    return sorted(years.values(), key=lambda y: -y.year)


@dataclass
class RelatedMemo:
    """Related lists of the last build, by article, so a build recomputes only the lists a
    change can reach: an article's list depends only on the articles sharing a topic with
    it and their order, so it stands while none of them was added, removed, re-dated or
    re-topiced (their relative order stays when others move). Kept in the build cache."""

    count: int = 0
    changed: bool = False  # since loaded: to be saved
    # source path -> (newest_first key, topic slugs, related source paths)
    entries: dict[str, tuple[tuple[float, str], tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)


def _related(articles: list[Article], urls: Urls, count: int, memo: RelatedMemo | None = None,
             keys: list[tuple[float, str]] | None = None) -> dict[str, list[Article]]:
    """Most topics in common, then most recent (`related_by_topics` on positions).

    With a memo from the last build, only the lists a change reaches are computed; the
    memo is brought up to date in place."""
    topic_sets = [tuple(term.slug for term in article.topics) for article in articles]
    keys = keys or [newest_first(article) for article in articles]
    only = None
    if memo is not None and memo.count == count and memo.entries:
        only = _reached(articles, keys, topic_sets, memo.entries, count)
    computed = _ranked(topic_sets, count, only)
    by_path = {article.source_path: article for article in articles}
    related: dict[str, list[Article]] = {}
    for article, chosen in zip(articles, computed, strict=True):
        if chosen is None:  # unreachable by any change: the last build's list stands
            listed = [by_path[path] for path in memo.entries[article.source_path][2]]  # type: ignore[union-attr]
        else:
            listed = [articles[j] for j in chosen]
        related[urls.article(article)] = listed
    if memo is not None and (only is None or only or len(memo.entries) != len(articles)):
        if only is None:  # ranked afresh
            memo.entries = {}
        # Lists not ranked again stand, and so do their entries: the ranked ones are
        # replaced, and those of articles that are gone removed.
        for i in range(len(articles)) if only is None else only:
            memo.entries[articles[i].source_path] = (
                keys[i], topic_sets[i], tuple(articles[j].source_path for j in computed[i]))  # type: ignore[union-attr]
        if len(memo.entries) != len(articles):
            for path in memo.entries.keys() - by_path.keys():
                del memo.entries[path]
        memo.count, memo.changed = count, True
    return related


def _reached(articles: list[Article], keys: list[tuple[float, str]], topic_sets: list[tuple[str, ...]],
             old: dict[str, tuple[tuple[float, str], tuple[str, ...], tuple[str, ...]]], count: int) -> list[int]:
    """Positions whose related list may differ from the memo's. The others' order among
    themselves is unchanged, so a list changes only if it held an article that went or
    changed, or if an article that came or changed now outranks its last entry (or the
    list was short). Everything else stands, even in a topic a third of the archive shares."""
    gone: set[str] = set(old) - {article.source_path for article in articles}
    fresh: list[int] = []  # new, re-dated or re-topiced: ranked afresh, and may enter lists
    for i, (article, key, topics) in enumerate(zip(articles, keys, topic_sets, strict=True)):
        before = old.get(article.source_path)
        if before is None or before[0] != key or before[1] != topics:
            fresh.append(i)
            if before is not None:
                gone.add(article.source_path)
    if not fresh and not gone:
        return []
    reach = set(fresh)
    if gone:
        reach.update(i for i, article in enumerate(articles)
                     if not gone.isdisjoint(old.get(article.source_path, ((), (), ()))[2]))
    if fresh:
        position = {article.source_path: i for i, article in enumerate(articles)}
        by_topic: dict[str, list[int]] = defaultdict(list)
        for i in fresh:
            for slug in topic_sets[i]:
                by_topic[slug].append(i)
        for i, topics in enumerate(topic_sets):
            if i in reach or by_topic.keys().isdisjoint(topics):
                continue
            listed = old[articles[i].source_path][2]
            if len(listed) < count:
                reach.add(i)  # a short list takes any newcomer that shares a topic
                continue
            last = position[listed[-1]]
            mine = set(topics)
            worst = (-len(mine.intersection(topic_sets[last])), keys[last])
            if any((-len(mine.intersection(topic_sets[j])), keys[j]) < worst
                   for slug in topics for j in by_topic.get(slug, ())):
                reach.add(i)
    return sorted(reach)


# Ranking this many lists or more (a first build), a forked child ranks half of them.
_RANK_BESIDE_FROM = 4000


def _ranked(topic_sets: list[tuple[str, ...]], count: int, only: list[int] | None) -> list[list[int] | None]:
    """related_by_topics, over two cores when there are many lists to rank: the ranking
    runs between reading and rendering, while nothing else can."""
    positions = list(range(len(topic_sets))) if only is None else only
    if len(positions) < _RANK_BESIDE_FROM or parallel.cpu_count() < 2 or not parallel.can_fork():
        return related_by_topics(topic_sets, count, only)
    half = len(positions) // 2
    beside = parallel.Background(_rank_some, topic_sets, count, positions[half:])
    try:
        computed = related_by_topics(topic_sets, count, positions[:half])
    except BaseException:
        beside.cancel()
        raise
    for position, chosen in zip(positions[half:], beside.result(), strict=True):
        computed[position] = chosen
    return computed


def _rank_some(topic_sets: list[tuple[str, ...]], count: int, positions: list[int]) -> list[list[int] | None]:
    ranked = related_by_topics(topic_sets, count, positions)
    return [ranked[position] for position in positions]


def related_by_topics(topic_sets: Sequence[tuple[str, ...]], count: int,
                      only: Sequence[int] | None = None) -> list[list[int] | None]:
    """For each item (by position, newest first), the `count` others sharing most topics,
    ties broken by position: the ranking of sorting every other item by (-shared, position).
    With `only`, just those positions are ranked (the others are None).

    Counting every pair is quadratic in a popular topic's size (Zipf-distributed topics
    make one topic hold a third of the archive). Instead, level by level from the most
    possible shared topics c down to 1: an item sharing exactly c of k topics appears in
    at least one of the k-c+1 smallest topic lists, so walking those lists merged, newest
    first, meets every candidate of that level in ranking order and can stop once the
    result is full. Where a level's candidates are sparse (a walk would go through whole
    lists of thousands, as for most articles with three or four topics at 100,000
    articles), the rest of the level comes from set intersections, made in C: the items in
    c of the sets or more, less those taken, are exactly the level's (any item sharing more
    was taken at a level above, which did not fill the result).
    """
    by_topic: dict[str, list[int]] = defaultdict(list)
    for position, topics in enumerate(topic_sets):
        for slug in topics:
            by_topic[slug].append(position)  # ascending: newest first
    members = {slug: set(positions) for slug, positions in by_topic.items()}
    result: list[list[int] | None] = [None] * len(topic_sets)
    for position in range(len(topic_sets)) if only is None else only:
        order = sorted(topic_sets[position], key=lambda slug: len(by_topic[slug]))
        lists = [by_topic[slug] for slug in order]
        sets = [members[slug] for slug in order]  # smallest first, as in each combination below
        k = len(lists)
        chosen: list[int] = []
        taken = {position}
        for shared in range(k, 0, -1):
            if len(chosen) >= count:
                break
            scan = lists[: k - shared + 1]
            stream = scan[0] if len(scan) == 1 else heapq.merge(*scan)
            looked = 0
            for other in stream:
                looked += 1
                if other in taken:
                    continue
                if shared == 1 or sum(other in s for s in sets) == shared:
                    taken.add(other)
                    chosen.append(other)
                    if len(chosen) >= count:
                        break
                if looked >= _WALK_BEFORE_SETS and shared > 1:
                    found: set[int] = set()
                    for group in combinations(sets, shared):
                        found |= group[0].intersection(*group[1:])
                    found -= taken
                    for other in sorted(found)[: count - len(chosen)]:
                        taken.add(other)
                        chosen.append(other)
                    break
        result[position] = chosen
    return result


# Items a level's walk looks at before the rest of the level is found by set operations
# (related_by_topics): where candidates are dense the walk fills the list sooner.
_WALK_BEFORE_SETS = 32
