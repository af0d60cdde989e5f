"""The files of ``static.folders``, keyed as files of ``source`` are: the first folder's wins.

Django's ``FileSystemFinder`` serves every folder of ``STATICFILES_DIRS``, and its
``AppDirectoriesFinder`` each app's ``static/``, under the one ``STATIC_URL``; a path is
answered from the first folder that holds it (``collectstatic`` copies that one). The build
read one folder, ``source``: parsifal's 19 page scripts, in its apps' ``static/`` folders, went
out unhashed beside a hashed build. The scan (``config.templatedirs.scan_sources``) adds each
folder's files under their paths in it, after ``source``'s, a key already found keeping its
first file; the static stage copies them as it copies ``static.include``'s and warns about a
file left behind for an earlier one of its name (``shadowed``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from ..fsutil import walk_files
from .sources import SKIP_DIRS, SourceFile


def folder_files(folders: tuple[Path, ...]) -> Iterator[tuple[str, Path]]:
    """``(key, path)`` of every file of each folder, in the folders' order (each folder's in
    name order; dot files and ``SKIP_DIRS`` left out, as the scan of ``source`` leaves them)."""
    for folder in folders:
        found = walk_files(str(folder), SKIP_DIRS, hidden=False)
        for rel, path in sorted((rel, path) for rel, path, _ in found):
            yield rel, Path(path)


def folder_keys(
    whole: Mapping[str, SourceFile], folders: tuple[Path, ...], source: Path
) -> list[str]:
    """The keys of the scan ``whole`` whose file it took from one of ``folders`` (not from
    ``source``, which comes first)."""
    return [
        k
        for k, f in whole.items()
        if not f.path.is_relative_to(source) and any(f.path.is_relative_to(d) for d in folders)
    ]


def shadowed(
    whole: Mapping[str, SourceFile], folders: tuple[Path, ...]
) -> Iterator[tuple[str, Path, Path]]:
    """``(key, path, taken)`` of each file of ``folders`` that the scan ``whole`` holds another
    file for (``source``'s or an earlier folder's, ``taken``): Django serves that one."""
    for key, path in folder_files(folders):
        taken = whole.get(key)
        if taken is not None and taken.path != path:
            yield key, path, taken.path
