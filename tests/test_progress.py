"""Progress display and the build's one-line summary."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

from conftest import BASIC_ARTICLE, REPO
from newsarchive.progress import Progress, TerminalProgress, for_terminal


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_shown_for_a_short_build():
    stream, clock = io.StringIO(), Clock()
    progress = TerminalProgress(stream, delay=2.0, clock=clock)
    progress.stage("Rendering", 10, "pages")
    progress.advance(10)
    clock.now += 1.9
    progress.finish()
    assert stream.getvalue() == ""


def test_a_long_build_shows_a_bar_then_erases_it():
    stream, clock = io.StringIO(), Clock()
    progress = TerminalProgress(stream, delay=2.0, clock=clock, width=10)
    progress.stage("Rendering", 200, "pages")
    clock.now += 3
    progress.advance(50)
    assert stream.getvalue().endswith("\r\x1b[KRendering  [██░░░░░░░░] 50/200 pages  3 s")
    before = stream.getvalue()
    progress.advance(1)  # within the redraw interval: not drawn again
    assert stream.getvalue() == before
    clock.now += 0.5
    progress.advance(149)
    assert stream.getvalue().endswith("[██████████] 200/200 pages  4 s")
    progress.stage("Search index")
    assert stream.getvalue().endswith("\r\x1b[KSearch index…  4 s")
    progress.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_silent_when_not_a_terminal_or_quiet():
    assert type(for_terminal(False, io.StringIO())) is Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(for_terminal(False, Tty()), TerminalProgress)
    assert type(for_terminal(True, Tty())) is Progress


def test_summary_line_and_no_progress_in_logs(site):
    site.article("a", BASIC_ARTICLE)
    site.article("b", BASIC_ARTICLE + "aliases: [/old/b/]\n")
    result = site.build()
    assert re.fullmatch(r"Built 2 articles into \d+ pages, \d+ feeds, 1 redirect \(\d+ files, \d+ changed\) in \d+\.\d\d s.*\n",
                        result.stdout), result.stdout
    assert "\x1b[K" not in result.stderr and "█" not in result.stderr
    assert site.run("-q").stdout == ""


def test_progress_on_a_terminal(site):
    """Through a pseudo-terminal, as a person at a shell sees it (the delay set to 0)."""
    site.article("a", BASIC_ARTICLE)
    leader, follower = pty.openpty()
    env = {**os.environ, "NEWSARCHIVE_PROGRESS_DELAY": "0"}
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--config", str(site.root / "config.toml")],
                          stdout=subprocess.PIPE, stderr=follower, env=env, cwd=site.root, timeout=300)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode == 0
    text = shown.decode("utf-8")
    assert "Reading" in text and "1/1 articles" in text
    assert "Rendering" in text and "pages" in text
    assert text.endswith("\r\x1b[K")  # erased before the summary, which goes to stdout
    assert proc.stdout.decode().startswith("Built 1 article into ")
