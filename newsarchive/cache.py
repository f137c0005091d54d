"""The build cache: results of earlier builds, reused only when every input matches.

Everything stored is keyed by a digest of all that went into it: the generator's own
source code and version, the versions of the libraries whose output ends up in the site,
the settings that matter, and the content's bytes. A cache written under another key, from
another format, unreadable or damaged, is ignored as if absent; it is never trusted.

Layout (one folder, `.cache/` beside config.toml by default, safe to delete at any time):
    articles.pickle           parsed articles by source file (metadata only), in parts
    articles-recent.pickle    the entries changed since articles.pickle was written
    bodies/<digest>.pack      the body HTML of the articles one worker read together
    output-<digest>.pickle    what the last build wrote to one output folder
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from . import __version__

# Bump when the layout of what is stored changes.
FORMAT = 1
_MAGIC = "newsarchive-cache"


def digest(*parts: object) -> str:
    """A short stable digest of plain values (str, bytes, int, tuples of them): SHA-256 cut
    to 128 bits, which the processor computes itself where it can (1.6 GB/s here, against
    0.9 for BLAKE2b): every file a build writes is digested."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:32]


@lru_cache(maxsize=1)
def generator_digest() -> str:
    """The generator's version and its own source code: any change to the code that turns
    content into pages invalidates everything, even without a version bump."""
    package = Path(__file__).resolve().parent
    parts: list[object] = [__version__]
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    return digest(*parts)


@lru_cache(maxsize=1)
def installed() -> tuple[str, ...]:
    """The installed distributions' metadata folders, on sys.path, in its order. Their names
    carry name and version: what importlib.metadata reads, without its import cost."""
    found = []
    for folder in sys.path:
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        found += [f"{folder}/{name}" for name in names if name.endswith((".dist-info", ".egg-info"))]
    return tuple(found)


def installed_version(project: str) -> str:
    """A distribution's version, as importlib.metadata.version gives it (the first found on
    sys.path), or "" when it is not installed."""
    wanted = _normalized(project)
    for path in installed():
        stem = path.rpartition("/")[2].rpartition(".")[0]
        name, _, version = stem.partition("-")
        if _normalized(name) == wanted:
            return version.partition("-")[0]  # an egg's "-py3.11" is not the version
    return ""


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def load(path: Path, key: str) -> Any | None:
    """The payload stored at path under this key, or None (absent, other key, damaged)."""
    try:
        with open(path, "rb") as handle:
            magic, fmt, stored_key, payload = pickle.load(handle)
    except Exception:  # any damage at all means: not there
        return None
    if magic != _MAGIC or fmt != FORMAT or stored_key != key:
        return None
    return payload


def save(path: Path, key: str, payload: Any) -> None:
    """Write atomically: a build killed while saving leaves the old file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            pickle.dump((_MAGIC, FORMAT, key, payload), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save_parts(path: Path, key: str, head: Any, parts: Iterable[Any]) -> None:
    """`save` for a payload read back a part at a time (`Parts`): `head`, then each part,
    by one pickler, so an object shared between parts is stored, and loaded, once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump((_MAGIC, FORMAT, key, head))
            for part in parts:
                pickler.dump(part)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class Parts:
    """A file `save_parts` wrote, open: its `head` at once, then its parts one `next()` at a
    time, so a caller can stop in between (and go on later). The file stays open until the
    last part or `close`: a save meanwhile replaces the name, not what is being read."""

    def __init__(self, handle: IO[bytes], head: Any):
        self._handle: IO[bytes] | None = handle
        self._unpickler: pickle.Unpickler | None = pickle.Unpickler(handle)
        self.head = head

    @classmethod
    def open(cls, path: Path, key: str) -> Parts | None:
        """None when absent, under another key or damaged (as `load`)."""
        try:
            handle = open(path, "rb")
        except OSError:
            return None
        try:
            unpickler = pickle.Unpickler(handle)
            magic, fmt, stored_key, head = unpickler.load()
            if magic == _MAGIC and fmt == FORMAT and stored_key == key:
                parts = cls(handle, head)
                parts._unpickler = unpickler  # its memo holds what the parts share with the head
                return parts
        except Exception:  # any damage at all means: not there
            pass
        handle.close()
        return None

    def next(self) -> Any:
        """The next part; raises EOFError after the last, and any error of a damaged file."""
        if self._handle is None or self._unpickler is None:
            raise EOFError("closed")
        try:
            return self._unpickler.load()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        # Its memo holds every object loaded, the state dicts they were made from too.
        self._unpickler = None


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Builds sharing a cache take turns with it (one may delete what another reads)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_bytes(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all (temporary name, then rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
    except FileNotFoundError:  # the folder is new (most writes go to an existing one)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
    os.replace(tmp, path)
