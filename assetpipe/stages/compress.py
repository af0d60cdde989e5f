"""The compress stage (the last one): precompressed siblings for the text outputs in ``public/``.

For every file the earlier stages wrote into the new build's ``public/`` whose type is not
already compressed (images, fonts in WOFF/WOFF2, archives, media are skipped by extension):

- ``X.br``: brotli quality 11 (text mode for text types),
- ``X.gz``: gzip level 9 with ``mtime`` 0 and no file name in the header (deterministic),
- ``X.zst``: zstandard level 19 when ``compress.zstd`` is on,

each kept only when its size is at most ``compress.min_ratio`` of the original (smaller gains
cost the client a decompression for nothing). Work runs on a thread pool (brotli, zlib and
zstandard release the GIL while they compress) and is cached by content hash and options, so an
unchanged file costs a cache lookup. The encodings kept are recorded in the manifest entry whose
``file`` this is (``"encodings": ["br", "gzip"]``, always in that order: br, gzip, zstd).

Skipped entirely for the ``development`` profile (watch builds: speed over bytes).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli
import zstandard

from ..manifest import ENCODING_SUFFIX
from .base import StageContext

VERSION = 1
#: already compressed (or not worth it): never given siblings
SKIP_EXTENSIONS = frozenset({
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".jxl", ".heic", ".woff", ".woff2",
    ".zip", ".gz", ".tgz", ".bz2", ".tbz", ".xz", ".br", ".zst", ".7z", ".rar", ".mp3", ".mp4",
    ".m4a", ".m4v", ".ogg", ".opus", ".oga", ".ogv", ".webm", ".mov", ".avi", ".flv", ".mpeg",
    ".mpg", ".wmv", ".3gp", ".pdf", ".swf",
})
_TEXT = frozenset({".js", ".mjs", ".cjs", ".css", ".html", ".htm", ".svg", ".json", ".map",
                   ".txt", ".xml", ".webmanifest", ".csv", ".md"})
ORDER = ("br", "gzip", "zstd")


def encode(data: bytes, encoding: str, *, text: bool = True) -> bytes:
    """One deterministic encoding of ``data`` (br q11, gzip 9 mtime 0, zstd 19)."""
    if encoding == "br":
        mode = brotli.MODE_TEXT if text else brotli.MODE_GENERIC
        return bytes(brotli.compress(data, quality=11, mode=mode))
    if encoding == "gzip":
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
            gz.write(data)
        return buf.getvalue()
    if encoding == "zstd":
        return bytes(zstandard.ZstdCompressor(level=19, write_content_size=True).compress(data))
    raise ValueError(f"unknown encoding {encoding!r}")


def candidates(public: Path) -> list[str]:
    """Files under ``public/`` (relative POSIX paths, sorted) that may get siblings."""
    out = []
    for dirpath, _dirs, files in os.walk(public):
        for name in files:
            if os.path.splitext(name)[1].lower() in SKIP_EXTENSIONS or name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            out.append(os.path.relpath(path, public).replace(os.sep, "/"))
    return sorted(out)


def _compress_one(data: bytes, encodings: tuple[str, ...], min_ratio: float,
                  text: bool) -> dict[str, bytes]:
    kept: dict[str, bytes] = {}
    for enc in encodings:
        out = encode(data, enc, text=text)
        if len(out) <= min_ratio * len(data):
            kept[enc] = out
    return kept


def run(ctx: StageContext) -> None:
    """Write ``.br``/``.gz``/``.zst`` siblings and record ``encodings`` (see the module doc)."""
    cfg = ctx.config.compress
    encodings = tuple(e for e, on in (("br", cfg.brotli), ("gzip", cfg.gzip), ("zstd", cfg.zstd))
                      if on)
    files = candidates(ctx.public) if encodings else []
    ctx.progress.start("compress", len(files))
    by_file = ctx.manifest.by_file()

    def work(rel: str) -> tuple[str, dict[str, bytes]]:
        data = (ctx.public / rel).read_bytes()
        if not data:
            return rel, {}
        text = os.path.splitext(rel)[1].lower() in _TEXT
        key = ctx.cache.key("compress", VERSION, hashlib.sha256(data).hexdigest(), encodings,
                            cfg.min_ratio, text)
        entry = ctx.cache.get(key, "compress")
        if entry is not None:
            try:
                return rel, {enc: entry.path(enc).read_bytes() for enc in entry.meta["kept"]}
            except (OSError, KeyError, TypeError):
                pass
        kept = _compress_one(data, encodings, cfg.min_ratio, text)
        ctx.cache.put(key, kept, {"kept": sorted(kept, key=ORDER.index)})
        return rel, kept

    workers = max(1, min(len(files), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for rel, kept in pool.map(work, files):
            for enc, data in kept.items():
                ctx.write_public(rel + ENCODING_SUFFIX[enc], data)
            key = by_file.get(rel)
            if key is not None and kept:
                ctx.manifest[key]["encodings"] = sorted(kept, key=ORDER.index)
            ctx.progress.advance("compress")
    ctx.progress.finish("compress")
