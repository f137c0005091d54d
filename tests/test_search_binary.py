"""Finding the Pagefind binary without importing pagefind.service (asyncio on every build)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import Site
from newsarchive import search
from sitecheck import tree


def test_finds_what_pagefinds_own_lookup_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    service = pytest.importorskip("pagefind.service")
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    expected = service.get_executable()
    if expected is None:
        pytest.skip("Pagefind is not installed")
    assert search.pagefind_binary() == expected


def test_the_environment_variable_wins_and_must_name_an_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = tmp_path / "my-pagefind"
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tool))
    assert search.pagefind_binary() is None  # not executable yet
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    assert search.pagefind_binary() == tool
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", os.devnull + "/missing")
    assert search.pagefind_binary() is None


def test_finding_the_binary_does_not_import_asyncio(tmp_path: Path) -> None:
    """Every build, a no-op too, asks for the binary: asking must stay light."""
    import subprocess
    import sys
    code = "import sys; from newsarchive import search; search.pagefind_binary(); print('asyncio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False"


def test_a_pagefind_that_fails_stops_the_build_and_leaves_the_output(site: Site, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind runs in a child the build forks (search.prepare_index): when it fails, the
    build still stops with Pagefind's own words and a hint, exits non-zero, leaves output/
    as the last build left it, and leaves no temporary folder behind."""
    for n in range(3):
        site.article(f"a{n}", f"title: Story {n}\ndate: 2020-0{n + 1}-01\noutlet: Times\ntopics: [Trade]\n")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", os.devnull + "/missing")
    site.build()
    before = tree(site.output)
    tool = tmp_path / "failing-pagefind"
    tool.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pagefind_extended 1.5.2"; exit 0; fi\n'
                    'echo "boom: cannot index" >&2\nexit 3\n', encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tool))
    result = site.run()
    assert result.returncode != 0
    assert "Pagefind failed on 2020: boom: cannot index" in result.stderr
    assert "check the Pagefind install" in result.stderr
    assert tree(site.output) == before
    assert not [p.name for p in site.root.iterdir() if "pagefind" in p.name]


def test_pagefinds_version_is_asked_once_per_binary(tmp_path: Path) -> None:
    """The version (part of every shard's key) is kept in the cache by the binary's path and
    stat: asked again only when the binary changes, never taken from another binary."""
    calls = tmp_path / "calls"
    tool = tmp_path / "pagefind"

    def install(version: str) -> None:
        tool.write_text(f'#!/bin/sh\necho run >> "{calls}"\necho "pagefind_extended {version}"\n', encoding="utf-8")
        tool.chmod(0o755)

    install("1.5.2")
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    assert [search._known_version(tool, mirrors) for _ in range(3)] == ["1.5.2"] * 3
    assert calls.read_text(encoding="utf-8").count("run") == 1
    install("1.6.0-longer")  # another size and time: another binary
    assert search._known_version(tool, mirrors) == "1.6.0-longer"
    assert search._known_version(tool, None) == "1.6.0-longer"  # no cache: asked each time
    assert calls.read_text(encoding="utf-8").count("run") == 3
