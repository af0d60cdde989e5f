"""A stored response: every representation compressed once, at store time, and how a request is
answered from it (negotiation, ``If-None-Match`` → 304, HEAD) without calling the app.

An entry keeps the response's status, its headers (less the ones that depend on the
representation) and up to three bodies: ``identity``, ``br`` and ``gzip`` (an encoding is kept
only when it is smaller). Each representation has its own strong ETag (the body hash, suffixed
``-br``/``-gz``), so a cache or client never mixes their bytes. ``meta``/``from_meta`` give a
JSON head (``meta``) stored beside the bodies by shared backends; no pickle.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import brotli

from ..compress import add_vary
from ..http import etag_matches
from ..negotiate import choose

#: headers recomputed per representation (never stored)
_PER_REPRESENTATION = frozenset(
    {
        "content-length",
        "content-encoding",
        "etag",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "date",
    }
)
#: headers a 304 keeps (RFC 9110 §15.4.5)
_ON_304 = frozenset({"cache-control", "content-location", "expires", "vary", "last-modified"})
_SUFFIX = {"identity": "", "br": "-br", "gzip": "-gz"}
_VERSION = 1


@dataclass(slots=True)
class Reply:
    """What to send: a status line, headers and a body (empty for HEAD and 304)."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    encoding: str = "identity"


@dataclass
class Entry:
    """One cached response (see the module doc)."""

    status: str
    headers: list[tuple[str, str]]
    bodies: dict[str, bytes]
    tag: str  # the identity body's hash; ETags derive from it
    vary: tuple[str, ...] = ()  # request headers the response varies on, besides Accept-Encoding
    tags: tuple[str, ...] = ()
    #: every stored encoding's size; ``bodies`` may hold only some of them (a shared backend
    #: fetches just the one a request needs)
    sizes: dict[str, int] = field(default_factory=dict)
    #: precomputed per encoding: (200 headers, 304 headers)
    _out: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = field(
        default_factory=dict, repr=False
    )
    #: the stored ``meta()`` this entry was read from (a shared backend's copy checks it)
    raw_meta: bytes | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.sizes:
            self.sizes = {enc: len(body) for enc, body in self.bodies.items()}
        base = list(self.headers)
        if len(self.sizes) > 1:
            add_vary(base)
        for enc, size in self.sizes.items():
            etag = f'"{self.tag}{_SUFFIX[enc]}"'
            full = [*base, ("ETag", etag), ("Content-Length", str(size))]
            if enc != "identity":
                full.append(("Content-Encoding", enc))
            short = [(k, v) for k, v in base if k.lower() in _ON_304] + [("ETag", etag)]
            self._out[enc] = (full, short)

    def etag(self, encoding: str) -> str:
        return f'"{self.tag}{_SUFFIX[encoding]}"'

    def choose(self, accept_encoding: str | None) -> str:
        """The encoding this request gets."""
        return choose(accept_encoding, self.sizes) if len(self.sizes) > 1 else "identity"

    def reply(
        self, accept_encoding: str | None, if_none_match: str | None = None, head: bool = False
    ) -> Reply:
        """The response to a GET (or HEAD) with these request headers (the chosen encoding's
        body must be in ``bodies``)."""
        enc = self.choose(accept_encoding)
        full, short = self._out[enc]
        if if_none_match is not None and etag_matches(if_none_match, self.etag(enc)):
            return Reply("304 Not Modified", list(short), b"", enc)
        return Reply(self.status, list(full), b"" if head else self.bodies[enc], enc)

    @property
    def size(self) -> int:
        return sum(self.sizes.values())

    def meta(self) -> bytes:
        """Everything but the bodies, as compact JSON (what a shared backend stores beside
        each body)."""
        return json.dumps(
            {
                "v": _VERSION,
                "s": self.status,
                "h": self.headers,
                "t": self.tag,
                "y": list(self.vary),
                "g": list(self.tags),
                "z": self.sizes,
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_meta(cls, meta: bytes, bodies: dict[str, bytes]) -> Entry:
        m = json.loads(meta)
        if not isinstance(m, dict) or m.get("v") != _VERSION:
            raise ValueError("not a stored response of this version")
        return cls(
            m["s"],
            [(k, v) for k, v in m["h"]],
            bodies,
            m["t"],
            tuple(m["y"]),
            tuple(m["g"]),
            dict(m["z"]),
        )


def build_entry(
    status: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    compressible: bool,
    encodings: Iterable[str] = ("br", "gzip"),
    brotli_quality: int = 6,
    gzip_level: int = 6,
    vary: Iterable[str] = (),
    tags: Iterable[str] = (),
) -> Entry:
    """Make an entry, compressing ``body`` once per encoding when ``compressible``."""
    kept = [(k, v) for k, v in headers if k.lower() not in _PER_REPRESENTATION]
    bodies = {"identity": body}
    if compressible:
        for enc in encodings:
            if enc == "br":
                data = bytes(brotli.compress(body, quality=brotli_quality))
            elif enc == "gzip":
                c = zlib.compressobj(gzip_level, zlib.DEFLATED, 31)
                data = c.compress(body) + c.flush()
            else:
                raise ValueError(f"unknown encoding {enc!r} (br, gzip)")
            if len(data) < len(body):
                bodies[enc] = data
    tag = hashlib.blake2b(body, digest_size=12).hexdigest()
    return Entry(status, kept, bodies, tag, tuple(vary), tuple(tags))
