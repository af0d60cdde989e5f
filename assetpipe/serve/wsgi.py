"""The WSGI adapters: ``AssetMiddleware`` and ``CompressMiddleware`` (thin layers over
``files``, ``http`` and ``compress``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .body import Chained, close_body, prime
from .compress import (
    NO_COMPRESS_KEY,
    Policy,
    add_vary,
    compress_all,
    header_dict,
    is_file_wrapper,
    looks_compressed,
    not_modified_headers,
    revalidated,
    revalidated_headers,
    rewrite_headers,
)
from .files import Representation
from .holder import CHUNK, AssetServing
from .http import NOT_FOUND, Reply, etag_matches, respond
from .passthrough import Passthrough
from .reload import inject, injected_headers, is_html
from .stats import STATS

log = logging.getLogger("assetpipe.serve")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
_RETRIED = "assetpipe.retried"


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


class AssetMiddleware(AssetServing, Passthrough):
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
            return self._to_app(environ, start_response)
        if self._unhashed_later is not None:
            self.settle()
        sf = self.holder.find(path)
        if sf is None or (sf.source is not None and self.stale(sf)):
            if self.fallback:
                return self._to_app(environ, start_response)
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

    def _to_app(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The wrapped app's answer, the live-reload client added to its HTML when one is on:
        a page the build lacks under ``public_path`` too (at the site's root, ``"/"``, every
        page is: isso's admin page had none, and a save under ``watch`` changed nothing)."""
        script = self.live_script() if environ.get("REQUEST_METHOD") != "HEAD" else b""
        if script:
            return self._inject(environ, start_response, script)
        return self.app(environ, start_response)

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

    def _inject(
        self, environ: Environ, start_response: StartResponse, script: bytes
    ) -> Iterable[bytes]:
        """Run the app; buffer a 200 HTML response and add the reload client ``script``."""
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
        first, rest = prime(result, state)
        if "html" not in state:
            return Chained(first, rest, result)
        try:
            body = b"".join([*written, *first, *rest])
        finally:
            close_body(result)
        status, headers = state["html"]
        body = inject(body, script)
        start_response(status, injected_headers(headers, len(body), script))
        return [body]


class CompressMiddleware(Passthrough):
    """Compress a WSGI app's dynamic responses (see ``assetpipe.serve.compress`` for the rules,
    the options, the BREACH guard (``breach_guard=False`` turns it off) and the opt-outs)."""

    def __init__(self, app: WSGIApp, **options: Any) -> None:
        self.app = app
        self.policy = Policy(**options)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        policy = self.policy
        path = environ.get("PATH_INFO") or ""  # read before the app (a mount may rewrite it)
        if policy.excluded(path):
            return self.app(environ, start_response)
        state: dict[str, Any] = {}
        written: list[bytes] = []
        wanted = policy.choose(environ.get("HTTP_ACCEPT_ENCODING"))
        inm = environ.get("HTTP_IF_NONE_MATCH")
        method = environ.get("REQUEST_METHOD") or "GET"
        head = method == "HEAD"
        if head and wanted is not None:  # run as the GET it stands for; the body is dropped
            environ = {**environ, "REQUEST_METHOD": "GET"}
        inner = environ

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], Any]:
            h = header_dict(headers)
            code = int(status[:3])
            no = bool(inner.get(NO_COMPRESS_KEY))
            guarded = policy.guarded(headers, path)
            if code == 304 and not no and policy.compressible_type(h) and not guarded:
                headers = not_modified_headers(headers, wanted, inm)
            if no or not policy.eligible(code, h) or guarded:
                state["pass"] = True
                return start_response(status, headers, exc_info)  # type: ignore[no-any-return]
            if revalidated(code, h.get("etag"), inm, method):
                state["drop"] = True  # the 304 it stands for: no body
                start_response("304 Not Modified", revalidated_headers(headers, wanted, inm))
                return written.append
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
        first, rest = prime(result, state)
        if state.get("drop"):
            close_body(result)
            return []
        if "status" not in state:
            if head and wanted is not None:
                close_body(result)
                return []
            return Chained(first, rest, result)
        coding, status, headers = wanted, state["status"], state["headers"]
        assert coding is not None
        if isinstance(result, list | tuple) or (
            state["small"] and not is_file_wrapper(result, environ)
        ):
            try:
                body = b"".join([*written, *first, *rest])
            finally:
                close_body(result)
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
            close_body(result)
            return []
        return Chained([*written, *first], rest, result, policy.encoder(coding))
