"""The compress stage (the last one): precompressed siblings for the text outputs in ``public/``.

For every file the earlier stages wrote into the new build's ``public/`` whose type is not
already compressed (images, fonts in WOFF/WOFF2, archives, media are skipped by extension):

- ``X.br``: brotli (text mode for text types),
- ``X.gz``: gzip with ``mtime`` 0 and no file name in the header (deterministic),
- ``X.zst``: zstandard when ``compress.zstd`` is on,

each kept only when its size is at most ``compress.min_ratio`` of the original (smaller gains
cost the client a decompression for nothing).

Levels: what pages fetch (JS, CSS, HTML, SVG, JSON, fonts, anything not listed below) gets the
smallest encodings (brotli 11, gzip 9, zstd 19): compressed once, downloaded by every visitor.
Files only developers fetch (source maps, ``*.LEGAL.txt``) follow ``compress.sourcemaps``:
``fast`` (default: brotli 3, gzip 4, zstd 3, ~1/100 of brotli 11's time for ~25 % more bytes
on a map only devtools downloads), ``none`` (no siblings) or ``full`` (the browser levels).
``compress.brotli_quality`` (default 11) lowers brotli's quality for what pages fetch, for a
build that must be fast more than small: brotli 11 is the largest single cost of a cold
production build (on the npm app of ``bench/real_npm_app.py``, ~0.65 s of CPU for 467 KB, more
than esbuild and Python together), brotli 10 costs ~0.4x of it for ~1.7 % more bytes and brotli
9 ~0.15x for ~7 % more. The encoder's other parameters (window, block size, mode) change
neither the bytes nor the time by more than noise at quality 11 (measured on that app's files),
so they stay at brotli's defaults, text mode for text types.

Work: one task per (file, encoding), the longest first (size times the level's measured cost
per byte: a 200 KB script's brotli 11 takes longer than a 1 MB map's brotli 3), on a thread pool
as wide as the machine (brotli, zlib and zstandard release the GIL while they compress:
``bench/real_npm_app.py`` measures it), so one big file's brotli 11 no longer serialises its
gzip behind it. The work starts as soon as a file exists: the build calls ``start`` after
every stage before this one (and the templates stage at its start), which queues the files
the stages wrote or linked since its last call (``ctx.public_written``: no walk of
``public/``), so the scripts stage's outputs compress on the other core while
the styles, static and templates stages run; the scripts and styles stages hand esbuild's
outputs over from memory the moment esbuild returns (``start_outputs``: looked up in a thread
of their own), before they store and place them; this stage queues whatever is left and writes each file's
siblings as soon as its encodings are done (a build that fails before it cancels
the queue with ``cancel``). A file queued early and changed afterwards (its stat stamp: inode,
size, mtime) is looked up and queued again. Results are cached by content hash, encodings and
levels, so an unchanged file costs a hash and a cache lookup; siblings are hard-linked from the
cache into ``public/`` (a cold build stores them once, not once in the cache and once in the
build). The encodings kept are recorded in the manifest entry whose ``file`` this is
(``"encodings": ["br", "gzip"]``, always in that order: br, gzip, zstd).

Skipped entirely for the ``development`` profile (watch builds: speed over bytes). The
encodings, levels and which files get siblings are ``compress_codec.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import field
from pathlib import Path
from typing import TypeVar

from ..manifest import ENCODING_SUFFIX
from ..pipeline.cache import CacheEntry
from ..pipeline.codeprint import code_digest
from ..records import dataclass
from .base import StageContext
from .compress_codec import (
    BEST,
    DEVELOPER_ONLY,
    FAST,
    ORDER,
    SKIP_EXTENSIONS,
    TEXT,
    candidates,
    cost,
    eligible,
    encode,
    levels,
)

__all__ = [
    "BEST",
    "DEVELOPER_ONLY",
    "FAST",
    "SKIP_EXTENSIONS",
    "Compressor",
    "File",
    "cancel",
    "candidates",
    "cost",
    "encode",
    "levels",
    "queue_order",
    "run",
    "start",
    "start_outputs",
]

T = TypeVar("T")


Stamp = tuple[int, int, int]


def stamp(path: Path) -> Stamp:
    """A file's (inode, size, mtime_ns): what changes when a stage writes or links it again."""
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class File:
    """One file handed to the compressor: its bytes, the levels it gets, its cache key and
    entry (when cached), its encodings' jobs, and its stat stamp when it was read."""

    rel: str
    data: bytes
    levels: dict[str, int]
    key: str
    text: bool
    cached: CacheEntry | None = None
    jobs: dict[str, Future[bytes]] = field(default_factory=dict)
    #: ``None``: handed over from memory before the stage placed it in ``public/``
    stamp: Stamp | None = (0, 0, 0)


class Compressor:
    """The stage's thread pool and the files handed to it (read, looked up in the cache, and
    their encodings queued largest first)."""

    def __init__(self, ctx: StageContext) -> None:
        cfg = ctx.config.compress
        self.ctx = ctx
        self.encodings = tuple(
            e for e, on in (("br", cfg.brotli), ("gzip", cfg.gzip), ("zstd", cfg.zstd)) if on
        )
        self.pool = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 1, thread_name_prefix="assetpipe-compress"
        )
        self.files: dict[str, File] = {}
        #: how many of ``ctx.public_written`` ``start`` has queued
        self.seen = 0
        #: ``submit_data``'s look-ups, while they run
        self.pending: threading.Thread | None = None

    def submit(self, rels: list[str]) -> None:
        """Read ``rels`` (the new ones, and those changed since they were read), look them up in
        the cache and queue the encodings of the others, largest first."""
        self.settle()
        found = []
        for rel in rels:
            known = self.files.get(rel)
            path = self.ctx.public / rel
            st = stamp(path)
            if known is not None:
                if known.stamp is None and path.read_bytes() == known.data:
                    known.stamp = st  # placed as handed over: its jobs stand
                if known.stamp == st:
                    continue
                for job in known.jobs.values():  # rewritten by a later stage: its old bytes
                    job.cancel()
            self.files[rel] = f = self._look_up(rel, path.read_bytes(), st)
            found.append(f)
        self._queue(found)

    def submit_data(self, files: Mapping[str, bytes]) -> None:
        """Queue files not yet in ``public/`` from their bytes (``start_outputs``); ``submit``
        checks them against what the stage places there. The look-ups (hashing the bytes for
        the cache keys: 2.6 MB on the npm app of ``bench/real_npm_app.py``) run in a thread of
        their own while the stage goes on, after those of the call before (the stage does not
        wait for them: it hands over its untouched outputs, then the renamed ones, then the
        next stage its own); ``settle`` waits for all of them."""
        before, files = self.pending, dict(files)

        def hand_over() -> None:
            if before is not None:
                before.join()
            todo = {r: d for r, d in files.items() if eligible(r) and r not in self.files}
            found = [self._look_up(rel, data, None) for rel, data in todo.items()]
            self.files.update((f.rel, f) for f in found)
            with contextlib.suppress(RuntimeError):  # the pool was shut down: a failed build
                self._queue(found)

        self.pending = threading.Thread(
            target=hand_over, name="assetpipe-compress-handover", daemon=True
        )
        self.pending.start()

    def settle(self) -> None:
        """Wait until the files ``submit_data`` was given are looked up and queued."""
        if self.pending is not None:
            self.pending.join()
            self.pending = None

    def _queue(self, found: list[File]) -> None:
        for f, enc in queue_order(found):
            f.jobs[enc] = self.pool.submit(encode, f.data, enc, text=f.text, level=f.levels[enc])

    def _look_up(self, rel: str, data: bytes, st: Stamp | None) -> File:
        cfg = self.ctx.config.compress
        lv = levels(rel, self.encodings, cfg.sourcemaps, cfg.brotli_quality) if data else {}
        text = os.path.splitext(rel)[1].lower() in TEXT
        key = self.ctx.cache.key(
            "compress",
            code_digest("compress"),
            hashlib.sha256(data).hexdigest(),
            sorted(lv.items()),
            cfg.min_ratio,
            text,
        )
        f = File(rel, data, lv, key, text, stamp=st)
        if lv:  # looked up uncounted (maybe after an earlier stage): ``run`` counts it
            entry = self.ctx.cache.peek(key)
            if entry is not None and isinstance(entry.meta.get("kept"), list):
                f.cached = entry
        return f

    def close(self) -> None:
        self.settle()
        self.pool.shutdown(wait=True, cancel_futures=True)


def queue_order(files: list[File]) -> list[tuple[File, str]]:
    """The (file, encoding) tasks of the files not cached, the longest first (estimated: size
    times ``cost``), so that no long task starts last and leaves the other cores idle."""
    todo = sorted(
        (
            (len(f.data) * cost(enc, lv), f.rel, enc, f)
            for f in files
            if f.cached is None
            for enc, lv in f.levels.items()
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    return [(f, enc) for _cost, _rel, enc, f in todo]


def start(ctx: StageContext) -> None:
    """Queue the compression of what ``public/`` holds now and was not queued yet, when this
    build will run the compress stage (not the development profile) and an encoding is on:
    called by the build after each stage before this one, and by the templates stage, so
    compression overlaps the stages that follow."""
    comp = _queued(ctx)
    if comp is not None:  # the paths the stages wrote since the last call
        new, comp.seen = ctx.public_written[comp.seen :], len(ctx.public_written)
        comp.submit(candidates(ctx.public, new))


def start_outputs(ctx: StageContext, files: Mapping[str, bytes]) -> None:
    """Queue the compression of ``files`` (paths relative to ``public/``, where the calling
    stage is about to place these bytes) now, from memory, on the same terms as ``start``: a
    stage calls it as soon as it has its outputs, so compression begins while it stores and
    places them."""
    comp = _queued(ctx)
    if comp is not None:
        comp.submit_data(files)


def _queued(ctx: StageContext) -> Compressor | None:
    """The build's compressor, made on first use; ``None`` when this build does not
    precompress (development profile, or every encoding off)."""
    cfg = ctx.config.compress
    if ctx.profile == "development" or not (cfg.brotli or cfg.gzip or cfg.zstd):
        return None
    if ctx.compressor is None:
        ctx.compressor = Compressor(ctx)
    comp = ctx.compressor
    return comp if isinstance(comp, Compressor) else None


def cancel(ctx: StageContext) -> None:
    """Drop the queued work ``start`` began (the build failed before the compress stage)."""
    comp, ctx.compressor = ctx.compressor, None
    if isinstance(comp, Compressor):
        comp.pool.shutdown(wait=False, cancel_futures=True)


def run(ctx: StageContext) -> None:
    """Write ``.br``/``.gz``/``.zst`` siblings and record ``encodings`` (see the module doc)."""
    queued, ctx.compressor = ctx.compressor, None
    comp = queued if isinstance(queued, Compressor) else Compressor(ctx)
    try:
        files = candidates(ctx.public) if comp.encodings else []
        ctx.progress.start("compress", len(files))
        by_file = ctx.manifest.by_file()
        comp.submit(files)

        def finish(f: File) -> None:
            if f.levels:
                _count(ctx, "hits" if f.cached is not None else "misses")
            kept = _write(ctx, f, ctx.config.compress.min_ratio)
            key = by_file.get(f.rel)
            if key is not None and kept:
                ctx.manifest[key]["encodings"] = kept
            ctx.progress.advance("compress")

        # cached (or empty) files at once, the others as their encodings finish: the siblings
        # are stored while the longer tasks still run, not all after the last one
        waiting = {}
        for rel in files:
            f = comp.files[rel]
            if f.cached is None and f.jobs:
                waiting[rel] = f
            else:
                finish(f)
        jobs = {job: f for f in waiting.values() for job in f.jobs.values()}
        for job in as_completed(jobs):
            f = jobs[job]
            if f.rel in waiting and all(j.done() for j in f.jobs.values()):
                finish(waiting.pop(f.rel))
        ctx.progress.finish("compress")
    finally:
        comp.close()


def _write(ctx: StageContext, f: File, min_ratio: float) -> list[str]:
    """Write one file's siblings (from the cache, or from its finished jobs, then cached);
    returns the encodings kept, in ``ORDER``."""
    if f.cached is not None:
        kept = [str(e) for e in f.cached.meta["kept"]]
        try:
            for enc in kept:
                ctx.link_public(f.rel + ENCODING_SUFFIX[enc], f.cached.path(enc))
            return kept
        except (OSError, KeyError):  # a damaged entry: compress again
            f.jobs = {
                enc: _done(encode(f.data, enc, text=f.text, level=lv))
                for enc, lv in f.levels.items()
            }
    if not f.levels:
        return []
    out = {enc: job.result() for enc, job in f.jobs.items()}
    siblings = {enc: b for enc, b in out.items() if len(b) <= min_ratio * len(f.data)}
    kept = sorted(siblings, key=ORDER.index)
    stored = ctx.cache.put(f.key, siblings, {"kept": kept})
    for enc in kept:
        name = f.rel + ENCODING_SUFFIX[enc]
        try:  # the cache's copy, hard-linked: the bytes are written once
            ctx.link_public(name, stored.path(enc))
        except OSError:
            ctx.write_public(name, siblings[enc])
    return kept


def _count(ctx: StageContext, what: str) -> None:
    """Count a cache hit or miss for this stage (``Cache.get`` would count it in the stage that
    looked it up, the templates stage when ``start`` did)."""
    stats = ctx.cache.stats
    if what == "hits":
        stats.hits += 1
    else:
        stats.misses += 1
    stats.count("compress", what)


def _done(value: T) -> Future[T]:
    fut: Future[T] = Future()
    fut.set_result(value)
    return fut
