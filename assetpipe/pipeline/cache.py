"""The persistent, content-addressed stage cache under ``.assetpipe/cache/``.

An entry is keyed by a hash of (stage, stage version, input content hash, the stage's effective
options, tool versions) — whatever the stage passes to ``Cache.key``. It holds the stage's output
files plus a JSON ``meta`` document (e.g. the manifest fields the stage would have computed).
On a hit the files are hard-linked into the build (no bytes copied).

Rules: an entry is written into a temp folder and renamed into place, so a crash never leaves a
half entry; an entry whose files do not match their recorded size and SHA-256 is discarded and
counted, never an error; past ``max_mb`` the least recently used entries are pruned (after a
build that wrote entries: a build that only hit cannot have grown the cache). The cache's size
is measured (every entry stat'd) only when it may be past ``max_mb``: ``usage.json`` holds the
size measured last plus what was stored since, an upper bound (an entry discarded or replaced
only makes the true size smaller), so a build that stores one rewritten template does not walk
hundreds of entries.

Verification costs a stat, not a read: ``meta.json`` records each file's stat stamp (size,
mtime_ns, inode) when it was stored or last hashed; a file whose stamp still matches is taken
as intact (entries are written once and read-only; their hard links in a build are not edited),
and only a file whose stamp moved is hashed again (and its new stamp recorded if it is intact).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from ..fsutil import atomic_write, link_or_copy, rmtree, temp_file, temp_folder
from ..hashing import sha256_file
from ..records import dataclass

CACHE_FORMAT = 1


@dataclass
class CacheStats:
    """Counters for one build: ``misses`` is the number of work items a stage really did."""

    hits: int = 0
    misses: int = 0
    writes: int = 0
    discarded: int = 0
    #: cached files hashed to check them (their stat stamp had moved or was unknown)
    verified: int = 0
    per_stage: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, stage: str, what: str) -> None:
        d = self.per_stage.setdefault(stage, {"hits": 0, "misses": 0})
        d[what] = d.get(what, 0) + 1


@dataclass(frozen=True)
class CacheEntry:
    """A verified cache entry: its folder, file names and meta document."""

    folder: Path
    files: Mapping[str, str]  # name -> sha256
    meta: Mapping[str, Any]

    def path(self, name: str) -> Path:
        return self.folder / _blob_name(name)

    def link_to(self, name: str, dest: Path) -> None:
        """Hard-link (or copy) the cached file ``name`` to ``dest``."""
        link_or_copy(self.path(name), dest)


def _blob_name(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def _stamp(path: Path) -> list[int]:
    """A file's stat stamp as ``meta.json`` records it (raises ``OSError`` when missing)."""
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _moved(src: Path | None, dest: Path) -> bool:
    """Rename ``src`` to ``dest``; ``False`` (and ``src`` removed) when that fails."""
    if src is None:
        return False
    try:
        os.replace(src, dest)
        return True
    except OSError:
        src.unlink(missing_ok=True)
        return False


def _write_meta(folder: Path, doc: Mapping[str, Any]) -> None:
    """Replace an entry's meta.json atomically (a reader sees the old one or the new one)."""
    fd, tmp = temp_file(folder, ".meta.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, sort_keys=True)
    os.replace(tmp, folder / "meta.json")


class Cache:
    """See the module docstring. Thread-safe counters; entries are safe across processes."""

    def __init__(self, root: Path, max_mb: int = 1024) -> None:
        self.root = root
        self.max_bytes = max_mb * 1024 * 1024
        self.stats = CacheStats()
        self._lock = threading.Lock()
        #: bytes stored by this object since the last ``prune`` (files and meta.json)
        self._stored = 0

    @staticmethod
    def key(stage: str, *parts: Any) -> str:
        """A cache key from JSON-serialisable parts (sorted, so dict order does not matter)."""
        blob = json.dumps([CACHE_FORMAT, stage, *parts], sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def _folder(self, key: str) -> Path:
        return self.root / "entries" / key[:2] / key

    def get(self, key: str, stage: str = "") -> CacheEntry | None:
        """The entry for ``key`` if present and intact (counted as a hit), else ``None`` (a miss).
        A corrupt entry is removed."""
        entry = self.peek(key)
        with self._lock:
            if entry is None:
                self.stats.misses += 1
                self.stats.count(stage, "misses")
            else:
                self.stats.hits += 1
                self.stats.count(stage, "hits")
        return entry

    def miss(self, stage: str) -> None:
        """Count a miss for work a stage must do without a lookup (e.g. no index entry yet)."""
        with self._lock:
            self.stats.misses += 1
            self.stats.count(stage, "misses")

    def peek(self, key: str) -> CacheEntry | None:
        """Like ``get`` but uncounted: for index documents that only lead to the real entry."""
        folder = self._folder(key)
        meta_path = folder / "meta.json"
        entry = None
        try:
            text = meta_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError:
            text = ""
        try:
            doc = json.loads(text)
            files = doc["files"]
            stamps = doc.get("stat") or {}
            moved = False
            for name, digest in files.items():  # a missing blob raises FileNotFoundError
                blob = folder / _blob_name(name)
                stamp = _stamp(blob)
                if stamps.get(name) == stamp:
                    continue
                with self._lock:
                    self.stats.verified += 1
                if sha256_file(blob) != digest:
                    raise ValueError(f"{name}: content does not match")
                stamps[name] = stamp
                moved = True
            entry = CacheEntry(folder, files, doc["meta"])
            if moved:  # intact, stamps moved (a copy, a touch): hash them once, not each time
                doc["stat"] = stamps
                _write_meta(folder, doc)
            else:
                os.utime(meta_path)  # LRU clock
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._discard(folder)
            with self._lock:
                self.stats.discarded += 1
        return entry

    @staticmethod
    def _discard(folder: Path) -> None:
        """Remove an entry, meta.json first: a removal cut short leaves no entry that looks
        whole."""
        (folder / "meta.json").unlink(missing_ok=True)
        rmtree(folder)

    def put(
        self,
        key: str,
        files: Mapping[str, bytes | Path],
        meta: Mapping[str, Any],
        *,
        replace: bool = False,
        moving: Mapping[str, Path] | None = None,
    ) -> CacheEntry:
        """Store ``files`` (bytes, or paths to copy) with ``meta``; returns the stored entry.
        Content-addressed entries never change, so an existing one is kept; ``replace=True``
        overwrites (for index documents keyed by options rather than content). ``moving``: for
        some of the names given as bytes, a file holding exactly those bytes that the caller
        gives up (esbuild's scratch output): it is renamed into the entry instead of the bytes
        being written again (written after all when the rename fails, e.g. across file
        systems); it is gone afterwards either way."""
        moving = moving or {}
        folder = self._folder(key)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_folder(folder.parent, ".tmp-")
        digests: dict[str, str] = {}
        try:
            for name, content in files.items():
                dest = tmp / _blob_name(name)
                if isinstance(content, bytes):
                    if not _moved(moving.get(name), dest):
                        dest.write_bytes(content)
                    digests[name] = hashlib.sha256(content).hexdigest()
                else:
                    import shutil  # here: shutil imports its archivers

                    shutil.copyfile(content, dest)
                    # the copy keeps its file's time: served under an unhashed URL, its
                    # Last-Modified is the one the app sent (Trac's heuristic caching)
                    st = os.stat(content)
                    os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns))
                    digests[name] = sha256_file(dest)
                dest.chmod(0o444)
            stamps = {name: _stamp(tmp / _blob_name(name)) for name in files}
            doc_text = json.dumps({"files": digests, "meta": meta, "stat": stamps}, sort_keys=True)
            (tmp / "meta.json").write_text(doc_text, encoding="utf-8")
            if replace:
                rmtree(folder)
            try:
                os.replace(tmp, folder)
            except OSError:  # another process stored the same key first: keep theirs
                rmtree(tmp)
        except BaseException:
            rmtree(tmp)
            raise
        with self._lock:
            self.stats.writes += 1
            self._stored += sum(st[0] for st in stamps.values()) + len(doc_text)
        return CacheEntry(folder, digests, dict(meta))

    def clear(self) -> None:
        """Empty the cache (``--clean``)."""
        rmtree(self.root)

    def prune(self) -> int:
        """Delete least-recently-used entries until the cache fits ``max_mb``; returns how many.
        The entries are measured only when ``usage.json``'s bound says the cache may not fit
        (module docstring)."""
        usage = self.root / "usage.json"
        with self._lock:
            stored, self._stored = self._stored, 0
        try:
            bound = int(json.loads(usage.read_text(encoding="utf-8"))["bytes"]) + stored
        except (OSError, ValueError, KeyError, TypeError):
            bound = None
        if bound is not None and bound <= self.max_bytes:
            atomic_write(usage, json.dumps({"bytes": bound}).encode())
            return 0
        removed, total = self._prune()
        atomic_write(usage, json.dumps({"bytes": total}).encode())
        return removed

    def _prune(self) -> tuple[int, int]:
        """Measure every entry and delete the least recently used ones until the cache fits:
        (entries removed, bytes left)."""
        entries_root = self.root / "entries"
        if not entries_root.is_dir():
            return 0, 0
        sized: list[tuple[float, int, Path]] = []
        total = 0
        for meta in entries_root.glob("*/*/meta.json"):
            folder = meta.parent
            try:
                size = sum(p.stat().st_size for p in folder.iterdir())
                sized.append((meta.stat().st_mtime, size, folder))
            except OSError:
                continue
            total += size
        removed = 0
        for _, size, folder in sorted(sized, key=lambda t: t[0]):
            if total <= self.max_bytes:
                break
            self._discard(folder)
            total -= size
            removed += 1
        return removed, total
