"""Dynamic compression of app responses: the policy and the streaming encoders shared by the WSGI
``CompressMiddleware`` (``assetpipe.serve.CompressMiddleware``) and the ASGI one
(``assetpipe.serve.asgi.CompressMiddleware``).

A response is compressed when all of these hold:

- the status is 200 (never a 206: its Content-Range counts identity bytes; not 204/304 either);
- it has no ``Content-Encoding`` and its ``Cache-Control`` has no ``no-transform``;
- its media type is in ``mimetypes`` (text, JSON, JS, XML, SVG, ``+json``/``+xml`` by default);
- its ``Content-Length``, when known, is at least ``minimum_size`` and at most ``maximum_size``
  (default 4 MiB: a bigger body, typically a download, passes through untouched, so a
  ``send_file`` keeps its ``wsgi.file_wrapper``/sendfile path and costs no memory), unless it
  is a script or stylesheet (``PAGE_CODE``), which a page loads, never a download: Plotly's
  4.8 MB ``plotly.min.js``, which Dash serves from memory, went out uncompressed;
- a body already in memory does not start with a compressed format's magic number (gzip, zstd,
  zip, bzip2, xz).

Bodies are never buffered beyond ``buffer_size`` (64 KiB): a file wrapper, a streamed body and a
known length above ``buffer_size`` are compressed chunk by chunk (each chunk flushed so the client
sees it at once; no ``Content-Length``); a shorter known body is compressed whole and keeps an
exact ``Content-Length``.
- the client accepts br, zstd or gzip by q-value (``gzip;q=0`` is a no);
- the route has not opted out.

``HEAD`` and ``304`` stand for the ``200`` (RFC 9110 §9.3.2, §15.4.5): a HEAD that would be
compressed is run as a GET whose body is dropped, so it reports the same ``Content-Encoding``,
``Content-Length`` and weak ``ETag``; a 304 of a compressible response gets ``Vary`` and, when the
copy the client revalidates is one this layer compressed, the same weak ``ETag``. The client's
``If-None-Match`` tells which copy that is: the weak form ``W/"x"`` of the 304's strong ``"x"``
is a tag this layer made. A 304 whose ETag the client sent as is keeps it exactly: the client
holds the identity copy, or a layer inside negotiated the encoding itself (``AssetMiddleware``'s
precompressed files, each with its own strong ETag and ``Content-Encoding`` on the 200, which
this layer never touches). Without ``If-None-Match`` (``If-Modified-Since`` alone) the ETag is
made weak when this client would get an encoded body and the 304 does not already vary on
``Accept-Encoding`` (a layer inside that varies on it did its own negotiation). An app that
misses the weak tag (it compares ``If-None-Match`` as a string: WhiteNoise) and answers 200
has that 200 sent as the 304 it stands for (``revalidated``), its body dropped.

An eligible response always gets ``Vary: Accept-Encoding`` (also when this client gets identity);
a compressed one gets ``Content-Encoding``, a new ``Content-Length`` (or none when streamed) and
its ``ETag`` made weak (the bytes differ from the identity representation's).

**BREACH.** Compressing a response that both reflects attacker-controlled input and carries a
secret (a CSRF token, a session-bound value) lets an attacker recover the secret from compressed
sizes. So by default (``breach_guard=True``) a response that looks per-user is never compressed:
one that sets a cookie or whose ``Cache-Control`` says ``private`` or ``no-store``
(``carries_secret``; the Flask extension applies the same rule). ``breach_guard=False`` turns
that off, for an app that knows its secrets are never reflected beside attacker input;
``file_paths`` lists path prefixes a file server answers (``assetpipe.starlette`` passes the
app's ``StaticFiles`` mounts): a file's body reflects nothing, so a cookie a session middleware
sets beside it does not hold it back. Opt out
other routes: list their path prefixes in ``exclude_paths``, or have the handler set
``environ["assetpipe.no_compress"] = True`` (WSGI) / ``scope["assetpipe.no_compress"] = True``
(ASGI) — in Flask ``request.environ[...]`` — or send ``Cache-Control: no-transform``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any, Protocol

import brotli
import zstandard

from .negotiate import ranked

#: media types of the scripts and stylesheets pages load: compressed whatever their size
PAGE_CODE = frozenset({"text/javascript", "application/javascript", "text/css"})

DEFAULT_MIMETYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/xml",
        "text/javascript",
        "text/csv",
        "text/markdown",
        "application/javascript",
        "application/json",
        "application/xml",
        "application/ld+json",
        "application/manifest+json",
        "image/svg+xml",
        "application/wasm",
    }
)
NO_COMPRESS_KEY = "assetpipe.no_compress"


class Encoder(Protocol):
    def compress(self, data: bytes) -> bytes: ...
    def flush(self) -> bytes: ...
    def finish(self) -> bytes: ...


class _Gzip:
    def __init__(self, level: int) -> None:
        self._c = zlib.compressobj(level, zlib.DEFLATED, 31)

    def compress(self, data: bytes) -> bytes:
        return self._c.compress(data)

    def flush(self) -> bytes:
        return self._c.flush(zlib.Z_SYNC_FLUSH)

    def finish(self) -> bytes:
        return self._c.flush(zlib.Z_FINISH)


class _Brotli:
    def __init__(self, quality: int) -> None:
        self._c = brotli.Compressor(quality=quality)

    def compress(self, data: bytes) -> bytes:
        return bytes(self._c.process(data))

    def flush(self) -> bytes:
        return bytes(self._c.flush())

    def finish(self) -> bytes:
        return bytes(self._c.finish())


class _Zstd:
    def __init__(self, level: int) -> None:
        self._c = zstandard.ZstdCompressor(level=level).compressobj()

    def compress(self, data: bytes) -> bytes:
        return bytes(self._c.compress(data))

    def flush(self) -> bytes:
        return bytes(self._c.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))

    def finish(self) -> bytes:
        return bytes(self._c.flush(zstandard.COMPRESSOBJ_FLUSH_FINISH))


class Policy:
    """The shared decision logic and settings of both CompressMiddlewares."""

    def __init__(
        self,
        *,
        minimum_size: int = 500,
        mimetypes: Iterable[str] = DEFAULT_MIMETYPES,
        encodings: Iterable[str] = ("br", "zstd", "gzip"),
        brotli_quality: int = 4,
        gzip_level: int = 6,
        zstd_level: int = 3,
        exclude_paths: Iterable[str] = (),
        maximum_size: int = 4 * 1024 * 1024,
        buffer_size: int = 64 * 1024,
        breach_guard: bool = True,
        file_paths: Iterable[str] = (),
    ) -> None:
        self.minimum_size = minimum_size
        self.maximum_size = maximum_size
        self.buffer_size = buffer_size
        self.mimetypes = frozenset(m.lower() for m in mimetypes)
        self.encodings = tuple(encodings)
        self.levels = {"br": brotli_quality, "gzip": gzip_level, "zstd": zstd_level}
        self.exclude_paths = tuple(exclude_paths)
        self.breach_guard = breach_guard
        self.file_paths = tuple(file_paths)

    def excluded(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.exclude_paths)

    def eligible(self, status: int, headers: dict[str, str]) -> bool:
        """Whether this response could be compressed (then it varies on Accept-Encoding).
        ``headers`` has lower-case names."""
        if status != 200 or "content-encoding" in headers:
            return False
        if "no-transform" in headers.get("cache-control", "").lower():
            return False
        if "content-range" in headers:
            return False
        ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if ctype not in self.mimetypes and not ctype.endswith(("+json", "+xml")):
            return False
        length = headers.get("content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                return False
            if size < self.minimum_size or (size > self.maximum_size and ctype not in PAGE_CODE):
                return False
        return True

    def guarded(self, headers: Iterable[tuple[str, str]], path: str = "") -> bool:
        """Whether the BREACH guard keeps this response uncompressed (``carries_secret``). A
        response for a ``path`` under one of ``file_paths`` (a file server's mount: its bodies
        are files, never a reflection of the request) is not held back by a cookie set beside
        it (a session middleware around the file server sets one on every response)."""
        if not self.breach_guard:
            return False
        if path and any(path.startswith(p) for p in self.file_paths):
            return False
        return carries_secret(headers)

    def compressible_type(self, headers: dict[str, str]) -> bool:
        """Whether a 304's headers could belong to a compressed 200 (no Content-Type: maybe)."""
        if "content-encoding" in headers or "no-transform" in headers.get("cache-control", ""):
            return False
        ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return not ctype or ctype in self.mimetypes or ctype.endswith(("+json", "+xml"))

    def choose(self, accept_encoding: str | None) -> str | None:
        for coding in ranked(accept_encoding):
            if coding == "identity":
                return None
            if coding in self.encodings:
                return coding
        return None

    def encoder(self, coding: str) -> Encoder:
        level = self.levels[coding]
        if coding == "br":
            return _Brotli(level)
        if coding == "zstd":
            return _Zstd(level)
        return _Gzip(level)


def weak_etag(value: str) -> str:
    return value if value.startswith("W/") else "W/" + value


def add_vary(headers: list[tuple[str, str]], field: str = "Accept-Encoding") -> None:
    """Add ``field`` to the response's Vary (merging with an existing one, once)."""
    for i, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            tokens = [t.strip().lower() for t in value.split(",")]
            if field.lower() not in tokens and "*" not in tokens:
                headers[i] = (name, f"{value}, {field}")
            return
    headers.append(("Vary", field))


def rewrite_headers(
    headers: list[tuple[str, str]], coding: str, length: int | None
) -> list[tuple[str, str]]:
    """The headers of the compressed response."""
    out: list[tuple[str, str]] = []
    for name, value in headers:
        low = name.lower()
        if low == "content-length":
            continue
        if low == "etag":
            value = weak_etag(value)
        out.append((name, value))
    out.append(("Content-Encoding", coding))
    if length is not None:
        out.append(("Content-Length", str(length)))
    add_vary(out)
    return out


def carries_secret(headers: Iterable[tuple[str, str]]) -> bool:
    """BREACH: whether a response may carry a per-user secret, so is not to be compressed: it
    sets a cookie, or its ``Cache-Control`` says ``private`` or ``no-store``. The one rule of
    both ``CompressMiddleware``s (``breach_guard``) and the Flask extension."""
    for name, value in headers:
        low = name.lower()
        if low == "set-cookie":
            return True
        if low == "cache-control":
            for directive in value.lower().split(","):
                if directive.split("=", 1)[0].strip() in ("private", "no-store"):
                    return True
    return False


def _varies_on_encoding(headers: Iterable[tuple[str, str]]) -> bool:
    return any(
        name.lower() == "vary"
        and any(t.strip().lower() in ("accept-encoding", "*") for t in value.split(","))
        for name, value in headers
    )


def _weaken_on_304(
    headers: list[tuple[str, str]], etag: str, coding: str | None, if_none_match: str | None
) -> bool:
    """Whether a 304's strong ``etag`` is to be sent weak (see the module doc)."""
    if if_none_match is not None and if_none_match.strip() != "*":
        tags = {t.strip() for t in if_none_match[:8192].split(",")}
        weak, strong = "W/" + etag in tags, etag in tags
        if weak != strong:  # the client holds one copy: the compressed one (weak) or not
            return weak
    return coding is not None and not _varies_on_encoding(headers)


def not_modified_headers(
    headers: list[tuple[str, str]], coding: str | None, if_none_match: str | None = None
) -> list[tuple[str, str]]:
    """A 304's headers matching the 200 it stands for: ``Vary`` added and, when the copy the
    client revalidates (``if_none_match``) is one this layer compressed, its ETag made weak;
    without a telling ``If-None-Match``, when this client's 200 would be encoded (``coding``)
    by this layer. A 304 whose ETag the client holds as is keeps it exactly (module doc)."""
    out = list(headers)
    for i, (name, value) in enumerate(out):
        if (
            name.lower() == "etag"
            and not value.startswith("W/")
            and _weaken_on_304(headers, value, coding, if_none_match)
        ):
            out[i] = (name, weak_etag(value))
    add_vary(out)
    return out


#: the headers a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5, and Last-Modified)
KEEP_ON_304 = frozenset(
    {"cache-control", "content-location", "date", "etag", "expires", "vary", "last-modified"}
)


def not_modified(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of the 304 that stands for a 200 with ``headers``."""
    return [(k, v) for k, v in headers if k.lower() in KEEP_ON_304]


def revalidated(status: int, etag: str | None, if_none_match: str | None, method: str) -> bool:
    """Whether an app's 200 (of strong ETag ``etag``) is to go out as a 304: a GET or HEAD whose
    ``If-None-Match`` lists ``W/"x"``, the weak tag this layer gave the 200 of ``"x"`` it
    compressed. ``If-None-Match`` compares weakly (RFC 9110 §13.1.2), but an app that compares
    the header with its ETag as a string (WhiteNoise: ``previous_etag == self.etag``) sends the
    whole body again for the tag this layer made: cookiecutter-django's ``runserver``
    (WhiteNoise, ``max-age=0`` under ``DEBUG``) sent every admin and debug-toolbar file again,
    compressed, on each warm visit, where without this layer each was a 304."""
    if status != 200 or method not in ("GET", "HEAD") or not if_none_match or not etag:
        return False
    if etag.startswith("W/"):
        return False
    return "W/" + etag in {t.strip() for t in if_none_match[:8192].split(",")}


def revalidated_headers(
    headers: list[tuple[str, str]], coding: str | None, if_none_match: str | None
) -> list[tuple[str, str]]:
    """The headers of the 304 a ``revalidated`` 200 goes out as: the fields a 304 keeps,
    its ETag weak and ``Vary`` as ``not_modified_headers`` makes them."""
    return not_modified_headers(not_modified(headers), coding, if_none_match)


_MAGIC = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"PK\x03\x04", b"BZh", b"\xfd7zXZ")


def looks_compressed(data: bytes) -> bool:
    """Whether a body starts with a compressed format's magic number."""
    return data.startswith(_MAGIC)


def is_file_wrapper(result: object, environ: dict[str, Any]) -> bool:
    """Whether a WSGI result is a file wrapper (the server's ``wsgi.file_wrapper``, wsgiref's or
    werkzeug's): a file to stream, never to read whole."""
    wrapper = environ.get("wsgi.file_wrapper")
    if isinstance(wrapper, type) and isinstance(result, wrapper):
        return True
    return hasattr(result, "filelike") or type(result).__name__ == "FileWrapper"


def header_dict(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def compress_all(policy: Policy, coding: str, body: bytes) -> bytes:
    enc = policy.encoder(coding)
    return enc.compress(body) + enc.finish()


def no_compress(environ_or_scope: dict[str, Any]) -> None:
    """Opt the current response out of dynamic compression (BREACH; see the module doc)."""
    environ_or_scope[NO_COMPRESS_KEY] = True
