"""Finding the Pagefind binary without importing pagefind.service (asyncio on every build)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from newsarchive import search


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
