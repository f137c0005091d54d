"""Shared fixtures: build real sites from small content trees in temporary folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Site:
    """A throwaway site: config.toml, content/, templates/ and static/ copied from the repo."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def output(self) -> Path:
        return self.root / "output"

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def article(self, name: str, front: str, body: str = "Body text.\n") -> Path:
        """Write content/articles/<name>.md from front matter lines and a body."""
        text = "---\n" + textwrap.dedent(front).strip("\n") + "\n---\n\n" + textwrap.dedent(body).lstrip("\n")
        path = self.content / "articles" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def config(self, extra: str = "", base_url: str = "https://example.org/") -> None:
        self.write("config.toml", f'title = "Test Archive"\nbase_url = "{base_url}"\n' + textwrap.dedent(extra))

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """Run build.py as a user would, in a subprocess, against this site."""
        cmd = [sys.executable, str(REPO / "build.py"), *args]
        if not any(a.startswith("--config") for a in args):
            cmd += ["--config", str(self.root / "config.toml")]
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def build(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(*args, check=True)

    def read(self, rel: str) -> str:
        return (self.output / rel).read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site using the repository's templates and static files."""
    s = Site(tmp_path / "site")
    s.root.mkdir()
    shutil.copytree(REPO / "templates", s.root / "templates")
    shutil.copytree(REPO / "static", s.root / "static")
    (s.content / "articles").mkdir(parents=True)
    s.config()
    return s


BASIC_ARTICLE = """
title: A basic article
date: 2020-01-02
outlet: Example Times
topics: [Politics]
"""


# Browser tests ---------------------------------------------------------------------------------
# They need Debian's Chromium (and, for some, node_modules from `npm ci` and Java). Locally a
# missing tool skips them with the reason shown in the summary; under CI (env CI set) nothing
# is skipped: a missing tool fails the test, so a green CI run means the checks really ran.

def require(available: bool, what: str) -> None:
    """Skip the calling test without `what` (fail instead when CI is set)."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and CI is set: browser checks must run in CI (see .ci/run)")
    pytest.skip(f"{what} is missing: browser checks skipped (install it, or run .ci/run)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tools.browser import chromium_path

    if chromium_path() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="Chromium not found (/usr/bin/chromium): browser tests skipped; "
                                   "apt-get install chromium, or run .ci/run")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)
