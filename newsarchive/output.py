"""Write the site aside, then swap it into place in one step.

A build writes into a staging folder next to output/. Only when every page was written does
the staging folder replace output/ (an atomic exchange of the two names on Linux, two
renames elsewhere). A failed or killed build therefore leaves output/ exactly as it was.

The staging folder starts as a hard-linked copy of the current output, and a file is
replaced only when its bytes change: unchanged files keep their inode and modification
time, which keeps rsync and CDN uploads small.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

_STAGING_PREFIX = ".staging-"
_RETIRED_PREFIX = ".retired-"


class OutputError(Exception):
    def __init__(self, message: str, errno: int = 0):
        super().__init__(message)
        self.errno = errno  # kept when raised in a worker process (a __cause__ is not)


class LockedError(OutputError):
    pass


@contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """One build per output folder at a time; a second one is told, not blocked."""
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_path = output.parent / f".{output.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"another build is writing {output} right now; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class StagedOutput:
    """Collects the new site in a staging folder; `commit` swaps it into place."""

    def __init__(self, output: Path):
        self.output = output
        self.root = output.parent / f"{_STAGING_PREFIX}{output.name}-{os.getpid()}"
        self.written: set[PurePosixPath] = set()
        self.changed = 0

    def __enter__(self) -> StagedOutput:
        _remove_leftovers(self.output)
        if self.output.is_dir():
            _link_tree(self.output, self.root)
        else:
            self.root.mkdir(parents=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def write(self, rel: PurePosixPath | str, data: bytes) -> None:
        rel = PurePosixPath(rel)
        if rel.is_absolute() or ".." in rel.parts or "\x00" in str(rel) or str(rel) in ("", "."):
            raise OutputError(f"refusing to write outside the output folder: {rel}")
        self.written.add(rel)
        target = self.root / rel
        try:
            try:
                if target.stat().st_size == len(data) and target.read_bytes() == data:
                    return
            except FileNotFoundError:
                target.parent.mkdir(parents=True, exist_ok=True)
            # Never write through the hard link: that would change the live output too.
            tmp = target.with_name(f".{target.name}.tmp")
            with open(tmp, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except OSError as exc:
            # Name the page, not the staging folder's path: "2020/01/x/index.html: No space left on device".
            raise OutputError(f"{rel}: {exc.strerror or exc}", exc.errno or 0) from exc
        self.changed += 1

    def copy(self, rel: PurePosixPath | str, source: Path) -> None:
        self.write(rel, source.read_bytes())

    def commit(self) -> None:
        """Drop files this build did not write, then put the staging folder in place."""
        for dirpath, _dirnames, filenames in os.walk(self.root, topdown=False):
            base = Path(dirpath)
            for name in filenames:
                path = base / name
                if PurePosixPath(path.relative_to(self.root).as_posix()) not in self.written:
                    path.unlink()
                    self.changed += 1
            if base != self.root and not any(base.iterdir()):
                base.rmdir()
        _fsync_dir(self.root)
        if self.output.exists():
            if not _exchange(self.root, self.output):
                retired = self.output.parent / f"{_RETIRED_PREFIX}{self.output.name}-{os.getpid()}"
                os.rename(self.output, retired)
                os.rename(self.root, self.output)
                self.root = retired
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            os.rename(self.root, self.output)
        _fsync_dir(self.output.parent)


def _link_tree(source: Path, target: Path) -> None:
    """A copy of source whose files are hard links (cheap, and keeps mtimes).

    Symbolic links are left out: the build never makes them, and writing through one that
    someone placed in output/ could land outside it.
    """
    try:
        shutil.copytree(source, target, copy_function=os.link, ignore=_symlinks)
    except (shutil.Error, OSError):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, ignore=_symlinks)  # another file system: real copies


def _symlinks(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if os.path.islink(os.path.join(folder, name))}


def _remove_leftovers(output: Path) -> None:
    """Staging folders of builds that were killed; safe because we hold the lock."""
    if not output.parent.is_dir():
        return
    for entry in output.parent.iterdir():
        if entry.name.startswith((f"{_STAGING_PREFIX}{output.name}-", f"{_RETIRED_PREFIX}{output.name}-")):
            shutil.rmtree(entry, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
