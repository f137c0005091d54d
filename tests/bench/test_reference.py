"""bench/reference.py: the corpus as a Pelican project and a Hugo site, checked on 5 articles."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from bench_scripts import load, tree

corpus = load("corpus")
reference = load("reference")


def pelican_meta(path: Path) -> tuple[dict[str, str], str]:
    """The header as Python-Markdown's meta extension reads it: `Key: value` lines, then a blank."""
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta = {}
    for line in header.splitlines():
        key, sep, value = line.partition(": ")
        assert sep and key[0].isupper() and value == value.strip(), line
        meta[key] = value
    return meta, body


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus-5")
    corpus.generate(root, 5, seed=1)
    return root


@pytest.fixture(scope="module")
def sources(small: Path) -> list:
    articles, _ = reference.read_corpus(small)
    return articles


@pytest.fixture(scope="module")
def pelican_site(small: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    site = tmp_path_factory.mktemp("sites") / "pelican-5"
    return site, reference.convert_pelican(small, site)


@pytest.fixture(scope="module")
def hugo_site(small: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    site = tmp_path_factory.mktemp("sites") / "hugo-5"
    return site, reference.convert_hugo(small, site)


def test_reads_every_article(sources: list) -> None:
    assert len(sources) == 5
    for index, source in enumerate(sorted(sources, key=lambda s: s.slug[-8:]), 1):
        article = corpus.make_article(1, index)
        assert source.relpath == article.relpath
        assert source.meta["date"] == article.date  # text, not a YAML timestamp
        assert source.meta["topics"] == list(article.topics)


def test_pelican_header_fields(pelican_site: tuple[Path, object], sources: list) -> None:
    site, _ = pelican_site
    for source in sources:
        meta, body = pelican_meta(site / "content" / source.relpath)
        fm = source.meta
        assert meta["Title"] == fm["title"] and meta["Date"] == reference.site_date(fm["date"])
        assert meta["Category"] == fm["outlet"]
        assert meta["Tags"].split(", ") == fm["topics"]
        assert meta["Slug"] == Path(source.relpath).stem
        assert meta["Source_url"] == fm["source_url"] and meta["Guid"] == fm["id"]
        assert meta.get("Lang") == fm.get("language") and meta.get("Byline") == fm.get("byline")
        assert "[[figure" not in body


def test_pelican_settings(pelican_site: tuple[Path, object]) -> None:
    site, _ = pelican_site
    settings: dict = {}
    exec((site / "pelicanconf.py").read_text(encoding="utf-8"), settings)  # plain assignments
    assert settings["CACHE_CONTENT"] is False and settings["LOAD_CONTENT_CACHE"] is False
    assert settings["DEFAULT_PAGINATION"] == 20 and settings["RELATIVE_URLS"] is False
    assert settings["FEED_ALL_ATOM"] and settings["FEED_ALL_RSS"]
    for key in ("CATEGORY_FEED_ATOM", "CATEGORY_FEED_RSS", "TAG_FEED_ATOM", "TAG_FEED_RSS"):
        assert "{slug}" in settings[key], key
    extensions = settings["MARKDOWN"]["extension_configs"]
    assert "markdown.extensions.extra" in extensions and "markdown.extensions.smarty" not in extensions
    assert settings["YEAR_ARCHIVE_SAVE_AS"] and settings["MONTH_ARCHIVE_SAVE_AS"]
    assert (site / "content" / "pages" / "about.md").read_text().startswith("Title: About\n")


def test_hugo_front_matter_and_taxonomies(hugo_site: tuple[Path, object], sources: list) -> None:
    site, _ = hugo_site
    for source in sources:
        text = (site / "content" / source.relpath).read_text(encoding="utf-8")
        fm, body = reference.split_front_matter(text)
        assert fm["title"] == source.meta["title"] and fm["date"] == reference.site_date(source.meta["date"])
        assert fm["outlets"] == [source.meta["outlet"]] and fm["topics"] == source.meta["topics"]
        assert fm["slug"] == Path(source.relpath).stem and fm["guid"] == source.meta["id"]
        assert yaml.safe_load(text.split("---\n")[1])["date"]  # Hugo's YAML reads it as a date
        assert "[[figure" not in body
    config = tomllib.loads((site / "hugo.toml").read_text(encoding="utf-8"))
    assert config["taxonomies"] == {"outlet": "outlets", "topic": "topics"}
    assert config["outputs"]["term"] == ["html", "rss", "atom"] and config["pagination"]["pagerSize"] == 20
    assert config["markup"]["goldmark"]["extensions"]["typographer"]["disable"] is True
    for layout in ("baseof.html", "home.html", "page.html", "section.html", "taxonomy.html",
                   "term.html", "rss.xml", "atom.xml"):
        assert (site / "layouts" / layout).is_file(), layout
    assert (site / "content" / "about.md").is_file()


def test_images_copied_and_placed(small: Path, pelican_site: tuple[Path, object],
                                  hugo_site: tuple[Path, object], sources: list) -> None:
    images = {p.relative_to(small).as_posix() for p in reference.image_files(small)}
    assert images
    (pelican, expected), (hugo, _) = pelican_site, hugo_site
    assert expected.images == len(images)
    assert {p.relative_to(pelican / "content").as_posix() for p in pelican.rglob("*.png")} == images
    assert {p.relative_to(hugo / "static").as_posix() for p in hugo.rglob("*.png")} == images
    for source in sources:
        pelican_text = (pelican / "content" / source.relpath).read_text(encoding="utf-8")
        hugo_text = (hugo / "content" / source.relpath).read_text(encoding="utf-8")
        for figure in source.figures:
            assert reference.escape_markdown(figure.caption) in pelican_text
            if figure.src:
                assert f"({{static}}{figure.src})" in pelican_text
                assert f"(/{source.folder}/{figure.src})" in hugo_text


def test_site_date_is_the_same_instant_in_utc() -> None:
    # 01:00 at +03:00 on New Year's Day is still the old year in UTC: Pelican's archives
    # would otherwise put it in a second "2008" page.
    assert reference.site_date("2008-01-01T01:00:00+03:00") == "2007-12-31T22:00:00+00:00"
    assert reference.site_date("2008-01-01T01:00:00-05:00") == "2008-01-01T06:00:00+00:00"
    assert reference.site_date("2008-01-01") == "2008-01-01"


def test_place_figures() -> None:
    body = "First paragraph.\n\n[[figure 2]]\n\nSecond.\n\n[[figure 9]]\n"
    assert reference.place_figures(body, ["F1", "F2", "F3"]) == (
        "F1\n\nFirst paragraph.\n\nF2\n\nSecond.\n\n[[figure 9]]\n\nF3\n")
    assert reference.place_figures("Text.\n", []) == "Text.\n"


def test_figure_markdown_escapes_and_falls_back_to_the_caption() -> None:
    kept = reference.Figure("images/1.png", "A *bold* [claim]", "AFP", "")
    assert reference.figure_markdown(kept, "/x/1.png") == (
        "![](/x/1.png)  \n*A \\*bold\\* \\[claim\\]* (AFP)")
    lost = reference.Figure("", "Caption only", "Reuters", "alt")
    assert reference.figure_markdown(lost, "unused") == "*Caption only* (Reuters)"


def test_conversion_is_deterministic(small: Path, tmp_path: Path,
                                     pelican_site: tuple[Path, object], hugo_site: tuple[Path, object]) -> None:
    reference.convert_pelican(small, tmp_path / "p")
    reference.convert_hugo(small, tmp_path / "h")
    assert tree(tmp_path / "p") == tree(pelican_site[0])
    assert tree(tmp_path / "h") == tree(hugo_site[0])


def test_expected_counts(sources: list, pelican_site: tuple[Path, object]) -> None:
    _, expected = pelican_site
    assert expected.articles == 5
    assert expected.topics == len({t for s in sources for t in s.meta["topics"]})
    assert expected.outlets == len({s.meta["outlet"] for s in sources})


def fake_output(root: Path, expected: object, skip: str = "") -> None:
    """The files check_output looks for, one of them left out."""
    files = ["index.html", "feed.xml", "atom.xml", "about/index.html"]
    files += [f"2020/01/article-{n}/index.html" for n in range(expected.articles)]
    files += [f"articles/2020/01/images/{n}.png" for n in range(expected.images)]
    for section, count in (("topics", expected.topics), ("outlets", expected.outlets)):
        files += [f"{section}/t{n}/{feed}" for n in range(count) for feed in ("feed.xml", "atom.xml")]
    for name in files:
        if name != skip:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text("x")


def test_check_output_passes_a_complete_site_and_names_what_is_missing(tmp_path: Path) -> None:
    expected = reference.Expected(articles=3, images=2, topics=4, outlets=2)
    fake_output(tmp_path / "ok", expected)
    assert reference.check_output(tmp_path / "ok", expected) == []
    fake_output(tmp_path / "bad", expected, skip="2020/01/article-1/index.html")
    assert reference.check_output(tmp_path / "bad", expected) == ["2 article pages, expected 3"]
    fake_output(tmp_path / "nofeed", expected, skip="topics/t2/atom.xml")
    assert reference.check_output(tmp_path / "nofeed", expected) == ["3 topics/*/atom.xml, expected 4"]
    assert "no index.html" in reference.check_output(tmp_path / "empty", expected)
    many = reference.Expected(articles=25, images=0, topics=0, outlets=0)
    fake_output(tmp_path / "nopager", many)
    assert reference.check_output(tmp_path / "nopager", many) == ["no page/2/index.html"]


def test_a_topic_with_a_comma_is_refused() -> None:
    source = reference.Source("articles/2020/01/x-00000001.md",
                              {"title": "T", "date": "2020-01-01", "outlet": "O", "topics": ["a, b"],
                               "source_url": "https://x.test/"}, "Body.\n")
    with pytest.raises(ValueError, match="comma"):
        reference.pelican_header(source)
