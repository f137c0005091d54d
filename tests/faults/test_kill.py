"""A build killed with SIGKILL at any stage leaves the previous output/ intact and usable;
the next build cleans up after it and succeeds."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.faults.faultlib import leftovers, many_articles, run_with_fault, tree

# The build process, wherever the point is reached: search indexing, for one, runs in a
# child the build forks (BUILD_PID: see faultlib.run_with_fault).
KILL = "os.kill(BUILD_PID, signal.SIGKILL)"

# Where the build dies: (name, prelude that patches that point to kill the process).
KILL_POINTS = {
    "after loading, before staging": f"""
        from newsarchive import output
        def enter(self): {KILL}
        output.StagedOutput.__enter__ = enter
        """,
    "while writing pages": f"""
        from newsarchive import output
        original = output.StagedOutput.write
        calls = [0]
        def write(self, rel, data):
            calls[0] += 1
            if calls[0] == 40:
                {KILL}
            return original(self, rel, data)
        output.StagedOutput.write = write
        """,
    "with a file half written": f"""
        from newsarchive import output
        original = os.replace
        def replace(src, dst, *a, **k):
            if str(src).endswith(".tmp") and "/2020/" in str(dst):
                with open(src, "r+b") as f:
                    f.truncate(10)
                {KILL}
            return original(src, dst, *a, **k)
        os.replace = replace
        """,
    "while pruning old files": f"""
        from newsarchive import output
        from pathlib import Path
        original = Path.unlink
        def unlink(self, *a, **k):
            original(self, *a, **k)
            if ".staging-" in str(self):
                {KILL}
        Path.unlink = unlink
        """,
    "while indexing for search": f"""
        from newsarchive import search
        def canonicalise(bundle): {KILL}
        search.canonicalise = canonicalise
        """,
    "just before the swap": f"""
        from newsarchive import output
        def exchange(a, b): {KILL}
        output._exchange = exchange
        """,
    "just after the swap": f"""
        from newsarchive import output
        original = output._exchange
        def exchange(a, b):
            original(a, b)
            {KILL}
        output._exchange = exchange
        """,
}


@pytest.fixture
def two_versions(site):
    """A built site (version 1) and changed content (version 2), with the tree each gives."""
    many_articles(site, 30)
    site.article("gone", "title: Removed in version 2\ndate: 2019-05-05\noutlet: Gone\ntopics: [Gone]\n")
    site.build()
    v1 = tree(site.output)
    many_articles(site, 30, title="Changed")
    (site.content / "articles" / "gone.md").unlink()
    reference = site.root.parent / "reference"
    site.build("--output", str(reference))
    v2 = tree(reference)
    assert v1 != v2
    return site, v1, v2


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_killed_build_leaves_previous_output(two_versions, point):
    site, v1, v2 = two_versions
    if point == "while indexing for search" and not (site.output / "pagefind").is_dir():
        pytest.skip("Pagefind is not installed")
    result = run_with_fault(site, KILL_POINTS[point])
    assert result.returncode == -signal.SIGKILL, (result.returncode, result.stderr)

    expected = v2 if point == "just after the swap" else v1  # the swap itself is atomic
    assert tree(site.output) == expected

    # The next build succeeds, cleans up what the killed one left, and gives version 2.
    result = site.run()
    assert result.returncode == 0, result.stderr
    assert tree(site.output) == v2
    assert leftovers(site.root) == []


def test_killed_from_outside_while_writing(site):
    """A real `kill -9` from another process, at the moment the staging folder fills up."""
    many_articles(site, 150)
    site.build()
    v1 = tree(site.output)
    many_articles(site, 150, title="Changed")
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--config", str(site.root / "config.toml")],
                            cwd=site.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        staging = None
        while proc.poll() is None and staging is None:
            staging = next((p for p in site.root.iterdir() if p.name.startswith(".staging-")), None)
            time.sleep(0.005)
        # Let it write into the staging folder for a while, then kill it mid-way.
        while proc.poll() is None and staging is not None and sum(1 for _ in staging.rglob("*.html")) < 150:
            time.sleep(0.005)
        if proc.poll() is not None:
            pytest.skip("the build finished before it could be killed")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert tree(site.output) == v1
    assert leftovers(site.root)  # the killed build's staging folder is still there…
    site.build()
    assert leftovers(site.root) == []  # …until the next build removes it
    assert "Changed 0" in site.read("2020/01/a0000/index.html")
