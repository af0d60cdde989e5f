"""Discovering the source tree and content-hashing its files.

``Sources.scan(source, memo)`` lists every file under ``source`` (POSIX paths relative to it),
skipping dot-folders and ``node_modules``. Content hashes are computed on first use and memoised
by (size, mtime_ns, inode) in ``.assetpipe/cache/hashes.json``, so a no-change rebuild reads no
file twice. Globs use wcmatch with GLOBSTAR and BRACE (DESIGN §3.3).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wcmatch import glob as wglob

from .fsutil import atomic_write
from .hashing import sha256_file

GLOB_FLAGS = wglob.GLOBSTAR | wglob.BRACE
SKIP_DIRS = {"node_modules", "__pycache__"}


@functools.lru_cache(maxsize=256)
def _matcher(patterns: tuple[str, ...]) -> Any:
    """wcmatch's compiled matcher (``globmatch`` re-parses its patterns on every call: ~0.5 ms;
    compiled once, ~13x less per file)."""
    return wglob.compile(list(patterns), flags=GLOB_FLAGS)


def globmatch(rel: str, patterns: Iterable[str]) -> bool:
    """Whether ``rel`` (relative to source) matches any of ``patterns``."""
    pats = tuple(patterns)
    return bool(pats) and bool(_matcher(pats).match(rel))


@dataclass(frozen=True)
class SourceFile:
    """One discovered file. ``rel`` is its manifest key form."""

    rel: str
    path: Path
    size: int
    mtime_ns: int
    inode: int


class Sources:
    """The discovered source tree with memoised content hashes."""

    def __init__(self, root: Path, files: dict[str, SourceFile], memo_path: Path | None) -> None:
        self.root = root
        self.files = files
        self._memo_path = memo_path
        self._memo: dict[str, list[object]] = {}
        self._dirty = False
        if memo_path is not None:
            try:
                loaded = json.loads(memo_path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._memo = loaded
            except (OSError, ValueError):
                self._memo = {}

    @classmethod
    def scan(cls, root: Path, memo_path: Path | None = None,
             extra: Iterable[tuple[str, Path]] = ()) -> Sources:
        """Every file under ``root``, plus ``extra`` (key, path) pairs not already found: the
        templates outside ``source`` or behind a symlink (``templatedirs.template_files``)."""
        files: dict[str, SourceFile] = {}
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and d not in SKIP_DIRS)
            base = Path(dirpath)
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = base / name
                try:
                    st = path.stat()
                except OSError:
                    continue
                rel = path.relative_to(root).as_posix()
                files[rel] = SourceFile(rel, path, st.st_size, st.st_mtime_ns, st.st_ino)
        for rel, path in extra:
            if rel not in files:
                try:
                    st = path.stat()
                except OSError:
                    continue
                files[rel] = SourceFile(rel, path, st.st_size, st.st_mtime_ns, st.st_ino)
        return cls(root, files, memo_path)

    def __contains__(self, rel: object) -> bool:
        return rel in self.files

    def match(self, patterns: Iterable[str], exclude: Iterable[str] = ()) -> list[SourceFile]:
        """Files matching any glob, in sorted order, minus the keys in ``exclude``."""
        pats = tuple(patterns)
        skip = set(exclude)
        if not pats:
            return []
        matcher = _matcher(pats)
        return [f for rel, f in sorted(self.files.items())
                if rel not in skip and matcher.match(rel)]

    def sha256(self, rel: str) -> str:
        """Hex SHA-256 of a source file's content, from the memo when its stat is unchanged."""
        f = self.files[rel]
        stamp = [f.size, f.mtime_ns, f.inode]
        cached = self._memo.get(rel)
        if isinstance(cached, list) and len(cached) == 4 and cached[:3] == stamp:
            return str(cached[3])
        digest = sha256_file(f.path)
        self._memo[rel] = [*stamp, digest]
        self._dirty = True
        return digest

    def save_memo(self) -> None:
        """Persist the hash memo (only entries for files that still exist)."""
        if self._memo_path is None or not self._dirty:
            return
        keep = {k: v for k, v in self._memo.items() if k in self.files}
        atomic_write(self._memo_path, json.dumps(keep, sort_keys=True).encode())
