"""The search index is sharded by year: one Pagefind bundle per year of articles, indexed
again only when one of that year's pages changes (or one is added or removed)."""

from __future__ import annotations

import inspect
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import Site
from newsarchive import search
from newsarchive.commands.build import build
from newsarchive.config import load_config
from sitecheck import tree

pytestmark = pytest.mark.skipif(search.pagefind_binary() is None, reason="Pagefind is not installed")


def article(site: Site, name: str, date: str, topic: str, outlet: str = "Example Times") -> Path:
    return site.article(name, f"title: Story {name}\ndate: {date}\noutlet: {outlet}\ntopics: [{topic}]\n",
                        f"Paragraph about {topic.lower()} in {name}.\n")


class Indexed:
    """The shards Pagefind ran for, in the order their bundles were finished: kept in a
    file, since Pagefind runs in a child the build forks (pipeline.py, prepare_index)."""

    def __init__(self, path: Path):
        self.path = path

    def _read(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").split() if self.path.exists() else []

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._read())

    def __eq__(self, other: object) -> bool:
        return self._read() == other

    def __repr__(self) -> str:
        return repr(self._read())


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Indexed:
    years = Indexed(tmp_path / "indexed.txt")
    canonicalise = search.canonicalise

    def counting(bundle: Path) -> None:
        with years.path.open("a", encoding="utf-8") as log:
            log.write(bundle.name.split(".")[0] + "\n")
        canonicalise(bundle)

    monkeypatch.setattr(search, "canonicalise", counting)
    return years


def shards(site: Site) -> list[tuple[int, int]]:
    manifest = json.loads((site.output / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    return [(shard["year"], shard["articles"]) for shard in manifest["shards"]]


def test_only_the_shard_whose_articles_changed_is_indexed_again(site: Site, tmp_path: Path,
                                                                indexed: Indexed) -> None:
    article(site, "a", "2018-03-01", "Trade")
    article(site, "b", "2018-09-01", "Trade")
    article(site, "c", "2019-02-01", "Trade")
    edited = article(site, "d", "2019-07-01", "Trade")
    article(site, "lonely", "2020-05-05", "Astronomy", outlet="Other Paper")
    config = replace(load_config(site.root / "config.toml"), cache_dir=site.root / ".cache")
    cold = replace(config, cache_dir=None, output_dir=tmp_path / "cold")

    def check_against_a_cold_build() -> None:
        shutil.rmtree(cold.output_dir, ignore_errors=True)
        build(cold)
        assert tree(site.output) == tree(Path(cold.output_dir))

    build(config)
    assert sorted(indexed) == ["2018", "2019", "2020"]
    assert shards(site) == [(2020, 1), (2019, 2), (2018, 2)]  # newest first
    assert {p.name for p in (site.output / "pagefind").iterdir()} == {
        "2018", "2019", "2020", "pagefind.js", "wasm.en.pagefind", "shards.json"}  # shared by the shards
    assert not list((site.output / "pagefind" / "2019").glob("wasm.*"))
    assert not list((site.output / "pagefind").rglob("pagefind-ui*"))  # Pagefind's own UIs are not used

    indexed.clear()
    build(config)
    assert indexed == []

    stamps = {p: p.stat().st_mtime_ns for p in (site.output / "pagefind" / "2018").rglob("*")}
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA closing paragraph.\n", encoding="utf-8")
    build(config)
    assert indexed == ["2019"]
    assert {p: p.stat().st_mtime_ns for p in (site.output / "pagefind" / "2018").rglob("*")} == stamps
    check_against_a_cold_build()

    indexed.clear()
    article(site, "e", "2018-12-24", "Fishing", outlet="Third Paper")  # in no other article's related list
    build(config)
    assert indexed == ["2018"]
    assert shards(site) == [(2020, 1), (2019, 2), (2018, 3)]
    check_against_a_cold_build()

    indexed.clear()
    (site.content / "articles" / "lonely.md").unlink()  # the only article of 2020
    build(config)
    assert indexed == []
    assert not (site.output / "pagefind" / "2020").exists()
    assert shards(site) == [(2019, 2), (2018, 3)]
    check_against_a_cold_build()


def test_the_year_of_a_shard_is_the_year_in_the_sites_time_zone(site: Site) -> None:
    site.config('timezone = "Asia/Tokyo"\n')
    article(site, "new-year", "2019-12-31T20:00:00+00:00", "Trade")  # 2020-01-01 05:00 in Tokyo
    site.build()
    assert shards(site) == [(2020, 1)]
    page = next(site.output.rglob("new-year/index.html")).read_text(encoding="utf-8")
    assert 'data-pagefind-filter="year:2020"' in page


def test_a_site_without_articles_has_an_empty_shard_list(site: Site) -> None:
    site.write("content/pages/about.md", "---\ntitle: About\n---\n\nAbout this archive.\n")
    site.build()
    assert shards(site) == []
    assert sorted(p.name for p in (site.output / "pagefind").iterdir()) == ["shards.json"]


def test_related_lists_and_chrome_are_not_indexed_so_other_years_are_kept(site: Site, tmp_path: Path,
                                                                          indexed: Indexed) -> None:
    """Adding an article, or changing one's title or topics, changes the related lists of
    articles in other years; Pagefind does not read those lists, so their years are kept.
    Whatever it reads (body, title, filters) re-indexes the year, and every step ends with
    the bundle a cold build makes."""
    article(site, "a", "2018-03-01", "Trade")
    article(site, "b", "2018-09-01", "Trade")
    article(site, "c", "2019-02-01", "Trade")
    d = article(site, "d", "2019-07-01", "Trade")
    lonely = article(site, "lonely", "2020-05-05", "Astronomy", outlet="Other Paper")
    config = replace(load_config(site.root / "config.toml"), cache_dir=site.root / ".cache")
    cold = replace(config, cache_dir=None, output_dir=tmp_path / "cold")

    def page(name: str) -> bytes:
        return next(site.output.rglob(f"{name}/index.html")).read_bytes()

    def step(expected: list[str], changed: str = "") -> None:
        """Build; Pagefind ran for `expected` only; `changed`'s page (another year) changed."""
        before = page(changed) if changed else b""
        indexed.clear()
        build(config)
        assert sorted(indexed) == expected
        if changed:
            assert page(changed) != before
        shutil.rmtree(cold.output_dir, ignore_errors=True)
        build(cold)
        assert tree(site.output) == tree(Path(cold.output_dir))

    step(["2018", "2019", "2020"])
    article(site, "e", "2018-12-24", "Trade")  # in the related lists of 2019's articles
    step(["2018"], changed="c")
    assert b"Story e" in page("c")
    d.write_text(d.read_text(encoding="utf-8").replace("[Trade]", "[Astronomy]"), encoding="utf-8")
    step(["2019"], changed="lonely")  # a topic is a filter: its year; the lists of 2018 and 2020 changed
    assert b"Story d" in page("lonely")
    a = site.content / "articles" / "a.md"
    a.write_text(a.read_text(encoding="utf-8").replace("Story a", "Story A retitled"), encoding="utf-8")
    step(["2018"], changed="c")  # the title is indexed; c lists a under its old title no more
    d.write_text(d.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    step(["2019"])
    lonely.write_text(lonely.read_text(encoding="utf-8").replace("Other Paper", "Third Paper"), encoding="utf-8")
    step(["2020"], changed="d")  # the outlet is a filter
    step([])


def test_a_damaged_mirror_in_the_cache_is_made_again(site: Site, tmp_path: Path, indexed: Indexed) -> None:
    article(site, "a", "2018-03-01", "Trade")
    b = article(site, "b", "2018-09-01", "Trade")
    config = replace(load_config(site.root / "config.toml"), cache_dir=site.root / ".cache")
    build(config)
    mirrored = list((site.root / ".cache").glob("search-*/2018/**/a/index.html"))
    assert len(mirrored) == 1 and b"data-pagefind-body" in mirrored[0].read_bytes()
    assert b"Related articles" not in mirrored[0].read_bytes()  # a reduced document
    mirrored[0].write_bytes(mirrored[0].read_bytes().replace(b"Paragraph about", b"Tampered"))
    b.write_text(b.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    indexed.clear()
    build(config)
    assert indexed == ["2018"]
    cold = replace(config, cache_dir=None, output_dir=tmp_path / "cold")
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))


def test_a_change_to_the_site_chrome_re_indexes_nothing_but_one_to_the_article_does(
        site: Site, tmp_path: Path, indexed: Indexed) -> None:
    article(site, "a", "2018-03-01", "Trade")
    article(site, "b", "2019-09-01", "Trade")
    config = replace(load_config(site.root / "config.toml"), cache_dir=site.root / ".cache")
    cold = replace(config, cache_dir=None, output_dir=tmp_path / "cold")
    build(config)
    chrome, article_html = site.root / "templates" / "partials" / "chrome.html", site.root / "templates" / "article.html"

    def step(path: Path, old: str, new: str, expected: list[str]) -> None:
        page = next(site.output.rglob("a/index.html")).read_bytes()
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        indexed.clear()
        build(config)
        assert next(site.output.rglob("a/index.html")).read_bytes() != page
        assert sorted(indexed) == expected
        shutil.rmtree(cold.output_dir, ignore_errors=True)
        build(cold)
        assert tree(site.output) == tree(Path(cold.output_dir))

    step(chrome, "Made with newsarchive", "Built with newsarchive", [])  # the site footer
    step(article_html, '<h2 id="related-heading">Related articles</h2>',
         '<h2 id="related-heading">See also</h2>', [])
    step(article_html, "min read", "minutes to read", ["2018", "2019"])  # inside the indexed article


def _early_steps(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], None]:
    """`step(expected)`: a build with a cache, whose Pagefind runs (the shards, "early-" for
    those of search.index_early) must be `expected`, then a cold build, whose site it must be."""
    runs = Indexed(tmp_path / "runs.txt")
    canonicalise = search.canonicalise

    def counting(bundle: Path) -> None:
        early = any(frame.function == "index_early" for frame in inspect.stack())
        with runs.path.open("a", encoding="utf-8") as log:
            log.write(("early-" if early else "") + bundle.name.split(".")[0] + "\n")
        canonicalise(bundle)

    monkeypatch.setattr(search, "canonicalise", counting)
    config = replace(load_config(site.root / "config.toml"), cache_dir=site.root / ".cache")
    cold = replace(config, cache_dir=None, output_dir=tmp_path / "cold")

    def step(expected: list[str]) -> None:
        runs.clear()
        build(config)
        assert sorted(runs) == expected
        shutil.rmtree(cold.output_dir, ignore_errors=True)
        build(cold)
        assert tree(site.output) == tree(Path(cold.output_dir))

    return step


def test_pagefind_starts_on_a_changed_year_before_the_index_is_built(site: Site, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that changes a few articles runs Pagefind on their years in a child forked as
    soon as the content is read (search.index_early), from their pages rendered without the
    index. The build takes that bundle when the pages it renders reduce to the same
    documents, and indexes the year again when not. Each step ends with a cold build's site."""
    step = _early_steps(site, tmp_path, monkeypatch)
    article(site, "a", "2018-03-01", "Trade")
    b = article(site, "b", "2019-02-01", "Trade")
    article(site, "c", "2019-07-01", "Trade")
    step(["2018", "2019"])  # a first build: nothing to start from
    b.write_text(b.read_text(encoding="utf-8") + "\nA closing paragraph.\n", encoding="utf-8")
    step(["early-2019"])
    # A file an early child stopped while placing it (its temporary name) is cleared away.
    stray = next(next((site.root / ".cache").glob("search-*/2019")).rglob("index.html")).with_name(".index.html.tmp")
    stray.write_bytes(b"half written")
    b.write_text(b.read_text(encoding="utf-8") + "\nAnother paragraph.\n", encoding="utf-8")
    step(["early-2019"])
    assert not stray.exists()
    article(site, "d", "2018-12-24", "Trade")
    step(["early-2018"])
    (site.content / "articles" / "a.md").unlink()
    step(["early-2018"])
    step([])
    # Inside the indexed article, something only the index knows: the early guess is wrong.
    template = site.root / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "<h1 data-pagefind-meta", "<p>{{ related | length }} related</p>\n    <h1 data-pagefind-meta", 1),
        encoding="utf-8")
    step(["2018", "2019"])  # every page changed, no article did: nothing early
    b.write_text(b.read_text(encoding="utf-8") + "\nOne more.\n", encoding="utf-8")
    step(["2019", "early-2019"])
    assert b"2 related" in next(site.output.rglob("b/index.html")).read_bytes()  # c and d


def test_a_shards_bundle_is_kept_in_the_cache_and_reused_only_when_whole(site: Site, tmp_path: Path) -> None:
    """Pagefind writes its bundle into a folder kept from the last run, where it skips the
    files (named after their contents) that are there already. Files of earlier runs go;
    a folder whose last run did not finish is emptied first: a file cut short under its
    rightful name would be taken as whole."""
    article(site, "a", "2019-02-01", "Trade")
    b = article(site, "b", "2019-07-01", "Trade")
    article(site, "c", "2018-03-01", "Fishing", outlet="Other Paper")
    config = replace(load_config(site.root / "config.toml"), cache_dir=site.root / ".cache")
    cold = replace(config, cache_dir=None, output_dir=tmp_path / "cold")

    def edit_b_and_build(text: str) -> None:
        b.write_text(b.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
        build(config)
        shutil.rmtree(cold.output_dir, ignore_errors=True)
        build(cold)
        assert tree(site.output) == tree(Path(cold.output_dir))

    def hashed(folder: Path) -> dict[str, bytes]:
        return {rel: data for rel, data in tree(folder).items() if rel.split("/")[0] in ("fragment", "index", "filter")}

    build(config)
    kept = next((site.root / ".cache").glob("search-*/2019.bundle"))
    published = site.output / "pagefind" / "2019"
    assert (kept / ".whole").is_file()
    assert hashed(kept) == hashed(published) and hashed(published)
    assert not list(kept.glob("pagefind-*ui*"))  # Pagefind's own interfaces: never published

    # A file of an earlier run goes; a file the new bundle names again is not written again.
    junk = kept / "fragment" / "en_0000000.pf_fragment"
    junk.write_bytes(b"from an earlier run")
    stamps = {rel: (kept / rel).stat().st_mtime_ns for rel in hashed(kept) if rel != "fragment/en_0000000.pf_fragment"}
    edit_b_and_build("A closing paragraph.")
    assert not junk.exists()
    assert hashed(kept) == hashed(published)
    same = [rel for rel in hashed(kept) if rel in stamps and (kept / rel).stat().st_mtime_ns == stamps[rel]]
    assert any(rel.startswith("fragment/") for rel in same)  # a's fragment: Pagefind skipped it

    # A run stopped half way: every file cut short, no marker. The next run starts empty.
    (kept / ".whole").unlink()
    for rel in hashed(kept):
        (kept / rel).write_bytes(b"")
    edit_b_and_build("Another paragraph.")
    assert (kept / ".whole").is_file()
    assert hashed(kept) == hashed(published)


def test_the_early_index_names_what_it_renders_as_the_registries_do(site: Site, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The early child starts once the files are read, before curation (the registries'
    names, the future-date rule), and applies it to what it renders: an article naming a
    topic by an alias is indexed early under its topic, and the bundle stands; an article
    curation holds back is not indexed. Each step ends with a cold build's site."""
    step = _early_steps(site, tmp_path, monkeypatch)
    (site.content / "topics.toml").write_text('[[topic]]\nname = "Trade"\naliases = ["Commerce"]\n', encoding="utf-8")
    article(site, "a", "2018-03-01", "Trade")
    article(site, "b", "2019-02-01", "Trade")
    step(["2018", "2019"])
    article(site, "e", "2019-10-01", "Commerce")
    step(["early-2019"])
    page = next(site.output.rglob("e/index.html")).read_text(encoding="utf-8")
    assert "Trade" in page and "Commerce" not in page
    article(site, "f", "2099-01-01", "Trade")  # after the build's clock: held back
    step([])
