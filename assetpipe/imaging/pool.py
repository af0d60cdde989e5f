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
leaves no orphan behind. ``Batch`` feeds the workers while the caller plans, costliest job
first, so one big image does not end last.
"""

from __future__ import annotations

import atexit
import contextlib
import heapq
import importlib.util
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
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


#: Relative encoder cost per output pixel (CPU per pixel measured on the corpus photos at
#: quality 80: WebP method 4 ~6x a progressive JPEG; PNG tries several exact modes), and of
#: decoding one source pixel. Only the order of jobs depends on them.
_FORMAT_COST = {"jpeg": 1.0, "png": 3.0, "webp": 6.0, "avif": 30.0}
_DECODE_COST = 0.3


def job_cost(job: Job, source_pixels: int) -> float:
    """An estimate of a job's CPU, to run the costliest first: its output pixels weighted by
    each format's encoder cost, plus decoding the source."""
    per_pixel = sum(_FORMAT_COST.get(fmt, 6.0) for fmt in job.formats)
    return sum(w * h for w, h in job.sizes) * per_pixel + source_pixels * _DECODE_COST


class Batch:
    """Jobs handed over while the caller is still planning, run costliest first.

    ``add`` queues a job; the pool starts (``prewarm``, in the background) at the second one,
    and from then on every ``add`` or ``poll`` keeps each worker fed with the costliest job
    queued so far, one job ahead, so the workers encode while the caller plans the rest (a cold
    build's planning reads and hashes every source). While planning, jobs are submitted only as
    workers free up, so the order is decided late, when most jobs are known: the largest images
    do not end last. Once ``finish`` says no more will come, the rest are submitted at once in
    cost order, and the last jobs (one per worker, when cores would otherwise idle) each get
    ``ENCODE_THREADS`` encode threads. A batch of one job (or a
    one-core machine) runs in the calling thread at ``finish`` and starts no process.
    ``on_done`` is always called in the calling thread (from ``add``, ``poll`` or ``finish``).
    """

    def __init__(self, on_done: Callable[[JobResult], None], workers: int | None = None) -> None:
        self._on_done = on_done
        self._size = workers or cpu_count()
        self._queued: list[tuple[float, int, Job]] = []
        self._running: set[Future[JobResult]] = set()
        self._added = 0
        self._closed = False

    def add(self, job: Job, cost: float) -> None:
        """Queue ``job`` (``cost``: ``job_cost``); may run finished jobs' ``on_done``."""
        heapq.heappush(self._queued, (-cost, self._added, job))
        self._added += 1
        if self._added == 2:
            prewarm(self._size)
        self.poll()

    def poll(self) -> None:
        """Hand finished jobs to ``on_done`` and submit more, without waiting."""
        if self._running:
            self._collect(0)
        self._submit()

    def finish(self) -> None:
        """No more jobs: run the rest and wait for all of them."""
        self._closed = True
        if self._size <= 1 or self._added == 1:
            threads = ENCODE_THREADS if cpu_count() > 1 else 1
            while self._queued:
                job = heapq.heappop(self._queued)[2]
                self._on_done(run_job(replace(job, threads=threads)))
            return
        _join_prewarm()
        self._submit()
        while self._running:
            self._collect(None)
            self._submit()

    def cancel(self) -> None:
        """Drop the queued jobs and cancel those not yet started (after an error)."""
        self._queued.clear()
        for fut in self._running:
            fut.cancel()

    def _submit(self) -> None:
        if self._size <= 1 or self._added < 2:
            return
        if not self._closed and _prewarm is not None and _prewarm.is_alive():
            return  # workers still starting: keep planning meanwhile
        # while planning: one job ahead of the workers, so the order is decided late; once all
        # are known the order is final and all are submitted, so that a worker's next job never
        # waits for this thread (busy storing results, or not scheduled on a loaded machine)
        if not self._queued or (not self._closed and len(self._running) > self._size):
            return
        pool = _get_pool(self._size)
        with _main_as_worker():  # workers start on submit
            while self._queued and (self._closed or len(self._running) <= self._size):
                job = heapq.heappop(self._queued)[2]
                if self._closed and len(self._queued) < self._size:  # the tail: thread it
                    job = replace(job, threads=ENCODE_THREADS)
                self._running.add(pool.submit(run_job, job))

    def _collect(self, timeout: float | None) -> None:
        done, _ = wait(self._running, timeout=timeout, return_when=FIRST_COMPLETED)
        for fut in done:
            self._running.discard(fut)
            try:
                result = fut.result()
            except BrokenProcessPool as exc:
                self.cancel()
                shutdown()
                raise WorkerDied("an image worker process died (killed, or out of memory)") from exc
            self._on_done(result)
