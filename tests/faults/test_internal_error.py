"""A bug in newsarchive is reported as one short line with a hint, not a raw traceback."""

from __future__ import annotations

import pytest

from newsarchive import cli, pipeline
from newsarchive.commands import build as build_module
from tests.conftest import BASIC_ARTICLE


@pytest.fixture
def broken_build(monkeypatch):
    def explode(config, *args, **kwargs):
        raise ZeroDivisionError("simulated bug")
    monkeypatch.setattr(build_module, "build", explode)


def test_unexpected_exception_is_an_internal_error(site, broken_build, capsys):
    site.article("a", BASIC_ARTICLE)
    code = cli.main(["--config", str(site.root / "config.toml")])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INTERNAL == 4
    assert "Traceback" not in err
    assert "internal error: ZeroDivisionError: simulated bug" in err
    assert "please report it" in err and "--verbose" in err


def test_verbose_shows_the_traceback(site, broken_build, capsys):
    code = cli.main(["--config", str(site.root / "config.toml"), "--verbose"])
    err = capsys.readouterr().err
    assert code == 4
    assert "Traceback (most recent call last)" in err and "explode" in err
    assert "internal error: ZeroDivisionError" in err


def test_internal_error_leaves_previous_output(site, monkeypatch, capsys):
    site.article("a", BASIC_ARTICLE)
    site.build()
    before = {p: p.read_bytes() for p in site.output.rglob("*") if p.is_file()}

    def explode(*args, **kwargs):
        raise RuntimeError("boom while rendering")
        yield  # pragma: no cover

    monkeypatch.setattr(pipeline, "page_jobs", explode)
    assert cli.main(["--config", str(site.root / "config.toml")]) == 4
    assert {p: p.read_bytes() for p in site.output.rglob("*") if p.is_file()} == before
    assert not [p for p in site.root.iterdir() if p.name.startswith(".staging-")]
