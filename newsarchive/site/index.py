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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, combinations
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


def index_rows(articles: list[Article], known: dict[str, str] | None = None) -> list[str]:
    """Of each article, what build_index reads: its path, date (with its offset), slug,
    id, outlet and topics, as one line. `known`: rows by article cache key, from a build
    with the same settings and registries (IndexSnapshot.known_rows): the same key, the
    same file read the same way, gives the same row."""
    if known:
        rows = list(map(known.get, [a.body.key for a in articles]))
        if None not in rows:
            return rows  # type: ignore[return-value]
        return [row if row is not None else _row(a) for a, row in zip(articles, rows, strict=True)]
    return [_row(a) for a in articles]


def _row(a: Article) -> str:
    return (f"{a.source_path}\x1f{a.date.isoformat()}\x1f{a.slug}\x1f{a.id}\x1f{a.outlet.name}\x1e{a.outlet.slug}"
            + "".join([f"\x1f{t.name}\x1e{t.slug}" for t in a.topics]))


def index_frame(pages: list[Page], settings: str) -> str:
    """A digest of what build_index reads besides the articles: of each page its path and
    slug, and `settings` (the site's settings: of them it reads the base path and the
    related count)."""
    return hashlib.blake2b("\n".join([*(f"\x1d{page.source_path}\x1f{page.slug}" for page in pages), settings])
                           .encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def index_inputs(articles: list[Article], pages: list[Page], settings: str, rows: list[str] | None = None,
                 frame: str | None = None) -> str:
    """A digest of everything build_index reads: each article's `index_rows` and the
    `index_frame` (`rows`, `frame`: the same, if already made). Equal inputs give an equal index, so the last
    build's can be used again (IndexSnapshot). A test changes each field of an article and
    checks that either this digest or the index changes: a field build_index starts to
    read must be added to index_rows."""
    h = hashlib.blake2b(digest_size=16)
    h.update("\n".join(index_rows(articles) if rows is None else rows).encode("utf-8", "surrogatepass"))
    h.update((index_frame(pages, settings) if frame is None else frame).encode())
    return h.hexdigest()


@dataclass
class IndexInputs:
    """What a build's index is made from, besides the articles and pages themselves."""

    digest: str  # index_inputs: equal digests, equal indexes
    rows: list[str]  # each article's index_rows, in the build's order of articles
    frame: str  # index_frame: the pages and settings
    keys: list[str]  # the articles' cache keys, as `rows`
    basis: str  # the frame and the registries, which the rows were read with
    count: int  # related articles per article


@dataclass
class IndexSnapshot:
    """The index a build made, with each article by its position in `paths` (newest first):
    kept in the build cache, and used again by a build whose `inputs` (index_inputs) are
    the same, instead of sorting, grouping and checking ten thousand articles again; or
    brought up to date for a few changed articles (site.delta)."""

    inputs: str
    paths: list[str]
    pages: list[str]  # source paths, in the index's order
    topics: list[tuple[Term, list[int]]]
    outlets: list[tuple[Term, list[int]]]
    years: list[tuple[int, list[int], list[tuple[int, list[int]]]]]  # year, articles, (month, articles)
    related: list[tuple[str, list[int]]]  # article URL, related articles
    # What it was made from (IndexInputs), less the digest: each article's row (in the
    # build's order), the frame, the articles' cache keys and the basis of their rows, and
    # the number of related articles.
    rows: list[str] = field(default_factory=list)
    frame: str = ""
    keys: list[str] = field(default_factory=list)
    basis: str = ""
    count: int = 0

    @classmethod
    def of(cls, index: SiteIndex, made: IndexInputs | str) -> IndexSnapshot:
        """`made`: what the index was made from, or only its digest."""
        position = dict(zip(map(id, index.articles), range(len(index.articles)), strict=True)).__getitem__

        def at(articles: list[Article]) -> list[int]:
            return list(map(position, map(id, articles)))  # in C: 90,000 at 10,000 articles

        # The related lists in one pass, then cut, all in C: a call per list costs more
        # than its few items.
        lists = list(index.related.values())
        flat = at(list(chain.from_iterable(lists)))
        ends = list(accumulate(map(len, lists)))
        cuts = map(slice, [0, *ends[:-1]], ends)
        related = list(zip(index.related, map(flat.__getitem__, cuts), strict=True))
        inputs = made if isinstance(made, IndexInputs) else IndexInputs(made, [], "", [], "", 0)
        return cls(
            inputs=inputs.digest,
            paths=[article.source_path for article in index.articles],
            pages=[page.source_path for page in index.pages],
            topics=[(listing.term, at(listing.articles)) for listing in index.topics],
            outlets=[(listing.term, at(listing.articles)) for listing in index.outlets],
            years=[(year.year, at(year.articles), [(month.month, at(month.articles)) for month in year.months])
                   for year in index.years],
            related=related,
            rows=inputs.rows,
            frame=inputs.frame,
            keys=inputs.keys,
            basis=inputs.basis,
            count=inputs.count,
        )

    def known_rows(self, basis: str) -> dict[str, str]:
        """Rows by article cache key, for index_rows, when read with the same `basis`."""
        if basis != self.basis or len(self.keys) != len(self.rows):
            return {}
        known = dict(zip(self.keys, self.rows, strict=True))
        known.pop("", None)  # an article with no cache key: not known by it
        return known

    def memo(self, articles: list[Article], rows: list[str]) -> RelatedMemo:
        """This index's related lists as build_index's memo, for a build of `articles`
        (`rows`: their index_rows): an article whose row is the one this index was made
        with has its entry as then; one whose row changed, an entry that marks it changed,
        so that the lists holding it are ranked again (`_reached`)."""
        if not self.count or len(self.rows) != len(self.paths):
            return RelatedMemo()
        was = set(self.rows)
        same = {article.source_path: article for article, row in zip(articles, rows, strict=True) if row in was}
        paths = self.paths
        entries: dict[str, tuple[tuple[float, str], tuple[str, ...], tuple[str, ...]]] = {}
        for path, (_url, positions) in zip(paths, self.related, strict=True):
            article = same.get(path)
            listed = tuple([paths[j] for j in positions])
            entries[path] = ((newest_first(article), tuple(term.slug for term in article.topics), listed)
                             if article is not None else (_CHANGED, (), listed))
        return RelatedMemo(self.count, False, entries)

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
    re-topiced (their relative order stays when others move). Made from the last build's
    index (IndexSnapshot.memo)."""

    count: int = 0
    changed: bool = False  # brought up to date since made
    # source path -> (newest_first key, topic slugs, related source paths)
    entries: dict[str, tuple[tuple[float, str], tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)


_CHANGED = (math.inf, "")  # a memo entry's key no article has: the article changed


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
    members: dict[str, set[int]] = {}  # made as the lists ranked need them
    result: list[list[int] | None] = [None] * len(topic_sets)
    for position in range(len(topic_sets)) if only is None else only:
        result[position] = rank_one(position, topic_sets[position], by_topic, members, count)
    return result


def rank_one(position: int, topics: tuple[str, ...], by_topic: Mapping[str, list[int]],
             members: dict[str, set[int]], count: int) -> list[int]:
    """The related list of the item at `position` (see related_by_topics): `by_topic`, each
    topic's items by position, ascending; `members`, the same as sets, where made (the
    others are made here and kept)."""
    order = sorted(topics, key=lambda slug: len(by_topic[slug]))
    lists = [by_topic[slug] for slug in order]
    sets = []  # smallest first, as in each combination below
    for slug in order:
        found = members.get(slug)
        if found is None:
            found = members[slug] = set(by_topic[slug])
        sets.append(found)
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
                found_now: set[int] = set()
                for group in combinations(sets, shared):
                    found_now |= group[0].intersection(*group[1:])
                found_now -= taken
                for other in sorted(found_now)[: count - len(chosen)]:
                    taken.add(other)
                    chosen.append(other)
                break
    return chosen


# Items a level's walk looks at before the rest of the level is found by set operations
# (related_by_topics): where candidates are dense the walk fills the list sooner.
_WALK_BEFORE_SETS = 32
