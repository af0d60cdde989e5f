"""Work left for when a server is idle: one daemon thread runs queued jobs, each only once no
request has been seen for ``idle`` seconds.

``BlueprintStatic`` answers a file's first request with a fast compression and leaves the
highest levels (brotli 11 takes 0.16 s on Bootstrap's CSS, holding the GIL throughout) to this
thread: run during a first page's requests, they would hold that page back on a one-thread
server as surely as on the request path.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Hashable


class IdleWork:
    """A queue of jobs, each run once (by key) when the server has been idle for ``idle`` s."""

    def __init__(self, idle: float = 0.5) -> None:
        self.idle = idle
        self._last = time.monotonic()
        self._jobs: queue.Queue[tuple[Hashable, Callable[[], None]]] = queue.Queue()
        self._keys: set[Hashable] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def busy(self) -> None:
        """A request was seen now: jobs wait until ``idle`` seconds without one."""
        self._last = time.monotonic()

    def add(self, key: Hashable, job: Callable[[], None]) -> None:
        """Queue ``job`` unless one of the same ``key`` is queued or running; the thread is
        started on first use (after a fork: gunicorn's workers each get their own)."""
        with self._lock:
            if key in self._keys:
                return
            self._keys.add(key)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="assetpipe-idle", daemon=True
                )
                self._thread.start()
        self._jobs.put((key, job))

    def settle(self) -> None:
        """Wait until every queued job has run (tests, benchmarks)."""
        self._jobs.join()

    def _run(self) -> None:
        while True:
            key, job = self._jobs.get()
            try:
                while (wait := self._last + self.idle - time.monotonic()) > 0:
                    time.sleep(min(wait, 0.1))
                job()
            except Exception:  # noqa: S110 - a failed upgrade leaves the fast body in use
                pass
            finally:
                with self._lock:
                    self._keys.discard(key)
                self._jobs.task_done()
