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
from pathlib import Path
from typing import Any

import jinja2

from .. import parallel
from ..config import Config
from ..content.model import Page
from ..errors import ContentError
from ..output import Records, StagedOutput
from ..progress import Progress
from ..site.urls import Urls
from .fingerprint import Fingerprints, site_digest
from .pages import PageJob
from .templates import NavItem, site_nav

# Below this many pages forking costs more than it saves.
_PARALLEL_FROM = 400
_SERIAL_STEP = 200


# In place of a job's fingerprint: the worker that renders the page works it out.
_LATER = "later"


@dataclass
class Renderer:
    env: jinja2.Environment
    config: Config
    urls: Urls
    nav_pages: list[Page]
    out: StagedOutput
    fingerprints: Fingerprints | None = None
    nav: tuple[NavItem, ...] = ()
    site: str = ""  # site_digest: what every page depends on

    def __post_init__(self) -> None:
        self.nav = site_nav(self.urls, self.nav_pages)
        self.site = site_digest(self.config, self.nav_pages)

    def render(self, job: PageJob) -> str:
        return self.env.get_template(job.template).render(
            site=self.config, urls=self.urls, page_url=job.url, nav_pages=self.nav_pages, nav=self.nav,
            **job.full_context(),
        )

    def run(self, jobs: Sequence[tuple[PageJob, str | None]]) -> tuple[Records, list[ContentError]]:
        """Render and write jobs; what was written, and template errors."""
        errors: list[ContentError] = []
        for job, fingerprint in jobs:
            try:
                html = self.render(job)
            except jinja2.TemplateError as exc:
                errors.append(template_error(exc, Path(self.config.templates_dir)))
                break  # one broken template would repeat its error on every page
            rel = self.urls.output_rel(job.url)
            self.out.write(rel, html.encode("utf-8"))
            if fingerprint is _LATER:
                fingerprint = self.fingerprints.of(job)  # type: ignore[union-attr]
            if fingerprint is not None:
                self.out.pages[rel] = fingerprint
        return self.out.records(), errors


def render_all(renderer: Renderer, jobs: list[PageJob], progress: Progress | None = None,
               changed: set[int] | None = None, kept: set[str] | None = None) -> tuple[int, list[ContentError]]:
    """Render every job whose inputs changed since the last build; keep the others' files.
    `changed`: when the site's structure is the last build's, the ids of the articles that
    changed (fingerprint.Structure): a page showing none of them is kept without a look.
    `kept`: addresses of pages known to have the last build's inputs (Structure.kept_pages).

    Returns (pages rendered, errors); written files are recorded in renderer.out.
    """
    out = renderer.out
    progress = progress or Progress()
    fingerprints = renderer.fingerprints = Fingerprints(renderer.site)
    todo: list[tuple[PageJob, str | None]] = []
    previous = out.previous.pages
    if not previous:
        # Nothing to compare with (a first build): every page is rendered, and each page's
        # fingerprint, kept for the next build, is worked out where it is rendered.
        todo = [(job, _LATER) for job in jobs]
    else:
        output_rel, shows = renderer.urls.output_rel, fingerprints.shows
        for job in jobs:
            rel = output_rel(job.url)
            if changed is not None:
                known = previous.get(rel)
                if known is not None and not shows(job.context, changed) and out.keep(rel):
                    out.pages[rel] = known
                    continue
            elif kept and job.url in kept:
                known = previous.get(rel)
                if known is not None and out.keep(rel):
                    out.pages[rel] = known
                    continue
            fingerprint = fingerprints.of(job)
            if fingerprint is not None and previous.get(rel) == fingerprint and out.keep(rel):
                out.pages[rel] = fingerprint
                continue
            todo.append((job, fingerprint))
    progress.advance(len(jobs) - len(todo))
    if not todo:
        return 0, []
    out.stage()  # here, not in a worker: there is one staging folder
    mine = out.records()
    workers = parallel.cpu_count()
    if workers < 2 or len(todo) < _PARALLEL_FROM or not parallel.can_fork():
        results = []
        for start in range(0, len(todo), _SERIAL_STEP):  # in steps, to show progress
            results.append(renderer.run(todo[start:start + _SERIAL_STEP]))
            progress.advance(len(todo[start:start + _SERIAL_STEP]))
            if results[-1][1]:
                break  # a template error: the next pages would repeat it
    else:
        for name in {job.template for job, _ in todo}:  # compile once, before the fork
            renderer.env.get_template(name)
        ranges = [(r.start, r.stop) for r in parallel.chunks(range(len(todo)), workers)]
        with parallel.fork_pool(workers, _start_worker, (renderer, todo)) as pool:
            results = []
            for (start, stop), result in zip(ranges, pool.imap(_run_range, ranges), strict=True):
                results.append(result)
                progress.advance(stop - start)
    out.absorb(mine)
    errors: list[ContentError] = []
    for records, chunk_errors in results:
        out.absorb(records)
        errors.extend(e for e in chunk_errors if e not in errors)
    return len(todo), errors


# A file to copy into the site: (its path in the site, its source, the source's stat if known).
CopyJob = tuple[str, str, tuple[int, int, int, int] | None]


def copy_all(out: StagedOutput, files: Sequence[CopyJob], spread: bool = True) -> None:
    """`out.copy` for each file; over all cores when output/ is not known (every file is
    written: a first build) and `spread`, each worker copying a share of the files."""
    workers = parallel.cpu_count()
    if not spread or out.trusted or workers < 2 or len(files) < _PARALLEL_FROM or not parallel.can_fork():
        out.copy_many(files)
        return
    out.stage()  # here, not in a worker: there is one staging folder
    mine = out.records()
    ranges = [(r.start, r.stop) for r in parallel.chunks(range(len(files)), workers, per_worker=2)]
    with parallel.fork_pool(workers, _start_copier, (out, files)) as pool:
        results = list(pool.imap(_copy_range, ranges))
    out.absorb(mine)
    for records, sources in results:
        out.absorb(records)
        out.sources.update(sources)


# The renderer and the jobs of this worker process, inherited from the parent at fork.
_worker: dict[str, Any] = {}


def _start_worker(renderer: Renderer, jobs: list[tuple[PageJob, str | None]]) -> None:
    _worker["renderer"], _worker["jobs"] = renderer, jobs


def _run_range(bounds: tuple[int, int]) -> tuple[Records, list[ContentError]]:
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


def _start_copier(out: StagedOutput, files: Sequence[CopyJob]) -> None:
    _worker["out"], _worker["files"] = out, files


def _copy_range(bounds: tuple[int, int]) -> tuple[Records, dict[str, Any]]:
    out, files = _worker["out"], _worker["files"]
    for rel, source, stat in files[bounds[0]:bounds[1]]:
        out.copy(rel, source, stat)
    return out.records(), {rel: out.sources[rel] for rel, _, _ in files[bounds[0]:bounds[1]] if rel in out.sources}
