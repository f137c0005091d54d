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


def test_structure_covers_every_field_of_the_index():
    """Structure.of writes out each of these fields; a new one must be added there too, or a
    page could keep a fingerprint made from inputs that have changed."""
    from dataclasses import fields

    from newsarchive.site.index import Listing, Month, SiteIndex, Year

    assert {f.name for f in fields(SiteIndex)} == {"articles", "pages", "topics", "outlets", "years", "related"}
    assert {f.name for f in fields(Listing)} == {"term", "articles", "about"}
    assert {f.name for f in fields(Year)} == {"year", "months", "articles"}
    assert {f.name for f in fields(Month)} == {"year", "month", "articles"}


def test_structure_changes_with_the_index_not_with_an_article_body():
    from dataclasses import replace

    from newsarchive.site.index import Listing, SiteIndex

    a, b = _article("a"), _article("b")

    def index(articles, term="t", related=None):
        return SiteIndex(articles=articles, pages=[], topics=[Listing(Term(term, "t"), list(articles))],
                         outlets=[], years=[], related=related or {})

    digest = Structure.of(index([a, b]), "site", False).digest
    edited = replace(a, body=replace(a.body, key="another key"), title="Another title")
    assert Structure.of(index([edited, b]), "site", False).digest == digest
    for other in (Structure.of(index([b, a]), "site", False), Structure.of(index([a]), "site", False),
                  Structure.of(index([a, b], term="T"), "site", False),
                  Structure.of(index([a, b], related={"/a/": [b]}), "site", False),
                  Structure.of(index([a, b]), "site", True), Structure.of(index([a, b]), "other site", False)):
        assert other.digest != digest
    same = Structure.of(index([edited, b]), "site", False)
    assert same.changed_since(digest, ["key-a", "key-b"], [edited, b]) == {id(edited)}
    assert same.changed_since("an older structure", ["key-a", "key-b"], [edited, b]) is None


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
