"""Atomic file writes and small file-system helpers shared by the core."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and ``os.replace``, so a
    reader sees the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; outputs are read by web servers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_json(data: Any) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


class JsonWriter:
    """``dump_json`` for a document written again and again with most of it unchanged (the
    manifest and report.json of ``assetpipe watch``'s rebuilds): the encoding of each value
    ``depth`` levels down is kept beside its compact encoding and reused while that is the same
    (the compact encoder is C, several times faster than the indented one, which is pure
    Python; comparing encodings, not values, keeps ``1``, ``1.0`` and ``true`` apart).
    Byte-identical to ``dump_json``."""

    def __init__(self, depth: int = 2) -> None:
        self.depth = depth
        self._memo: dict[tuple[str, ...], tuple[str, str]] = {}

    def dumps(self, doc: Any) -> bytes:
        seen: set[tuple[str, ...]] = set()
        text = self._encode(doc, (), seen)
        self._memo = {k: v for k, v in self._memo.items() if k in seen}
        return (text + "\n").encode()

    def _encode(self, value: Any, path: tuple[str, ...], seen: set[tuple[str, ...]]) -> str:
        if (
            isinstance(value, dict)
            and value
            and len(path) < self.depth
            and all(isinstance(k, str) for k in value)
        ):
            items = [
                json.dumps(k, ensure_ascii=False)
                + ": "
                + self._encode(value[k], (*path, k), seen).replace("\n", "\n  ")
                for k in sorted(value)
            ]
            return "{\n  " + ",\n  ".join(items) + "\n}"
        seen.add(path)
        compact = json.dumps(value, sort_keys=True, ensure_ascii=False)
        memo = self._memo.get(path)
        if memo is not None and memo[0] == compact:
            return memo[1]
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
        self._memo[path] = (compact, text)
        return text


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` (same file system, no bytes copied), else copy it."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def rmtree(path: Path) -> None:
    """Remove a folder tree if it exists (a symlink is unlinked, never followed)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def walk_files(
    root: str, skip: Collection[str] = (), hidden: bool = True
) -> Iterator[tuple[str, str, os.stat_result]]:
    """``(rel, path, stat)`` of every file under ``root``, ``rel`` with ``/`` separators, in no
    set order: ``os.scandir`` and one ``stat`` per file (what a no-op build pays per source).
    Folders named in ``skip`` and symlinked folders are not entered (``os.walk``'s way); with
    ``hidden=False`` names starting with ``.`` are left out; unreadable entries are skipped."""
    todo = [("", root)]
    while todo:
        prefix, folder = todo.pop()
        try:
            it = os.scandir(folder)
        except OSError:
            continue
        with it:
            for de in it:
                name = de.name
                if not hidden and name.startswith("."):
                    continue
                try:
                    if de.is_dir():
                        if name not in skip and not de.is_symlink():
                            todo.append((prefix + name + "/", de.path))
                        continue
                    st = de.stat()
                except OSError:
                    continue
                yield prefix + name, de.path, st
