"""A ``node_modules`` folder inside the static folder, for ``init``.

Some apps install their npm packages into the static folder (a yarn ``modules-folder`` of
``static/node_modules``), or keep part of one there for their bundles (PowerDNS-Admin's image
keeps Font Awesome's ``webfonts/``, which its Flask-Assets stylesheets name as
``url(../node_modules/@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2)``). Flask
serves all of it; the pages use the few files something names. ``init`` lists only those, one
by one (a ``node_modules/**`` would have the build copy, hash and compress every package's
sources); the others stay with the app's static route, as before adoption.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .imports import CSS_REF, SCHEME, join_relative, read_static, strip_query

MODULES = "node_modules"


def packaged(key: str) -> bool:
    """Whether the static key ``key`` (or folder ``key``, ending in ``/``) lies in a
    ``node_modules`` folder."""
    return MODULES in key.split("/")[:-1]


def static_files(static_dir: Path) -> list[str]:
    """Every file of the static folder as a key (``/``-separated, relative to it), sorted,
    without dot-files and dot-folders' files."""
    if not static_dir.is_dir():
        return []
    return sorted(
        p.relative_to(static_dir).as_posix()
        for p in static_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(static_dir).parts)
    )


def named_packaged(
    static_dir: Path, files: Iterable[str], named: Iterable[str], public_path: str
) -> set[str]:
    """The files of ``files`` in a ``node_modules`` folder that something names: one of
    ``named`` (what the templates name, the entries), or a ``url()``/``@import`` target of a
    stylesheet of the static folder outside ``node_modules`` or itself so named (followed
    through such stylesheets)."""
    present = set(files)
    keep = {f for f in named if f in present and packaged(f)}
    todo = [f for f in sorted(present) if f.endswith(".css") and (not packaged(f) or f in keep)]
    seen = set(todo)
    while todo:
        key = todo.pop()
        text = read_static(static_dir, key)
        for m in CSS_REF.finditer(text or ""):
            ref = strip_query(m.group(2) or m.group(4) or "")
            if ref.startswith(public_path):
                target = ref[len(public_path) :]
            elif not ref or ref.startswith("/") or SCHEME.match(ref):
                continue
            else:
                target = join_relative(key, ref)
            if target in present and packaged(target):
                keep.add(target)
                if target.endswith(".css") and target not in seen:
                    seen.add(target)
                    todo.append(target)
    return keep


def drop_unnamed(
    static_dir: Path, files: list[str], named: Iterable[str], public_path: str
) -> list[str]:
    """``files`` less those in a ``node_modules`` folder that nothing names (``named_packaged``)."""
    if not any(packaged(f) for f in files):
        return files
    keep = named_packaged(static_dir, files, named, public_path)
    return [f for f in files if not packaged(f) or f in keep]
