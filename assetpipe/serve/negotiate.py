"""``Accept-Encoding`` negotiation with real q-values (RFC 9110 §12.5.3), as Caddy does it.

- ``gzip;q=0`` means *no gzip* (WhiteNoise and flask-compress both serve gzip for it).
- ``*`` sets the weight of every coding the header does not name; ``identity`` is acceptable
  unless ``identity;q=0`` or ``*;q=0`` excludes it (then we still send identity: RFC 9110 lets a
  server ignore the header rather than answer 406, and an uncompressed body is always readable).
- ``x-gzip`` is ``gzip``. Junk tokens (bad q syntax, empty items, stray parameters) are ignored,
  never an error. Codings are case-insensitive.
- Ties go to the server's preference: br, zstd, gzip, then identity. ``identity`` that the header
  does not name ranks below every named coding.
- No header at all: identity (what browsers that send nothing can read).

Parsed headers are memoised (bounded), since clients send a handful of distinct values.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection

#: server preference, best first
PREFERENCE = ("br", "zstd", "gzip")
_ALIASES = {"x-gzip": "gzip"}
_QVALUE = re.compile(r"^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9a-z-]+$")
_MAX_HEADER = 1024
_MAX_MEMO = 512

_memo: dict[str, tuple[str, ...]] = {}
_memo_lock = threading.Lock()


def parse(header: str) -> dict[str, float]:
    """``Accept-Encoding`` → {coding: q}. Later duplicates do not override earlier ones."""
    weights: dict[str, float] = {}
    for item in header.split(",")[:64]:
        parts = [p.strip() for p in item.split(";")]
        coding = _ALIASES.get(parts[0].lower(), parts[0].lower())
        if not coding or not _TOKEN.match(coding):
            continue
        q = 1.0
        ok = True
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() != "q" or not _QVALUE.match(value.strip()):
                ok = False
                break
            q = float(value.strip())
        if ok and coding not in weights:
            weights[coding] = q
    return weights


def _rank(header: str) -> tuple[str, ...]:
    """The acceptable codings of a header, most wanted first (``identity`` included when
    acceptable)."""
    weights = parse(header)
    star = weights.get("*")
    scored: list[tuple[float, int, str]] = []
    for order, coding in enumerate((*PREFERENCE, "identity")):
        q = weights.get(coding)
        if q is None:
            q = star if star is not None else (0.0005 if coding == "identity" else 0.0)
            if coding == "identity" and star is not None and star > 0:
                q = min(star, 0.0005)  # unnamed identity ranks below any named coding
        if q > 0:
            scored.append((-q, order, coding))
    return tuple(c for _, _, c in sorted(scored))


def ranked(header: str | None) -> tuple[str, ...]:
    """Memoised ``_rank``; no header (or an oversized one) → ``("identity",)``."""
    if not header or len(header) > _MAX_HEADER:
        return ("identity",)
    hit = _memo.get(header)
    if hit is not None:
        return hit
    result = _rank(header)
    with _memo_lock:
        if len(_memo) >= _MAX_MEMO:
            _memo.clear()
        _memo[header] = result
    return result


def choose(header: str | None, available: Collection[str]) -> str:
    """The coding to send for a resource that exists in ``available`` codings (identity is
    always available): the client's best acceptable one, else identity."""
    for coding in ranked(header):
        if coding == "identity" or coding in available:
            return coding
    return "identity"
