"""How an app in debug finds a running ``assetpipe watch`` of its config, for live reload.

``assetpipe watch`` writes ``watch.json`` in its config's state folder (``.assetpipe/``) while it
runs: its process id and the URL of its ``/__assetpipe/events`` stream (``announce``), and
removes it when it stops (``withdraw``). ``WatchBeacon(state_dir).events_url()`` reads it back:
the URL while that process lives, else ``None`` (a watch killed without cleaning up leaves a
file naming a dead process, which is ignored). The file is read again only when it changes
(its mtime and size), so asking on every page request of a debug app costs one ``stat``.

So ``flask run --debug`` beside ``assetpipe watch --no-serve`` gets live reload without a
setting: ``AssetPipe(app)`` in debug injects the client for the watch's stream while one runs,
whichever of the two was started first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

FILE = "watch.json"


def _loopback(url: str) -> str:
    """A URL a browser on this machine can open: a watch bound to every interface
    (``0.0.0.0``, ``[::]``) is reached at loopback."""
    for wildcard, local in (("//0.0.0.0:", "//127.0.0.1:"), ("//[::]:", "//[::1]:")):
        url = url.replace(wildcard, local, 1)
    return url


def announce(state_dir: str | os.PathLike[str], events_url: str) -> None:
    """Say that this process serves ``events_url`` for the config of ``state_dir``."""
    folder = Path(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{FILE}.{os.getpid()}"
    tmp.write_text(json.dumps({"pid": os.getpid(), "events_url": _loopback(events_url)}))
    os.replace(tmp, folder / FILE)


def withdraw(state_dir: str | os.PathLike[str]) -> None:
    """Remove this process's announcement (another process's is left alone)."""
    path = Path(state_dir) / FILE
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


class WatchBeacon:
    """``events_url()``: the stream of the watch running for ``state_dir``'s config, or
    ``None`` (module doc)."""

    def __init__(
        self, state_dir: str | os.PathLike[str], when: Callable[[], bool] | None = None
    ) -> None:
        self.path = Path(state_dir) / FILE
        #: asked first on each call (``None``: always on): ``AssetPipe(app)`` passes
        #: ``app.debug``, read per request, as ``app.run(debug=True)`` sets it after the two lines
        self.when = when
        self._stamp: tuple[int, int] | None = None
        self._pid = 0
        self._url: str | None = None

    def events_url(self) -> str | None:
        if self.when is not None and not self.when():
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            self._stamp, self._url = None, None
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._stamp, self._url = stamp, None
            try:
                doc = json.loads(self.path.read_text())
                self._pid, self._url = int(doc["pid"]), str(doc["events_url"])
            except (OSError, ValueError, KeyError, TypeError):
                return None
        return self._url if self._url and _alive(self._pid) else None


__all__ = ["FILE", "WatchBeacon", "announce", "withdraw"]
