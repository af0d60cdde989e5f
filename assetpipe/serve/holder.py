"""The file table a server is answering from, shared by the WSGI and ASGI ``AssetMiddleware``.

``TableHolder`` loads the ``FileTable`` of the current build (``files.build_table``), follows
the manifest behind the output symlink, builds the next table in the background and swaps it
in; it registers each table it serves with the process's ``stats.STATS`` and retires the one a
swap replaces. ``AssetServing`` is the adapters' common base (the table and the dev options).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..manifest import manifest_stamp, report_missing_manifest
from .beacon import WatchBeacon
from .files import FileTable, StaticFile, build_table
from .freshness import SourceFreshness
from .reload import client_script
from .stats import STATS

log = logging.getLogger("assetpipe.serve")

#: bytes per read of a file streamed from disk
CHUNK = 64 * 1024


def url_prefix(public_path: str) -> str:
    """The URL path the middleware owns: ``/static/`` for ``/static/`` or a CDN URL."""
    path = urlsplit(public_path).path if "://" in public_path else public_path
    path = "/" + path.strip("/") + "/"
    return "/" if path == "//" else path


class TableHolder:
    """The current ``FileTable``; with ``autorefresh`` it follows the manifest behind the output
    symlink (one ``stat`` per request).

    A new table is built in a background thread and swapped in when complete, so no request
    (and no event loop) stalls while a big ``public/`` is scanned: meanwhile a request for an
    immutable (hashed) file the old table holds is answered from it at once; any other path
    (a new file, a ``no-cache`` one that may have changed, a 404) waits for the new table.

    Without ``autorefresh`` the table is still checked when a request finds no file (``find``)
    or a file gone from disk (a retired build folder, ``AssetServing.recover``), so a build
    swapped in under a running server never turns into 404s.

    No manifest at start-up (a wrong ``output``, or no build yet) is logged once, as a WARNING
    naming the absolute path looked at: at once without ``autorefresh``; with it (``dev``, a
    server started before the first build, as ``assetpipe watch`` does) only when a request
    finds no file and there is still no build."""

    def __init__(
        self,
        output: str | os.PathLike[str],
        prefix: str,
        autorefresh: bool,
        source_paths: bool = True,
        unhashed: str = "no-cache",
        **limits: int,
    ) -> None:
        self.output = Path(output)
        self.prefix = prefix
        self.autorefresh = autorefresh
        self.limits: dict[str, Any] = {**limits, "source_paths": source_paths, "unhashed": unhashed}
        self._lock = threading.Lock()
        self._pending: Future[FileTable] | None = None
        self._failed: object = ()
        self.table: FileTable = build_table(self.output, prefix, **self.limits)
        STATS.register(self.table)
        #: no manifest at start-up, not reported yet (see the class doc)
        self._unreported = self.table.stamp is None
        if self._unreported and not autorefresh:
            self._report_missing()

    def _report_missing(self) -> None:
        """Log, once, that there is no build at the output (when there still is none)."""
        self._unreported = False
        if self.table.stamp is not None:
            return
        path = report_missing_manifest(self.output)
        if path is None:  # there is one now, or it was reported already
            return
        relative = (
            ""
            if self.output.is_absolute()
            else f" (output={str(self.output)!r} is relative to the working directory, "
            f"{os.getcwd()}, not to pipeline.yaml's folder)"
        )
        log.warning(
            "assetpipe: no build at %s (%s does not exist): no URL under %s finds a file until "
            "there is one. Check the build's `output`%s: pass the path of pipeline.yaml's "
            "`output` (absolute is safest), and check that `assetpipe build` ran.",
            path.parent,
            path,
            self.prefix,
            relative,
        )

    def check(self) -> Future[FileTable] | None:
        """``None`` while the table is current; else the rebuild in progress (started here)."""
        stamp = manifest_stamp(self.output)
        if stamp == self.table.stamp or stamp == self._failed:
            return None
        with self._lock:
            if self._pending is None:
                self._pending = Future()
                threading.Thread(
                    target=self._rebuild,
                    args=(self._pending, stamp),
                    name="assetpipe-table",
                    daemon=True,
                ).start()
            return self._pending

    def _rebuild(self, future: Future[FileTable], stamp: object) -> None:
        try:
            table = build_table(self.output, self.prefix, **self.limits)
        except Exception:  # keep serving the old table, and say why
            log.exception(
                "could not load the new build in %s; still serving the old one", self.output
            )
            self._failed = stamp
            table = self.table
        else:
            self._swap(table)
        with self._lock:
            self._pending = None
        future.set_result(table)

    def _swap(self, table: FileTable) -> None:
        STATS.register(table)
        old, self.table = self.table, table
        STATS.retire(old)
        log.debug("reloaded the file table: %d files", len(table))

    def use_unhashed(self, cache_control: str, headers: Sequence[tuple[str, str]] = ()) -> None:
        """Send ``cache_control`` for the files that are not immutable from now on (the
        unhashed names and source paths), and ``headers`` with every file, reloading the table
        at once when either changes."""
        extra = tuple(headers)
        if cache_control == self.limits["unhashed"] and extra == self.limits.get("headers", ()):
            return
        self.limits["unhashed"] = cache_control
        self.limits["headers"] = extra
        self._swap(build_table(self.output, self.prefix, **self.limits))

    def current(self) -> FileTable:
        """The current table, waiting for a rebuild in progress."""
        pending = self.check() if self.autorefresh else None
        return pending.result() if pending is not None else self.table

    def find(self, path: str, wsgi: bool = True) -> StaticFile | None:
        """The file at a URL path (a WSGI string when ``wsgi``), waiting for a rebuild in
        progress only when the old table cannot answer for it (see the class doc)."""
        table = self.table
        sf = table.get(path, wsgi)
        if sf is not None and not self.autorefresh:
            return sf
        pending = self.check()
        if pending is None:
            if self.table is not table:  # swapped in since we looked: ask the new one
                sf = self.table.get(path, wsgi)
        elif sf is None or not sf.immutable:
            new = pending.result()
            sf = new.get(path, wsgi)
        if sf is None:
            sf = self.table.get_former(path, wsgi)
        if sf is None and self._unreported:
            self._report_missing()
        return sf

    async def afind(self, path: str) -> StaticFile | None:
        """``find`` for ASGI: the wait for a rebuild is awaited, the loop keeps running."""
        table = self.table
        sf = table.get(path, wsgi=False)
        if sf is not None and not self.autorefresh:
            return sf
        pending = self.check()
        if pending is None:
            if self.table is not table:  # swapped in since we looked: ask the new one
                sf = self.table.get(path, wsgi=False)
        elif sf is None or not sf.immutable:
            sf = (await asyncio.wrap_future(pending)).get(path, wsgi=False)
        if sf is None:
            sf = self.table.get_former(path, wsgi=False)
        if sf is None and self._unreported:
            self._report_missing()
        return sf


class AssetServing:
    """What the WSGI and ASGI ``AssetMiddleware`` share: the file table and the dev options.

    Options: ``dev`` (follow manifest changes and inject the live-reload client that connects
    to ``reload_url``), ``autorefresh`` (default: ``dev``; follow manifest changes only),
    ``source_paths`` (default on: answer unhashed source paths, see ``files``), ``fallback``
    (default off: a path under ``public_path`` naming no file goes to the wrapped app instead
    of a 404, e.g. to Flask's own static route; any object whose truth is read per request:
    ``AssetPipe`` passes one that looks for the app's own route once the app has its routes),
    ``unhashed_cache_control`` (default ``no-cache``: the ``Cache-Control`` of the files that
    are not immutable, unhashed names and source paths; ``assetpipe.flask`` passes the one the
    app's static route sends; a callable is asked now and again at the first request under
    ``public_path``, ``settle``, when an app's hooks registered after the middleware was made
    may change it),
    ``app_headers`` (default none: a callable asked with ``unhashed_cache_control`` at the
    first request, whose headers go on every file: the app's own security headers, which its
    static route sent, ``assetpipe.flaskcache.StaticHooks``),
    ``source`` (default none: the folder the build was made from; with ``fallback`` on, an
    unhashed source path whose file was since removed or modified there goes to the wrapped
    app, which serves the file as it now is: ``freshness``; ``source_when``, asked per request,
    turns that off while it says no: a Dash app's assets folder, in debug only),
    ``watch_state`` (default none: a config's state folder; without ``dev``, the live-reload
    client is injected while an ``assetpipe watch`` of that config runs, for its stream:
    ``beacon``; ``watch_when``, asked per page, turns that off while it says no), ``memory_file_limit`` / ``memory_total_limit`` (files kept in memory)."""

    def __init__(
        self,
        output: str | os.PathLike[str] = "dist",
        public_path: str = "/static/",
        *,
        dev: bool = False,
        reload_url: str = "/__assetpipe/events",
        autorefresh: bool | None = None,
        source_paths: bool = True,
        fallback: object = False,
        unhashed_cache_control: str | Callable[[], str] = "no-cache",
        app_headers: Callable[[], Sequence[tuple[str, str]]] | None = None,
        source: str | os.PathLike[str] | None = None,
        source_when: Callable[[], bool] | None = None,
        watch_state: str | os.PathLike[str] | None = None,
        watch_when: Callable[[], bool] | None = None,
        memory_file_limit: int = 512 * 1024,
        memory_total_limit: int = 64 * 1024 * 1024,
    ) -> None:
        self.prefix = url_prefix(public_path)
        self.dev = dev
        self.fallback = fallback
        self.freshness = SourceFreshness(source, output) if source is not None else None
        self.source_when = source_when
        self.holder = TableHolder(
            output,
            self.prefix,
            dev if autorefresh is None else autorefresh,
            source_paths,
            unhashed_cache_control
            if isinstance(unhashed_cache_control, str)
            else unhashed_cache_control(),
            memory_file_limit=memory_file_limit,
            memory_total_limit=memory_total_limit,
        )
        #: asked again at the first request (``settle``), then ``None``
        later = None if isinstance(unhashed_cache_control, str) else unhashed_cache_control
        if later is None and app_headers is not None:
            later = lambda: str(unhashed_cache_control)  # noqa: E731
        self._unhashed_later: Callable[[], str] | None = later
        self._app_headers = app_headers
        self._settling = threading.Lock()
        self.script = client_script(reload_url) if dev else b""
        self.beacon = (
            WatchBeacon(watch_state, watch_when) if watch_state is not None and not dev else None
        )
        self._beacon_script: tuple[str, bytes] = ("", b"")

    def settle(self) -> None:
        """At the first request for a file: ask a callable ``unhashed_cache_control`` again
        (the app has registered its hooks by now), and ``app_headers``, and use their answers
        from then on. Requests
        that arrive meanwhile wait for it (a page's first requests come together: answered
        from the old table, Whoogle's stylesheets were cached ``no-cache``)."""
        with self._settling:
            later = self._unhashed_later
            if later is None:
                return
            try:
                extra = self._app_headers() if self._app_headers is not None else ()
                self.holder.use_unhashed(later(), extra)
            finally:
                self._unhashed_later = None

    def live_script(self) -> bytes:
        """The live-reload client to inject into an HTML page now (``b""``: none): ``dev``'s,
        else the running watch's (``watch_state``)."""
        if self.beacon is None:
            return self.script
        url = self.beacon.events_url()
        if not url:
            return b""
        if self._beacon_script[0] != url:
            self._beacon_script = (url, client_script(url))
        return self._beacon_script[1]

    def stale(self, sf: StaticFile) -> bool:
        """Whether ``sf`` answers a source path whose file changed since the build while the
        wrapped app can answer it instead (``source`` and ``fallback``)."""
        return sf.source is not None and self.source_changed(sf.source)

    def source_changed(self, key: str) -> bool:
        """Whether manifest key ``key``'s file changed since the build and the wrapped app
        answers its unhashed URL instead (``source`` and ``fallback``)."""
        return (
            self.freshness is not None
            and bool(self.fallback)
            and (self.source_when is None or self.source_when())
            and self.freshness.changed(key)
        )

    @property
    def table(self) -> FileTable:
        return self.holder.current()

    def recover(self) -> bool:
        """A file of the table could not be opened (its build folder was retired): whether a
        newer build was loaded (then the request is answered again from it)."""
        pending = self.holder.check()
        return pending is not None and pending.result() is not None

    async def arecover(self) -> bool:
        """``recover`` for ASGI (the wait is awaited)."""
        pending = self.holder.check()
        return pending is not None and (await asyncio.wrap_future(pending)) is not None
