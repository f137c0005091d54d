"""The search index is sharded by year: one Pagefind bundle per year of articles, indexed
again only when one of that year's pages changes (or one is added or removed)."""

from __future__ import annotations

import json
import shutil
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


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shards Pagefind ran for, in the order their bundles were finished."""
    years: list[str] = []
    canonicalise = search.canonicalise

    def counting(bundle: Path) -> None:
        years.append(bundle.name.split(".")[0])
        canonicalise(bundle)

    monkeypatch.setattr(search, "canonicalise", counting)
    return years


def shards(site: Site) -> list[tuple[int, int]]:
    manifest = json.loads((site.output / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    return [(shard["year"], shard["articles"]) for shard in manifest["shards"]]


def test_only_the_shard_whose_articles_changed_is_indexed_again(site: Site, tmp_path: Path,
                                                                indexed: list[str]) -> None:
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
