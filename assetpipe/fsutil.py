"""Atomic file writes and small file-system helpers shared by the core."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()
#: the numbers of this process's temporary names (``next`` on a count is atomic under the GIL)
_TEMP_IDS = itertools.count()


def _temp_names(folder: Path, prefix: str, suffix: str) -> Iterator[Path]:
    """Names for a new temporary entry in ``folder``, unique to this process (its pid and a
    count) and tried in turn: one left by a dead process of the same pid is skipped. Made here,
    not with ``tempfile``, whose import (with ``random`` and ``shutil``'s archivers) was a few
    milliseconds of a one-template edit build."""
    while True:
        yield folder / f"{prefix}{os.getpid()}-{next(_TEMP_IDS)}{suffix}"


def temp_file(folder: Path, prefix: str, suffix: str = ".tmp") -> tuple[int, Path]:
    """A new file in ``folder`` (``O_EXCL``), open for writing, readable by all as the umask
    allows (outputs are read by web servers): its descriptor and path."""
    for tmp in _temp_names(folder, prefix, suffix):
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def temp_folder(folder: Path, prefix: str) -> Path:
    """A new folder in ``folder``, private to its owner (as ``tempfile.mkdtemp`` makes it)."""
    for tmp in _temp_names(folder, prefix, ""):
        try:
            tmp.mkdir(0o700)
            return tmp
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and ``os.replace``, so a
    reader sees the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temp_file(path.parent, f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
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
        import shutil  # here: most builds link, and shutil imports its archivers

        shutil.copyfile(src, dst)


def rmtree(path: Path) -> None:
    """Remove a folder tree if it exists (a symlink is unlinked, never followed)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        _remove_tree(str(path))


def _remove_tree(top: str) -> None:
    """``shutil.rmtree(top, ignore_errors=True)``, deepest first, symlinks unlinked and never
    followed; without importing ``shutil``, whose archivers' modules (``bz2``, ``lzma``) were
    a few milliseconds of every build (the last build's retired folder is removed by each)."""
    for folder, dirs, files in os.walk(top, topdown=False):
        for name in files:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
        for name in dirs:
            sub = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if os.path.islink(sub):
                    os.unlink(sub)
                else:
                    os.rmdir(sub)
    with contextlib.suppress(OSError):
        os.rmdir(top)


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
