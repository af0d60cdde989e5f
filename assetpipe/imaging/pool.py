"""Running jobs: in-process for one, over a process pool on all cores for more.

The pool is created only when there is real work (two or more cache misses), so a no-op
rebuild starts no process, and it stays up for the life of the process, so ``assetpipe watch``
pays the start-up once. The stage calls ``prewarm`` as soon as its planning finds the second
miss, so the workers start while the remaining sources are still being planned.

Start method: ``forkserver``. Workers are forked from a small server process that has imported
Pillow and holds none of the caller's files, sockets, locks or threads — a plain ``fork`` would
give every long-lived worker a copy of whatever the caller had open at that moment (the build
lock, an app's listening socket) and is unsafe in a threaded caller. multiprocessing would
normally re-run the caller's ``__main__`` script in each worker (so an unguarded script calling
``assetpipe.build()`` would build again in every worker and break the pool); while workers
start, ``_main_as_worker`` names an empty module as the main module to prepare instead, so
a plain script needs no ``if __name__ == "__main__":`` guard. Each
worker watches the process that started the pool and exits when it is gone, so a killed build
leaves no orphan behind. Jobs are submitted largest first, so one big image does not end last.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from .worker import ENCODE_THREADS, Job, JobResult, run_job

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
            ctx = multiprocessing.get_context("forkserver")
            multiprocessing.set_forkserver_preload(
                [
                    "assetpipe.imaging.worker",
                    "PIL.Image",
                    "PIL.JpegImagePlugin",
                    "PIL.PngImagePlugin",
                    "PIL.WebPImagePlugin",
                ]
            )
            _pool = ProcessPoolExecutor(
                max_workers=size, mp_context=ctx, initializer=_watch_parent, initargs=(os.getpid(),)
            )
            _pool_size = size
            starts += 1
        return _pool


@contextlib.contextmanager
def _main_as_worker() -> Iterator[None]:
    """While workers start: make multiprocessing prepare them by importing
    ``assetpipe.imaging._workermain`` (empty) as their main module, not by re-running the
    caller's script (``spawn.get_preparation_data`` prefers ``__main__.__spec__.name`` over
    its file)."""
    main = sys.modules.get("__main__")
    if (
        main is None
        or getattr(main, "__spec__", None) is not None
        or not getattr(main, "__file__", None)
    ):
        yield  # python -m, the CLI, an interactive session: multiprocessing copes
        return
    main.__spec__ = importlib.util.find_spec("assetpipe.imaging._workermain")
    try:
        yield
    finally:
        main.__spec__ = None


def _watch_parent(pid: int) -> None:
    """In a worker: exit as soon as the process that started the pool is gone (or a zombie:
    a killed parent whose own parent has not reaped it yet, e.g. because it still reads the
    pipes we hold)."""

    def watch() -> None:
        while not _gone(pid):
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="assetpipe-parent-watch", daemon=True).start()


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except (OSError, IndexError):  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def shutdown() -> None:
    """Stop the pool's workers (also done at interpreter exit)."""
    global _pool
    _join_prewarm()
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


atexit.register(shutdown)


_prewarm: threading.Thread | None = None


def _nothing() -> None:
    """A job that only makes the pool start a worker."""


def prewarm(workers: int | None = None) -> None:
    """Start the pool's workers now, in a background thread, so the forkserver and the workers
    come up while the caller is still planning (call it only once it knows a pool will run:
    two or more jobs). ``run_jobs`` waits for it before submitting."""
    global _prewarm
    size = workers or cpu_count()
    if size <= 1 or _prewarm is not None:
        return

    def start() -> None:
        # a failure here is met again, and reported, by run_jobs
        with contextlib.suppress(Exception):
            executor = _get_pool(size)
            with _main_as_worker():
                for _ in range(size):
                    executor.submit(_nothing)

    _prewarm = threading.Thread(target=start, name="assetpipe-pool-prewarm", daemon=True)
    _prewarm.start()


def _join_prewarm() -> None:
    global _prewarm
    if _prewarm is not None:
        _prewarm.join()
        _prewarm = None


def run_jobs(
    jobs: Sequence[Job], on_done: Callable[[JobResult], None], workers: int | None = None
) -> None:
    """Run every job, calling ``on_done`` in the calling thread as each finishes."""
    _join_prewarm()
    if not jobs:
        return
    size = min(workers or cpu_count(), len(jobs))
    if size <= 1:
        threads = ENCODE_THREADS if cpu_count() > 1 else 1
        for job in jobs:
            on_done(run_job(replace(job, threads=threads)))
        return
    pool = _get_pool(workers or cpu_count())
    ordered = sorted(jobs, key=_cost, reverse=True)
    tail = len(ordered) - size  # the last jobs run while other workers may idle: thread them
    ordered = [
        replace(job, threads=ENCODE_THREADS) if i >= tail else job for i, job in enumerate(ordered)
    ]
    with _main_as_worker():  # workers start on submit
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
