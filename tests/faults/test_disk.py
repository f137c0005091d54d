"""A full disk or an unwritable output folder: a clear error (exit 3), the previous output
intact, nothing left behind, and the next build (once there is room) succeeds."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BASIC_ARTICLE
from tests.faults.faultlib import leftovers, many_articles, run_with_fault, tree


def mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system (tmpfs); needs root, as in CI containers."""
    mount = tmp_path / "disk"
    if not mount_tmpfs(mount, "2m"):
        pytest.skip("cannot mount a tmpfs here (needs root); the RLIMIT_FSIZE test covers the same path")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def assert_write_failure(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 3, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert "error: could not write the site:" in result.stderr and reason in result.stderr, result.stderr
    assert "the previous output was left as it was" in result.stderr


def test_full_disk(site, small_disk):
    output = small_disk / "output"
    site.article("a", BASIC_ARTICLE)
    site.build("--output", str(output))
    before = tree(output)
    # About 4 MB of pages: more than the disk holds.
    many_articles(site, 120)
    for path in (site.content / "articles").glob("a0*.md"):
        path.write_text(path.read_text(encoding="utf-8") + ("Filler text to fill the disk. " * 1000), encoding="utf-8")
    result = site.run("--output", str(output))
    assert_write_failure(result, "No space left on device")
    assert "hint: the disk is full: free some space" in result.stderr
    assert tree(output) == before
    assert leftovers(small_disk) == []  # the partial staging folder is gone: the space is back
    # With room again, the next build succeeds.
    for path in (site.content / "articles").glob("a0*.md"):
        path.unlink()
    site.article("b", BASIC_ARTICLE.replace("A basic article", "Second"))
    site.build("--output", str(output))
    assert (output / "2020" / "01" / "b" / "index.html").is_file()


def test_file_size_limit(site):
    """Without root: RLIMIT_FSIZE makes large writes fail like a full disk (EFBIG)."""
    site.article("a", BASIC_ARTICLE)
    site.build()
    before = tree(site.output)
    site.article("big", BASIC_ARTICLE.replace("A basic article", "Big"), "Text. " * 200_000)

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    result = run_with_fault(site, "", preexec_fn=limit)
    assert_write_failure(result, "File too large")
    assert "(ulimit -f)" in result.stderr
    assert tree(site.output) == before
    assert leftovers(site.root) == []


def test_read_only_output_folder(site, tmp_path):
    mount = tmp_path / "ro"
    if not mount_tmpfs(mount, "4m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        output = mount / "output"
        site.article("a", BASIC_ARTICLE)
        site.build("--output", str(output))
        before = tree(output)
        site.article("b", BASIC_ARTICLE.replace("A basic article", "Second"))
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        result = site.run("--output", str(output))
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        assert "Read-only file system" in result.stderr, result.stderr
        assert "hint: the output folder is on a read-only file system" in result.stderr
        assert tree(output) == before
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_unwritable_output_folder_without_root(site, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores permissions; test_read_only_output_folder covers this as root")
    parent = tmp_path / "locked"
    parent.mkdir()
    output = parent / "output"
    site.article("a", BASIC_ARTICLE)
    site.build("--output", str(output))
    before = tree(output)
    parent.chmod(0o555)
    try:
        result = site.run("--output", str(output))
        assert result.returncode == 3 and "Permission denied" in result.stderr, result.stderr
        assert tree(output) == before
    finally:
        parent.chmod(0o755)
