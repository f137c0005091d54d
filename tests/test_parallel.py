"""Work spread over cores gives the very bytes of the serial build.

Reading, pages, feeds and image copies each fork workers for big sites only. Here the
thresholds are lowered so a small random archive takes every parallel path, and its output
is compared byte for byte with a serial build of the same input; so is the next build's
reuse of what the parallel build recorded.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from test_incremental import Archive

from conftest import Site
from newsarchive import parallel, pipeline, search
from newsarchive.cache import load as load_cached
from newsarchive.commands.build import build
from newsarchive.config import load_config
from newsarchive.content import load
from newsarchive.errors import BuildError
from newsarchive.output import Manifest, state_file
from newsarchive.render import feeds, run
from sitecheck import tree


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (load, run, feeds):
        monkeypatch.setattr(module, "_PARALLEL_FROM", 2)


def _spy_on_feeds(monkeypatch: pytest.MonkeyPatch, log: Path, force: bool = False) -> Callable[[], list[bool]]:
    """Whether each build from now on let its feeds spread over the cores, as told in `log`
    (they are made in a forked child); with `force`, every build does (a first build renders
    its pages over the cores and makes its feeds in one process)."""
    original = pipeline.write_feeds

    def spying(*args, spread: bool = True, **kwargs):  # type: ignore[no-untyped-def]
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{spread}\n")
        return original(*args, spread=spread or force, **kwargs)

    monkeypatch.setattr(pipeline, "write_feeds", spying)
    return lambda: [line == "True" for line in log.read_text(encoding="utf-8").split()] if log.exists() else []


def _archive(site: Site, articles: int = 40) -> Archive:
    site.config("per_page = 3\nrelated_count = 3\n")
    archive = Archive(site, 7)
    for _ in range(articles):
        archive.add()
    return archive


def _spy_on_background(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions run in parallel.Background children from now on."""
    started: list[str] = []
    original = parallel.Background.__init__

    def spying(self, fn, *args):  # type: ignore[no-untyped-def]
        started.append(fn.__name__)
        original(self, fn, *args)

    monkeypatch.setattr(parallel.Background, "__init__", spying)
    return started


def _build(site: Site, output: Path, workers: int, monkeypatch: pytest.MonkeyPatch, cache: Path | None = None):
    monkeypatch.setattr(parallel, "cpu_count", lambda: workers)
    config = replace(load_config(site.root / "config.toml"), output_dir=output, cache_dir=cache)
    return build(config)


def test_parallel_build_matches_the_serial_one(site: Site, tmp_path: Path, small_thresholds: None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _archive(site)
    assert list((site.content / "articles").rglob("*.png")), "the archive should have images to copy"
    _build(site, tmp_path / "serial", 1, monkeypatch)
    started = _spy_on_background(monkeypatch)
    _spy_on_feeds(monkeypatch, tmp_path / "spread.log", force=True)
    result = _build(site, tmp_path / "parallel", 2, monkeypatch, cache=tmp_path / "cache")
    assert result.feeds >= 2
    # A first build too makes feeds, the sitemap and the images in a child beside the pages,
    # writing them into the staging folder itself.
    assert "_deferred" in started
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
    _spy_on_feeds(monkeypatch, tmp_path / "spread.log", force=True)
    with pytest.raises(BuildError) as caught:
        _build(site, tmp_path / "out", 2, monkeypatch)
    [error] = caught.value.errors
    assert error.path.endswith("feed_content.html")
    assert "no_such_field" in error.message
    shutil.rmtree(tmp_path / "out", ignore_errors=True)


def test_feeds_made_beside_the_pages_equal_a_cold_build(site: Site, tmp_path: Path, small_thresholds: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm build makes feeds and the sitemap in a forked child while it renders pages:
    after an edit, an addition and a deletion its output is a cold serial build's."""
    archive = _archive(site, 20)
    cache = tmp_path / "cache"
    spread = _spy_on_feeds(monkeypatch, tmp_path / "spread.log")
    _build(site, tmp_path / "warm", 2, monkeypatch, cache=cache)
    # A first build renders every page over the cores: its feeds are made in one process.
    assert spread() == [False]
    started = _spy_on_background(monkeypatch)
    first = archive.path(archive.names[0])

    def edit() -> None:
        first.write_text(first.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")

    for change in (edit, archive.add, archive.path(archive.names[1]).unlink):
        change()
        # Sources settled long ago: a copy is recorded with its source (a file changed in
        # the last seconds is not, as it may change again within the same clock tick).
        for path in site.root.rglob("*.png"):
            os.utime(path, (time.time() - 3600, time.time() - 3600))
        _build(site, tmp_path / "warm", 2, monkeypatch, cache=cache)
        # An edit leaves most pages as they were: the feeds it changes may take the cores.
        assert spread()[-1] or change is not edit
        shutil.rmtree(tmp_path / "cold", ignore_errors=True)
        _build(site, tmp_path / "cold", 1, monkeypatch)
        assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
        # The image copies made in a child are known to the next build, which keeps such a
        # file without reading it while its source is unchanged.
        copied = {rel for rel in tree(tmp_path / "warm") if rel.endswith(".png")}
        assert copied and copied <= set(_manifest(cache, tmp_path / "warm").sources)
    # The scan has its own child; the first warm build, with no spare folder yet, a linked
    # copy; where Pagefind is installed, each build runs it in two children of its own too:
    # one started as soon as the content is read (search.index_early), one beside the pages.
    children = ["index_early", "_deferred", "_copy_index_publish"] if search.pagefind_binary() else ["_deferred"]
    assert [name for name in started if name != "scan"] == ["_link_tree"] + children * 3


def _manifest(cache: Path, output: Path) -> Manifest:
    stored = load_cached(state_file(cache, output, "output"), str(output.resolve()))
    assert isinstance(stored, Manifest)
    return stored


def _stray(output: Path) -> list[str]:
    """Staging, retired or half-deleted folders left beside output/."""
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith((".staging-", ".retired-", ".removing-")))


def test_the_build_after_a_first_one_stages_in_a_copy_made_meanwhile(site: Site, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build leaves no spare folder: the next one has a child link output/ into its
    staging folder while it reads. Its output is a cold build's, and it leaves the spare."""
    archive = _archive(site, 12)
    cache, warm = tmp_path / "cache", tmp_path / "warm"
    _build(site, warm, 2, monkeypatch, cache=cache)
    assert not (tmp_path / ".spare-warm").exists()
    started = _spy_on_background(monkeypatch)
    first = archive.path(archive.names[0])
    for step in range(2):
        first.write_text(first.read_text(encoding="utf-8") + f"\nEdit {step}.\n", encoding="utf-8")
        _build(site, warm, 2, monkeypatch, cache=cache)
        shutil.rmtree(tmp_path / "cold", ignore_errors=True)
        _build(site, tmp_path / "cold", 1, monkeypatch)
        assert tree(warm) == tree(tmp_path / "cold")
        assert (tmp_path / ".spare-warm").is_dir() and not _stray(warm)
    assert started.count("_link_tree") == 1  # the second build stages in the spare


def test_a_copy_no_page_needed_becomes_the_spare(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _archive(site, 12)
    cache, warm = tmp_path / "cache", tmp_path / "warm"
    _build(site, warm, 2, monkeypatch, cache=cache)
    inode, before = warm.stat().st_ino, tree(warm)
    started = _spy_on_background(monkeypatch)
    first = archive.path(archive.names[0])
    first.write_bytes(first.read_bytes())  # new times, same bytes: read again, nothing changes
    assert _build(site, warm, 2, monkeypatch, cache=cache).changed == 0
    assert warm.stat().st_ino == inode and tree(warm) == before  # not swapped
    assert tree(tmp_path / ".spare-warm") == before and not _stray(warm)
    first.write_text(first.read_text(encoding="utf-8") + "\nEdit.\n", encoding="utf-8")
    _build(site, warm, 2, monkeypatch, cache=cache)
    assert started.count("_link_tree") == 1  # the edit staged in that spare


def test_folders_left_over_are_deleted_by_a_child_while_the_build_runs(
        site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """output/ deleted by hand leaves a spare no manifest describes, and a killed build its
    staging folder: the next build moves both aside at once and deletes them in a child
    while it reads, leaving nothing behind; its output is a cold build's."""
    _archive(site, 12)
    cache, warm = tmp_path / "cache", tmp_path / "warm"
    for _ in range(2):  # the second build leaves the spare
        _build(site, warm, 2, monkeypatch, cache=cache)
    assert (tmp_path / ".spare-warm").is_dir()
    shutil.rmtree(warm)
    killed = tmp_path / ".staging-warm-999999"
    (killed / "2020").mkdir(parents=True)
    (killed / "2020" / "index.html").write_text("half a page", encoding="utf-8")
    started = _spy_on_background(monkeypatch)
    _build(site, warm, 2, monkeypatch, cache=cache)
    assert "_remove_all" in started
    assert not (tmp_path / ".spare-warm").exists() and not _stray(warm)
    _build(site, tmp_path / "cold", 1, monkeypatch)
    assert tree(warm) == tree(tmp_path / "cold")


def test_a_failed_build_after_a_first_one_leaves_output_and_no_copy(site: Site, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _archive(site, 12)
    cache, warm = tmp_path / "cache", tmp_path / "warm"
    _build(site, warm, 2, monkeypatch, cache=cache)
    before = tree(warm)
    started = _spy_on_background(monkeypatch)
    first = archive.path(archive.names[0])
    first.write_text(first.read_text(encoding="utf-8").replace("date: ", "date: not-a-date "), encoding="utf-8")
    with pytest.raises(BuildError):
        _build(site, warm, 2, monkeypatch, cache=cache)
    assert "_link_tree" in started
    assert tree(warm) == before and not _stray(warm)


def test_a_feed_template_error_beside_the_pages_is_reported(site: Site, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _archive(site, 12)
    _build(site, tmp_path / "out", 2, monkeypatch, cache=tmp_path / "cache")
    before = tree(tmp_path / "out")
    partial = site.root / "templates" / "partials" / "feed_content.html"
    partial.write_text(partial.read_text(encoding="utf-8") + "{{ article.no_such_field }}\n", encoding="utf-8")
    _spy_on_feeds(monkeypatch, tmp_path / "spread.log", force=True)
    with pytest.raises(BuildError) as caught:
        _build(site, tmp_path / "out", 2, monkeypatch, cache=tmp_path / "cache")
    assert [e.path.endswith("feed_content.html") for e in caught.value.errors] == [True]
    assert tree(tmp_path / "out") == before


def _sleep_and_fork(seconds: float, pid_file: str) -> None:
    import os
    import time
    worker = os.fork()
    if worker == 0:  # a worker of the worker
        time.sleep(seconds)
        os._exit(0)
    Path(pid_file + ".tmp").write_text(f"{os.getpid()} {worker}", encoding="utf-8")
    os.replace(pid_file + ".tmp", pid_file)
    time.sleep(seconds)


def _gone(pid: int, within: float = 5.0) -> bool:
    import os
    import time
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("count", [0, 1, 15, 16, 17, 700, 10_104])
def test_chunks_cover_the_work_in_order_and_shrink_towards_the_end(count: int) -> None:
    items = list(range(count))
    found = parallel.chunks(items, 2)
    assert [item for chunk in found for item in chunk] == items
    sizes = [len(chunk) for chunk in found]
    assert sizes == sorted(sizes, reverse=True)
    if count >= 700:  # big slices first (few messages), slices of the minimum last (no long tail)
        assert sizes[0] >= count // 16 and sizes[-2] == 16
    capped = parallel.chunks(items, 2, maximum=100)
    assert [item for chunk in capped for item in chunk] == items
    assert all(len(chunk) <= 100 for chunk in capped)


def test_background_says_when_it_is_done() -> None:
    job = parallel.Background(time.sleep, 0.5)
    assert not job.done()  # still sleeping
    deadline = time.monotonic() + 30
    while not job.done() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.done() and job.result() is None


def test_background_returns_raises_and_cancels(tmp_path: Path) -> None:
    assert parallel.Background(sum, [1, 2, 3]).result() == 6
    with pytest.raises(ZeroDivisionError):
        parallel.Background(divmod, 1, 0).result()
    pid_file = tmp_path / "pid"
    with pytest.raises(KeyboardInterrupt), parallel.background(_sleep_and_fork, 60, str(pid_file)) as job:
        while not pid_file.exists():
            pass
        raise KeyboardInterrupt  # the caller fails: the child and its own workers are stopped
    child, worker = map(int, pid_file.read_text(encoding="utf-8").split())
    assert _gone(child) and _gone(worker)
    assert job._pid == 0


def test_a_background_child_dies_with_its_parent(tmp_path: Path) -> None:
    """Killed mid-build (kill -9), a build's child must not live on holding the build lock."""
    import os
    import signal
    import subprocess
    import sys

    pid_file = tmp_path / "pid"
    script = (
        "import os, signal, sys, time; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "from newsarchive import parallel\n"
        "import test_parallel\n"
        "job = parallel.Background(test_parallel._sleep_and_fork, 60, sys.argv[3])\n"
        "while not os.path.exists(sys.argv[3]): time.sleep(0.01)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    tests = Path(__file__).parent
    subprocess.run([sys.executable, "-c", script, str(tests.parent), str(tests), str(pid_file)], timeout=60)
    child, worker = map(int, pid_file.read_text(encoding="utf-8").split())
    assert _gone(child)
    os.kill(worker, signal.SIGKILL)  # a bare fork of the test's, not a pool worker: no one else stops it
