"""Full-text search: run Pagefind over the staged site and publish its index under /pagefind/.

Pagefind is a binary shipped inside the `pagefind` Python package (its `extended` extra).
It runs locally on the finished HTML, before the staged site is swapped in, and fetches
nothing. Without the binary the build still succeeds: search is switched off, the build
says so, and the search page tells readers.

The index is sharded by the year of the article (in the site's time zone, as the `year`
filter): one Pagefind bundle per year under /pagefind/<year>/, and /pagefind/shards.json,
which the search page reads, listing them newest first. Pagefind cannot update an index,
so a shard is indexed again only when what Pagefind reads of its pages changed (a key over
their paths and reduced documents, kept in shards.json, differs); the others keep their
files. An article never moves between years, so adding one re-indexes its year alone.

Pagefind is not given the pages themselves but a reduced document per page (`reduce_page`):
the page without the parts Pagefind makes nothing of (site chrome, breadcrumbs, the related
articles list), which change with other articles. Its bundle is the same as that of the
whole pages (tests/test_search_reduce.py checks), and the key is over what it was fed.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from . import cache, parallel
from .output import StagedOutput

BUNDLE = PurePosixPath("pagefind")
MANIFEST = BUNDLE / "shards.json"  # the shards, newest first: what the search page reads
SCRIPT = BUNDLE / "pagefind.js"  # Pagefind's search API, the same for every shard
FORMAT = 1  # the layout of the published index; a new one re-indexes every shard
REDUCED = 1  # the way pages are reduced for Pagefind (`reduce_page`); part of every key
# In the cache's mirror folder: page -> (its digest, its reduced document's, its article's
# cache key, its shard), what a build that indexes early (`index_early`) starts from.
MEMO = "pages.pickle"
EARLY_MAX = 64  # pages of articles new or changed past which no shard is indexed early
JOBS = 2  # Pagefind processes at a time
# Pagefind's ready-made interfaces: the search page does not use them.
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
OFF_NOTICE = ("search is off: the Pagefind binary was not found "
              "(install the pinned dev requirements: pip install 'pagefind[extended]')")


class SearchIndexError(Exception):
    pass


def pagefind_binary() -> Path | None:
    """The Pagefind executable, or None: where pagefind.service.get_executable looks, in its
    order (PAGEFIND_BINARY_PATH, the pinned binary packages, then PATH), without importing
    that module, whose asyncio import would cost every build, even a no-op, 20-50 ms."""
    path = _pagefind_executable()
    if path is None or not path.is_file() or not os.access(path, os.X_OK):
        return None
    return path


def _pagefind_executable() -> Path | None:
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override is not None:
        return Path(override)
    names = ("pagefind_extended", "pagefind")
    if os.name == "nt":
        names += ("pagefind_extended.exe", "pagefind.exe")
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            spec = importlib.util.find_spec(package)  # found, not imported
        except (ImportError, ValueError):
            spec = None
        for folder in (spec and spec.submodule_search_locations) or ():
            for name in names:
                if (Path(folder) / name).is_file():
                    return Path(folder) / name
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def shards_of(pages: Iterable[tuple[int, str]]) -> dict[str, list[str]]:
    """(year, page file) pairs -> the shards: year -> its pages, sorted, newest year first."""
    shards: dict[str, list[str]] = {}
    for year, rel in pages:
        shards.setdefault(f"{year:04d}", []).append(rel)
    return {year: sorted(shards[year]) for year in sorted(shards, reverse=True)}


@dataclass(frozen=True)
class IndexReport:
    indexed: tuple[str, ...]  # the shards Pagefind ran for
    kept: tuple[str, ...]  # the shards whose files were kept


@dataclass(frozen=True)
class PreparedIndex:
    """What `prepare_index` found and made, for `publish_index` to put in the staged site."""

    version: str
    shards: dict[str, list[str]]
    keys: dict[str, str]  # shard -> its key (`_key`)
    kept: tuple[str, ...]  # shards whose published files stay as they are
    wasm: dict[str, list[str]]  # shard -> the WebAssembly files (by language) it uses
    bundles: dict[str, str]  # shard indexed again -> the folder Pagefind wrote it to
    folder: str  # the temporary folder of those bundles ('' when none was made)
    early: str = ""  # the folder of `index_early`, if any: removed with the other


def prepare_index(binary: Path, out: StagedOutput, shards: dict[str, list[str]],
                  cache_dir: Path | None = None, article_keys: dict[str, str] | None = None,
                  early: str = "") -> PreparedIndex:
    """Run Pagefind for each shard whose pages changed, into a temporary folder; changes
    nothing the build stages, so it may run in a process beside the one rendering the
    other pages, once the pages of `shards` are staged (or kept).

    `shards`: year -> the pages (files relative to output/) its bundle indexes. Pagefind
    reads a private folder holding only those pages, each as its reduced document
    (`reduce_page`), so pages left over from the previous build are not indexed, and writes
    its bundle to another: staged files are links to the live site, only ever replaced
    through `out.write`. With a cache folder, the private folders are kept there between
    builds and only brought up to date (creating and removing hundreds of folders per build
    costs more than Pagefind on some file systems), with a memo of each page's digest and
    its reduced document's: only the pages whose bytes changed are read and reduced again.

    Pagefind's script and WebAssembly are the same in every bundle: they are published once,
    in /pagefind/, and each shard's pagefind-entry.json points there (see `_share_wasm`), so
    a browser fetches them once, not once per year.

    `article_keys`: page -> its article's cache key, kept in the memo. `early`: the folder of
    `index_early`, whose bundles stand in for Pagefind runs where their keys are the ones
    found here; the private folders are left alone until that child is done.
    """
    mirrors = _mirrors(out, cache_dir)
    version = _known_version(binary, mirrors)
    memo = _load_memo(mirrors)
    # The pages: in the staging folder once this build has one, else in output/ (unchanged).
    source = out.root if out.root.is_dir() else out.output
    reduced: dict[str, str] = {}  # page -> digest of its reduced document
    fresh: dict[str, bytes] = {}  # the reduced documents made by this build, held for Pagefind
    placed: set[str] = set()  # the ones made by this build and already in their private folder

    def reduce_year(year: str) -> None:
        for rel in shards[year]:
            known = memo.get(rel)
            if known is not None and known[0] == out.digests[rel]:
                reduced[rel] = known[1]
                continue
            data = reduce_page((source / rel).read_bytes())
            reduced[rel] = cache.digest(data)
            if early:  # the early child may be reading the private folders: held for now
                if known is None or known[1] != reduced[rel]:
                    fresh[rel] = data
            elif mirrors is not None:  # in place at once: not held in memory
                _place(mirrors / year / rel, data)
                placed.add(rel)
            else:
                fresh[rel] = data

    with ThreadPoolExecutor(max_workers=JOBS) as pool:  # files made while another thread reduces
        list(pool.map(reduce_year, shards))
    keys = {year: _key(version, pages, reduced) for year, pages in shards.items()}
    previous = _previous_shards(out)
    kept = [year for year in shards if year in previous and previous[year]["key"] == keys[year]]
    wasm = {year: list(previous[year]["wasm"]) for year in kept}
    # The shared files the kept shards need; a shard whose files are not known is indexed again.
    for name in sorted({name for year in kept for name in wasm[year]}):
        if not out.known(_wasm_file(name)):
            kept = [year for year in kept if name not in wasm[year]]
    if kept and len(kept) == len(shards) and not out.known(SCRIPT):
        kept.pop(0)  # its bundle brings pagefind.js back
    stale = [year for year in shards if year not in kept]
    if mirrors is not None:  # before waiting on the early child: the memo is only checked against the files
        article_keys = article_keys or {}
        new_memo = {rel: (out.digests[rel], reduced[rel], article_keys.get(rel, ""), year)
                    for year, pages in shards.items() for rel in pages}
        if new_memo != memo:
            _save_memo(mirrors, new_memo)
    bundles: dict[str, str] = {}
    if early and stale:  # else nothing waits on it: publish_index removes its folder
        for year, made in _early_bundles(Path(early)).items():
            if year in stale and made.get("key") == keys[year]:
                bundles[year], wasm[year] = str(made["bundle"]), list(made["wasm"])
        stale = [year for year in stale if year not in bundles]
    folder = ""
    if stale:
        documents = _Documents(source, reduced, fresh, placed)
        # Named after the staging folder, so the next build removes it if this one is killed.
        folder = tempfile.mkdtemp(prefix=f"{out.root.name}-pagefind-", dir=out.root.parent)
        try:
            made = _index(binary, {year: shards[year] for year in stale}, documents, mirrors, Path(folder))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        for year, (bundle, names) in made.items():
            bundles[year], wasm[year] = str(bundle), names
        if mirrors is not None and mirrors.is_dir():
            for entry in os.scandir(mirrors):  # the folders of years with no article left
                if entry.is_dir(follow_symlinks=False) and entry.name.removesuffix(_BUNDLE_SUFFIX) not in shards:
                    shutil.rmtree(entry.path, ignore_errors=True)
    return PreparedIndex(version, shards, keys, tuple(kept), wasm, bundles, folder, early)


def start_early_index(binary: Path, out: StagedOutput, cache_dir: Path,
                      pages: Callable[[set[str]], tuple[dict[str, list[tuple[str, str]]], set[str]]],
                      render: Callable[[str], bytes | None]) -> tuple[str, parallel.Background] | None:
    """Fork `index_early`, once the content is read and before anything else: Pagefind is
    the longest stage of a build that changes a few articles, and it can start here
    instead of after their pages are rendered. (its folder, the child), or None when
    there is nothing to go on (no cache, one core). The child holds a lock on its folder
    until it is done: `prepare_index`, in another child, takes it to wait."""
    if parallel.cpu_count() < 2 or not parallel.can_fork() or not out.trusted:
        return None
    folder = tempfile.mkdtemp(prefix=f"{out.root.name}-pagefind-", dir=out.root.parent)
    with open(Path(folder) / _EARLY_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the child's too: released when the child ends
        job = parallel.Background(index_early, binary, out, cache_dir, Path(folder), pages, render)
    return folder, job


def index_early(binary: Path, out: StagedOutput, cache_dir: Path, folder: Path,
                pages: Callable[[set[str]], tuple[dict[str, list[tuple[str, str]]], set[str]]],
                render: Callable[[str], bytes | None]) -> None:
    """Index the shards a build is about to change, from what it is likely to render.

    `pages(known)`: of the articles whose cache keys are not in `known` (new or changed),
    their pages with those keys, by shard, sorted; and the keys of every article. A page
    whose article's key the memo holds is taken to be where it was and to reduce to what
    it did (its private file is checked against that); the others are rendered now
    (`render`, without what the index decides, which reduce_page drops) and placed. Each
    shard's key is worked out as `prepare_index` does, and written with its bundle to
    result.json: where the pages the build renders give the same key, the bundle is the one
    Pagefind would make from them, and stands in for it; where not, it is not used.
    Nothing is tried when the memo is missing or many pages changed (a new template, say):
    the build indexes as usual.
    """
    made: dict[str, dict[str, Any]] = {}
    try:
        mirrors = _mirrors(out, cache_dir)
        memo = _load_memo(mirrors)
        if mirrors is None or not memo or any(len(entry) != 4 for entry in memo.values()):
            return
        # Asking only about articles the memo does not know spares addressing all of them.
        fresh, present = pages({entry[2] for entry in memo.values()})
        placed = {rel for listed in fresh.values() for rel, _ in listed}
        gone: dict[str, set[str]] = {}
        kept: dict[str, list[str]] = {}
        for rel, entry in memo.items():
            if entry[2] in present and rel not in placed:
                kept.setdefault(entry[3], []).append(rel)
            elif rel not in placed:
                gone.setdefault(entry[3], set()).add(rel)
        years = sorted(set(fresh) | set(gone), reverse=True)
        if not years or len(placed) > EARLY_MAX:
            return
        version = _known_version(binary, mirrors)
        for year in years:
            documents: dict[str, bytes] = {}
            for rel, _ in fresh.get(year, ()):
                page = render(rel)
                if page is None:
                    return
                documents[rel] = reduce_page(page)
            listed = sorted([*kept.get(year, ()), *documents])
            reduced = {rel: cache.digest(documents[rel]) if rel in documents else memo[rel][1] for rel in listed}
            if not _mirror_expected(mirrors / year, reduced, documents, gone.get(year, set())):
                continue
            bundle = mirrors / f"{year}{_BUNDLE_SUFFIX}"
            wasm = _make_bundle(binary, mirrors / year, bundle, year)
            made[year] = {"key": _key(version, listed, reduced), "bundle": str(bundle), "wasm": wasm}
    finally:
        cache.write_bytes(folder / _EARLY_RESULT, json.dumps(made, sort_keys=True).encode("utf-8"))


def _early_bundles(folder: Path) -> dict[str, dict[str, Any]]:
    """What `index_early` made, once it is done (its lock is free); {} if it made nothing."""
    try:
        with open(folder / _EARLY_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
        made = json.loads((folder / _EARLY_RESULT).read_bytes())
    except (OSError, ValueError):
        return {}
    return made if isinstance(made, dict) else {}


_EARLY_LOCK, _EARLY_RESULT = "lock", "result.json"


def _mirror_expected(folder: Path, reduced: dict[str, str], documents: dict[str, bytes], gone: set[str]) -> bool:
    """Bring a private folder to exactly `reduced` (page -> digest): place `documents`,
    remove the pages in `gone` (and a `_place` left half done by a child stopped early),
    and check that every other page holds its digest. False, with nothing placed, at
    anything else (a file too many, one missing or different)."""
    seen: set[str] = set()
    remove: list[Path] = []
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if rel in gone or (name.startswith(".") and name.endswith(".tmp")):
                remove.append(path)
            elif rel not in reduced:
                return False
            else:
                seen.add(rel)
                if rel not in documents and cache.digest(path.read_bytes()) != reduced[rel]:
                    return False
    if any(rel not in seen for rel in reduced if rel not in documents):
        return False
    for path in remove:
        path.unlink()
        base = path.parent
        while base != folder:
            try:
                base.rmdir()
            except OSError:
                break
            base = base.parent
    for rel, data in documents.items():
        _place(folder / rel, data)
    return True


def publish_index(prepared: PreparedIndex, out: StagedOutput) -> IndexReport:
    """Stage what `prepare_index` made: the kept shards' files, the new bundles, and
    /pagefind/shards.json; then drop its temporary folder."""
    try:
        kept_years = set(prepared.kept)
        for name in sorted({name for year in prepared.kept for name in prepared.wasm[year]}):
            out.keep(_wasm_file(name))
        if prepared.kept and len(prepared.kept) == len(prepared.shards):
            out.keep(SCRIPT)
        # Over every file of the last build (35,000 at 10,000 articles): a prefix test first.
        prefix = f"{BUNDLE.name}/"
        for rel in list(out.previous.files) if kept_years and out.trusted else ():
            if rel.startswith(prefix):
                parts = rel.split("/", 2)
                if len(parts) == 3 and parts[1] in kept_years:
                    out.keep(rel)
        shared: set[str] = set()
        for year, folder in prepared.bundles.items():
            bundle = Path(folder)
            needed = {f"wasm.{name}.pagefind" for name in prepared.wasm[year]}
            for path in sorted(bundle.rglob("*")):
                name = path.relative_to(bundle).as_posix()
                if not path.is_file() or name.startswith(_UNUSED) or name == _WHOLE:
                    continue
                if name == SCRIPT.name or (name.startswith("wasm.") and name.endswith(".pagefind")):
                    # The same bytes in every bundle: published once, from the first one.
                    if name not in shared and (name == SCRIPT.name or name in needed):
                        out.copy(f"{BUNDLE}/{name}", path)
                        shared.add(name)
                    continue
                out.copy(f"{BUNDLE}/{year}/{name}", path)
    finally:
        for folder in (prepared.folder, prepared.early):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)
    manifest = {"format": FORMAT, "pagefind": prepared.version,
                "shards": [{"year": int(year), "path": f"{year}/", "articles": len(pages), "key": prepared.keys[year],
                            "wasm": prepared.wasm[year]} for year, pages in prepared.shards.items()]}
    out.write(MANIFEST, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
    return IndexReport(tuple(year for year in prepared.shards if year not in kept_years), prepared.kept)


def _wasm_file(name: str) -> str:
    return f"{BUNDLE}/wasm.{name}.pagefind"


def _known_version(binary: Path, mirrors: Path | None) -> str:
    """`_version`, kept in the cache folder by the binary's path and stat: asking Pagefind
    costs a process start (10 ms) where the early child has to wait for it."""
    if mirrors is None:
        return _version(binary)
    try:
        st = binary.stat()
    except OSError:
        return _version(binary)
    stamp = [str(binary), st.st_size, st.st_mtime_ns, st.st_ino]
    path = mirrors / _VERSION
    try:
        stored = json.loads(path.read_bytes())
        if stored.get("binary") == stamp and isinstance(stored.get("version"), str):
            return stored["version"]
    except (OSError, ValueError, AttributeError):
        pass
    version = _version(binary)
    try:
        cache.write_bytes(path, json.dumps({"binary": stamp, "version": version}).encode("utf-8"))
    except OSError:
        pass
    return version


_VERSION = "version.json"  # in the cache's mirror folder: _known_version


def _version(binary: Path) -> str:
    try:
        result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        raise SearchIndexError(f"could not run Pagefind ({binary}): {exc}") from None
    if result.returncode != 0 or not result.stdout.strip():
        raise SearchIndexError(f"could not run Pagefind ({binary}): no version")
    return result.stdout.strip().split()[-1]


def _key(version: str, pages: list[str], reduced: dict[str, str]) -> str:
    """What a shard's bundle is a function of: the layout, Pagefind, its pages' paths and the
    documents it reads for them."""
    h = hashlib.sha256(f"{FORMAT}\n{version}\nreduced-{REDUCED}\n".encode())
    for rel in pages:
        h.update(f"{rel}\t{reduced[rel]}\n".encode())
    return h.hexdigest()[:20]


# Where Pagefind looks beyond the data-pagefind-body element: attributes data-pagefind-*
# (filters, meta, sorts, a second body) anywhere, the first <h1> and <img> of the page (the
# default title and image), <title> (the title when there is no <h1>), <html lang>. Seen
# with Pagefind 1.5.2; tests/test_search_reduce.py checks it against the pinned binary, so
# a Pagefind upgrade that reads more fails there first.
_READ_ANYWHERE = (b"data-pagefind", b"<h1", b"<img")


def reduce_page(page: bytes) -> bytes:
    """What Pagefind reads of a page, as a document it indexes exactly as it would the page.

    The page up to its <head>, its <title>, the <body> tag, the first <article> element,
    which must be the data-pagefind-body one, and the end of the page; the rest (the other
    head elements, the site's header and footer, breadcrumbs, the related articles) goes,
    but only when none of it holds what Pagefind reads outside the body (`_READ_ANYWHERE`):
    else the page is kept whole. Plain finds, no parse: a few microseconds a page.
    """
    head = page.find(b"<head>")
    title = page.find(b"<title>", head)
    title_end = page.find(b"</title>", title)
    head_end = page.find(b"</head>", title_end)
    body = page.find(b"<body", head_end)
    body_end = page.find(b">", body) + 1
    start = page.find(b"<article", body_end)
    start_end = page.find(b">", start)
    end = page.rfind(b"</article>") + len(b"</article>")
    close = page.rfind(b"</body>")
    if not (0 <= head < title < title_end < head_end < body < body_end <= start < start_end < end <= close):
        return page
    if b" data-pagefind-body" not in page[start:start_end]:
        return page
    title_end += len(b"</title>")
    head += len(b"<head>")
    dropped = (page[head:title], page[title_end:head_end], page[body_end:start], page[end:close])
    if any(marker in part.lower() for part in dropped for marker in _READ_ANYWHERE):
        return page
    return b"".join((page[:head], page[title:title_end], b"\n", page[head_end:body_end], b"\n",
                     page[start:end], b"\n", page[close:]))


@dataclass(frozen=True)
class _Documents:
    """The reduced documents of this build's pages: made now and held (`fresh`) or already in
    their private folder (`placed`), else known by their digest."""
    source: Path  # the folder holding the pages
    reduced: dict[str, str]  # page -> digest of its reduced document
    fresh: dict[str, bytes]
    placed: set[str]


def _mirrors(out: StagedOutput, cache_dir: Path | None) -> Path | None:
    """The cache's folder of private folders for this output/, or None (no usable cache)."""
    if cache_dir is None:
        return None
    mirrors = cache_dir / f"search-{cache.digest(str(out.output.resolve()))}"
    try:
        mirrors.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unusable cache: private folders made and removed by this build
    return mirrors


_Memo = dict[str, tuple[str, str, str, str]]


def _load_memo(mirrors: Path | None) -> _Memo:
    if mirrors is None:
        return {}
    stored = cache.load(mirrors / MEMO, f"{cache.generator_digest()}-{REDUCED}")
    return stored if isinstance(stored, dict) else {}


def _save_memo(mirrors: Path, memo: _Memo) -> None:
    try:
        cache.save(mirrors / MEMO, f"{cache.generator_digest()}-{REDUCED}", memo)
    except OSError:
        pass  # the next build reduces its pages again


def _previous_shards(out: StagedOutput) -> dict[str, dict[str, Any]]:
    """year -> {key, wasm} of the shards the last build published; empty when not known."""
    rel = MANIFEST.as_posix()
    digest = out.previous.files.get(rel) if out.trusted else None
    if digest is None:
        return {}
    try:
        data = (out.output / rel).read_bytes()
        if cache.digest(data) != digest:
            return {}
        manifest = json.loads(data)
        if manifest.get("format") != FORMAT:
            return {}
        return {f"{shard['year']:04d}": {"key": str(shard["key"]), "wasm": [str(name) for name in shard["wasm"]]}
                for shard in manifest["shards"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _index(binary: Path, shards: dict[str, list[str]], documents: _Documents, mirrors: Path | None,
           tmp: Path) -> dict[str, tuple[Path, list[str]]]:
    """Run Pagefind for each shard (JOBS at a time), each bundle into a folder kept in
    `mirrors` (see `_make_bundle`), else of `tmp`; shard -> (its bundle, the WebAssembly
    files (by language) it uses), in shard order."""
    def run(year: str) -> tuple[Path, list[str]]:
        pages = (mirrors or tmp) / year
        bundle = (mirrors or tmp) / f"{year}{_BUNDLE_SUFFIX}"
        _mirror(documents, shards[year], pages)
        return bundle, _make_bundle(binary, pages, bundle, year)

    with ThreadPoolExecutor(max_workers=min(JOBS, len(shards))) as pool:
        return dict(zip(shards, pool.map(run, shards), strict=True))


_BUNDLE_SUFFIX = ".bundle"  # a shard's bundle, kept beside its private folder in the cache
_WHOLE = ".whole"  # in a kept bundle: the last run on it finished (`_make_bundle`)
_HASHED = ("fragment", "index", "filter")  # Pagefind's folders of files named after their contents


def _make_bundle(binary: Path, pages: Path, bundle: Path, year: str) -> list[str]:
    """Pagefind's bundle of the documents in `pages`, written to `bundle`, made
    deterministic (`canonicalise`), its WebAssembly shared (`_share_wasm`); returns the
    languages whose WebAssembly it uses.

    `bundle` may hold the bundle of the last run, kept in the cache: Pagefind does not write
    again a file named after a hash of its contents that is already there, nor compress it
    (at gzip's highest level), which halves its time on a year where one article changed
    (0.26 s instead of 0.58 s, 0.41 s of CPU instead of 0.8, for 395 articles). Then the
    files the new bundle does not name go. Pagefind writes each file in place: a run stopped
    half way could leave a file cut short under its rightful name, so a folder is reused
    only if the last run on it finished (its `_WHOLE` marker), else it starts empty.
    """
    whole = bundle / _WHOLE
    if bundle.is_dir():
        if whole.is_file():
            whole.unlink()
        else:
            shutil.rmtree(bundle)
    bundle.mkdir(parents=True, exist_ok=True)
    _run_pagefind(binary, pages, bundle, year)
    canonicalise(bundle)
    wasm = _share_wasm(bundle)
    _drop_unnamed(bundle)
    whole.touch()
    return wasm


def _drop_unnamed(bundle: Path) -> None:
    """Remove the hashed files (metadata, fragments, word and filter indexes) that the
    bundle's pagefind-entry.json and metadata do not name: those of earlier runs. Pagefind's
    ready-made interfaces go too (0.6 MB a year, never published, written by every run)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    named = set()
    for info in entry["languages"].values():
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        named.add(meta_name)
        # [version, pages, index chunks, filters, sorts, meta fields]
        meta = _read(bundle / meta_name)
        named.update(f"fragment/{page[0]}.pf_fragment" for page in meta[1])
        named.update(f"index/{chunk[-1]}.pf_index" for chunk in meta[2])
        named.update(f"filter/{chunk}.pf_filter" for _name, chunk in meta[3])
    for folder in _HASHED:
        with os.scandir(bundle / folder) if (bundle / folder).is_dir() else nullcontext([]) as found:
            for item in found:
                if f"{folder}/{item.name}" not in named:
                    os.unlink(item.path)
    for item in os.scandir(bundle):
        if (item.name.endswith(".pf_meta") and item.name not in named) or item.name.startswith(_UNUSED):
            os.unlink(item.path)


def _run_pagefind(binary: Path, pages: Path, bundle: Path, year: str) -> None:
    cmd = [str(binary), "--site", str(pages), "--output-path", str(bundle), "--silent"]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=_pagefind_env())
    except OSError as exc:
        raise SearchIndexError(f"could not run Pagefind ({binary}): {exc}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise SearchIndexError(f"Pagefind failed on {year}: " + " / ".join(detail))


def _pagefind_env() -> dict[str, str]:
    """Pagefind's threads (Rayon's and Tokio's): the cores shared out among the JOBS
    Pagefind processes a build may run, one each on two cores. A Pagefind always runs
    beside the build's other work; on two cores, a second thread of its own only competes
    with that work (alternated additions with search on: 1.805 s with two, 1.736 s with one)."""
    threads = str(max(1, parallel.cpu_count() // JOBS))
    return {**os.environ, "RAYON_NUM_THREADS": threads, "TOKIO_WORKER_THREADS": threads}


def _share_wasm(bundle: Path) -> list[str]:
    """Point the bundle's pagefind-entry.json at the WebAssembly files in /pagefind/.

    Pagefind 1.5 fetches `${basePath}wasm.${languages[lang].wasm}.pagefind`; with the value
    `/../../wasm.en` that address, /pagefind/<year>/wasm./../../wasm.en.pagefind, is
    /pagefind/wasm.en.pagefind once the browser resolves its dot segments. Returns the
    languages whose files the shard needs.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for info in entry["languages"].values():
        name = info.get("wasm") or "unknown"
        if not (bundle / f"wasm.{name}.pagefind").is_file():
            raise SearchIndexError(f"unexpected Pagefind bundle layout (no wasm.{name}.pagefind)")
        info["wasm"] = f"/../../wasm.{name}"
        names.add(name)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return sorted(names)


def _mirror(documents: _Documents, pages: list[str], folder: Path) -> None:
    """Make `folder` hold exactly `pages`, each as its reduced document.

    A document already there with the right digest is left alone (read, not written); files
    that are not pages of the shard (any more) are removed.
    """
    wanted = set(pages)
    emptied: set[Path] = set()
    if folder.is_dir():
        for dirpath, _dirnames, filenames in os.walk(folder):
            base = Path(dirpath)
            for name in filenames:
                if (base / name).relative_to(folder).as_posix() not in wanted:
                    (base / name).unlink()
                    emptied.add(base)
    for base in sorted(emptied, key=lambda path: len(path.parts), reverse=True):
        while base != folder and base.is_relative_to(folder):  # folders of articles gone
            try:
                base.rmdir()
            except OSError:
                break
            base = base.parent
    for rel in pages:
        if rel in documents.placed:
            continue
        target = folder / rel
        data = documents.fresh.get(rel)
        if data is None:
            try:
                if cache.digest(target.read_bytes()) == documents.reduced[rel]:
                    continue
            except FileNotFoundError:
                pass
            data = reduce_page((documents.source / rel).read_bytes())
        _place(target, data)


def _place(target: Path, data: bytes) -> None:
    """Make the file `target` hold `data`; replaced, never written through (it may be a hard
    link to a page of the site, as private folders held before pages were reduced)."""
    try:
        if target.read_bytes() == data:
            return
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.write_bytes(data)
    os.replace(tmp, target)


def canonicalise(bundle: Path) -> None:
    """Make Pagefind's bundle byte-identical across runs of the same input.

    Pagefind 1.5 writes the values of each filter file, and the filter and sort lists of its
    metadata file, in hash-map order, which changes from run to run (Pagefind issue #638),
    and names each file after a hash of its bytes. We sort those lists (their order carries
    no meaning), re-compress without a timestamp, and rename each file after a hash of the
    new bytes, updating the names that point to it. Everything else is left as written.
    Only the files the metadata names are read: the folder may hold an earlier run's too.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        # [version, pages, index chunks, filters, sorts, meta fields]
        filters = []
        for name, chunk in meta[3]:
            path = bundle / "filter" / f"{chunk}.pf_filter"
            filter_name, values = _read(path)
            renamed = _write(bundle / "filter", language, ".pf_filter", [filter_name, sorted(values)], 7)
            if renamed != chunk:
                path.unlink()
            filters.append([name, renamed])
        meta[3] = sorted(filters)
        meta[4] = sorted(meta[4], key=lambda item: item[0])
        meta_path.unlink()
        info["hash"] = _write(bundle, language, ".pf_meta", meta, 10, prefix="pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _read(path: Path) -> Any:
    return _cbor_decode(gzip.decompress(path.read_bytes()))


def _write(folder: Path, language: str, suffix: str, value: Any, digits: int, prefix: str = "") -> str:
    """Write a Pagefind file named after a hash of its bytes; returns its hash name."""
    data = gzip.compress(_SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{prefix}{name}{suffix}").write_bytes(data)
    return name


_SIGNATURE = b"pagefind_dcd"  # Pagefind's plain-bytes prefix before the CBOR document


def _cbor_decode(data: bytes) -> Any:
    if not data.startswith(_SIGNATURE):
        raise SearchIndexError("unexpected Pagefind metadata layout (no signature)")
    value, end = _cbor_item(data, len(_SIGNATURE))
    if end != len(data):
        raise SearchIndexError("unexpected Pagefind metadata layout (trailing bytes)")
    return value


def _cbor_item(data: bytes, pos: int) -> tuple[Any, int]:
    """Decode the definite-length CBOR subset Pagefind writes: ints, strings, arrays, maps."""
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    pos += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise SearchIndexError(f"unsupported CBOR item {initial:#x} in Pagefind metadata")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major == 2:
        return bytes(data[pos:pos + arg]), pos + arg
    if major == 3:
        return data[pos:pos + arg].decode("utf-8"), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _cbor_item(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        pairs = []
        for _ in range(arg):
            key, pos = _cbor_item(data, pos)
            value, pos = _cbor_item(data, pos)
            pairs.append((key, value))
        return _CborMap(pairs), pos
    if major == 7 and info < 24:
        return _CborSimple(info), pos
    raise SearchIndexError(f"unsupported CBOR item {initial:#x} in Pagefind metadata")


class _CborMap(list):  # type: ignore[type-arg]
    """A CBOR map kept as its ordered (key, value) pairs."""


@dataclass(frozen=True)
class _CborSimple:
    value: int


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise SearchIndexError("integer too large for CBOR")


def _cbor_encode(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise SearchIndexError("unexpected value in Pagefind metadata")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, _CborSimple):
        return bytes([7 << 5 | value.value])
    if isinstance(value, _CborMap):
        return _cbor_head(5, len(value)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in value)
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(item) for item in value)
    raise SearchIndexError(f"unexpected {type(value).__name__} in Pagefind metadata")
