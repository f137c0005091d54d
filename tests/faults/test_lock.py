"""Two builds of the same site at once: the second is told, at once, and nothing is mixed."""

from __future__ import annotations

import fcntl
import subprocess
import sys

from tests.conftest import BASIC_ARTICLE, REPO
from tests.faults.faultlib import leftovers, tree

# Holds the build inside the lock until the test says go (a line on stdin): no timing involved.
PAUSED_BUILD = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from newsarchive import output
original = output.StagedOutput.commit
def commit(self):
    print("inside", flush=True)
    sys.stdin.readline()
    original(self)
output.StagedOutput.commit = commit
from newsarchive.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_second_build_is_refused_while_the_first_runs(site):
    site.article("a", BASIC_ARTICLE)
    site.build()
    before = tree(site.output)
    site.article("b", BASIC_ARTICLE.replace("A basic article", "Second article"))
    first = subprocess.Popen([sys.executable, "-c", PAUSED_BUILD, "--config", str(site.root / "config.toml")],
                             cwd=site.root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert first.stdout.readline().strip() == "inside"
        second = site.run()
        assert second.returncode == 3, second.stderr
        assert "another build is writing" in second.stderr and "wait for it to finish" in second.stderr
        assert "Traceback" not in second.stderr
        assert tree(site.output) == before  # the refused build touched nothing
        first.stdin.write("go\n")
        first.stdin.flush()
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, err
    assert (site.output / "2020" / "01" / "a" / "index.html").is_file()
    assert leftovers(site.root) == []
    assert site.run().returncode == 0  # and the lock is free again


def test_lock_held_by_another_process_gives_a_clear_message(site):
    site.article("a", BASIC_ARTICLE)
    lock = site.root / ".output.lock"
    with open(lock, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = site.run()
    assert result.returncode == 3
    assert f"error: another build is writing {site.output} right now; wait for it to finish" in result.stderr
    assert not site.output.exists()
    assert site.run().returncode == 0


def test_a_stale_lock_file_does_not_block(site):
    """The lock is the flock, not the file: a lock file left by a killed build is harmless."""
    site.article("a", BASIC_ARTICLE)
    (site.root / ".output.lock").write_text("stale")
    assert site.run().returncode == 0
