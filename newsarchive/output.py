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
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import cache, parallel

_STAGING_PREFIX = ".staging-"
_RETIRED_PREFIX = ".retired-"
_SPARE_PREFIX = ".spare-"
_REMOVING_PREFIX = ".removing-"  # folders being deleted (by a child: StagedOutput._disposal)


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


@dataclass
class Manifest:
    """What the last build left in output/ (and in the spare tree beside it).

    Kept in the build cache. Trusted only while output/ and the spare are the very folders
    it describes (same inodes): a folder replaced or deleted by hand makes it void.
    """

    files: dict[str, str] = field(default_factory=dict)  # rel -> digest of the bytes in output/
    # rel -> (source, its stat) for files copied from content: unchanged source, same file.
    sources: dict[str, tuple[str, tuple[int, int, int, int]]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # rel -> fingerprint of its inputs
    output_inode: int = 0
    # The top two levels of output/ (names, inodes, times): what a hand edit would change
    # (a folder moved, a link planted); a mismatch voids the manifest.
    shape: tuple[tuple[str, int, int, bool], ...] = ()
    spare_inode: int = 0
    # Files in which the spare differs from output/ (changed, added or removed by the last build).
    spare_diff: tuple[str, ...] = ()
    # The site's structure and each article's cache key, as the pages were made from them
    # (render/fingerprint.py `Structure`): what lets the next build skip pages that show
    # no changed article.
    structure: str = ""
    article_keys: list[str] = field(default_factory=list)
    # The structure less the index, and what the index was made from (`Structure`): with the
    # index kept in the cache, what lets a build that adds an article skip the article pages
    # it does not reach.
    frame: str = ""
    index_inputs: str = ""


@dataclass
class Records:
    digests: dict[str, str]
    pages: dict[str, str]
    touched: set[str]
    changed: int
    # Files a deferring process did not write itself (path, bytes): the taker writes them.
    pending: list[tuple[str, bytes]] = field(default_factory=list)
    # The sources of files copied (StagedOutput.sources), where the worker passes them on.
    sources: dict[str, tuple[str, tuple[int, int, int, int]]] = field(default_factory=dict)


class StagedOutput:
    """Collects the new site in a staging folder; `commit` swaps it into place.

    With a state folder (the build cache), what the last build wrote is known: a file whose
    bytes are the same is not written again, nothing is read back to compare, and instead
    of copying the whole output the staging folder is the previous output kept aside (the
    "spare"), brought up to date by the few files the last build changed. A build that
    changes nothing leaves output/ alone: no staging folder, no swap.
    """

    def __init__(self, output: Path, state: Path | None = None):
        self.output = output
        self.root = output.parent / f"{_STAGING_PREFIX}{output.name}-{os.getpid()}"
        self.spare = output.parent / f"{_SPARE_PREFIX}{output.name}"
        self.changed = 0
        self.digests: dict[str, str] = {}  # this build's files: rel -> digest of its bytes
        self.sources: dict[str, tuple[str, tuple[int, int, int, int]]] = {}
        self.pages: dict[str, str] = {}
        # This build's structure and article keys, for the manifest (see Manifest).
        self.structure = ""
        self.article_keys: list[str] = []
        self.frame = ""
        self.index_inputs = ""
        self._state = state_file(state, output, "output") if state else None
        self._key = str(output.resolve())
        self.previous = Manifest()
        self.trusted = False  # previous describes output/ exactly
        self._staged = False
        self._fresh = False  # the staging folder started empty: it holds only this build's files
        self._touched: set[str] = set()  # files of the staging folder this build changed
        self._folders: set[str] = set()  # folders of the staging folder known to exist
        # A process working beside the one that stages (parallel.background) must not make
        # the staging folder too: it defers its changed files to that process (`records`).
        self.deferred = False
        self._pending: list[tuple[str, bytes]] = []
        # A linked copy of output/ being made meanwhile, when there is no spare to stage in.
        self._linking: parallel.Background | None = None
        # Folders no longer wanted (killed builds' staging folders, a spare no manifest
        # describes) being deleted meanwhile.
        self._disposal: parallel.Background | None = None

    def __enter__(self) -> StagedOutput:
        garbage = _leftovers(self.output)
        if self._state is not None:
            stored = _complete(cache.load(self._state, self._key))
            if (isinstance(stored, Manifest) and _inode(self.output) == stored.output_inode != 0
                    and _shape(self.output) == stored.shape):
                self.previous, self.trusted = stored, True
        if not self._spare_ready() and self.spare.is_dir() and not self.spare.is_symlink():
            # A spare this build cannot use (output/ was deleted or replaced by hand, or the
            # cache was): out of the way at once, under a name a killed build's next one removes.
            gone = self.output.parent / f"{_REMOVING_PREFIX}{self.output.name}-{os.getpid()}-spare"
            os.rename(self.spare, gone)
            garbage.append(gone)
        if garbage:
            # Deleting a whole site is mostly waiting on the disk (seconds, with discard on):
            # a child does it while this process builds.
            self._disposal = parallel.Background(_remove_all, garbage)
        if self.trusted and not self._spare_ready() and parallel.can_fork():
            # No spare (the last build was a first one, or failed): the staging folder
            # must be a linked copy of output/, tens of thousands of links and folders.
            # A child makes it while this process works out what changed.
            self._linking = parallel.Background(_link_tree, self.output, self.root)
        return self

    def _spare_ready(self) -> bool:
        return bool(self.previous.spare_inode) and _inode(self.spare) == self.previous.spare_inode

    def _linked(self) -> bool:
        """Wait for the linked copy being made, if one is: whether it is there."""
        linking, self._linking = self._linking, None
        if linking is None:
            return False
        try:
            linking.result()
            return True
        except Exception:  # noqa: BLE001 - made here, then, as without a child
            shutil.rmtree(self.root, ignore_errors=True)
            return False

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._linking is not None:
            self._linking.cancel()
            self._linking = None
        if exc_type is not None and self.root.exists():
            # A failed build's files go, so the space comes back (a full disk); the spare
            # went with them, so the next build copies output/ once more.
            shutil.rmtree(self.root, ignore_errors=True)
        if self._disposal is not None:
            disposal, self._disposal = self._disposal, None
            try:
                disposal.result()  # a build leaves nothing behind
            except Exception:  # noqa: BLE001 - what is left is removed by the next build
                pass

    def stage(self) -> None:
        """Make the staging folder: the spare brought up to date, or a linked copy."""
        if self._staged or self.deferred:
            return
        prev = self.previous
        if self.trusted and self._spare_ready():
            os.rename(self.spare, self.root)
            for rel in prev.spare_diff:
                target = self.root / rel
                if rel in prev.files:
                    # The staging folder is this build's alone: no temporary name needed
                    # (writing aside and renaming took 2.5 times as long as unlinking and
                    # writing, on ext4).
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.unlink(missing_ok=True)
                    os.link(self.output / rel, target)
                else:
                    target.unlink(missing_ok=True)
                    _prune(target.parent, self.root)
            self._staged = True
            return
        if self.spare.exists():
            shutil.rmtree(self.spare, ignore_errors=True)
        self.previous.spare_inode = 0
        if self._linked():
            pass
        elif self.output.is_dir():
            _link_tree(self.output, self.root)
        else:
            self.root.mkdir(parents=True)
            self._fresh = True
        self._staged = True

    @property
    def staged(self) -> bool:
        """The staging folder exists: a process forked from now on may write into it."""
        return self._staged

    def records(self) -> Records:
        """What this object recorded since the last call (a worker's share of the build)."""
        mine = Records(self.digests, self.pages, self._touched, self.changed, self._pending)
        self.digests, self.pages, self._touched, self.changed, self._pending = {}, {}, set(), 0, []
        return mine

    def absorb(self, records: Records) -> None:
        """Take in what a worker process recorded through its copy of this object."""
        self.digests.update(records.digests)
        self.pages.update(records.pages)
        self._touched |= records.touched
        self.changed += records.changed
        self.sources.update(records.sources)
        for key, data in records.pending:
            self.write(key, data)

    @property
    def written(self) -> list[str]:
        """Every file of the new site (written or kept), by path relative to output/."""
        return list(self.digests)

    def write(self, rel: PurePosixPath | str, data: bytes) -> None:
        key = rel.as_posix() if isinstance(rel, PurePosixPath) else rel
        parts = key.split("/")
        if key.startswith("/") or ".." in parts or "" in parts or "." in parts or "\x00" in key:
            raise OutputError(f"refusing to write outside the output folder: {rel}")
        digest = cache.digest(data)
        self.digests[key] = digest
        if self.trusted and self.previous.files.get(key) == digest:
            return  # output/ has these bytes, and so will the staging folder
        if self.deferred:
            self._pending.append((key, data))
            return
        self.stage()
        # Plain strings and system calls: this runs for each of tens of thousands of files.
        target = f"{self.root}/{key}"
        self._touched.add(key)  # before writing: a failed write leaves the file unknown too
        try:
            if self._fresh:  # it started empty: nothing to compare with, nothing linked
                self._folder(target.rpartition("/")[0])
                exists = False
            else:
                try:
                    size = os.stat(target).st_size
                    if not self.trusted and size == len(data) and Path(target).read_bytes() == data:
                        return
                    exists = True
                except FileNotFoundError:
                    self._folder(target.rpartition("/")[0])
                    exists = False
            if exists:
                # Never write through the hard link: that would change the live output too.
                # Unlinked, not replaced by a temporary file: only this build sees the folder.
                os.unlink(target)
            handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view):]
            finally:
                os.close(handle)
        except OSError as exc:
            # Name the page, not the staging folder's path: "2020/01/x/index.html: No space left on device".
            raise OutputError(f"{rel}: {exc.strerror or exc}", exc.errno or 0) from exc
        self.changed += 1

    def _folder(self, path: str) -> None:
        """Make a folder of the staging folder, and those above it, once per process."""
        if path not in self._folders:
            try:
                os.mkdir(path)  # one system call, for most: os.makedirs asks first
            except FileExistsError:
                pass
            except FileNotFoundError:
                # The folder above first (once: it is remembered too), then this one. The
                # staging folder itself exists, so this stops there at the latest.
                parent = path.rpartition("/")[0]
                if not parent:
                    raise
                self._folder(parent)
                try:
                    os.mkdir(path)
                except FileExistsError:
                    pass
            self._folders.add(path)

    def keep(self, rel: PurePosixPath | str) -> bool:
        """Keep the file the last build wrote, without its bytes; False if that is unknown."""
        key = rel.as_posix() if isinstance(rel, PurePosixPath) else rel
        digest = self.previous.files.get(key) if self.trusted else None
        if digest is None:
            return False
        self.digests[key] = digest
        return True

    def known(self, rel: PurePosixPath | str) -> bool:
        """Whether `keep(rel)` would keep the last build's file; nothing is kept here."""
        key = rel.as_posix() if isinstance(rel, PurePosixPath) else rel
        return self.trusted and self.previous.files.get(key) is not None

    def differs(self) -> set[str]:
        """Files changed, added or (so far) left out by this build, compared with output/;
        None known when the last build is not known."""
        if not self.trusted:
            return set(self.digests)
        return self._touched | (set(self.previous.files) - set(self.digests))

    def keep_folder(self, folder: str) -> None:
        """Keep every file the last build wrote under folder/."""
        for key in self.previous.files if self.trusted else ():
            if key.startswith(folder + "/"):
                self.keep(key)

    def copy(self, rel: PurePosixPath | str, source: Path | str,
             stat: tuple[int, int, int, int] | None = None) -> None:
        """Copy a file into the site; `stat`: its (size, mtime_ns, inode, ctime_ns) if known."""
        key = rel.as_posix() if isinstance(rel, PurePosixPath) else rel
        source = str(source)
        if stat is None:
            st = os.stat(source)
            stat = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
        sig = stat
        # A source changed in the last seconds may change again within one clock tick.
        settled = sig[1] < time.time_ns() - 2_000_000_000
        if settled and self.previous.sources.get(key) == (source, sig) and self.keep(key):
            self.sources[key] = (source, sig)
            return
        with open(source, "rb") as handle:
            self.write(key, handle.read())
        if settled:
            self.sources[key] = (source, sig)

    def copy_many(self, files: Iterable[tuple[str, str, tuple[int, int, int, int] | None]]) -> None:
        """`copy` for each (file in the site, source, its stat if known). The ones whose
        source is the file the last build copied there, unchanged, are kept in one pass
        without a call each: an addition to 10,000 articles checks 15,000 images."""
        previous = self.previous.sources if self.trusted else {}
        written = self.previous.files
        settled = time.time_ns() - 2_000_000_000
        digests, sources = self.digests, self.sources
        for rel, source, stat in files:
            if stat is not None and stat[1] < settled:
                entry = (source, stat)
                digest = written.get(rel) if previous.get(rel) == entry else None
                if digest is not None:
                    digests[rel] = digest
                    sources[rel] = entry
                    continue
            self.copy(rel, source, stat)

    def commit(self) -> None:
        """Drop files this build did not write, then put the staging folder in place."""
        if self.trusted:
            gone = sorted(set(self.previous.files) - set(self.digests))
            if gone:
                self.stage()
            for key in gone:
                target = self.root / key
                target.unlink(missing_ok=True)
                _prune(target.parent, self.root)
                self._touched.add(key)
                self.changed += 1
        elif (self._staged or not self.output.exists()) and not self._fresh:
            self.stage()
            # A linked copy of an output/ the cache does not describe: drop what this
            # build did not write (a first build, into an empty folder, skips the walk).
            for dirpath, _dirnames, filenames in os.walk(self.root, topdown=False):
                base = Path(dirpath)
                for name in filenames:
                    path = base / name
                    if path.relative_to(self.root).as_posix() not in self.digests:
                        path.unlink()
                        self.changed += 1
                if base != self.root and not any(base.iterdir()):
                    base.rmdir()
        manifest = Manifest(files=self.digests, sources=self.sources, pages=self.pages,
                            structure=self.structure, article_keys=self.article_keys, frame=self.frame,
                            index_inputs=self.index_inputs)
        if not self._staged:
            # Not one byte differs: output/ stays as it is, and so does the spare; a linked
            # copy made meanwhile becomes the spare, the same as output/.
            manifest.output_inode = self.previous.output_inode
            manifest.shape = self.previous.shape
            manifest.spare_inode = self.previous.spare_inode
            manifest.spare_diff = self.previous.spare_diff
            if self._linked():
                if self.spare.exists():
                    shutil.rmtree(self.spare, ignore_errors=True)
                os.rename(self.root, self.spare)
                manifest.spare_inode, manifest.spare_diff = _inode(self.spare), ()
            self._save(manifest)
            return
        _fsync_dir(self.root)
        if self.output.exists():
            if not _exchange(self.root, self.output):
                retired = self.output.parent / f"{_RETIRED_PREFIX}{self.output.name}-{os.getpid()}"
                os.rename(self.output, retired)
                os.rename(self.root, self.output)
                self.root = retired
            # The old output becomes the spare: next build's staging folder, once updated.
            if self._state is not None:
                os.rename(self.root, self.spare)
                manifest.spare_inode = _inode(self.spare)
                manifest.spare_diff = tuple(sorted(self._touched))
            else:
                shutil.rmtree(self.root, ignore_errors=True)
        else:
            os.rename(self.root, self.output)
        _fsync_dir(self.output.parent)
        manifest.output_inode = _inode(self.output)
        manifest.shape = _shape(self.output)
        self._save(manifest)

    def _save(self, manifest: Manifest) -> None:
        if self._state is not None:
            try:
                cache.save(self._state, self._key, manifest)
            except OSError:
                pass  # the site is built; the next build just starts without a manifest


def _complete(stored: object) -> object:
    """A manifest an earlier version saved, with the fields it did not have at their defaults."""
    if isinstance(stored, Manifest):
        blank = Manifest()
        for name in Manifest.__dataclass_fields__:
            if name not in stored.__dict__:
                setattr(stored, name, getattr(blank, name))
    return stored


def state_file(state: Path, output: Path, kind: str) -> Path:
    """Where the cache keeps what it knows of one output folder (kind: 'output', 'build')."""
    return state / f"{kind}-{cache.digest(str(output.resolve()))}.pickle"


def forget_output(state: Path | None, output: Path) -> None:
    """Drop what the cache knows of an output folder that is going away (check's throwaway)."""
    if state is not None:
        for kind in ("output", "build"):
            state_file(Path(state), output, kind).unlink(missing_ok=True)


def output_identity(output: Path) -> tuple[int, tuple[tuple[str, int, int, bool], ...]]:
    """What tells the folder a build left from one replaced or touched by hand since."""
    return _inode(output), _shape(output)


def _inode(path: Path) -> int:
    try:
        return os.stat(path).st_ino
    except OSError:
        return 0


def _shape(output: Path) -> tuple[tuple[str, int, int, bool], ...]:
    found: list[tuple[str, int, int, bool]] = []
    try:
        top = list(os.scandir(output))
    except OSError:
        return ()
    for entry in top:
        st = entry.stat(follow_symlinks=False)
        found.append((entry.name, st.st_ino, st.st_mtime_ns, entry.is_symlink()))
        if entry.is_dir(follow_symlinks=False):
            with os.scandir(entry.path) as inner:
                for sub in inner:
                    sst = sub.stat(follow_symlinks=False)
                    found.append((f"{entry.name}/{sub.name}", sst.st_ino, sst.st_mtime_ns, sub.is_symlink()))
    return tuple(sorted(found))


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty, up to root."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _link_tree(source: Path, target: Path) -> None:
    """A copy of source whose files are hard links (cheap, and keeps mtimes).

    Symbolic links are left out: the build never makes them, and writing through one that
    someone placed in output/ could land outside it.
    """
    try:
        _link_folders(str(source), str(target))
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, ignore=_symlinks)  # another file system: real copies


def _link_folders(source: str, target: str) -> None:
    # By hand, not shutil.copytree, which also copies each folder's mode and extended
    # attributes: more work than the links themselves (10,000 article folders). Folder
    # times are kept, so a folder the build does not change looks unchanged (rsync -a).
    os.mkdir(target)
    stack = [(source, target)]
    folders = [(source, target)]
    while stack:
        here, there = stack.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                if entry.is_symlink():
                    continue
                made = f"{there}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    os.mkdir(made)
                    stack.append((entry.path, made))
                    folders.append((entry.path, made))
                else:
                    os.link(entry.path, made)
    for here, there in reversed(folders):  # children first: linking into a folder sets its time
        st = os.stat(here)
        os.utime(there, ns=(st.st_atime_ns, st.st_mtime_ns))


def _symlinks(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if os.path.islink(os.path.join(folder, name))}


def _leftovers(output: Path) -> list[Path]:
    """Staging and retired folders of builds that were killed, each renamed to a name of
    this build's own (no later name can be one of them); safe because we hold the lock."""
    if not output.parent.is_dir():
        return []
    found = []
    prefixes = tuple(f"{prefix}{output.name}-" for prefix in (_STAGING_PREFIX, _RETIRED_PREFIX, _REMOVING_PREFIX))
    for number, entry in enumerate(sorted(e for e in output.parent.iterdir() if e.name.startswith(prefixes))):
        gone = output.parent / f"{_REMOVING_PREFIX}{output.name}-{os.getpid()}-{number}"
        try:
            os.rename(entry, gone)
        except OSError:
            shutil.rmtree(entry, ignore_errors=True)
            continue
        found.append(gone)
    return found


def _remove_all(folders: list[Path]) -> None:
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.unlink(missing_ok=True)


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
