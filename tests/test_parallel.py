"""Work spread over cores gives the very bytes of the serial build.

Reading, pages, feeds and image copies each fork workers for big sites only. Here the
thresholds are lowered so a small random archive takes every parallel path, and its output
is compared byte for byte with a serial build of the same input; so is the next build's
reuse of what the parallel build recorded.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from test_incremental import Archive

from conftest import Site
from newsarchive import parallel
from newsarchive.commands.build import build
from newsarchive.config import load_config
from newsarchive.content import load
from newsarchive.errors import BuildError
from newsarchive.render import feeds, run
from sitecheck import tree


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (load, run, feeds):
        monkeypatch.setattr(module, "_PARALLEL_FROM", 2)


def _archive(site: Site, articles: int = 40) -> None:
    site.config("per_page = 3\nrelated_count = 3\n")
    archive = Archive(site, 7)
    for _ in range(articles):
        archive.add()


def _build(site: Site, output: Path, workers: int, monkeypatch: pytest.MonkeyPatch, cache: Path | None = None):
    monkeypatch.setattr(parallel, "cpu_count", lambda: workers)
    config = replace(load_config(site.root / "config.toml"), output_dir=output, cache_dir=cache)
    return build(config)


def test_parallel_build_matches_the_serial_one(site: Site, tmp_path: Path, small_thresholds: None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _archive(site)
    assert list((site.content / "articles").rglob("*.png")), "the archive should have images to copy"
    _build(site, tmp_path / "serial", 1, monkeypatch)
    result = _build(site, tmp_path / "parallel", 2, monkeypatch, cache=tmp_path / "cache")
    assert result.feeds >= 2
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")

    # What the parallel build recorded (page and feed fingerprints, copied images) lets the
    # next build keep every file.
    again = _build(site, tmp_path / "parallel", 2, monkeypatch, cache=tmp_path / "cache")
    assert again.changed == 0
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")


def test_template_error_in_a_feed_worker_names_the_template(site: Site, tmp_path: Path, small_thresholds: None,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _archive(site, 12)
    partial = site.root / "templates" / "partials" / "feed_content.html"
    partial.write_text(partial.read_text(encoding="utf-8") + "{{ article.no_such_field }}\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        _build(site, tmp_path / "out", 2, monkeypatch)
    [error] = caught.value.errors
    assert error.path.endswith("feed_content.html")
    assert "no_such_field" in error.message
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
