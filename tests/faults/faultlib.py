"""Helpers for fault tests: run the real CLI in a subprocess, with a fault injected at a
chosen point by a small prelude (the production code has no test hooks)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REPO


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root (relative path -> bytes), symlinks included as their target."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    """Hidden entries a build left beside its output (its lock file aside): staging, retired
    or temporary folders."""
    kept = (".cache",)  # the build cache; `.spare-<output>` is the previous output, kept on purpose
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")
                  and p.name not in kept and not p.name.startswith(".spare-"))


def run_with_fault(site, prelude: str, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run build.py's main() after `prelude` (Python) has patched something, as a user would run it."""
    code = "import os, signal, sys\nBUILD_PID = os.getpid()\n" + f"sys.path.insert(0, {str(REPO)!r})\n" + \
        textwrap.dedent(prelude) + \
        "\nfrom newsarchive.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    cmd = [sys.executable, "-c", code, "--config", str(site.root / "config.toml"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=site.root, timeout=300, **kwargs)


def many_articles(site, count: int, title: str = "Article") -> None:
    for i in range(count):
        site.article(f"a{i:04d}", f"""
            title: {title} {i}
            date: 2020-{1 + i % 12:02d}-{1 + i % 28:02d}
            outlet: Outlet {i % 7}
            topics: [Topic {i % 13}, Theme {i % 5}]
            """, ("A paragraph of body text for the article. " * 12 + "\n\n") * 3)
