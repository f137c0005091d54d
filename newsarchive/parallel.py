"""Spreading independent work over the machine's cores, with results in input order.

Workers are forked, so they start with the parent's modules and data already in memory
(no pickling of the site index) and results always come back in the order the work was
given, never in the order it finished: the output cannot depend on scheduling.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import select
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


def cpu_count() -> int:
    """Cores this process may run on (a container or taskset may allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    # Forking a process that runs other threads (a server, a file watcher) can copy a lock
    # another thread held; such callers get the serial path, which gives the same result.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def chunks(items: Sequence[T], workers: int, per_worker: int = 8, minimum: int = 16,
           maximum: int = 0) -> list[Sequence[T]]:
    """Contiguous slices, each a share of what is left (guided scheduling): big ones first,
    so inter-process messages stay few, and small ones last, so no core waits long for
    the one still finishing a big slice at the end. `maximum`: a cap on a slice's size."""
    found = []
    start, count = 0, len(items)
    while start < count:
        size = max(minimum, -(-(count - start) // (workers * per_worker // 2 or 1)))
        if maximum:
            size = min(size, max(minimum, maximum))
        found.append(items[start : start + size])
        start += size
    return found


@contextmanager
def fork_pool(workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> Iterator[Any]:
    """A pool of forked workers; initargs reach them by inheritance, not by pickling."""
    pool = multiprocessing.get_context("fork").Pool(workers, _start, (os.getpid(), initializer, initargs))
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


class Background:
    """`fn(*args)` in a forked child while this process goes on; `result()` waits for its
    return value (or raises its exception). Without fork, `fn` runs when asked, here."""

    def __init__(self, fn: Callable[..., T], *args: Any):
        self._fn, self._args = fn, args
        self._pid = 0
        self._pipe = -1
        if not can_fork():
            return
        read, write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 0
            try:
                os.close(read)
                os.setpgid(0, 0)  # its own group: `cancel` stops any workers it forks too
                _die_with_parent(parent)
                try:
                    payload: tuple[bool, Any] = (True, fn(*args))
                except BaseException as exc:  # handed to the parent, raised there
                    payload = (False, exc)
                try:
                    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # an unpicklable result: say what it was
                    data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
                with os.fdopen(write, "wb") as handle:
                    handle.write(data)
            except BaseException:
                code = 1
            finally:
                os._exit(code)  # no cleanup of the parent's state: it is the parent's
        os.close(write)
        try:
            os.setpgid(pid, pid)  # as the child does: whichever runs first, `cancel` finds the group
        except OSError:
            pass  # the child did it already and may have gone on to exec or exit
        self._pid, self._pipe = pid, read

    def done(self) -> bool:
        """Whether `result()` would answer at once: the child has finished (or, without
        fork, there is no child and `result()` does the work now)."""
        if not self._pid:
            return True
        return bool(select.select([self._pipe], [], [], 0)[0])

    def result(self) -> Any:
        if not self._pid:
            return self._fn(*self._args)
        try:
            with os.fdopen(self._pipe, "rb") as handle:  # read all before waiting: a full pipe blocks the child
                data = handle.read()
        finally:
            self._pipe = -1
            os.waitpid(self._pid, 0)
            self._pid = 0
        if not data:
            raise RuntimeError("a background worker died")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child if it still runs (the caller failed and will not ask)."""
        if self._pid:
            for kill in (os.killpg, os.kill):  # the group: its pool's workers too
                try:
                    kill(self._pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    continue
                break
            os.waitpid(self._pid, 0)
            os.close(self._pipe)
            self._pid = 0


@contextmanager
def background(fn: Callable[..., T], *args: Any) -> Iterator[Background]:
    """`Background(fn, *args)`, stopped if the block is left by an exception."""
    job = Background(fn, *args)
    try:
        yield job
    except BaseException:
        job.cancel()
        raise
    job.cancel()  # a result never asked for


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive its parent: killed mid-build, a parent's workers would go on
    holding the build lock it inherited. Linux only; elsewhere the workers end on their own."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _start(parent: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    _die_with_parent(parent)
    # What the parent had is frozen: the collector leaves it alone (it frees nothing there,
    # and touching it would copy shared pages). A worker's own objects are collected, rarely.
    gc.freeze()
    gc.set_threshold(100_000, 20, 100)
    gc.enable()
    initializer(*initargs)
