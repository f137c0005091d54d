"""Each validation error: the field, the line, and a message a maintainer can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.config import Config
from newsarchive.content.article import read_article
from newsarchive.content.markdown import MarkdownRenderer

GOOD = """\
title: A title
date: 2016-06-22
outlet: Press TV
topics: [Syria]
"""


def check(tmp_path: Path, front: str, body: str = "Text.\n", timezone: str = "UTC"):
    config = Config(content_dir=tmp_path, timezone=timezone)
    text = "---\n" + front + "---\n" + body
    return read_article("articles/a.md", text, config, MarkdownRenderer())


def only_error(tmp_path: Path, front: str, body: str = "Text.\n"):
    article, errors = check(tmp_path, front, body)
    assert article is None
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_article(tmp_path):
    article, errors = check(tmp_path, GOOD)
    assert errors == []
    assert article.title == "A title"
    assert article.slug == "a"
    assert article.outlet.slug == "press-tv"
    assert [t.name for t in article.topics] == ["Syria"]
    assert article.date.isoformat() == "2016-06-22T00:00:00+00:00"
    assert article.summary == "Text."


@pytest.mark.parametrize(
    ("front", "line", "field", "fragment"),
    [
        (GOOD + "titel: x\n", 6, "titel", "unknown field"),
        (GOOD.replace("title: A title", 'title: ""'), 2, "title", "must not be empty"),
        (GOOD.replace("title: A title", "title: 2016"), 2, "title", "expected text, found the number 2016"),
        (GOOD.replace("2016-06-22", "2016-02-30"), 3, "date", "not a real date"),
        (GOOD.replace("2016-06-22", "0000-01-01"), 3, "date", "not a real date"),
        (GOOD.replace("2016-06-22", "22/06/2016"), 3, "date", "not an ISO 8601 date"),
        (GOOD.replace("2016-06-22", "20160622"), 3, "date", "found the number"),
        (GOOD.replace("topics: [Syria]", "topics: Syria"), 5, "topics", "found a single text"),
        (GOOD.replace("topics: [Syria]", "topics: []"), 5, "topics", "non-empty list"),
        (GOOD.replace("topics: [Syria]", "topics: [Syria, syria]"), 5, "topics.1", "listed twice"),
        (GOOD + "source_url: www.presstv.ir/x\n", 6, "source_url", "absolute http(s) address"),
        (GOOD + "updated: 2016-06-01\n", 6, "updated", "before the article's date"),
        (GOOD + "language: english\n", 6, "language", "not a BCP 47"),
        (GOOD + "language: no\n", 6, "language", "found false"),
        (GOOD + "slug: Bad Slug!\n", 6, "slug", "not a valid slug"),
        (GOOD + "draft: maybe\n", 6, "draft", "expected true or false"),
        (GOOD + "id: not an id\n", 6, "id", "not a URI or UUID"),
        (GOOD + "images: photo.jpg\n", 6, "images", "expected a list of images"),
        (GOOD + "images:\n  - credit: AFP\n", 7, "images.0", "caption is missing"),
        (GOOD + "images:\n  - caption: A\n    captoin: B\n", 8, "images.0.captoin", "unknown image field"),
        (GOOD + "images:\n  - caption: A\n    src: missing.jpg\n", 8, "images.0.src", "not found"),
        (GOOD + "images:\n  - caption: A\n    src: ../../etc/passwd\n", 8, "images.0.src", "goes up out of"),
        (GOOD + "images:\n  - caption: A\n    src: /etc/passwd\n", 8, "images.0.src", "absolute path"),
        (GOOD + "images:\n  - caption: A\n    src: https://x.test/a.jpg\n", 8, "images.0.src", "remote images"),
    ],
)
def test_each_error_names_field_and_line(tmp_path, front, line, field, fragment):
    error = only_error(tmp_path, front)
    assert (error.field, error.line) == (field, line)
    assert fragment in error.message
    assert str(error).startswith(f"articles/a.md:{line}: {field}: ")


def test_unknown_field_suggests_the_nearest_one(tmp_path):
    assert only_error(tmp_path, GOOD + "sumary: x\n").hint == "did you mean 'summary'?"


def test_missing_required_fields_are_all_reported(tmp_path):
    article, errors = check(tmp_path, "byline: Someone\n")
    assert article is None
    assert sorted(e.field for e in errors) == ["date", "outlet", "title", "topics"]
    assert all(e.message == "missing" for e in errors)


def test_figure_references_are_checked_with_body_lines(tmp_path):
    front = GOOD + "images:\n  - caption: Lead\n  - caption: Second\n"
    body = "\nFirst paragraph.\n\n[[figure 3]]\n\n[[figure 1]]\n"
    article, errors = check(tmp_path, front, body)
    assert article is None
    # The body starts after line 10 ('---'): the blank line is 10, 'First' 11, figure 3 on 13.
    assert [(e.line, e.field) for e in errors] == [(13, "body"), (15, "body")]
    assert "has 2 image(s)" in errors[0].message
    assert "lead image" in errors[1].message


def test_figures_placed_and_trailing(tmp_path):
    front = GOOD + "images:\n  - caption: Lead\n  - caption: Two\n  - caption: Three\n"
    article, errors = check(tmp_path, front, "Para.\n\n[[figure 3]]\n\n```\n[[figure 2]]\n```\n")
    assert errors == []
    assert "<!--newsarchive:figure 3-->" in article.body_html
    assert "[[figure 2]]" in article.body_html  # inside code it stays text
    assert [i.caption for i in article.trailing_images] == ["Two"]


def test_dates_with_offsets_and_time_zone(tmp_path):
    article, _ = check(tmp_path, GOOD.replace("2016-06-22", "2016-06-22T01:30:00+04:30"))
    assert article.date.isoformat() == "2016-06-21T21:00:00+00:00"  # same instant, site zone
    article, _ = check(tmp_path, GOOD.replace("2016-06-22", "2016-06-22T09:00"), timezone="Asia/Tehran")
    assert article.date.utcoffset().total_seconds() == 4.5 * 3600


def test_rtl_language_sets_direction(tmp_path):
    article, _ = check(tmp_path, GOOD + "language: ar\n")
    assert (article.language, article.direction) == ("ar", "rtl")


def test_summary_from_first_paragraph_as_plain_text(tmp_path):
    article, _ = check(tmp_path, GOOD, "# Heading\n\nSome *emphasis* &amp; a [link](https://x.test/)[^1].\n\n[^1]: Note.\n")
    assert article.summary == "Some emphasis & a link."


def test_image_size_is_read(tmp_path):
    from PIL import Image as PILImage

    (tmp_path / "articles").mkdir()
    PILImage.new("RGB", (64, 40)).save(tmp_path / "articles" / "p.png")
    article, errors = check(tmp_path, GOOD + "images:\n  - caption: A\n    src: p.png\n")
    assert errors == []
    assert (article.images[0].width, article.images[0].height) == (64, 40)


def test_smarty_is_off_by_default():
    assert MarkdownRenderer().convert('"quoted"') == '<p>"quoted"</p>'
    # The sanitiser writes smarty's entities as the characters themselves.
    assert "“quoted”" in MarkdownRenderer(smarty=True).convert('"quoted"')
