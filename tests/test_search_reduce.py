"""Pagefind is fed a reduced document per page (search.reduce_page): the page without what
Pagefind makes nothing of. The bundle must be the very one the whole pages give."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_reader_pages import png

from conftest import BASIC_ARTICLE, Site
from newsarchive import search
from sitecheck import tree

BINARY = search.pagefind_binary()
pytestmark = pytest.mark.skipif(BINARY is None, reason="Pagefind is not installed")


def bundle(pages: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Pagefind's bundle (made deterministic) of the given documents."""
    site = folder / "site"
    for rel, data in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    assert BINARY is not None
    subprocess.run([str(BINARY), "--site", str(site), "--output-path", str(folder / "bundle"), "--silent"],
                   check=True, capture_output=True)
    search.canonicalise(folder / "bundle")
    return tree(folder / "bundle")


def test_the_reduced_documents_give_the_bundle_of_the_whole_pages(site: Site, tmp_path: Path) -> None:
    png(site.content / "articles/images/one.png", 40, 30)
    site.article("pics", BASIC_ARTICLE + """byline: Ann Writer
updated: 2020-01-05
images:
  - src: images/one.png
    caption: The lead photo
    credit: Agency
  - caption: A lost photo
    credit: AFP
""", "## A heading {#anchor}\n\nPara one about *politics*.\n\n[[figure 2]]\n\nPara two.\n")
    site.article("plain", BASIC_ARTICLE.replace("2020-01-02", "2019-05-06").replace("A basic", "A plain"),
                 "Words about politics and [a link](https://example.com/).\n")
    site.article("ar", """
title: "كيري يلتقي دبلوماسيين"
date: 2016-06-23
outlet: الجزيرة
topics: [Syria, Politics]
language: ar
""", "نص المقال.\n")
    site.article("fr", """
title: Un article en français
date: 2018-02-03
outlet: Le Journal
topics: [Politics]
language: fr
""", "Le texte de l'article.\n")
    site.build()
    pages = {p.relative_to(site.output).as_posix(): p.read_bytes()
             for p in site.output.rglob("index.html") if b"data-pagefind-body" in p.read_bytes()}
    assert len(pages) == 4
    reduced = {rel: search.reduce_page(data) for rel, data in pages.items()}
    for rel, data in reduced.items():  # the chrome and the related articles are gone
        assert len(data) < len(pages[rel]) / 2, rel
        assert b"Related articles" in pages[rel] and b"Related articles" not in data
        assert b'class="site-nav"' not in data and b"<title>" in data
    assert bundle(reduced, tmp_path / "reduced") == bundle(pages, tmp_path / "whole")


PAGE = b"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Story \xc2\xb7 Site</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header><a href="/">Site</a></header>
<main>
<article class="article" data-pagefind-body>
<h1 data-pagefind-meta="title">Story</h1>
<p>Words.</p>
</article>
<section class="related"><h2>Related</h2><p>Other story</p></section>
</main>
</body>
</html>
"""


def test_a_page_is_reduced_to_its_title_and_indexed_article() -> None:
    assert search.reduce_page(PAGE) == b"""<!doctype html>
<html lang="en">
<head><title>Story \xc2\xb7 Site</title>
</head>
<body>
<article class="article" data-pagefind-body>
<h1 data-pagefind-meta="title">Story</h1>
<p>Words.</p>
</article>
</body>
</html>
"""


@pytest.mark.parametrize("change", [
    (b"<header>", b'<header data-pagefind-filter="section:news">'),  # a filter outside the body
    (b'<link rel="stylesheet"', b'<meta data-pagefind-meta="image[content]" content="/a.png"><link'),
    (b"<p>Other story</p>", b'<p>Other story</p><IMG src="/thumb.png">'),  # Pagefind's default image
    (b"<header>", b"<header><h1>Site</h1>"),  # Pagefind's default title
    (b"<section", b"<section data-pagefind-body"),  # a second indexed region
    (b'<article class="article" data-pagefind-body>', b'<article class="article">'),  # no indexed article
    (b"<title>", b"<TITLE>"),  # not where it is looked for
    (b"</article>", b"</div>"),
])
def test_a_page_whose_chrome_pagefind_would_read_is_kept_whole(change: tuple[bytes, bytes]) -> None:
    page = PAGE.replace(*change)
    assert page != PAGE
    assert search.reduce_page(page) == page
