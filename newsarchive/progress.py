"""Progress of a long build, for a person watching a terminal.

The build calls `stage` and `advance`; nothing runs in the background (a thread would stop
the build from forking its workers). A display appears only once a build has run for a
couple of seconds, only on a terminal, and is erased before the summary line.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """The interface the build calls; this base class shows nothing."""

    def stage(self, name: str, total: int = 0, unit: str = "") -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


class TerminalProgress(Progress):
    """`Rendering  [██████░░░░░░]  1,234/5,000 pages  12 s` on one line, redrawn in place."""

    def __init__(self, stream: TextIO, delay: float = 2.0, clock: Callable[[], float] = time.monotonic,
                 width: int = 24, interval: float = 0.1):
        self.stream, self.delay, self.clock, self.width, self.interval = stream, delay, clock, width, interval
        self.started = clock()
        self.name, self.total, self.unit, self.done = "", 0, "", 0
        self.last_draw = float("-inf")
        self.drawn = False

    def stage(self, name: str, total: int = 0, unit: str = "") -> None:
        self.name, self.total, self.unit, self.done = name, total, unit, 0
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._draw(force=self.done >= self.total > 0)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")  # erase the line: the summary follows
            self.stream.flush()
            self.drawn = False

    def line(self) -> str:
        elapsed = f"{self.clock() - self.started:.0f} s"
        if not self.total:
            return f"{self.name}…  {elapsed}"
        filled = self.width * min(self.done, self.total) // self.total
        bar = "█" * filled + "░" * (self.width - filled)
        return f"{self.name:<10} [{bar}] {self.done:,}/{self.total:,} {self.unit}  {elapsed}"

    def _draw(self, force: bool = False) -> None:
        now = self.clock()
        if now - self.started < self.delay or (not force and now - self.last_draw < self.interval):
            return
        self.last_draw = now
        self.stream.write("\r\x1b[K" + self.line())
        self.stream.flush()
        self.drawn = True


def for_terminal(quiet: bool, stream: TextIO = sys.stderr) -> Progress:
    """A display on a terminal (stderr), nothing when quiet or when output goes to a file or CI log.

    NEWSARCHIVE_PROGRESS_DELAY sets the seconds before it appears (default 2).
    """
    if quiet or not stream.isatty():
        return Progress()
    try:
        delay = float(os.environ.get("NEWSARCHIVE_PROGRESS_DELAY", "2"))
    except ValueError:
        delay = 2.0
    return TerminalProgress(stream, delay=delay)
