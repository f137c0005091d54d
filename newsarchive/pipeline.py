"""The build pipeline, top to bottom.

config -> load and validate content -> index -> render -> stage -> swap into output/.
Any error stops the build before the swap, so output/ is never half-written.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import jinja2

from . import cache, parallel
from .commands.build import BuildResult
from .config import Config
from .content.curation import apply_registries, due
from .content.load import Content, load_content
from .content.model import Article
from .content.registry import Registries, load_registries
from .content.store import OpeningStore
from .errors import BuildError, ContentError
from .inputs import Scan, Stat
from .output import Records, StagedOutput
from .progress import Progress
from .render.feeds import feed_plans, write_feeds
from .render.fingerprint import Structure
from .render.pages import ARTICLE_TEMPLATE, FigureRenderer, PageJob, article_job, page_jobs
from .render.redirects import redirect_jobs
from .render.run import Renderer, copy_all, render_all, template_error
from .render.sitemap import SitemapEntry, robots_txt, sitemap_entries, sitemap_files
from .render.templates import make_environment
from .search import SearchIndexError, prepare_index, publish_index, shards_of, start_early_index
from .site import ids
from .site.delta import updated_index
from .site.index import (
    IndexInputs,
    IndexSnapshot,
    SiteIndex,
    build_index,
    describe,
    index_frame,
    index_inputs,
    index_rows,
)
from .site.urls import Urls

T = TypeVar("T")


def run(config: Config, progress: Progress, started: float, pagefind: Path | None,
        scanned: Scan | None = None, store: OpeningStore | None = None) -> BuildResult:
    """Build the site (the caller holds the build lock); `pagefind`: the search indexer, if
    any; `scanned`: the content files as just seen (inputs.scan), to save asking again;
    `store`: the article store, if its loading has begun."""
    known = scanned.content if scanned else {}
    urls = Urls(config)
    early: list[tuple[str, parallel.Background] | None] = []

    def read(content: Content) -> None:
        # First thing once the files are read: with search on, Pagefind is what a build that
        # changes a few articles waits for last, and the other core is idle until the index.
        early.append(_early_search(config, pagefind, out, content, urls))

    # Entered first: where output/ has no spare copy to stage a build in, one is made
    # meanwhile, while the content is read (StagedOutput.__enter__).
    with StagedOutput(Path(config.output_dir), config.cache_dir) as out:
        try:
            # Saving the article store (pickling 10,000 entries read afresh: 0.2 s) is left to a
            # forked child while the build goes on; it is waited for whatever becomes of the build.
            content = load_content(config, progress, known, complete=scanned is not None and scanned.complete,
                                   beside=True, opening=store, read=read)
            try:
                index, pages, feeds, redirects = _build(config, progress, pagefind, known, out, content, urls,
                                                        early[0] if early else None)
            finally:
                content.saved()
        finally:
            if early and early[0] is not None:  # done by now, or of no use any more: a failed build leaves nothing
                early[0][1].cancel()
                shutil.rmtree(early[0][0], ignore_errors=True)
    progress.finish()
    return BuildResult(
        articles=len(index.articles),
        pages=pages,
        files=len(out.digests),
        changed=out.changed,
        seconds=time.perf_counter() - started,
        notices=tuple(content.notices) + tuple(ids.notices(index.articles, config)),
        search=pagefind is not None,
        feeds=feeds,
        redirects=redirects,
        due=content.due,
    )


def _build(config: Config, progress: Progress, pagefind: Path | None, known: dict[str, Stat], out: StagedOutput,
           content: Content, urls: Urls, early: tuple[str, parallel.Background] | None
           ) -> tuple[SiteIndex, int, int, int]:
    """Index, render, stage and swap in the site of `content`; (the index, pages, feed files
    and redirects made). `early`: the search shards being indexed ahead (`_early_search`)."""
    # The last build's index, when it was made from the same inputs: most builds change
    # no article's date, slug, outlet or topics, and none is added or removed.
    settings = repr(config.resolved())
    frame = index_frame(content.pages, settings)
    snapshot = _cached(config, "index.pickle", IndexSnapshot)
    # Rows of articles the last index knew, by their cache keys, are its rows again.
    basis = cache.digest(frame, repr(content.registries))
    keys = [article.body.key for article in content.articles]
    rows = index_rows(content.articles, snapshot.known_rows(basis) if snapshot is not None else None)
    made = IndexInputs(index_inputs(content.articles, content.pages, settings, rows, frame), rows, frame, keys,
                       basis, config.related_count)
    index = None
    if snapshot is not None and snapshot.inputs == made.digest:
        index = snapshot.restore(content.articles, content.pages)
    elif snapshot is not None and not content.errors:
        # Else a few articles were added, removed or changed: the last index, brought up to date.
        index = updated_index(snapshot, content.articles, rows, content.pages, frame, urls, config.related_count)
    with _early_copy(config, content, urls, out, known) as copying:
        return _index_and_render(config, progress, pagefind, known, out, content, urls, made, snapshot, index,
                                 copying, early)


def _search_pages(articles: list[Article], config: Config, urls: Urls
                  ) -> tuple[dict[str, list[str]], dict[str, Article]]:
    """The search shards (year -> article pages, sorted) and the article of each page."""
    by_page = {urls.output_rel(urls.article(article)): article for article in articles}
    return _shards(by_page, config), by_page


def _shards(by_page: dict[str, Article], config: Config) -> dict[str, list[str]]:
    """The search shards of the article pages: year (in the site's time zone) -> pages."""
    tz = config.tz
    return shards_of((article.date.astimezone(tz).year, rel) for rel, article in by_page.items())


def _article_pages_first(jobs: list[PageJob], urls: Urls) -> tuple[list[PageJob], list[PageJob], dict[str, Article]]:
    """(the article pages, the other pages, the article of each article page's file): one
    pass over the jobs, where asking each article for its address again would be another."""
    first: list[PageJob] = []
    rest: list[PageJob] = []
    by_page: dict[str, Article] = {}
    output_rel = urls.output_rel
    for job in jobs:
        if job.template == ARTICLE_TEMPLATE:
            by_page[output_rel(job.url)] = job.context["article"]
            first.append(job)
        else:
            rest.append(job)
    return first, rest, by_page


def _early_search(config: Config, pagefind: Path | None, out: StagedOutput, content: Content, urls: Urls
                  ) -> tuple[str, parallel.Background] | None:
    """Pagefind started on the shards a few changed articles are in, before the index is
    built (search.start_early_index); (its folder, the child), or None. `content`: as read,
    before curation, which the child does for the articles it renders."""
    if pagefind is None or config.cache_dir is None or content.errors:
        return None
    found: dict[str, Article] = {}

    def pages(known: set[str]) -> tuple[dict[str, list[tuple[str, str]]], set[str]]:
        """The pages by shard of the articles whose keys are not `known`, and every key;
        not of articles curation will hold back (future-dated)."""
        present = {article.body.key for article in content.articles}
        fresh = [article for article in content.articles if article.body.key not in known and due(article, config)]
        shards, by_page = _search_pages(fresh, config, urls)
        found.update(by_page)
        return {year: [(rel, by_page[rel].body.key) for rel in listed] for year, listed in shards.items()}, present

    made: list[tuple[Renderer, FigureRenderer, Registries]] = []

    def render(rel: str) -> bytes | None:
        """The page of the article at `rel` without related articles, which reduce_page
        drops; its outlet and topics named as the registries name them (curation)."""
        try:
            if not made:
                env = make_environment(Path(config.templates_dir), config.cache_dir, config, urls)
                nav = sorted(content.pages, key=lambda page: page.slug)  # as build_index orders them
                registries = load_registries(Path(config.content_dir))[0]
                made.append((Renderer(env, config, urls, nav, out), FigureRenderer(env, urls), registries))
            renderer, figures, registries = made[0]
            article, errors = apply_registries(found[rel], registries)
            if errors:
                return None
            return renderer.render(article_job(article, config, urls, figures, [])).encode("utf-8")
        except Exception:  # the build renders it again, and reports what is wrong
            return None

    return start_early_index(pagefind, out, Path(config.cache_dir), pages, render)


@contextmanager
def _early_copy(config: Config, content: Content, urls: Urls, out: StagedOutput, known: dict[str, Stat]
                ) -> Iterator[parallel.Background | None]:
    """A forked child copying the static files and every image, started before the index is
    built, on a first build (output/ not known: every file is written) over more than one
    core: building the index leaves the other core idle, and the copies need no index (an
    image goes beside its article's page). None when the copies are left to `_build`."""
    if out.trusted or content.errors or parallel.cpu_count() < 2 or not parallel.can_fork():
        yield None
        return
    out.stage()  # before the fork: the child writes into the staging folder itself
    with parallel.background(_deferred, out, partial(_copy_only, config, content.articles, urls, out, known)) as job:
        yield job


def _copy_only(config: Config, articles: list[Article], urls: Urls, out: StagedOutput, known: dict[str, Stat]
               ) -> tuple[int, list[ContentError]]:
    # One process: more would slow the index, which decides when the pages start.
    _copy_files(config, articles, urls, out, known, spread=False)
    return 0, []


def _index_and_render(config: Config, progress: Progress, pagefind: Path | None, known: dict[str, Stat],
                      out: StagedOutput, content: Content, urls: Urls, made: IndexInputs,
                      snapshot: IndexSnapshot | None, index: SiteIndex | None, copying: parallel.Background | None,
                      early: tuple[str, parallel.Background] | None = None
                      ) -> tuple[SiteIndex, int, int, int]:
    """`_build` once the content is read; `made`: what the index is made from; `snapshot`:
    the last build's index; `index`: the index, if not to be made here (the snapshot's, or
    it brought up to date); `copying`: the child copying static files and images
    (`_early_copy`), if any; `early`: the search shards being indexed ahead
    (`_early_search`)."""
    errors: list[ContentError] = []
    inputs = made.digest
    # A new index is kept, for the next build; the snapshot it is again is not.
    keep = made if index is None or snapshot is None or snapshot.inputs != inputs else None
    if index is None:
        # From the related lists of the last index where its frame was this one: only the
        # lists a change reaches are ranked again.
        memo = snapshot.memo(content.articles, made.rows) if snapshot is not None and snapshot.frame == made.frame \
            else None
        index, errors = build_index(content.articles, content.pages, urls, config.related_count, memo)
    errors += ids.check_ids(index.articles, ids.authority(config))
    if content.errors or errors:
        raise BuildError(content.errors + errors)
    describe(index, content.registries)

    env = make_environment(Path(config.templates_dir), config.cache_dir, config, urls)
    try:
        figures = FigureRenderer(env, urls)
        jobs = list(page_jobs(index, config, urls, figures, search_enabled=pagefind is not None))
    except jinja2.TemplateError as exc:
        raise BuildError([template_error(exc, Path(config.templates_dir))]) from None
    redirects, errors = redirect_jobs(index.articles, urls, {urls.output_rel(job.url) for job in jobs})
    if errors:
        raise BuildError(errors)
    renderer = Renderer(env, config, urls, index.pages, out)
    structure = Structure.of(index, renderer.site, pagefind is not None, inputs, content.registries)
    previous = out.previous
    changed = structure.changed_since(previous.structure, previous.article_keys, index.articles)
    # An addition (or a removal, a new date or topics) changes the structure; then the
    # pages it does not reach are found by comparing with the last index.
    kept = set() if changed is not None else structure.kept_pages(
        previous.frame, previous.index_inputs, previous.article_keys, snapshot, index, jobs)
    out.structure, out.article_keys = structure.digest, structure.keys
    out.frame, out.index_inputs = structure.frame, structure.inputs
    # Feeds, the sitemap and copied files do not depend on the pages: a forked child
    # makes them meanwhile. On a first build it keeps both cores busy where one stage
    # alone would leave one idle (the start and end of each pool), and the child writes
    # into the staging folder, which is certain to be needed, itself. When the structure
    # is the last build's, or most pages are kept (a few pages to render), this process
    # checks the copies itself meanwhile: the child would have to touch every article
    # and image, copying memory pages, and would be the longer of the two. The child
    # also keeps the new index in the cache.
    # The feeds spread over the cores only when this process renders few pages: beside a
    # pool rendering every page (a first build), feed workers would only take turns with
    # it, while making the feeds in one process costs less CPU in all (no entry made
    # twice, no items sent between processes).
    beside = parallel.cpu_count() > 1 and parallel.can_fork()
    few = changed is not None or len(kept) > len(jobs) // 2
    copy_here = beside and copying is None and few
    side = partial(_beside_pages, index, config, urls, env, figures, out, jobs, known, renderer.site,
                   not copy_here and copying is None, keep if config.cache_dir is not None else None,
                   few or not beside)
    if beside and not out.trusted:
        out.stage()
    # One search bundle per year of articles; only the years whose pages changed run
    # Pagefind. It reads the article pages alone: they are rendered first, and Pagefind
    # runs in a forked child (prepare_index) while this process renders the others.
    first, rest, by_page = _article_pages_first(jobs, urls) if pagefind else ([], jobs, {})
    shards = _shards(by_page, config)
    with parallel.background(_deferred, out, side) if beside else nullcontext() as job:
        progress.stage("Rendering", len(jobs) + len(redirects), "pages")
        errors = render_all(renderer, first, progress, changed, kept)[1] if first else []
        search = (pagefind, out, shards, config.cache_dir and Path(config.cache_dir),
                  {rel: article.body.key for rel, article in by_page.items()}, early[0] if early else "")
        # An early search child does the Pagefind runs: the child preparing the index would
        # mostly wait for it, so it checks the image copies first, instead of this process.
        # It then stages the index too, while this process renders or waits for the feeds.
        copy_beside = copy_here and early is not None
        copy = partial(_copy_files, config, index.articles, urls, out, known) if copy_beside else None
        with (parallel.background(_copy_index_publish, copy, search) if pagefind and beside and not errors
              else nullcontext()) as searching:
            if not errors:
                errors = render_all(renderer, rest, progress, changed, kept)[1]
            if not errors:
                errors = render_all(renderer, redirects, progress, changed)[1]
            pages = len(jobs)
            if errors:
                raise BuildError(errors)
            if copy_here and not (searching and copy_beside):
                _copy_files(config, index.articles, urls, out, known)
            progress.stage("Feeds")
            if job is None:
                feeds, errors = side()
            else:
                feeds, errors, records, sources = job.result()
                out.absorb(records)
                out.sources.update(sources)
            if errors:
                raise BuildError(errors)
            if copying is not None:
                _, _, records, sources = copying.result()
                out.absorb(records)
                out.sources.update(sources)
            if pagefind:
                progress.stage("Search index")
                try:
                    if searching:
                        for records in searching.result():
                            out.absorb(records)
                    else:
                        publish_index(prepare_index(*search), out)
                    if early is not None:
                        early[1].cancel()  # done, or of no use: its folder went with publish_index
                except SearchIndexError as exc:
                    raise BuildError([ContentError(
                        str(config.output_dir), 0, "search", str(exc),
                        "run the build again with -v, or check the Pagefind install")]) from None
    progress.stage("Writing")
    out.commit()
    return index, pages, feeds, len(redirects)


def _copy_index_publish(copy: Callable[[], None] | None, search: tuple[Any, ...]) -> tuple[Records, Records]:
    """In a forked child: `copy` (if any), then `prepare_index(*search)` and `publish_index`;
    what the copies and the index staged, each Records with the sources of what it copied."""
    out: StagedOutput = search[1]
    digests = dict(out.digests)  # the pages' digests, which prepare_index reads
    out.records()  # the parent's records so far are the parent's
    out.sources = {}
    out.deferred = not out.staged
    if copy is not None:
        copy()
    copied = out.records()
    copied.sources, out.sources = out.sources, {}
    out.digests = digests
    prepared = prepare_index(*search)
    out.digests = {}
    publish_index(prepared, out)
    published = out.records()
    published.sources = out.sources
    return copied, published


def _beside_pages(index: SiteIndex, config: Config, urls: Urls, env: jinja2.Environment, figures: FigureRenderer,
                  out: StagedOutput, jobs: list[PageJob], known: dict[str, Stat], site: str, copy: bool = True,
                  made: IndexInputs | None = None, spread: bool = True) -> tuple[int, list[ContentError]]:
    """Static files and images (if `copy`), every feed, the sitemap and robots.txt; (the
    number of feed files, template errors). A new index (`made`: what it was made from)
    goes to the cache: it holds whatever becomes of the build (each list is the one its
    articles give). `spread`: the feeds may be made over all cores."""
    if made is not None:
        _keep(config, "index.pickle", IndexSnapshot.of(index, made))
    if copy:
        _copy_files(config, index.articles, urls, out, known)
    feeds = sum(2 + bool(feed.json_url) for feed, _ in feed_plans(index, config, urls))
    try:
        errors = write_feeds(index, config, urls, env, figures, out, site, spread=spread)
    except jinja2.TemplateError as exc:
        errors = [template_error(exc, Path(config.templates_dir))]
    if not errors:
        _sitemap(sitemap_entries(jobs, index, urls), urls, out)
        out.write(urls.output_file(urls.robots()), robots_txt(urls))
    return feeds, errors


def _deferred(out: StagedOutput, work: Callable[[], tuple[int, list[ContentError]]]
              ) -> tuple[int, list[ContentError], Records, dict[str, Any]]:
    """`work` in a process beside the one that stages: what it wrote (the bytes of changed
    files too, for that process to write, unless the staging folder was made before the
    fork) and the sources of the files it copied."""
    out.records()  # the parent's records so far are the parent's
    out.sources = {}
    out.deferred = not out.staged
    feeds, errors = work()
    return feeds, errors, out.records(), out.sources


def _copy_files(config: Config, articles: list[Article], urls: Urls, out: StagedOutput, known: dict[str, Stat],
                spread: bool = True) -> None:
    """Static assets, and each article's images beside its page (`spread`: see copy_all)."""
    _copy_tree(Path(config.static_dir), PurePosixPath("static"), out)
    content_dir = str(config.content_dir)
    images = []
    address, output_rel, dirname = urls.article, urls.output_rel, os.path.dirname
    for article in articles:
        if not article.images:
            continue
        folder = dirname(article.source_path)
        article_dir = output_rel(address(article)).rpartition("/")[0]
        for image in article.images:
            if image.src:
                rel = f"{folder}/{image.src}"
                images.append((f"{article_dir}/{image.src}", os.path.join(content_dir, rel), known.get(rel)))
    copy_all(out, images, spread)


def _copy_tree(source: Path, target: PurePosixPath, out: StagedOutput) -> None:
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            out.copy(target / path.relative_to(source).as_posix(), path)


def _keep(config: Config, name: str, payload: object) -> None:
    """Keep `payload` in the cache under `name`, for the next build (see _cached)."""
    if config.cache_dir is not None:
        try:
            cache.save(Path(config.cache_dir) / name, cache.generator_digest(), payload)
        except OSError:
            pass  # the next build makes it again


def _cached(config: Config, name: str, kind: type[T]) -> T | None:
    """What the last build kept in the cache under `name`, if it is a `kind` made by this
    very generator; else None."""
    if config.cache_dir is None:
        return None
    stored = cache.load(Path(config.cache_dir) / name, cache.generator_digest())
    return stored if isinstance(stored, kind) else None


def _sitemap(entries: list[SitemapEntry], urls: Urls, out: StagedOutput) -> None:
    """The sitemap files, made again only when an address or a date in them changed."""
    inputs = cache.digest("sitemap", "\n".join(
        f"{e.loc}\t{e.lastmod.isoformat() if e.lastmod else ''}" for e in entries))
    kept = [rel for rel, fingerprint in out.previous.pages.items() if fingerprint == inputs]
    if kept and all(out.keep(rel) for rel in kept):
        out.pages.update(dict.fromkeys(kept, inputs))
        return
    for rel, data in sitemap_files(entries, urls):
        out.write(rel, data)
        out.pages[rel.as_posix()] = inputs
