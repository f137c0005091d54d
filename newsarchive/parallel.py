"""Spreading independent work over the machine's cores, with results in input order.

Workers are forked, so they start with the parent's modules and data already in memory
(no pickling of the site index) and results always come back in the order the work was
given, never in the order it finished: the output cannot depend on scheduling.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
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


def chunks(items: Sequence[T], workers: int, per_worker: int = 8, minimum: int = 16) -> list[Sequence[T]]:
    """Contiguous slices: several per worker to balance uneven costs, few enough that
    inter-process messages stay cheap."""
    size = max(minimum, -(-len(items) // (workers * per_worker)))
    return [items[i : i + size] for i in range(0, len(items), size)]


@contextmanager
def fork_pool(workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> Iterator[Any]:
    """A pool of forked workers; initargs reach them by inheritance, not by pickling."""
    pool = multiprocessing.get_context("fork").Pool(workers, _start, (initializer, initargs))
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _start(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    # What the parent had is frozen: the collector leaves it alone (it frees nothing there,
    # and touching it would copy shared pages). A worker's own objects are collected, rarely.
    gc.freeze()
    gc.set_threshold(100_000, 20, 100)
    gc.enable()
    initializer(*initargs)
