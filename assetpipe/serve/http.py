"""Conditional requests, Range and representation choice, shared by the WSGI and ASGI adapters.

``respond(file, method, headers)`` turns a ``StaticFile`` and the request's few relevant headers
into a ``Reply``: status, header list and a body (bytes in memory, or a span of a file on disk).
The adapters only translate. The rules (RFC 9110):

- ``If-Match`` (strong comparison, ``*``) and, without it, ``If-Unmodified-Since`` are evaluated
  first (RFC 9110 §13.2.2): a failed precondition gives 412 Precondition Failed.
- ``If-None-Match`` (a list, ``W/`` tags compared weakly, ``*``) is evaluated against the chosen
  representation's ETag and, when present, ``If-Modified-Since`` is ignored. A match gives 304
  with ETag, Cache-Control, Last-Modified and ``Vary`` (when the file has alternatives).
- ``Range``: only ``bytes=`` with one range is served, always from the identity representation
  (a 206 is never compressed). An unsatisfiable range → 416 with ``Content-Range: bytes */N``.
  A 416 (like every error) has ``Cache-Control: no-cache``, never the file's year-long one.
  A syntactically invalid range (``5-2``, junk) or a multi-range request is ignored (full 200).
- ``If-Range``: an ETag must match the identity ETag strongly, a date must equal Last-Modified;
  otherwise the Range is ignored.
- ``HEAD`` gets the headers of the ``GET``, no body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from .files import Representation, StaticFile
from .negotiate import choose

_RANGE = re.compile(r"^bytes=\s*(\d{0,18})\s*-\s*(\d{0,18})\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Reply:
    """What to send: status line, headers, and either ``data`` or a file span."""

    status: str
    headers: list[tuple[str, str]]
    data: bytes | None = b""
    path: str | None = None
    offset: int = 0
    length: int = 0
    encoding: str = "identity"
    #: the headers pre-encoded for ASGI, when precomputed (200 and 304)
    raw: list[tuple[bytes, bytes]] | None = None

    @property
    def code(self) -> int:
        return int(self.status[:3])


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` against ``etag`` (RFC 9110 §13.1.2)."""
    header = header.strip()
    if header == "*":
        return True
    opaque = etag[2:] if etag.startswith("W/") else etag
    if len(header) > 8192:
        header = header[:8192]
    for item in header.split(","):
        item = item.strip()
        if item.startswith("W/"):
            item = item[2:]
        if item == opaque:
            return True
    return False


def etag_matches_strong(header: str, etag: str) -> bool:
    """Strong comparison of ``If-Match`` against ``etag`` (RFC 9110 §13.1.1): ``*`` matches an
    existing resource; a weak tag never matches."""
    header = header.strip()
    if header == "*":
        return True
    if etag.startswith("W/"):
        return False
    return any(item.strip() == etag for item in header[:8192].split(","))


def _changed_since(header: str, last_modified: str) -> bool | None:
    """Whether ``last_modified`` is later than the HTTP date in ``header``; ``None`` when either
    date is unusable (a bad date makes its condition be ignored, RFC 9110 §13.1.3-4)."""
    try:
        since = parsedate_to_datetime(header)
        mod = parsedate_to_datetime(last_modified)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if since.tzinfo is None or mod.tzinfo is None:
        return None
    return mod > since


def _modified_since(header: str, last_modified: str) -> bool:
    """``If-Unmodified-Since`` fails: the resource changed after the date (a bad date: ignored)."""
    return _changed_since(header, last_modified) is True


def _not_modified_since(header: str, last_modified: str) -> bool:
    """``If-Modified-Since`` holds: the resource did not change after the date."""
    return _changed_since(header, last_modified) is False


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """One byte range → (start, end inclusive); ``None`` when the header is to be ignored
    (invalid or many ranges); ``False`` when it is valid but unsatisfiable."""
    if "," in header:
        return None  # many ranges: served in full (RFC 9110 allows ignoring Range)
    m = _RANGE.match(header.strip())
    if m is None:
        return None
    first, last = m.group(1), m.group(2)
    if first == "":
        if last == "":
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            return False
        return (max(size - suffix, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # syntactically invalid (e.g. 5-2): ignore
    if start >= size:
        return False
    return (start, min(end, size - 1))


def _if_range_ok(header: str, sf: StaticFile) -> bool:
    header = header.strip()
    if header.startswith('"'):
        return header == sf.identity.etag  # strong comparison; a weak tag never matches
    if header.startswith("W/"):
        return False
    return header == sf.last_modified


def _body(r: Representation, head: bool) -> Reply:
    if head:
        return Reply("200 OK", r.headers, b"", encoding=r.encoding, raw=r.raw)
    if r.data is not None:
        return Reply("200 OK", r.headers, r.data, encoding=r.encoding, raw=r.raw)
    return Reply("200 OK", r.headers, None, r.path, 0, r.size, r.encoding, r.raw)


def respond(
    sf: StaticFile,
    method: str,
    accept_encoding: str | None = None,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
    range_: str | None = None,
    if_range: str | None = None,
    if_match: str | None = None,
    if_unmodified_since: str | None = None,
) -> Reply:
    """Decide the response for a GET/HEAD of ``sf`` (other methods: 405)."""
    head = method == "HEAD"
    if method != "GET" and not head:
        return Reply(
            "405 Method Not Allowed",
            [
                ("Allow", "GET, HEAD"),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", "19"),
            ],
            b"Method Not Allowed\n",
        )
    span: tuple[int, int] | bool | None = None
    if range_ is not None and method == "GET" and (if_range is None or _if_range_ok(if_range, sf)):
        span = parse_range(range_, sf.identity.size)
    if span is None:
        encoding = choose(accept_encoding, sf.alternatives) if sf.alternatives else "identity"
        rep = sf.representation(encoding)
    else:
        rep = sf.identity
    if if_match is not None:
        if not etag_matches_strong(if_match, rep.etag):
            return PRECONDITION_FAILED
    elif if_unmodified_since is not None and _modified_since(if_unmodified_since, sf.last_modified):
        return PRECONDITION_FAILED
    if if_none_match is not None:
        if etag_matches(if_none_match, rep.etag):
            return Reply("304 Not Modified", rep.headers_304, raw=rep.raw_304)
    elif if_modified_since is not None and _not_modified_since(if_modified_since, sf.last_modified):
        return Reply("304 Not Modified", rep.headers_304, raw=rep.raw_304)
    if span is None:
        return _body(rep, head)
    if span is False:
        size = sf.identity.size
        headers = [
            ("Content-Range", f"bytes */{size}"),
            ("Content-Length", "0"),
            *[(k, v) for k, v in rep.headers_304 if k != "Cache-Control"],
            ("Cache-Control", "no-cache"),
        ]
        return Reply("416 Range Not Satisfiable", headers, b"")
    assert isinstance(span, tuple)
    start, end = span
    length = end - start + 1
    headers = [
        ("Content-Type", sf.content_type),
        ("Content-Length", str(length)),
        ("Content-Range", f"bytes {start}-{end}/{rep.size}"),
        ("Accept-Ranges", "bytes"),
        *rep.headers_304,
    ]
    if rep.data is not None:
        return Reply("206 Partial Content", headers, rep.data[start : end + 1])
    return Reply("206 Partial Content", headers, None, rep.path, start, length)


NOT_FOUND = Reply(
    "404 Not Found",
    [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", "10"),
        ("Cache-Control", "no-cache"),
    ],
    b"Not Found\n",
)

PRECONDITION_FAILED = Reply(
    "412 Precondition Failed",
    [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", "20"),
        ("Cache-Control", "no-cache"),
    ],
    b"Precondition Failed\n",
)
