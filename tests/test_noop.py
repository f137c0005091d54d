"""A build whose inputs are those of the last good build is a no-op; anything else builds.

The no-op answers from the cache without loading the rendering code. Each test here makes
one change the no-op must notice (a content file, an image, a template, a static file, a
setting, output/ replaced, a future-dated article coming due) and checks that the build
ran and gives what a cold build gives. Files count as settled at once here
(inputs._SETTLE_NS = 0); the settling rule has its own test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_cache import cold, config_of, fill

from conftest import REPO, Site
from newsarchive import inputs
from newsarchive.commands.build import build
from newsarchive.content import store as store_module
from sitecheck import tree


@pytest.fixture
def settled(monkeypatch):
    monkeypatch.setattr(inputs, "_SETTLE_NS", 0)


@pytest.fixture
def filled(site: Site, settled) -> Site:
    fill(site, 4)
    build(config_of(site))
    return site


def _pipeline_runs(monkeypatch) -> list[int]:
    """Counts the builds that ran the pipeline (a no-op does not)."""
    import newsarchive.pipeline as pipeline

    runs: list[int] = []
    original = pipeline.run

    def counting(*args, **kwargs):
        runs.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline, "run", counting)
    return runs


def test_unchanged_inputs_build_nothing(filled: Site, monkeypatch):
    runs = _pipeline_runs(monkeypatch)
    before = {p: p.stat().st_mtime_ns for p in filled.output.rglob("*")}
    result = build(config_of(filled))
    assert runs == []
    assert result.changed == 0 and result.articles == 4 and result.files > 10
    assert {p: p.stat().st_mtime_ns for p in filled.output.rglob("*")} == before


def test_noop_from_the_command_line_runs_no_pipeline(filled: Site):
    """The whole process: the pipeline never runs; 0 changed."""
    probe = (
        "import sys, runpy; sys.argv = ['build.py'] + sys.argv[1:];"
        "import newsarchive.inputs as i; i._SETTLE_NS = 0;"
        "import newsarchive.pipeline as p; p.run = None;"  # calling it would fail the build
        "from newsarchive.cli import main; code = main(sys.argv[1:]);"
        "sys.exit(code)"
    )
    config = filled.root / "config.toml"
    result = subprocess.run([sys.executable, "-c", probe, "--config", str(config)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Built 4 articles" in result.stdout and "0 changed" in result.stdout


def test_the_scan_runs_beside_the_imports_and_a_quick_answer_stops_them(filled: Site, monkeypatch):
    """A build imports the rendering code, then loads the article store a part at a time,
    while a forked child scans: every step when the scan takes longer, and at most one step
    after the scan has answered."""
    import importlib
    import time

    from newsarchive import parallel
    from newsarchive.commands import build as build_module

    if not parallel.can_fork():
        pytest.skip("no fork here: the scan runs first, and nothing is imported beside it")
    config = config_of(filled)
    expected = inputs.scan(config, None)
    imported: list[str] = []

    def slow_import(name: str) -> None:
        imported.append(name)
        time.sleep(0.05)

    monkeypatch.setattr(importlib, "import_module", slow_import)
    real_scan = inputs.scan
    monkeypatch.setattr(inputs, "scan", lambda *args: (time.sleep(1.0), real_scan(*args))[1])
    scanned, store = build_module._scan_while_importing(config, None)
    assert scanned.digest == expected.digest
    assert imported == list(build_module._RENDERING_MODULES)
    assert store is not None and not store.step()  # loaded whole meanwhile
    assert store.finish().entries.keys() == store_module.ArticleStore.open(config).entries.keys() != set()

    imported.clear()
    monkeypatch.setattr(inputs, "scan", real_scan)
    scanned, store = build_module._scan_while_importing(config, None)
    assert scanned.digest == expected.digest
    assert len(imported) <= 2
    assert store is None  # the imports were not over before the scan answered


def _edit_article(site: Site) -> None:
    path = next(site.content.rglob("story-1.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\nA correction.\n", encoding="utf-8")


def _edit_image(site: Site) -> None:
    from PIL import Image as PILImage
    PILImage.new("RGB", (77, 30), "red").save(next(site.content.rglob("p2.png")))


def _edit_template(site: Site) -> None:
    path = site.root / "templates" / "base.html"
    path.write_text(path.read_text(encoding="utf-8").replace("</body>", "<!-- changed --></body>"), encoding="utf-8")


def _edit_static(site: Site) -> None:
    path = next((site.root / "static").rglob("*.css"))
    path.write_text(path.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")


def _add_article(site: Site) -> None:
    site.article("2020/03/late", "title: Late\ndate: 2020-03-30\noutlet: Outlet 0\ntopics: [Common]")


def _delete_article(site: Site) -> None:
    next(site.content.rglob("story-3.md")).unlink()


def _registry(site: Site) -> None:
    site.write("content/topics.toml", "".join(f'[[topic]]\nname = "{name}"\n'
                                              for name in ("Common", "Topic 0", "Topic 1", "Topic 2")))


@pytest.mark.parametrize("change", [_edit_article, _edit_image, _edit_template, _edit_static, _add_article,
                                    _delete_article, _registry])
def test_any_input_change_builds(filled: Site, tmp_path, monkeypatch, change):
    change(filled)
    runs = _pipeline_runs(monkeypatch)
    config = config_of(filled)
    build(config)
    assert runs == [1]
    assert tree(filled.output) == cold(filled, config, tmp_path)


def test_a_setting_change_builds(filled: Site, monkeypatch):
    runs = _pipeline_runs(monkeypatch)
    build(replace(config_of(filled), title="Another Title"))
    assert runs == [1]
    assert "Another Title" in (filled.output / "index.html").read_text(encoding="utf-8")


def test_output_replaced_or_touched_builds(filled: Site, monkeypatch):
    runs = _pipeline_runs(monkeypatch)
    good = tree(filled.output)
    (filled.output / "index.html").unlink()
    build(config_of(filled))
    assert runs == [1] and tree(filled.output) == good
    shutil.rmtree(filled.output)
    build(config_of(filled))
    assert runs == [1, 1] and tree(filled.output) == good


def test_future_article_is_published_when_due(site: Site, settled, monkeypatch):
    fill(site, 2)
    site.article("2030/01/ahead", "title: Ahead\ndate: 2030-01-05\noutlet: Outlet 0\ntopics: [Common]")
    before_due = replace(config_of(site), now=datetime(2029, 12, 1, tzinfo=UTC))
    build(before_due)
    assert not (site.output / "2030/01/ahead/index.html").exists()
    runs = _pipeline_runs(monkeypatch)
    build(before_due)
    assert runs == []  # still held back: nothing to do
    build(replace(before_due, now=datetime(2030, 1, 6, tzinfo=UTC)))
    assert runs == [1]
    assert (site.output / "2030/01/ahead/index.html").is_file()


def test_files_changed_in_the_last_seconds_are_not_trusted(site: Site, monkeypatch):
    """Two edits within one tick of the clock can leave size and times alike: a file that
    changed just now makes the next build a full one."""
    fill(site, 2)
    build(config_of(site))  # files written just now: not settled
    runs = _pipeline_runs(monkeypatch)
    build(config_of(site))
    assert runs == [1]
    assert inputs.digest(config_of(site), None) is None
    monkeypatch.setattr(inputs, "_SETTLE_NS", 0)
    assert inputs.digest(config_of(site), None) is not None


def test_symbolic_link_in_the_inputs_is_not_trusted(filled: Site, monkeypatch):
    os.symlink(next(filled.content.rglob("p0.png")), filled.content / "articles" / "link.png")
    assert inputs.digest(config_of(filled), None) is None


def test_a_failed_build_keeps_the_last_good_record(filled: Site, monkeypatch):
    """Bad input fails; putting the file back makes the next build a no-op again."""
    from newsarchive.errors import BuildError

    path = next(filled.content.rglob("story-0.md"))
    good = path.read_bytes()
    stat = path.stat()
    path.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build(config_of(filled))
    path.write_bytes(good)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    runs = _pipeline_runs(monkeypatch)
    build(config_of(filled))
    # ctime moved, so this one builds (no files change); the one after is a no-op.
    build(config_of(filled))
    assert runs == [1]


def test_without_a_cache_every_build_runs(filled: Site, monkeypatch):
    runs = _pipeline_runs(monkeypatch)
    build(config_of(filled, cache=False))
    build(config_of(filled, cache=False))
    assert runs == [1, 1]


@pytest.mark.parametrize("damage", [b"not a pickle", b""])
def test_damaged_record_means_a_full_build(filled: Site, tmp_path, monkeypatch, damage):
    records = list((filled.root / ".cache").glob("build-*.pickle"))
    assert len(records) == 1  # one per output folder
    records[0].write_bytes(damage)
    runs = _pipeline_runs(monkeypatch)
    build(config_of(filled))
    assert runs == [1]
    assert tree(filled.output) == cold(filled, config_of(filled), tmp_path)


def test_the_scan_lists_the_same_articles_as_the_loader(site: Site):
    """Without links below content/, the build takes its list of articles from the scan."""
    from newsarchive.content.load import _known_markdown, markdown_files

    fill(site, 3)
    site.write("content/articles/.hidden/secret.md", "---\ntitle: x\n---\n")
    site.write("content/articles/2020/.notes.md", "notes")
    site.write("content/articles/2020/readme.txt", "not markdown")
    site.write("content/articles/2020/odd.name.d/story.md", "---\ntitle: x\n---\n")
    scanned = inputs.scan(config_of(site), None)
    assert scanned.complete
    found = _known_markdown(scanned.content, site.content, "articles/")
    # The same files, named by strings standing in for the loader's Paths.
    assert [(rel, Path(path)) for rel, path in found] == markdown_files(site.content / "articles", site.content)[0]
    assert "articles/2020/odd.name.d/story.md" in [rel for rel, _ in found]
    os.symlink(site.content / "articles" / "2020", site.content / "articles" / "linked")
    assert not inputs.scan(config_of(site), None).complete


def test_relative_and_absolute_folders_are_one_configuration(filled: Site, monkeypatch):
    """The same site named from elsewhere (relative paths, another working folder) is not
    another site: nothing is rendered again."""
    runs = _pipeline_runs(monkeypatch)
    monkeypatch.chdir(filled.root)
    config = config_of(filled)
    relative = replace(config, content_dir=Path("content"), output_dir=Path("output"),
                       templates_dir=Path("templates"), static_dir=Path("static"))
    before = {p: p.stat().st_mtime_ns for p in filled.output.rglob("*")}
    build(relative)
    assert runs == []  # a no-op: the same inputs
    assert {p: p.stat().st_mtime_ns for p in filled.output.rglob("*")} == before
