"""Article addresses and pagers: the shortcuts the index takes equal the plain definitions."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.config import Config
from newsarchive.content.model import Article, Body, Term
from newsarchive.site.index import paginate
from newsarchive.site.urls import Urls


def article(slug: str, date: datetime) -> Article:
    return Article(source_path=f"a/{slug}.md", slug=slug, title=slug, date=date, outlet=Term("O", "o"),
                   topics=(), body=Body(text=""), summary="")


SLUGS = ["plain-slug", "kerry-meets-lavrov", "é-accentué", "مقالة", "with space", "a%b", "q?x", "x#y", "", "a/b",
         "日本語", "~tilde_.dot"]


@pytest.mark.parametrize("base_url", ["https://example.org/", "https://example.org/archive/",
                                      "https://example.org/ärchiv/"])
@pytest.mark.parametrize("slug", SLUGS)
def test_an_article_address_is_its_quoted_path(base_url: str, slug: str) -> None:
    """Year, month and slug under the base path, percent-encoded, whatever the slug holds."""
    config = Config(base_url=base_url)
    urls = Urls(config)
    date = datetime(2016, 3, 7, 12, 0, tzinfo=UTC)
    segments = "/".join(part for part in ("2016", "03", slug) if part)
    expected = quote(f"{config.base_path}{segments}/", safe="/:")
    item = article(slug, date)
    assert urls.article(item) == expected
    assert urls.article(item) == expected  # the remembered answer too


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=95), st.integers(min_value=1, max_value=12))
def test_a_pager_links_each_page_by_number(count: int, per_page: int) -> None:
    """Every pager's links are the addresses of the pages they name, and the pages between
    them hold every item once, in order."""
    items = list(range(count))
    pagers = paginate(items, per_page, lambda n: f"/l/page/{n}/")
    total = len(pagers)
    assert total == max(1, -(-count // per_page))
    assert [item for pager in pagers for item in pager.items] == items
    for pager in pagers:
        n = pager.number
        assert pager.total == total
        assert pager.url == f"/l/page/{n}/"
        assert pager.prev_url == (f"/l/page/{n - 1}/" if n > 1 else "")
        assert pager.next_url == (f"/l/page/{n + 1}/" if n < total else "")
        assert (pager.first_url, pager.last_url) == ("/l/page/1/", f"/l/page/{total}/")
        assert pager.pages == tuple((k, f"/l/page/{k}/") for k in range(1, total + 1))
