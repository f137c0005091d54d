"""The last index brought up to date (site.delta) is the one build_index makes afresh."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.config import Config
from newsarchive.content.model import Article, Body, Page, Term
from newsarchive.site import delta
from newsarchive.site.delta import updated_index
from newsarchive.site.index import (
    IndexInputs,
    IndexSnapshot,
    SiteIndex,
    _related,
    build_index,
    index_frame,
    index_inputs,
    index_rows,
)
from newsarchive.site.urls import Urls

URLS = Urls(Config(base_url="https://example.org/"))
PAGES = [Page(source_path="pages/about.md", slug="about", title="About", body_html="")]
BASE = datetime(2019, 11, 20, tzinfo=UTC)
# Two spellings of one slug ("Big", "BIG"), so that an article can conflict with a listing.
TOPICS = ["Big", "Mid", "Small", "Tiny", "Odd", "BIG"]
OUTLETS = ["Herald", "Courier", "Post"]


def _article(n: int, day: int, slug: int, topics: tuple[int, ...], outlet: int, ident: int) -> Article:
    return Article(source_path=f"articles/{n:03d}.md", slug=f"s{slug}", title=f"Article {n}",
                   date=BASE + timedelta(days=day * 7), outlet=Term(OUTLETS[outlet], OUTLETS[outlet].lower()),
                   topics=tuple(Term(TOPICS[t], TOPICS[t].lower()) for t in topics),
                   body=Body(text=""), summary="", id=f"tag:x,{ident}" if ident else "")


def _shape(index: SiteIndex) -> dict:
    """The index as plain data: every list by source path."""
    def paths(articles: list[Article]) -> list[str]:
        return [article.source_path for article in articles]

    return {
        "articles": paths(index.articles),
        "pages": [page.source_path for page in index.pages],
        "topics": [(listing.term, paths(listing.articles)) for listing in index.topics],
        "outlets": [(listing.term, paths(listing.articles)) for listing in index.outlets],
        "years": [(year.year, paths(year.articles), [(m.month, paths(m.articles)) for m in year.months])
                  for year in index.years],
        "related": {url: paths(related) for url, related in index.related.items()},
    }


spec = st.tuples(st.integers(0, 40), st.integers(0, 60),
                 st.lists(st.integers(0, len(TOPICS) - 1), min_size=1, max_size=3, unique=True).map(tuple),
                 st.integers(0, len(OUTLETS) - 1), st.integers(0, 40))
change = st.tuples(st.sampled_from(["add", "add", "remove", "topics", "date", "slug", "outlet", "id"]),
                   st.integers(0, 1000), spec)


def _inputs(listed: list[Article], rows: list[str] | None = None, count: int = 3) -> IndexInputs:
    rows = index_rows(listed) if rows is None else rows
    frame = index_frame(PAGES, "settings")
    return IndexInputs(index_inputs(listed, PAGES, "settings", rows, frame), rows, frame,
                       [a.body.key for a in listed], "basis", count)


@settings(max_examples=250, deadline=None)
@given(st.lists(spec, min_size=1, max_size=25), st.lists(st.lists(change, min_size=1, max_size=4), max_size=6),
       st.integers(1, 5))
def test_an_updated_index_is_the_one_made_afresh(start, builds, count) -> None:
    """Random builds of a few changes each: where the update is made, it equals
    build_index's index; where build_index finds an error, there is no update. And the
    last index's related lists as build_index's memo (IndexSnapshot.memo) give the lists
    ranked afresh."""
    articles = {f"articles/{n:03d}.md": _article(n, *s) for n, s in enumerate(start)}
    listed = sorted(articles.values(), key=lambda a: a.source_path)
    index, errors = build_index(listed, PAGES, URLS, count)
    if errors:
        return
    snapshot = IndexSnapshot.of(index, _inputs(listed, count=count))
    following = len(start)
    for changes in builds:
        now = dict(articles)
        for kind, which, (day, slug, topics, outlet, ident) in changes:
            paths = sorted(now)
            if kind == "add" or not paths:
                now[f"articles/{following:03d}.md"] = _article(following, day, slug, topics, outlet, ident)
                following += 1
                continue
            path = paths[which % len(paths)]
            article = now[path]
            if kind == "remove":
                del now[path]
            elif kind == "topics":
                now[path] = replace(article, topics=tuple(Term(TOPICS[t], TOPICS[t].lower()) for t in topics))
            elif kind == "date":
                now[path] = replace(article, date=BASE + timedelta(days=day * 7))
            elif kind == "slug":
                now[path] = replace(article, slug=f"s{slug}")
            elif kind == "outlet":
                now[path] = replace(article, outlet=Term(OUTLETS[outlet], OUTLETS[outlet].lower()))
            else:
                now[path] = replace(article, id=f"tag:x,{ident}" if ident else "")
        listed = sorted(now.values(), key=lambda a: a.source_path)
        if not listed:
            continue
        rows = index_rows(listed)
        fresh, errors = build_index(listed, PAGES, URLS, count)
        updated = updated_index(snapshot, listed, rows, PAGES, index_frame(PAGES, "settings"), URLS, count)
        if errors:
            assert updated is None
            continue  # a failed build: the next starts from the last good one
        if updated is not None:
            assert _shape(updated) == _shape(fresh)
        ordered = fresh.articles
        assert _related(ordered, URLS, count, snapshot.memo(listed, rows)) == _related(ordered, URLS, count)
        articles = now
        snapshot = IndexSnapshot.of(updated or fresh, _inputs(listed, rows, count))


def _site(n: int) -> tuple[list[Article], IndexSnapshot]:
    articles = [_article(i, i % 50, i, (0, 1 + i % 4), i % 3, i + 1) for i in range(n)]
    index, errors = build_index(articles, PAGES, URLS, 3)
    assert not errors
    return articles, IndexSnapshot.of(index, _inputs(articles))


def _update(articles: list[Article], snapshot: IndexSnapshot, frame: str | None = None):
    return updated_index(snapshot, articles, index_rows(articles), PAGES,
                         frame or index_frame(PAGES, "settings"), URLS, 3)


def test_an_addition_is_an_update_and_each_error_is_left_to_build_index() -> None:
    articles, snapshot = _site(40)
    added = _article(100, 3, 100, (1, 2), 0, 100)
    assert _update([*articles, added], snapshot) is not None
    # The same URL (date and slug) as another article, or its id: build_index reports it.
    assert _update([*articles, replace(added, slug="s7", date=articles[7].date)], snapshot) is None
    assert _update([*articles, replace(added, id=articles[3].id)], snapshot) is None
    # "BIG" where the listing of the slug "big" says "Big": two spellings, an error.
    assert _update([*articles, replace(added, topics=(Term("BIG", "big"),))], snapshot) is None
    # Other settings or pages, another related count, or too many changes: made afresh.
    assert _update([*articles, added], snapshot, index_frame(PAGES, "other")) is None
    assert updated_index(snapshot, [*articles, added], index_rows([*articles, added]), PAGES,
                         index_frame(PAGES, "settings"), URLS, 4) is None
    many = [_article(200 + i, i, 200 + i, (1,), 0, 0) for i in range(delta.UPDATE_MAX + 1)]
    assert _update([*articles, *many], snapshot) is None
    # Nothing changed: the snapshot is restored instead.
    assert _update(articles, snapshot) is None


def test_rows_known_by_cache_key_are_taken_and_the_others_made() -> None:
    """index_rows takes the last index's row of an article whose cache key it knows (read
    with the same settings and registries: its `basis`), and makes the others."""
    articles = [replace(a, body=Body(key=f"k{n}")) for n, a in enumerate(_site(6)[0])]
    rows = index_rows(articles)
    index, _ = build_index(articles, PAGES, URLS, 3)
    snapshot = IndexSnapshot.of(index, _inputs(articles, rows))
    known = snapshot.known_rows("basis")
    assert snapshot.known_rows("other basis") == {}
    assert index_rows(articles, known) == rows
    assert index_rows(articles, {key: f"row of {key}" for key in known}) == [f"row of k{n}" for n in range(6)]
    moved = [*articles[:2], replace(articles[2], slug="moved", body=Body(key="new")), *articles[3:]]
    assert index_rows(moved, known) == index_rows(moved) != rows
