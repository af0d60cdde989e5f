"""The WSGI adapters: ``AssetMiddleware`` and ``CompressMiddleware`` (thin layers over
``files``, ``http`` and ``compress``)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..manifest import manifest_stamp
from .compress import (
    NO_COMPRESS_KEY,
    Encoder,
    Policy,
    add_vary,
    compress_all,
    header_dict,
    is_file_wrapper,
    looks_compressed,
    not_modified_headers,
    rewrite_headers,
)
from .files import FileTable, Representation, StaticFile, build_table
from .http import NOT_FOUND, Reply, etag_matches, respond
from .reload import client_script, inject, is_html
from .stats import STATS

log = logging.getLogger("assetpipe.serve")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
CHUNK = 64 * 1024
_RETRIED = "assetpipe.retried"


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
    swapped in under a running server never turns into 404s."""

    def __init__(
        self,
        output: str | os.PathLike[str],
        prefix: str,
        autorefresh: bool,
        source_paths: bool = True,
        **limits: int,
    ) -> None:
        self.output = Path(output)
        self.prefix = prefix
        self.autorefresh = autorefresh
        self.limits: dict[str, Any] = {**limits, "source_paths": source_paths}
        self._lock = threading.Lock()
        self._pending: Future[FileTable] | None = None
        self._failed: object = ()
        self.table: FileTable = build_table(self.output, prefix, **self.limits)

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
            old, self.table = self.table, table
            STATS.retire(old)
            log.info("reloaded the file table: %d files", len(table))
        with self._lock:
            self._pending = None
        future.set_result(table)

    def current(self) -> FileTable:
        """The current table, waiting for a rebuild in progress."""
        pending = self.check() if self.autorefresh else None
        return pending.result() if pending is not None else self.table

    def find(self, path: str, wsgi: bool = True) -> StaticFile | None:
        """The file at a URL path (a WSGI string when ``wsgi``), waiting for a rebuild in
        progress only when the old table cannot answer for it (see the class doc)."""
        table = self.table
        sf = (table.wsgi_files if wsgi else table.files).get(path)
        if sf is not None and not self.autorefresh:
            return sf
        pending = self.check()
        if pending is None:
            if self.table is not table:  # swapped in since we looked: ask the new one
                sf = (self.table.wsgi_files if wsgi else self.table.files).get(path)
        elif sf is None or not sf.immutable:
            new = pending.result()
            sf = (new.wsgi_files if wsgi else new.files).get(path)
        return sf

    async def afind(self, path: str) -> StaticFile | None:
        """``find`` for ASGI: the wait for a rebuild is awaited, the loop keeps running."""
        table = self.table
        sf = table.files.get(path)
        if sf is not None and not self.autorefresh:
            return sf
        pending = self.check()
        if pending is None:
            if self.table is not table:  # swapped in since we looked: ask the new one
                sf = self.table.files.get(path)
        elif sf is None or not sf.immutable:
            sf = (await asyncio.wrap_future(pending)).files.get(path)
        return sf


class _FileSpan:
    """A WSGI body reading ``length`` bytes of a file from ``offset``; always closes it."""

    def __init__(self, f: Any, offset: int, length: int) -> None:
        self.f = f
        self.remaining = length
        f.seek(offset)

    def __iter__(self) -> Iterator[bytes]:
        while self.remaining > 0:
            chunk = self.f.read(min(CHUNK, self.remaining))
            if not chunk:
                break
            self.remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.f.close()


def _not_found(start_response: StartResponse) -> Iterable[bytes]:
    STATS.asset(404, "identity", 0, 0)
    start_response(NOT_FOUND.status, list(NOT_FOUND.headers))
    return [NOT_FOUND.data or b""]


def _not_found_app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    start_response(NOT_FOUND.status, list(NOT_FOUND.headers))
    return [NOT_FOUND.data or b""]


class AssetServing:
    """What the WSGI and ASGI ``AssetMiddleware`` share: the file table and the dev options.

    Options: ``dev`` (follow manifest changes and inject the live-reload client that connects
    to ``reload_url``), ``autorefresh`` (default: ``dev``; follow manifest changes only),
    ``source_paths`` (default on: answer unhashed source paths, see ``files``), ``fallback``
    (default off: a path under ``public_path`` naming no file goes to the wrapped app instead
    of a 404, e.g. to Flask's own static route),
    ``memory_file_limit`` / ``memory_total_limit`` (files kept in memory)."""

    def __init__(
        self,
        output: str | os.PathLike[str] = "dist",
        public_path: str = "/static/",
        *,
        dev: bool = False,
        reload_url: str = "/__assetpipe/events",
        autorefresh: bool | None = None,
        source_paths: bool = True,
        fallback: bool = False,
        memory_file_limit: int = 512 * 1024,
        memory_total_limit: int = 64 * 1024 * 1024,
    ) -> None:
        self.prefix = url_prefix(public_path)
        self.dev = dev
        self.fallback = fallback
        self.holder = TableHolder(
            output,
            self.prefix,
            dev if autorefresh is None else autorefresh,
            source_paths,
            memory_file_limit=memory_file_limit,
            memory_total_limit=memory_total_limit,
        )
        self.script = client_script(reload_url) if dev else b""

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


class AssetMiddleware(AssetServing):
    """Serve ``<output>/public/`` at ``public_path`` in front of a WSGI ``app``.

    ``output`` is the build output (the symlink ``assetpipe build`` flips); ``app`` may be
    ``None`` (then other paths get 404). ``dev=True`` follows manifest changes and injects the
    live-reload client (``reload_url``, see ``assetpipe.serve.reload``) into the app's HTML.
    ``autorefresh`` (default: ``dev``) alone follows manifest changes. Every request under
    ``public_path`` is answered here: a path that names no servable file gets 404.
    """

    def __init__(
        self,
        app: WSGIApp | None = None,
        output: str | os.PathLike[str] = "dist",
        public_path: str = "/static/",
        **options: Any,
    ) -> None:
        super().__init__(output, public_path, **options)
        self.app = app or _not_found_app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO") or ""
        if not path.startswith(self.prefix):
            if self.dev and environ.get("REQUEST_METHOD") != "HEAD":
                return self._inject(environ, start_response)
            return self.app(environ, start_response)
        sf = self.holder.find(path)
        if sf is None:
            if self.fallback:
                return self.app(environ, start_response)
            return _not_found(start_response)
        get = environ.get
        inm = get("HTTP_IF_NONE_MATCH")
        if (
            get("REQUEST_METHOD") == "GET"
            and get("HTTP_RANGE") is None
            and (inm is not None or get("HTTP_IF_MODIFIED_SINCE") is None)
            and get("HTTP_IF_MATCH") is None
            and get("HTTP_IF_UNMODIFIED_SINCE") is None
        ):
            # the fast path: a GET without Range whose validator (if any) is If-None-Match
            # (which makes If-Modified-Since irrelevant), answered from memory
            ae = get("HTTP_ACCEPT_ENCODING")
            rep = sf.negotiated.get(ae) or sf.negotiate(ae)
            if inm is not None and (inm == rep.etag or etag_matches(inm, rep.etag)):
                next(rep.not_modified)
                start_response("304 Not Modified", list(rep.headers_304))
                return ()
            if rep.body:
                next(rep.served)
                start_response("200 OK", list(rep.headers))
                return rep.body
            return self._stream(environ, start_response, rep)
        reply = respond(
            sf,
            get("REQUEST_METHOD") or "GET",
            get("HTTP_ACCEPT_ENCODING"),
            inm,
            get("HTTP_IF_MODIFIED_SINCE"),
            get("HTTP_RANGE"),
            get("HTTP_IF_RANGE"),
            get("HTTP_IF_MATCH"),
            get("HTTP_IF_UNMODIFIED_SINCE"),
        )
        if reply.data is not None:
            STATS.asset(reply.code, reply.encoding, len(reply.data), sf.identity.size)
            start_response(reply.status, list(reply.headers))
            return [reply.data]
        return self._send_file(environ, start_response, reply, sf.identity.size)

    def _send_file(
        self, environ: Environ, start_response: StartResponse, reply: Reply, identity_size: int
    ) -> Iterable[bytes]:
        assert reply.path is not None
        try:
            f = open(reply.path, "rb")  # noqa: SIM115 (closed by the body)
        except OSError:  # the build folder went away under us
            return self._gone(environ, start_response)
        STATS.asset(reply.code, reply.encoding, reply.length, identity_size)
        try:
            start_response(reply.status, list(reply.headers))
        except BaseException:
            f.close()
            raise
        # a whole file (the table knows its size): the server's file_wrapper may sendfile() it
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None and reply.code == 200:
            return wrapper(f, CHUNK)  # type: ignore[no-any-return]
        return _FileSpan(f, reply.offset, reply.length)

    def _stream(
        self, environ: Environ, start_response: StartResponse, rep: Representation
    ) -> Iterable[bytes]:
        """A 200 of a representation kept on disk (the fast path's other half)."""
        try:
            f = open(rep.path, "rb")  # noqa: SIM115 (closed by the body)
        except OSError:  # the build folder went away under us
            return self._gone(environ, start_response)
        next(rep.served)
        try:
            start_response("200 OK", list(rep.headers))
        except BaseException:
            f.close()
            raise
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None:
            return wrapper(f, CHUNK)  # type: ignore[no-any-return]
        return _FileSpan(f, 0, rep.size)

    def _gone(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """A file whose build folder was retired: answer once more from the current build."""
        if environ.get(_RETRIED) or not self.recover():
            return _not_found(start_response)
        environ[_RETRIED] = True
        return self(environ, start_response)

    def _inject(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Run the app; buffer a 200 HTML response and add the reload client to it."""
        state: dict[str, Any] = {}
        written: list[bytes] = []

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], Any]:
            if status.startswith("200") and is_html(header_dict(headers)):
                state["html"] = (status, headers)
                return written.append
            state["pass"] = True
            return start_response(status, headers, exc_info)  # type: ignore[no-any-return]

        result = self.app(environ, capture)
        first, rest = _prime(result, state)
        if "html" not in state:
            return _Chained(first, rest, result)
        try:
            body = b"".join([*written, *first, *rest])
        finally:
            _close(result)
        status, headers = state["html"]
        body = inject(body, self.script)
        out = [
            (k, v)
            for k, v in headers
            if k.lower() != "content-length"
            and not (k.lower() == "etag" and not v.startswith("W/"))
        ]
        out.append(("Content-Length", str(len(body))))
        start_response(status, out)
        return [body]


def _prime(result: Iterable[bytes], state: dict[str, Any]) -> tuple[list[bytes], Iterator[bytes]]:
    """Pull chunks until the app has called ``start_response`` (lazy apps call it on their
    first ``next``); returns the pulled chunks and the rest of the iterator."""
    it = iter(result)
    first: list[bytes] = []
    if state:
        return first, it
    try:
        for chunk in it:
            first.append(chunk)
            if state:
                break
    except BaseException:
        _close(result)
        raise
    return first, it


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


class _Chained:
    """``first`` then ``rest``, closing ``original`` (the app's iterable) when closed."""

    def __init__(
        self,
        first: list[bytes],
        rest: Iterator[bytes],
        original: Iterable[bytes],
        encoder: Encoder | None = None,
        size_in: list[int] | None = None,
    ) -> None:
        self.first, self.rest, self.original = first, rest, original
        self.encoder = encoder

    def __iter__(self) -> Iterator[bytes]:
        enc = self.encoder
        if enc is None:
            yield from self.first
            yield from self.rest
            return
        size_in = size_out = 0
        for source in (self.first, self.rest):
            for chunk in source:
                if not chunk:
                    continue
                size_in += len(chunk)
                out = enc.compress(chunk) + enc.flush()
                size_out += len(out)
                if out:
                    yield out
        tail = enc.finish()
        size_out += len(tail)
        STATS.dynamic(size_in, size_out)
        if tail:
            yield tail

    def close(self) -> None:
        _close(self.original)


class CompressMiddleware:
    """Compress a WSGI app's dynamic responses (see ``assetpipe.serve.compress`` for the rules,
    the options and the BREACH opt-out)."""

    def __init__(self, app: WSGIApp, **options: Any) -> None:
        self.app = app
        self.policy = Policy(**options)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        policy = self.policy
        if policy.excluded(environ.get("PATH_INFO") or ""):
            return self.app(environ, start_response)
        state: dict[str, Any] = {}
        written: list[bytes] = []
        wanted = policy.choose(environ.get("HTTP_ACCEPT_ENCODING"))
        head = environ.get("REQUEST_METHOD") == "HEAD"
        if head and wanted is not None:  # run as the GET it stands for; the body is dropped
            environ = {**environ, "REQUEST_METHOD": "GET"}
        inner = environ

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], Any]:
            h = header_dict(headers)
            code = int(status[:3])
            if code == 304 and not inner.get(NO_COMPRESS_KEY) and policy.compressible_type(h):
                headers = not_modified_headers(headers, wanted)
            if inner.get(NO_COMPRESS_KEY) or not policy.eligible(code, h):
                state["pass"] = True
                return start_response(status, headers, exc_info)  # type: ignore[no-any-return]
            headers = list(headers)
            if wanted is None:
                add_vary(headers)
                state["pass"] = True
                return start_response(status, headers, exc_info)  # type: ignore[no-any-return]
            length = h.get("content-length")
            state.update(
                status=status,
                headers=headers,
                small=length is not None and int(length) <= policy.buffer_size,
            )
            return written.append

        result = self.app(environ, capture)
        first, rest = _prime(result, state)
        if "status" not in state:
            if head and wanted is not None:
                _close(result)
                return []
            return _Chained(first, rest, result)
        coding, status, headers = wanted, state["status"], state["headers"]
        assert coding is not None
        if isinstance(result, list | tuple) or (
            state["small"] and not is_file_wrapper(result, environ)
        ):
            try:
                body = b"".join([*written, *first, *rest])
            finally:
                _close(result)
            if len(body) < policy.minimum_size or looks_compressed(body):
                add_vary(headers)
                headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                headers.append(("Content-Length", str(len(body))))
                start_response(status, headers)
                return [] if head else [body]
            data = compress_all(policy, coding, body)
            STATS.dynamic(len(body), len(data))
            start_response(status, rewrite_headers(headers, coding, len(data)))
            return [] if head else [data]
        # a file wrapper, a stream or a longer body: compressed chunk by chunk, never held whole
        start_response(status, rewrite_headers(headers, coding, None))
        if head:
            _close(result)
            return []
        return _Chained([*written, *first], rest, result, policy.encoder(coding))
