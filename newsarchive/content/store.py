"""Parsed articles kept between builds, so a rebuild parses and converts only what changed.

An entry is reused when the file's bytes are the ones it was made from (checked by digest;
the file's size, times and inode stand in for reading it, as in git's index, except for
files changed in the last seconds, whose times cannot tell two quick edits apart), when
each image it measured is unchanged, and when its body HTML is still in the cache.
The whole store is keyed by everything else read_article depends on (cache.py).

Bodies are kept in packs: one file for the articles one worker read together (a first
build writes a few dozen files, not one per article), each body at its offset in it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from .. import cache
from ..config import Config
from .article import CONFIG_FIELDS
from .markdown import BASE_EXTENSIONS
from .model import Article, Body, Term

Stat = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns
_WHOLE, _RECENT = "articles.pickle", "articles-recent.pickle"
# The recent file folds into the whole one past this many entries (or a twentieth of all).
_RECENT_MIN = 64
# Entries per part of the whole file (OpeningStore.step loads one): 10,000 take 0.12 s.
_PART = 1000
# A file modified less than this long before it was read may change again within one tick
# of the file system's clock; its times are not trusted next time (its bytes are compared).
_SETTLE_NS = 2_000_000_000


def stat_of(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


@dataclass(frozen=True)
class Entry:
    digest: str  # of the file's bytes
    stat: Stat | None  # None: compare bytes next time
    images: tuple[tuple[str, Stat | None, str], ...]  # (path, stat, digest) of each image measured
    article: Article  # body in the cache
    pack_size: int  # of the pack that holds its body: a pack cut short is not trusted


@dataclass
class ArticleStore:
    """Kept as two files: `articles.pickle` holds every entry, and `articles-recent.pickle`
    the entries changed since, so a build that changed a few articles rewrites a few
    entries, not ten thousand. The recent file folds into the whole one when it grows."""

    folder: Path
    key: str
    entries: dict[str, Entry] = field(default_factory=dict)
    # Bodies no entry uses since the last save; deleted one save later, so a build that
    # shares the cache and still reads one (a `check` beside a `serve`) is not cut short.
    trash: list[str] = field(default_factory=list)
    old_trash: list[str] = field(default_factory=list)
    changed: bool = False
    # Entries changed (or removed: None) since the whole file was written, and that file's
    # generation, which the recent file must name to be applied.
    recent: dict[str, Entry | None] = field(default_factory=dict)
    generation: int = 0
    # One object per distinct topic or outlet: thousands of articles share a few hundred,
    # and the pickle stores (and loads) a shared object once.
    _terms: dict[Term, Term] = field(default_factory=dict)
    # Sizes of the packs looked at by this build (a pack holds hundreds of bodies).
    _pack_sizes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(cls, config: Config) -> ArticleStore | None:
        opening = OpeningStore.start(config)
        return opening.finish() if opening is not None else None

    def _intern(self, article: Article) -> Article:
        """The article with the store's one object for each of its terms."""
        terms = self._terms
        outlet = terms.setdefault(article.outlet, article.outlet)
        topics = tuple(terms.setdefault(t, t) for t in article.topics)
        if outlet is article.outlet and all(a is b for a, b in zip(topics, article.topics, strict=True)):
            return article
        return replace(article, outlet=outlet, topics=topics)

    def lookup(self, rel: str, path: Path | str, content_dir: Path, cutoff_ns: int,
               known: dict[str, Stat] | None = None) -> tuple[Article | None, bytes | None]:
        """The cached article if every input matches; else (None, the file's bytes if read).
        `known`: stats of content files (relative paths) seen at the start of the build."""
        entry = self.entries.get(rel)
        if entry is None:
            return None, None
        known = known or {}
        seen = known.get(rel)
        if seen is None:
            seen = stat_of(os.stat(path))
        raw = None
        if entry.stat is None or entry.stat != seen:
            raw = Path(path).read_bytes()
            if cache.digest(raw) != entry.digest:
                return None, raw
            if seen[1] < cutoff_ns:  # same bytes: its times can be trusted from now on
                self.entries[rel] = self.recent[rel] = replace(entry, stat=seen)
                self.changed = True
        for image, sig, image_digest in entry.images:
            try:
                if sig is None or (known.get(image) or stat_of(os.stat(content_dir / image))) != sig:
                    if cache.digest((content_dir / image).read_bytes()) != image_digest:
                        return None, raw
            except OSError:
                return None, raw
        pack = entry.article.body.path
        size = self._pack_sizes.get(pack)
        if size is None:
            try:
                size = self._pack_sizes[pack] = os.stat(pack).st_size
            except OSError:
                size = self._pack_sizes[pack] = -1
        if size != entry.pack_size:
            return None, raw
        return entry.article, raw

    def put(self, rel: str, entry: Entry) -> None:
        self.replaced(rel)
        entry = replace(entry, article=self._intern(entry.article))
        self.entries[rel] = self.recent[rel] = entry
        self.changed = True

    def save(self, live: set[str]) -> None:
        """Keep the entries of the files this build read; packs whose bodies nobody uses
        any more go to the trash."""
        for rel in [rel for rel in self.entries if rel not in live]:
            self.trash.append(self.entries.pop(rel).article.body.path)
            self.recent[rel] = None
            self.changed = True
        if not (self.changed or self.old_trash):
            return
        in_use = {entry.article.body.path for entry in self.entries.values()}
        for body in self.old_trash:
            if body not in in_use and body.startswith(str(self.folder)):
                Path(body).unlink(missing_ok=True)
        trash = sorted({body for body in self.trash if body not in in_use})
        if self.generation and len(self.recent) <= max(_RECENT_MIN, len(self.entries) // 20):
            cache.save(self.folder / _RECENT, self.key,
                       {"generation": self.generation, "entries": self.recent, "trash": trash})
        else:
            self.generation = self.generation % 1_000_000_000 + 1
            items = list(self.entries.items())
            parts = [dict(items[i:i + _PART]) for i in range(0, len(items), _PART)]
            # The terms first: the entries' are the same objects, stored once.
            cache.save_parts(self.folder / _WHOLE, self.key, {"generation": self.generation, "trash": trash,
                                                              "terms": list(self._terms), "parts": len(parts)}, parts)
            (self.folder / _RECENT).unlink(missing_ok=True)
            self.recent = {}
        self.old_trash, self.trash, self.changed = trash, [], False

    def replaced(self, rel: str) -> None:
        """The file's old entry is being replaced: its body's pack may go, if no other uses it."""
        old = self.entries.get(rel)
        if old is not None:
            self.trash.append(old.article.body.path)


class OpeningStore:
    """An ArticleStore being loaded a part of the whole file at a time (`step`): a build
    waiting on its scan of the content loads what it can meanwhile, and stops as soon as
    the scan is back (a build with nothing to do never needs the store). `finish` loads
    the rest and applies the recent file."""

    def __init__(self, store: ArticleStore, parts: cache.Parts | None, count: int):
        self.store = store
        self._parts = parts
        self._left = count
        self._whole = parts is not None  # the whole file read so far without damage

    @classmethod
    def start(cls, config: Config) -> OpeningStore | None:
        """None without a usable cache folder (the build reads every article)."""
        if config.cache_dir is None:
            return None
        folder = Path(config.cache_dir).resolve()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None  # a read-only checkout still builds, from scratch
        if not os.access(folder, os.W_OK):
            return None
        key = load_key(config, folder)
        store = ArticleStore(folder, key)
        parts = cache.Parts.open(folder / _WHOLE, key)
        head = parts.head if parts is not None else None
        try:
            count = head["parts"]
            generation, trash = head["generation"], list(head["trash"])
            # Loaded by the entries' unpickler, so these are the very objects they hold.
            terms = {term: term for term in head["terms"]}
            if type(count) is not int or type(generation) is not int:
                raise TypeError(count)
        except (TypeError, KeyError):
            if parts is not None:
                parts.close()
            return cls(store, None, 0)
        store.generation, store.old_trash, store._terms = generation, trash, terms
        return cls(store, parts, count)

    def step(self) -> bool:
        """Load the next part; False once there is none left."""
        if self._parts is None or self._left <= 0:
            return False
        try:
            part = self._parts.next()
            if not isinstance(part, dict):
                raise TypeError(type(part))
        except Exception:  # damaged: as if there were no store
            self._parts = None
            self._whole = False
            self.store.entries, self.store.old_trash, self.store._terms = {}, [], {}
            self.store.generation = 0
            return False
        self.store.entries.update(part)
        self._left -= 1
        if self._left == 0:
            self._parts.close()
            return False
        return True

    def close(self) -> None:
        if self._parts is not None:
            self._parts.close()

    def finish(self) -> ArticleStore:
        while self.step():
            pass
        self.close()
        store = self.store
        # Handed on: held here too, the entries (a third of a warm build's memory) would
        # live as long as the caller's reference to this object, the whole build.
        self.store = ArticleStore(store.folder, store.key)
        if not self._whole:
            return store
        recent = cache.load(store.folder / _RECENT, store.key)
        if (isinstance(recent, dict) and recent.get("generation") == store.generation
                and isinstance(recent.get("entries"), dict)):
            store.recent = recent["entries"]
            store.old_trash = list(recent.get("trash", []))
            for rel, entry in store.recent.items():
                if entry is None:
                    store.entries.pop(rel, None)
                else:
                    store.entries[rel] = replace(entry, article=store._intern(entry.article))
        return store


def load_key(config: Config, folder: Path) -> str:
    """Everything besides the file itself that read_article's result depends on. Folders
    count as absolute paths: `content` and `/site/content` name one site."""
    resolved = config.resolved()
    settings = tuple((name, str(getattr(resolved, name))) for name in CONFIG_FIELDS)
    return cache.digest(cache.generator_digest(), _versions(), BASE_EXTENSIONS, settings, str(folder))


def _versions() -> tuple[tuple[str, str], ...]:
    """Libraries whose output is stored: Markdown's HTML, YAML's values, Pillow's sizes, time zones."""
    return tuple((name, cache.installed_version(name))
                 for name in ("Markdown", "PyYAML", "python-frontmatter", "Pillow", "tzdata"))


@dataclass(frozen=True)
class Pending:
    """What make_entry learned of a file; its body goes into a pack with its batch's."""

    digest: str
    stat: Stat | None
    images: tuple[tuple[str, Stat | None, str], ...]
    article_key: str


def make_entry(key: str, rel: str, raw: bytes, st: os.stat_result, article: Article,
               content_dir: Path | str, cutoff_ns: int) -> Pending:
    """Describe what the article was made from (its body is stored by `pack_bodies`)."""
    file_digest = cache.digest(raw)
    folder = rel.rpartition("/")[0]
    images = []
    for image in article.images:
        if image.src:
            image_rel = _joined(folder, image.src)
            try:
                with open(f"{content_dir}/{image_rel}", "rb") as handle:
                    ist = os.fstat(handle.fileno())
                    image_digest = cache.digest(handle.read())
            except OSError:
                image_digest, ist = "", None  # gone already: the next build looks again
            trusted = ist is not None and ist.st_mtime_ns < cutoff_ns
            images.append((image_rel, stat_of(ist) if trusted else None, image_digest))
    # Named by all it was made from, so a page made from it can name it by this key.
    article_key = cache.digest(key, rel, file_digest, tuple(d for _, _, d in images))
    return Pending(file_digest, stat_of(st) if st.st_mtime_ns < cutoff_ns else None, tuple(images), article_key)


def _joined(folder: str, src: str) -> str:
    """PurePosixPath(folder, src).as_posix() for `folder` as PurePosixPath(rel).parent gives
    it ('' for '.'), without making paths (this runs for every image of every article read)."""
    if "//" in src or src == "." or src.startswith("./") or "/./" in src or src.endswith(("/", "/.")):
        return PurePosixPath(folder, src).as_posix()
    return f"{folder}/{src}" if folder else src


def pack_bodies(store_folder: Path, read: list[tuple[Article, Pending]]) -> list[tuple[Article, Entry]]:
    """Write the bodies of a batch of articles into one pack; each article with its body
    in the pack, and its entry. The pack is named by its articles' keys: a batch read
    again (a damaged cache) finds its pack there already."""
    if not read:
        return []
    data = [article.body.html().encode("utf-8") for article, _ in read]
    name = cache.digest(*((pending.article_key, len(body)) for (_, pending), body in zip(read, data, strict=True)))
    path = store_folder / "bodies" / f"{name}.pack"
    whole = b"".join(data)
    if not (path.is_file() and path.stat().st_size == len(whole)):
        cache.write_bytes(path, whole)
    pack = str(path)
    done = []
    offset = 0
    for (article, pending), body in zip(read, data, strict=True):
        stored = replace(article, body=Body(path=pack, offset=offset, size=len(body), key=pending.article_key))
        offset += len(body)
        done.append((stored, Entry(pending.digest, pending.stat, pending.images, stored, len(whole))))
    return done


def settle_cutoff() -> int:
    return time.time_ns() - _SETTLE_NS
