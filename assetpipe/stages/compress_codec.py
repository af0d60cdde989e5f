"""The compress stage's encodings and policy: which files get siblings (``eligible``,
``candidates``), at which levels (``levels``), one deterministic encoding (``encode``), and the
estimated cost of a task (``cost``, to queue the longest first). The stage itself, its queue
and the cache, is ``compress.py``."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import brotli

#: already compressed (or not worth it): never given siblings
SKIP_EXTENSIONS = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".avif",
        ".jxl",
        ".heic",
        ".woff",
        ".woff2",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".tbz",
        ".xz",
        ".br",
        ".zst",
        ".7z",
        ".rar",
        ".mp3",
        ".mp4",
        ".m4a",
        ".m4v",
        ".ogg",
        ".opus",
        ".oga",
        ".ogv",
        ".webm",
        ".mov",
        ".avi",
        ".flv",
        ".mpeg",
        ".mpg",
        ".wmv",
        ".3gp",
        ".pdf",
        ".swf",
    }
)
TEXT = frozenset(
    {
        ".js",
        ".mjs",
        ".cjs",
        ".css",
        ".html",
        ".htm",
        ".svg",
        ".json",
        ".map",
        ".txt",
        ".xml",
        ".webmanifest",
        ".csv",
        ".md",
    }
)
ORDER = ("br", "gzip", "zstd")
#: files no page fetches: only developers (devtools) or people read them: source maps,
#: esbuild's ``*.LEGAL.txt`` and webpack's ``*.js.LICENSE.txt`` (the licence comments its
#: minifier moves out of a bundle: Airflow ships 58, 0.05 s of brotli 11 for nobody)
DEVELOPER_ONLY = (".map", ".LEGAL.txt", ".LICENSE.txt")
#: levels per encoding: what browsers fetch, and ``compress.sourcemaps: fast``
BEST = {"br": 11, "gzip": 9, "zstd": 19}
#: brotli 3: 0.38x brotli 5's CPU on the npm app's 2.2 MB of maps for 10 % more bytes, and
#: about gzip 4's size (brotli 1 is larger than gzip 4: no use as the preferred sibling)
FAST = {"br": 3, "gzip": 4, "zstd": 3}
#: CPU nanoseconds per input byte (measured on minified JS and source maps), to queue the longest
#: tasks first: (encoding, lowest level) → cost, the highest level not above the task's applies
_COST = {
    "br": ((0, 25), (7, 60), (9, 200), (10, 600), (11, 1300)),
    "gzip": ((0, 15), (7, 60)),
    "zstd": ((0, 5), (16, 250)),
}


def encode(data: bytes, encoding: str, *, text: bool = True, level: int | None = None) -> bytes:
    """One deterministic encoding of ``data`` (default levels: br 11, gzip 9 mtime 0, zstd 19)."""
    level = BEST[encoding] if level is None and encoding in BEST else level
    if encoding == "br":
        mode = brotli.MODE_TEXT if text else brotli.MODE_GENERIC
        return bytes(brotli.compress(data, quality=level, mode=mode))
    if encoding == "gzip":
        buf = io.BytesIO()
        with gzip.GzipFile(
            filename="", mode="wb", compresslevel=level or 9, fileobj=buf, mtime=0
        ) as gz:
            gz.write(data)
        return buf.getvalue()
    if encoding == "zstd":
        import zstandard  # only when compress.zstd is on: a few ms less at every start-up

        return bytes(
            zstandard.ZstdCompressor(level=level or 19, write_content_size=True).compress(data)
        )
    raise ValueError(f"unknown encoding {encoding!r}")


def candidates(public: Path, rels: list[str] | None = None) -> list[str]:
    """Files under ``public/`` (relative POSIX paths, sorted) that may get siblings: all of
    them, or those among ``rels``."""
    if rels is None:
        rels = [
            os.path.relpath(os.path.join(dirpath, name), public)
            for dirpath, _dirs, files in os.walk(public)
            for name in files
        ]
    out = set()
    for rel in rels:
        if not eligible(rel):
            continue
        path = os.path.join(public, rel)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        out.add(os.path.normpath(rel).replace(os.sep, "/"))
    return sorted(out)


def eligible(rel: str) -> bool:
    """Whether a file by this name may get siblings (not already compressed, not hidden)."""
    name = os.path.basename(rel)
    return not (os.path.splitext(name)[1].lower() in SKIP_EXTENSIONS or name.startswith("."))


def levels(
    rel: str, encodings: tuple[str, ...], sourcemaps: str, brotli_quality: int = BEST["br"]
) -> dict[str, int]:
    """The encodings (with their levels) a file gets: none for a developer-only file under
    ``compress.sourcemaps: none``; never a brotli quality above ``brotli_quality``."""
    if rel.endswith(DEVELOPER_ONLY) and sourcemaps != "full":
        chosen = {} if sourcemaps == "none" else {e: FAST[e] for e in encodings}
    else:
        chosen = {e: BEST[e] for e in encodings}
    if "br" in chosen:
        chosen["br"] = min(chosen["br"], brotli_quality)
    return chosen


def cost(encoding: str, level: int) -> int:
    """Estimated CPU nanoseconds per input byte of one encoding at ``level``."""
    return max(c for lowest, c in _COST[encoding] if level >= lowest)
