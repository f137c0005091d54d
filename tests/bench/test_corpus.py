"""The benchmark corpus: deterministic, well-formed, and skewed like a real archive."""

from __future__ import annotations

import re
import statistics
import tomllib
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bench_scripts import load, tree

REQUIRED = ("title", "date", "outlet", "topics", "source_url", "id", "images")
ALLOWED = {*REQUIRED, "byline", "language"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?$")


corpus = load("corpus")


def split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.DOTALL)
    assert match, f"{path}: no front matter"
    # Dates as text, the way newsarchive reads them (no YAML timestamp conversion).
    return yaml.load(match[1], Loader=_TextDates), match[2]


class _TextDates(yaml.SafeLoader):
    pass


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def count_words(text: str) -> int:
    return sum(1 for token in text.split() if any(ch.isalpha() for ch in token))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus-200")
    corpus.generate(root, 200, seed=1)
    return root


@pytest.fixture(scope="module")
def articles(small: Path) -> list[tuple[Path, dict, str]]:
    return [(p, *split(p)) for p in sorted((small / "articles").rglob("*.md"))]


def test_same_seed_gives_identical_bytes(small: Path, tmp_path: Path) -> None:
    corpus.generate(tmp_path, 200, seed=1)
    assert tree(tmp_path) == tree(small)


def test_other_seed_gives_other_articles(small: Path, tmp_path: Path) -> None:
    corpus.generate(tmp_path, 200, seed=2)
    assert tree(tmp_path) != tree(small)


def test_one_more_article_only_adds_files(tmp_path: Path) -> None:
    corpus.generate(tmp_path / "a", 50, seed=7)
    corpus.generate(tmp_path / "b", 51, seed=7)
    before, after = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert {k: after[k] for k in before} == before
    added = set(after) - set(before)
    assert any(name.endswith("-00000051.md") for name in added)
    assert all("00000051" in name for name in added)


def test_cli_writes_the_tree(tmp_path: Path) -> None:
    assert corpus.main(["--articles", "3", "--out", str(tmp_path), "--seed", "1"]) == 0
    assert len(list((tmp_path / "articles").rglob("*.md"))) == 3
    assert (tmp_path / "pages" / "about.md").is_file()


def test_article_count_and_layout(articles: list[tuple[Path, dict, str]], small: Path) -> None:
    assert len(articles) == 200
    for path, fm, _ in articles:
        year, month = path.relative_to(small / "articles").parts[:2]
        assert fm["date"].startswith(f"{year}-{month}-"), path
        assert "2000-01-01" <= fm["date"][:10] <= "2025-12-31"


def test_front_matter_fields(articles: list[tuple[Path, dict, str]]) -> None:
    topic_names, outlet_names = set(corpus.TOPICS), {o[0] for o in corpus.OUTLETS}
    for path, fm, _ in articles:
        assert set(REQUIRED) <= set(fm) <= ALLOWED, path
        assert isinstance(fm["title"], str) and fm["title"].strip()
        assert DATE.match(fm["date"]), fm["date"]
        assert fm["outlet"] in outlet_names
        assert 1 <= len(fm["topics"]) <= 4 and len(set(fm["topics"])) == len(fm["topics"])
        assert set(fm["topics"]) <= topic_names
        assert fm["source_url"].startswith("https://")
        assert fm["id"].startswith("tag:newsarchive.example,") and fm["id"].endswith(path.stem[-8:])
        assert fm.get("language", "ar") in ("ar", "fa")


def test_images_exist_and_are_png(articles: list[tuple[Path, dict, str]]) -> None:
    with_src = without_src = 0
    for path, fm, body in articles:
        assert 1 <= len(fm["images"]) <= 2
        for image in fm["images"]:
            assert set(image) <= {"src", "caption", "credit", "alt"} and image["caption"]
            if "src" in image:
                data = (path.parent / image["src"]).read_bytes()
                assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
                with_src += 1
            else:
                without_src += 1
        figure_lines = re.findall(r"^\[\[figure (\d+)\]\]$", body, re.MULTILINE)
        assert figure_lines == (["2"] if len(fm["images"]) == 2 else []), path
    assert 0.55 < with_src / (with_src + without_src) < 0.85


def test_png_dimensions_match_header() -> None:
    data = corpus.png_bytes(61, 37, ((1, 2, 3), (200, 100, 50), (9, 9, 9)))
    assert int.from_bytes(data[16:20], "big") == 61 and int.from_bytes(data[20:24], "big") == 37


def test_slugs_and_ids_unique(articles: list[tuple[Path, dict, str]]) -> None:
    stems = [p.stem for p, _, _ in articles]
    assert len(set(stems)) == len(stems)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*-\d{8}", s) for s in stems)
    assert len({fm["id"] for _, fm, _ in articles}) == len(articles)


def test_bodies_are_600_to_900_words(articles: list[tuple[Path, dict, str]]) -> None:
    counts = [count_words(body) for _, _, body in articles]
    assert min(counts) >= 600 and max(counts) <= 900
    assert max(counts) - min(counts) > 100  # varied, not one fixed length


def test_body_markup_appears(articles: list[tuple[Path, dict, str]]) -> None:
    bodies = "\n".join(body for _, _, body in articles)
    for pattern in (r"\*\*\S", r"\b_\S", r"\]\(https://example\.test/", r"^\[\^1\]: ",
                    r"^- ", r"^\| --- \|", r"\S\[\^1\](?!:)"):
        assert re.search(pattern, bodies, re.MULTILINE), pattern
    assert all(body.count("\n\n") >= 4 for _, _, body in articles)  # several paragraphs


def test_some_articles_in_arabic_script(articles: list[tuple[Path, dict, str]]) -> None:
    rtl = [(fm, body) for _, fm, body in articles if "language" in fm]
    assert 1 <= len(rtl) <= 30
    for fm, body in rtl:
        assert re.search("[\u0600-\u06ff]", fm["title"]) and re.search("[\u0600-\u06ff]", body)


def test_titles_use_unicode(tmp_path: Path) -> None:
    titles = [corpus.make_article(1, i).title for i in range(1, 400)]
    assert any(q in t for t in titles for q in "\u2018\u201c")
    assert any('"' in t for t in titles)  # straight quotes survive the YAML quoting


def test_topic_and_outlet_popularity_is_skewed(articles: list[tuple[Path, dict, str]]) -> None:
    topics = Counter(t for _, fm, _ in articles for t in fm["topics"])
    counts = sorted((topics.get(name, 0) for name in corpus.TOPICS), reverse=True)
    # Uniform picks would give a top topic of ~6 uses here and a top ten of ~10%.
    assert counts[0] >= 20 * max(1, statistics.median(counts))
    assert sum(counts[:10]) > 0.35 * sum(counts)
    outlets = Counter(fm["outlet"] for _, fm, _ in articles)
    assert outlets.most_common(1)[0][1] >= 5 * statistics.median(outlets.values())


def test_registries(small: Path) -> None:
    topics = tomllib.loads((small / "topics.toml").read_text(encoding="utf-8"))["topic"]
    outlets = tomllib.loads((small / "outlets.toml").read_text(encoding="utf-8"))["outlet"]
    names = [t["name"] for t in topics]
    assert len(names) == len(set(names)) == 300 and all(t["description"] for t in topics)
    assert "Économie" in names and "سوريا" in names
    assert len(outlets) == 40
    for outlet in outlets:
        assert set(outlet) == {"name", "homepage", "country", "language", "description"}
        assert outlet["homepage"].startswith("https://") and len(outlet["country"]) == 2
    assert len({o["homepage"] for o in outlets}) == 40


def test_topic_names_stay_distinct_as_slugs() -> None:
    # Two names that fold to one URL would collide on the site's topic pages.
    keys = [tuple(corpus.ascii_words(n)) or n for n in corpus.TOPICS]
    assert len(set(keys)) == len(keys)


def test_about_page(small: Path) -> None:
    fm, body = split(small / "pages" / "about.md")
    assert fm == {"title": "About"} and body.strip()
