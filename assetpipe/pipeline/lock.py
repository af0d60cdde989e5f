"""A config's build lock: ``build.lock`` in its state folder (``.assetpipe/``, or
``.assetpipe/<config name>/``: ``assetpipe.pipeline.state``), held with ``fcntl.flock``.

The kernel frees an flock when its holder dies, so a crashed build never leaves a stale lock.
The file holds the holder's pid so a waiting build can name it.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from ..errors import LockError


class BuildLock:
    """Context manager: take the lock, waiting up to ``timeout`` seconds, else ``LockError``."""

    def __init__(self, path: Path, timeout: float, on_wait: object = None) -> None:
        self.path = path
        self.timeout = timeout
        self.on_wait = on_wait
        self._fd: int | None = None

    def _holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            pid = ""
        return f"pid {pid}" if pid else "another process"

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        warned = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder()
                    os.close(fd)
                    raise LockError(
                        f"another build ({holder}) still holds {self.path} after "
                        f"{self.timeout:g} s",
                        hint="wait for it to finish, or raise lock_timeout in pipeline.yaml",
                    ) from None
                if not warned and callable(self.on_wait):
                    self.on_wait(self._holder())
                    warned = True
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
