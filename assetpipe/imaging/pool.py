"""Running jobs: in-process for one, over a process pool on all cores for more.

The pool is created only when there is real work (two or more cache misses), so a no-op
rebuild starts no process, and it stays up for the life of the process, so ``assetpipe watch``
pays the start-up once. Start method: ``fork`` when the calling process has a single thread
(the common one-shot build: fastest, nothing re-imported, a script without a ``__main__`` guard
still works), else ``forkserver`` (workers forked from a clean single-threaded server that has
imported Pillow, never from a parent running watcher or server threads, where fork could copy a
held lock). Jobs are submitted largest first, so one big image does not end last.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from .worker import Job, JobResult, run_job

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
#: How many pools this process started (tests check a no-op rebuild starts none).
starts = 0


class WorkerDied(RuntimeError):
    """A pool worker died (killed, out of memory) while running a job."""


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _get_pool(size: int) -> ProcessPoolExecutor:
    global _pool, _pool_size, starts
    with _lock:
        if _pool is None or _pool_size != size:
            if _pool is not None:
                _pool.shutdown(wait=True)
            method = "fork" if threading.active_count() == 1 else "forkserver"
            ctx = multiprocessing.get_context(method)
            if method == "forkserver":
                multiprocessing.set_forkserver_preload([
                    "assetpipe.imaging.worker", "PIL.Image", "PIL.JpegImagePlugin",
                    "PIL.PngImagePlugin", "PIL.WebPImagePlugin"])
            _pool = ProcessPoolExecutor(max_workers=size, mp_context=ctx)
            _pool_size = size
            starts += 1
        return _pool


def shutdown() -> None:
    """Stop the pool's workers (also done at interpreter exit)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


atexit.register(shutdown)


def run_jobs(jobs: Sequence[Job], on_done: Callable[[JobResult], None],
             workers: int | None = None) -> None:
    """Run every job, calling ``on_done`` in the calling thread as each finishes."""
    if not jobs:
        return
    size = min(workers or cpu_count(), len(jobs))
    if size <= 1:
        for job in jobs:
            on_done(run_job(job))
        return
    pool = _get_pool(workers or cpu_count())
    ordered = sorted(jobs, key=_cost, reverse=True)
    futures: list[Future[JobResult]] = [pool.submit(run_job, job) for job in ordered]
    try:
        for fut in as_completed(futures):
            on_done(fut.result())
    except BrokenProcessPool as exc:
        shutdown()
        raise WorkerDied("an image worker process died (killed, or out of memory)") from exc
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def _cost(job: Job) -> int:
    try:
        size = job.path.stat().st_size
    except OSError:
        size = 0
    return size * len(job.formats)
