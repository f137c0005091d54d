"""Page fingerprints: different contexts never share a digest; equal ones always do."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newsarchive.content.model import Article, Body, Term
from newsarchive.render.fingerprint import Fingerprints, Structure
from newsarchive.render.pages import PageJob


def _article(path: str, outlet: str = "O", topics: tuple[str, ...] = ("t",)) -> Article:
    return Article(source_path=path, slug="s", title="T", date=datetime(2020, 1, 1, tzinfo=UTC),
                   outlet=Term(outlet, outlet.lower()), topics=tuple(Term(t, t) for t in topics),
                   body=Body(path="/cache/pack", key=f"key-{path}"), summary="")


def _of(context: dict) -> str | None:
    return Fingerprints("site").of(PageJob("/x/", "page.html", context))


DIFFERENT = [
    {"a": ["ab"]}, {"a": ["a", "b"]}, {"a": "ab"}, {"a": 1}, {"a": True}, {"a": "1"}, {"a": None},
    {"a": "N"}, {"a": 1.0}, {"a": []}, {"a": [[]]}, {"a": date(2020, 1, 1)},
    {"a": datetime(2020, 1, 1)}, {"a": "2020-01-01"}, {"ab": ""}, {"a": "", "b": ""},
    {"a": _article("x")}, {"a": _article("y")}, {"a": _article("x", outlet="P")},
    {"a": _article("x", topics=("t", "u"))}, {"a": [_article("x"), _article("y")]},
    {"a": [_article("y"), _article("x")]}, {"a": Term("n", "s")}, {"a": Term("s", "n")},
]


def test_different_contexts_have_different_digests():
    digests = [_of(c) for c in DIFFERENT]
    assert None not in digests
    assert len(set(digests)) == len(DIFFERENT)


@pytest.mark.parametrize("context", DIFFERENT)
def test_equal_contexts_have_equal_digests(context):
    assert _of(context) == _of(dict(context))


def test_unknown_values_are_never_skipped():
    assert _of({"a": object()}) is None


def test_the_snapshot_covers_every_field_of_the_index():
    """IndexSnapshot keeps and restores each of these fields; a new one must be added there
    too, or a build using the snapshot would lose it."""
    from dataclasses import fields

    from newsarchive.site.index import Listing, Month, SiteIndex, Year

    assert {f.name for f in fields(SiteIndex)} == {"articles", "pages", "topics", "outlets", "years", "related"}
    assert {f.name for f in fields(Listing)} == {"term", "articles", "about"}  # about: added by describe
    assert {f.name for f in fields(Year)} == {"year", "months", "articles"}
    assert {f.name for f in fields(Month)} == {"year", "month", "articles"}


def _corpus() -> list[Article]:
    from dataclasses import replace

    topics = ("t", "u", "v")
    return [replace(_article(f"articles/{n}.md", outlet="OP"[n % 2], topics=topics[: 1 + n % 3]),
                    slug=f"s{n}", date=datetime(2020, 1 + n % 3, 1 + n, tzinfo=UTC)) for n in range(8)]


def _index(articles: list[Article]):
    from newsarchive.config import Config
    from newsarchive.site.index import IndexSnapshot, build_index
    from newsarchive.site.urls import Urls

    index, errors = build_index(articles, [], Urls(Config(base_url="https://example.org/")), 3)
    assert not errors
    return index, IndexSnapshot.of(index, "")


def _changed(value: object) -> object:
    """Another value of the same kind, for each kind an Article field holds."""
    from datetime import timedelta

    from newsarchive.content.model import Body, Image

    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, datetime):
        return value + timedelta(days=400)
    if value is None:  # updated
        return datetime(2021, 6, 1, tzinfo=UTC)
    if isinstance(value, Term):
        return Term("Zed", "zed")
    if isinstance(value, Body):
        return Body(path=value.path, key=value.key + "x")
    if isinstance(value, tuple):
        extra = {"topics": Term("Zed", "zed"), "images": Image("c", src="i.png"), "aliases": "old/x/",
                 "field_lines": ("title", 3)}
        return value + (extra.get(_changed.field, "n") if _changed.field != "trailing_images" else Image("c"),)
    raise AssertionError(f"no other value for {value!r}")


def test_index_inputs_change_with_every_field_the_index_depends_on():
    """For each field of an article: changing it changes index_inputs, or leaves the index
    as it was. A field build_index starts to read fails here until index_inputs reads it."""
    from dataclasses import fields, replace

    from newsarchive.site.index import index_inputs

    articles = _corpus()
    inputs = index_inputs(articles, [], "settings")
    _, snapshot = _index(articles)
    moved = set()
    for f in fields(Article):
        _changed.field = f.name
        for i in (0, 5):
            other = list(articles)
            other[i] = replace(articles[i], **{f.name: _changed(getattr(articles[i], f.name))})
            if index_inputs(other, [], "settings") != inputs:
                moved.add(f.name)
            else:
                assert _index(other)[1] == snapshot, f"{f.name} changes the index, not index_inputs"
    assert {"source_path", "slug", "date", "outlet", "topics", "id"} <= moved
    assert "body" not in moved and "title" not in moved


def test_the_snapshot_gives_back_the_index_it_was_made_from():
    import random

    articles = _corpus()
    index, snapshot = _index(articles)
    shuffled = list(articles)
    random.Random(1).shuffle(shuffled)
    assert snapshot.restore(shuffled, []) == index
    assert snapshot.restore(articles[1:], []) is None  # not the articles it was made of


def test_structure_changes_with_the_site_the_index_and_the_registries():
    from dataclasses import replace

    from newsarchive.content.registry import Entry

    articles = _corpus()
    index, _ = _index(articles)
    digest = Structure.of(index, "site", False, "inputs").digest
    assert Structure.of(index, "site", False, "inputs").digest == digest
    described, _ = _index(articles)
    described.topics[0].about = Entry(name="t", slug="t", description="About t.")
    for other in (Structure.of(index, "other site", False, "inputs"), Structure.of(index, "site", True, "inputs"),
                  Structure.of(index, "site", False, "other inputs"), Structure.of(described, "site", False, "inputs")):
        assert other.digest != digest
    keys = [article.body.key for article in index.articles]
    edited = [replace(a, body=replace(a.body, key="new")) if i == 2 else a for i, a in enumerate(index.articles)]
    same = Structure(digest, [a.body.key for a in edited])
    assert same.changed_since(digest, keys, edited) == {id(edited[2])}
    assert same.changed_since("another structure", keys, edited) is None


def test_kept_pages_are_those_whose_articles_and_lists_are_the_last_build_s():
    """After an addition, an article page is kept when its article and its related list are
    the last build's, a listing page when its listing (year, month) holds the same articles;
    never when the frame (site, registries) changed or the last index is not the one the
    pages were made from."""
    from dataclasses import replace

    from newsarchive.config import Config
    from newsarchive.render.pages import page_jobs
    from newsarchive.site.index import IndexSnapshot
    from newsarchive.site.urls import Urls

    articles = _corpus()
    before, _ = _index(articles)
    snapshot = IndexSnapshot.of(before, "inputs before")
    last = Structure.of(before, "site", False, "inputs before")
    config = Config(base_url="https://example.org/", per_page=2)

    def kept(articles: list[Article], frame: str = last.frame, inputs: str = "inputs before",
             keys: list[str] = last.keys, **structure: object) -> set[str]:
        index, _ = _index(articles)
        jobs = list(page_jobs(index, config, Urls(config), None))  # type: ignore[arg-type]
        now = Structure.of(index, *structure.get("site_search", ("site", False)), "inputs after",  # type: ignore[misc]
                           registries=structure.get("registries"))
        return now.kept_pages(frame, inputs, keys, snapshot, index, jobs)

    urls = set(before.related)
    # An article of a topic and an outlet of its own, in a year of its own: no other
    # related list changes, nor any listing, year or month but its own.
    alone = replace(_article("articles/new.md", outlet="Q", topics=("w",)), slug="new",
                    date=datetime(2021, 1, 1, tzinfo=UTC))
    every = {job.url for job in page_jobs(_index([*articles, alone])[0], config, Urls(config), None)}  # type: ignore[arg-type]

    def pages_of(*prefixes: str) -> set[str]:
        return {url for url in every if url.startswith(prefixes)}

    lists = pages_of("/topics/t/", "/topics/u/", "/topics/v/", "/outlets/o/", "/outlets/p/", "/archive/2020/")
    assert len(lists) > 12
    assert kept([*articles, alone]) == urls | lists
    # In an outlet and a year others are in, and newest in the first topic: it enters that
    # topic's related lists, and changes its topic, outlet, year and month.
    joining = replace(alone, outlet=Term("O", "o"), topics=(Term("t", "t"),), date=datetime(2020, 3, 28, tzinfo=UTC))
    reached = {url for url, listed in _index([*articles, joining])[0].related.items()
               if joining in listed or joining.slug in url}
    assert kept([*articles, joining]) & urls == urls - reached and urls - reached
    assert kept([*articles, joining]) - urls == pages_of("/topics/u/", "/topics/v/", "/outlets/p/")
    # Nothing is kept from another frame, or from an index the pages were not made from.
    assert not kept([*articles, alone], inputs="other inputs")
    assert not kept([*articles, alone], site_search=("other site", False))
    assert not kept([*articles, alone], site_search=("site", True))
    assert not kept([*articles, alone], registries="other registries")
    # An article whose file changed is not kept, nor the pages that list it.
    first = before.articles[0]
    edited = [replace(a, body=replace(a.body, key="new")) if a is first else a for a in articles]
    listing = {url for url, listed in before.related.items() if first in listed}
    assert kept([*edited, alone]) & urls == urls - listing - {url for url in urls if first.slug in url}
    assert not kept([*edited, alone]) & {"/topics/t/", "/outlets/p/", "/archive/2020/", "/archive/2020/03/"}


def test_shows_finds_an_article_wherever_a_fingerprint_would_meet_it():
    from newsarchive.site.index import Listing, paginate

    a, b = _article("a"), _article("b")
    prints = Fingerprints("site")
    changed = {id(a)}
    [pager] = paginate([b, a], 5, lambda n: f"/p/{n}/")
    for context in ({"article": a}, {"related": [b, a]}, {"x": [[a]]}, {"pager": pager}, {"x": (b, a)},
                    {"x": {"y": a}}, {"x": object()}):
        assert prints.shows(context, changed), context
    # A listing is walked shallowly: its articles only counted, its fields in the structure.
    for context in ({"article": b, "title": "T", "related": [b]}, {"listing": Listing(Term("t", "t"), [a])},
                    {"x": Term("n", "s")}, {"d": date(2020, 1, 1)}, {"n": 1, "f": 1.5, "none": None}):
        assert not prints.shows(context, changed), context
