"""`build`: turn content/ into the site in output/, or see that nothing it reads changed.

A build whose inputs (inputs.py) are exactly those of the last good build, with output/
as that build left it, is a no-op: it answers from the cache without loading the rendering
code, reading an article or writing a file. Anything else runs the pipeline (pipeline.py),
which itself re-renders only what changed.
"""

from __future__ import annotations

import gc
import importlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .. import inputs, parallel
from ..config import Config
from ..output import build_lock
from ..progress import Progress
from ..search import OFF_NOTICE, pagefind_binary

if TYPE_CHECKING:
    from ..content.store import OpeningStore


@dataclass(frozen=True)
class BuildResult:
    articles: int
    pages: int
    files: int
    changed: int
    seconds: float
    notices: tuple[str, ...] = ()
    search: bool = True
    feeds: int = 0
    redirects: int = 0
    # The earliest date of an article held back as future-dated: the site changes then.
    due: datetime | None = None

    def summary(self) -> str:
        redirects = f", {_n(self.redirects, 'redirect')}" if self.redirects else ""
        return (f"Built {_n(self.articles, 'article')} into {_n(self.pages, 'page')}, "
                f"{_n(self.feeds, 'feed')}{redirects} "
                f"({_n(self.files, 'file')}, {self.changed} changed) in {self.seconds:.2f} s"
                + ("" if self.search else f"; {OFF_NOTICE}"))


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def build(config: Config, progress: Progress | None = None) -> BuildResult:
    """Build the site; `progress` (optional) is told each stage and each step of it."""
    started = time.perf_counter()
    search = pagefind_binary()
    with _rare_collections():
        scanned, store = _scan_while_importing(config, search)
        try:
            with build_lock(Path(config.output_dir)):
                previous = inputs.unchanged(config, scanned.digest)
                if isinstance(previous, BuildResult):
                    return replace(previous, changed=0, seconds=time.perf_counter() - started)
                from ..pipeline import run  # the rendering code: loaded only when there is work

                result = run(config, progress or Progress(), started, search, scanned, store)
                inputs.remember(config, scanned.digest, result, result.due)
        finally:
            if store is not None:
                store.close()
    return result


# What a build with work to do imports (pipeline.py and what it needs), the costly parts
# first, in steps of a few hundredths of a second.
_RENDERING_MODULES = ("jinja2", "markdown", "yaml", "frontmatter", "babel.dates", "newsarchive.content.article",
                      "newsarchive.content.load", "newsarchive.site.index", "newsarchive.render.pages",
                      "newsarchive.render.feeds", "newsarchive.pipeline")


def _scan_while_importing(config: Config, search: Path | None) -> tuple[inputs.Scan, OpeningStore | None]:
    """inputs.scan in a forked child, while this process imports the rendering code a step
    at a time, then loads the article store a part at a time: a build with work to do needs
    all three (at 10,000 articles the scan takes 0.17 s, the imports 0.09 and the store
    0.12), and a no-op build, told by the scan, stops at the next step. The store as far
    as it was loaded (None if not started) goes on to `load_content`."""
    opening: OpeningStore | None = None
    with parallel.background(inputs.scan, config, search) as scanning:
        for name in _RENDERING_MODULES:
            if scanning.done():
                break
            importlib.import_module(name)
        if not scanning.done():
            from ..content.store import OpeningStore

            opening = OpeningStore.start(config)
            while opening is not None and not scanning.done() and opening.step():
                pass
        try:
            return scanning.result(), opening  # type: ignore[return-value]
        except BaseException:
            if opening is not None:
                opening.close()
            raise


@contextmanager
def _rare_collections() -> Iterator[None]:
    """A build makes a million long-lived objects (loaded articles, page jobs) and few
    reference cycles: the cyclic collector's passes over them cost a tenth of a warm build
    and free nothing, so it is off while building. Forked workers turn it back on for
    their own objects (`parallel.fork_pool`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
