"""Walk content/, read every article and page, and gather every error of the tree at once."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import cache, parallel
from ..config import Config
from ..errors import ContentError
from ..progress import Progress
from .article import read_article, read_page
from .curation import curate
from .markdown import MarkdownRenderer
from .model import Article, Page
from .registry import Registries
from .sanitize import HtmlPolicy
from .store import ArticleStore, Entry, OpeningStore, Pending, Stat, make_entry, pack_bodies, settle_cutoff


@dataclass
class Content:
    articles: list[Article] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    registries: Registries = field(default_factory=Registries)
    # The earliest date of an article held back as future-dated: the site changes then.
    due: datetime | None = None
    # The child saving the article store, when load_content left that to one (`saved`).
    saving: parallel.Background | None = None

    def saved(self) -> None:
        """Wait for the article store's save, if a child makes it. A save that failed is no
        error: the next build reads the articles again."""
        if self.saving is not None:
            try:
                self.saving.result()
            except Exception:
                pass
            self.saving = None


def read_text(path: Path, rel: str, max_bytes: int) -> tuple[str | None, ContentError | None]:
    """A content file's text, refusing files too large to be an article (checked before reading)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, ContentError(
                rel, 1, "", f"the file is {size / 1e6:.1f} MB, more than the limit of {max_bytes / 1e6:g} MB",
                "split it, or raise max_file_mb in config.toml")
        return decode(path.read_bytes(), rel)
    except OSError as exc:
        return None, ContentError(rel, 1, "", f"cannot be read: {exc.strerror or exc}", "check its permissions")


def renderer_for(config: Config) -> MarkdownRenderer:
    """The Markdown converter with the site's HTML policy (trust_html, allow_iframes)."""
    return MarkdownRenderer(smarty=config.smarty,
                            policy=HtmlPolicy(trust_html=config.trust_html, iframe_hosts=config.allow_iframes))


def decode(raw: bytes, rel: str) -> tuple[str | None, ContentError | None]:
    """UTF-8 text with a BOM and Windows line endings tolerated; anything else is an error."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, ContentError(rel, line, "", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                                  "save the file as UTF-8")
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


def markdown_files(root: Path, content_root: Path) -> tuple[list[tuple[str, Path]], list[ContentError]]:
    """Every .md file below root as (path relative to content/, path), sorted, links checked.

    Sorted so the result never depends on the file system's listing order; a symbolic
    link that leads outside content/ is refused, since content may not read other files.
    Only links are resolved: a plain entry is where its folder is (this runs on every build).
    """
    found: list[tuple[str, Path]] = []
    errors: list[ContentError] = []
    if not root.is_dir():
        return found, errors
    real_root = content_root.resolve()
    start = root.resolve()
    if not start.is_relative_to(real_root):
        return found, errors
    visited = {start}
    cut = len(str(content_root)) + 1
    # (folder as reached from content/, its real path): walked depth first, in name order.
    stack = [(str(root), start)]
    while stack:
        folder, real_folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            link = entry.is_symlink()
            if entry.is_dir():
                rel = entry.path[cut:]
                real = Path(entry.path).resolve() if link else real_folder / entry.name
                if not real.is_relative_to(real_root):
                    errors.append(ContentError(rel, 1, "", "is a link to a folder outside the content folder",
                                               "copy the folder into content/ instead"))
                elif real in visited:
                    # A link back up the tree would be walked forever, a link across it read twice.
                    errors.append(ContentError(rel, 1, "", f"is a link to {real.relative_to(real_root).as_posix()}/, "
                                               "which is already read", "remove the link"))
                else:
                    visited.add(real)
                    subfolders.append((entry.path, real))
            elif entry.name.endswith(".md"):
                rel = entry.path[cut:]
                if link and not Path(entry.path).resolve().is_relative_to(real_root):
                    errors.append(ContentError(rel, 1, "", "is a link to a file outside the content folder",
                                               "copy the file into content/ instead"))
                    continue
                found.append((rel, Path(entry.path)))
        stack.extend(reversed(subfolders))
    return sorted(found), errors


def _known_markdown(known: dict[str, Stat], root: Path, prefix: str) -> list[tuple[str, Path | str]]:
    """markdown_files' answer from a listing of content/ without links: the .md files below
    prefix, none in or named as hidden entries, sorted. Each path is a string standing in
    for its Path (os functions take either): a Path costs more to make than the rest of a
    warm build spends on the file, and only files to be read need one."""
    base = str(root)
    return sorted((rel, f"{base}/{rel}") for rel in known
                  if rel.startswith(prefix) and rel.endswith(".md") and "/." not in f"/{rel}")


def load_content(config: Config, progress: Progress | None = None, known: dict[str, Stat] | None = None,
                 complete: bool = False, beside: bool = False, opening: OpeningStore | None = None,
                 read: Callable[[Content], None] | None = None) -> Content:
    """Every article and page, with every error; `known`: stats of content files just seen,
    `complete` when it lists every file (no links below content/: nothing to check).
    `beside`: a store with many entries to save is saved by a forked child (the caller
    waits for it with `Content.saved`). `opening`: the article store, partly loaded.
    `read`: given the content once every file is read, before curation (the registries'
    names and the future-date rule; content.curation)."""
    content = Content()
    root = Path(config.content_dir)
    if not root.is_dir():
        content.errors.append(ContentError(str(root), 0, "", "content folder not found",
                                           "pass --content DIR or create content/articles/"))
        return content

    if known and complete:
        articles, errors = _known_markdown(known, root, "articles/"), []
    else:
        articles, errors = markdown_files(root / "articles", root)
    content.errors.extend(errors)
    if progress:
        progress.stage("Reading", len(articles), "articles")
    store = opening.finish() if opening is not None else ArticleStore.open(config)
    live = {rel for rel, _ in articles}
    with cache.locked(store.folder) if store else nullcontext():
        results = read_articles(articles, config, store, progress, known)
        many = store is not None and len(store.recent) >= _SAVE_BESIDE_FROM
        if store is not None and not (beside and many and parallel.cpu_count() > 1 and parallel.can_fork()):
            store.save(live)
            store = None
    if store is not None:
        content.saving = parallel.Background(_save, store, live)
    for rel, article, errors in results:
        content.errors.extend(errors)
        if article is None:
            continue
        content.notices.extend(article.notices)
        if article.draft and not config.drafts:
            content.notices.append(f"{rel}: draft, skipped (build with --drafts to include it)")
            continue
        content.articles.append(article)

    renderer = renderer_for(config)
    pages, errors = markdown_files(root / "pages", root)
    content.errors.extend(errors)
    for rel, path in pages:
        text, error = read_text(path, rel, config.max_file_mb * 1_000_000)
        if error:
            content.errors.append(error)
            continue
        page, draft, errors = read_page(rel, text, renderer)  # type: ignore[arg-type]
        content.errors.extend(errors)
        if page is not None and (config.drafts or not draft):
            content.notices.extend(page.notices)
            content.pages.append(page)
    if read is not None:
        read(content)
    curate(content, config)
    return content


ArticleResult = tuple[str, Article | None, list[ContentError]]
# What a worker hands back: the result, and the cache entry describing it (when caching).
_Read = tuple[str, Article | None, list[ContentError], Entry | None]
# A file just read: its body still in memory, and what its cache entry will say.
_Fresh = tuple[str, Article | None, list[ContentError], Pending | None]

# From this many entries to keep (a first build's), the store is saved by a forked child
# (10,000: 0.2 s); fewer are saved at once, for less than the fork would cost.
_SAVE_BESIDE_FROM = 1000
# Below this many files to read a pool costs more than it saves.
_PARALLEL_FROM = 64
_BATCH_MAX = 1000


@dataclass(frozen=True)
class _Job:
    """What a reader needs besides the file: settings, and where the cache keeps bodies."""

    config: Config
    store_folder: Path | None
    store_key: str
    cutoff_ns: int


def read_articles(files: Sequence[tuple[str, Path | str]], config: Config, store: ArticleStore | None = None,
                  progress: Progress | None = None, known: dict[str, Stat] | None = None) -> list[ArticleResult]:
    """`read_article` for every file, reusing the store's entries where every input matches,
    over all cores when there is enough to read; results in file order."""
    progress = progress or Progress()
    cutoff = settle_cutoff()
    content_dir = Path(config.content_dir)
    results: list[ArticleResult | None] = [None] * len(files)
    todo: list[tuple[int, str, Path]] = []
    for i, (rel, path) in enumerate(files):
        if store is not None:
            try:
                article, _ = store.lookup(rel, path, content_dir, cutoff, known)
            except OSError:
                article = None
            if article is not None:
                results[i] = (rel, article, [])
                continue
        todo.append((i, rel, path))
    progress.advance(len(files) - len(todo))

    job = _Job(config, store.folder if store else None, store.key if store else "", cutoff)
    files_to_read = [(rel, path if isinstance(path, Path) else Path(path)) for _, rel, path in todo]
    workers = parallel.cpu_count()
    places = iter(i for i, _, _ in todo)

    def take(read: list[_Read]) -> None:
        for rel, article, errors, entry in read:
            if store is not None and entry is not None:
                store.put(rel, entry)
            results[next(places)] = (rel, article, errors)

    if workers < 2 or len(todo) < _PARALLEL_FROM or not parallel.can_fork():
        renderer = renderer_for(config)
        fresh = []
        for rel, path in files_to_read:
            fresh.append(_read_file(rel, path, job, renderer))
            progress.advance()
        take(_stored(fresh, job))
    else:
        # A batch's bodies wait in memory for its pack: batches are kept to a few megabytes.
        batches = parallel.chunks(files_to_read, workers, maximum=_BATCH_MAX)
        with parallel.fork_pool(workers, _start_worker, (job,)) as pool:
            for chunk in pool.imap(_read_chunk, batches):
                take(chunk)  # while the workers read on: this process is idle otherwise
                progress.advance(len(chunk))
    assert next(places, None) is None, "a result for every file read"
    return results  # type: ignore[return-value]


def _save(store: ArticleStore, live: set[str]) -> None:
    with cache.locked(store.folder):
        store.save(live)


def _read_file(rel: str, path: Path, job: _Job, renderer: MarkdownRenderer) -> _Fresh:
    max_bytes = job.config.max_file_mb * 1_000_000
    try:
        st = os.stat(path)  # before reading: a change after this is seen next time
        if st.st_size <= max_bytes:
            with open(path, "rb") as handle:
                raw = handle.read()
        else:
            raw = b""
    except OSError:
        st, raw = None, b""
    if st is None or st.st_size > max_bytes:
        _, error = read_text(path, rel, max_bytes)  # the error, worded as for any file
        return rel, None, [error] if error else [], None
    text, error = decode(raw, rel)
    if error:
        return rel, None, [error], None
    article, errors = read_article(rel, text, job.config, renderer)  # type: ignore[arg-type]
    if article is None or job.store_folder is None:
        return rel, article, errors, None
    pending = make_entry(job.store_key, rel, raw, st, article, str(job.config.content_dir), job.cutoff_ns)
    return rel, article, errors, pending


def _stored(fresh: list[_Fresh], job: _Job) -> list[_Read]:
    """The batch with its bodies written to the cache (one pack) and its entries made."""
    if job.store_folder is None:
        return [(rel, article, errors, None) for rel, article, errors, _ in fresh]
    to_pack = [(article, pending) for _, article, _, pending in fresh if article is not None and pending]
    packed = iter(pack_bodies(job.store_folder, to_pack))  # type: ignore[arg-type]
    read: list[_Read] = []
    for rel, article, errors, pending in fresh:
        if article is not None and pending is not None:
            article, entry = next(packed)
            read.append((rel, article, errors, entry))
        else:
            read.append((rel, article, errors, None))
    return read


# Each worker process's own settings and Markdown converter, set once when it starts.
_worker: dict[str, object] = {}


def _start_worker(job: _Job) -> None:
    _worker["job"] = job
    _worker["renderer"] = renderer_for(job.config)


def _read_chunk(files: list[tuple[str, Path]]) -> list[_Read]:
    job, renderer = _worker["job"], _worker["renderer"]
    return _stored([_read_file(rel, path, job, renderer) for rel, path in files], job)  # type: ignore[arg-type]
