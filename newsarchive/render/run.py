"""Render page jobs into the staging folder: serially, or over all cores for big sites.

Workers are forked after the index is built, so each starts with the index, the jobs and
the compiled templates in memory; a task is a range of job numbers and its answer is the
list of files written. Each worker writes its pages into the staging folder itself, so
page HTML never crosses a process boundary.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from .. import parallel
from ..config import Config
from ..content.model import Page
from ..errors import ContentError
from ..output import StagedOutput
from ..progress import Progress
from ..site.urls import Urls
from .pages import PageJob

# Below this many pages forking costs more than it saves.
_PARALLEL_FROM = 400
# Pages rendered between two progress updates on the serial path.
_SERIAL_STEP = 50


@dataclass
class Renderer:
    env: jinja2.Environment
    config: Config
    urls: Urls
    nav_pages: list[Page]
    out: StagedOutput

    def render(self, job: PageJob) -> str:
        return self.env.get_template(job.template).render(
            site=self.config, urls=self.urls, page_url=job.url, nav_pages=self.nav_pages,
            **job.full_context(),
        )

    def run(self, jobs: Sequence[PageJob]) -> tuple[set[PurePosixPath], int, list[ContentError]]:
        """Render and write jobs; (files written, files changed, template errors)."""
        self.out.written, self.out.changed = set(), 0
        errors: list[ContentError] = []
        for job in jobs:
            try:
                html = self.render(job)
            except jinja2.TemplateError as exc:
                errors.append(template_error(exc, Path(self.config.templates_dir)))
                break  # one broken template would repeat its error on every page
            self.out.write(self.urls.output_file(job.url), html.encode("utf-8"))
        return self.out.written, self.out.changed, errors


def render_all(renderer: Renderer, jobs: list[PageJob], progress: Progress | None = None) -> tuple[int, list[ContentError]]:
    """Render every job; returns (pages rendered, errors). Written files are recorded in
    renderer.out as if it had written them all itself."""
    out = renderer.out
    written, changed = set(out.written), out.changed
    workers = parallel.cpu_count()
    progress = progress or Progress()
    if workers < 2 or len(jobs) < _PARALLEL_FROM or not parallel.can_fork():
        results = []
        for start in range(0, len(jobs), _SERIAL_STEP):  # in steps, to show progress
            results.append(renderer.run(jobs[start:start + _SERIAL_STEP]))
            progress.advance(len(jobs[start:start + _SERIAL_STEP]))
            if results[-1][2]:
                break  # a template error: the next pages would repeat it
    else:
        for name in {job.template for job in jobs}:  # compile once, before the fork
            renderer.env.get_template(name)
        ranges = [(r.start, r.stop) for r in parallel.chunks(range(len(jobs)), workers)]
        with parallel.fork_pool(workers, _start_worker, (renderer, jobs)) as pool:
            results = []
            for (start, stop), result in zip(ranges, pool.imap(_run_range, ranges)):
                results.append(result)
                progress.advance(stop - start)
    errors: list[ContentError] = []
    for chunk_written, chunk_changed, chunk_errors in results:
        written |= chunk_written
        changed += chunk_changed
        errors.extend(e for e in chunk_errors if e not in errors)
    out.written, out.changed = written, changed
    return len(jobs), errors


# The renderer and the jobs of this worker process, inherited from the parent at fork.
_worker: dict[str, Any] = {}


def _start_worker(renderer: Renderer, jobs: list[PageJob]) -> None:
    _worker["renderer"], _worker["jobs"] = renderer, jobs


def _run_range(bounds: tuple[int, int]) -> tuple[set[PurePosixPath], int, list[ContentError]]:
    start, stop = bounds
    return _worker["renderer"].run(_worker["jobs"][start:stop])


def template_error(exc: jinja2.TemplateError, templates_dir: Path) -> ContentError:
    """Point at the template line, whether the error was in its syntax or while rendering."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return ContentError(exc.filename or exc.name or "template", exc.lineno, "", exc.message or str(exc))
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(str(templates_dir.resolve())) or frame.filename.startswith(str(templates_dir)):
            return ContentError(frame.filename, frame.lineno or 0, "", str(exc))
    return ContentError(str(templates_dir), 0, "", f"template error: {exc}")
