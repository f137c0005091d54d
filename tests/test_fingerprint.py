"""Page fingerprints: different contexts never share a digest; equal ones always do."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newsarchive.content.model import Article, Body, Term
from newsarchive.render.fingerprint import Fingerprints
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
