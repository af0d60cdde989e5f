"""Walking a project's files for ``init``: the folders it skips, the names it looks for."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

SKIP_DIRS = {
    "node_modules",
    "__pycache__",
    "site-packages",
    "dist",
    "build",
    "venv",
    "env",
    "tests",
    "test",
    "migrations",
}
TEMPLATE_EXT = (".html", ".htm", ".j2", ".jinja", ".jinja2")
#: ``name="value"`` among a call's arguments (format it with the name)
KWARG = r"""\b{}\s*=\s*["']([^"']*)["']"""


def walk_dirs(root: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(root)`` without ``SKIP_DIRS``, dot and underscore folders and virtualenvs,
    folders in name order."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith((".", "_"))
            and d not in SKIP_DIRS
            and not (here / d / "pyvenv.cfg").exists()
        )
        yield dirpath, dirnames, filenames


def walk(root: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    for dirpath, _, filenames in walk_dirs(root):
        for name in sorted(filenames):
            if name.endswith(suffixes):
                yield Path(dirpath) / name


_T = TypeVar("_T")

#: the modules read and parsed so far, while ``init`` looks at a project (``reading_once``)
_READ: ContextVar[dict[Any, Any] | None] = ContextVar("_READ", default=None)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within this block ``python_texts`` reads a folder's modules once and ``parsed_modules``
    parses each once: ``init`` on a Django project walked all its modules six times (its
    settings, app and template folders, tags), ~1 s of NetBox's ~3 s ``init``. A block inside
    another reads through the outer one's memo (the CLI's steps after ``init``'s look)."""
    if _READ.get() is not None:
        yield
        return
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def python_texts(root: Path) -> Iterator[tuple[Path, str]]:
    """Each Python module under ``root`` (``walk``'s order) with its text; one that cannot be
    read as UTF-8 is skipped."""
    memo = _READ.get()
    if memo is None:
        yield from _python_texts(root)
        return
    if root not in memo:
        memo[root] = list(_python_texts(root))
    yield from memo[root]


def _python_texts(root: Path) -> Iterator[tuple[Path, str]]:
    for path in walk(root, (".py",)):
        try:
            yield path, path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue


def parsed_modules(root: Path, *needles: str) -> Iterator[tuple[Path, str, ast.Module]]:
    """Each Python module under ``root`` (``python_texts``) whose text holds one of ``needles``
    (a cheap test before the parse), with its text and syntax tree; one that does not parse is
    skipped."""
    for path, text in python_texts(root):
        if not any(n in text for n in needles):
            continue
        tree = parsed_file(path, text)
        if tree is not None:
            yield path, text, tree


def parsed_file(path: Path, text: str | None = None) -> ast.Module | None:
    """The syntax tree of module ``path`` (its ``text`` when read already), parsed once within
    ``reading_once`` and shared there (a caller that changes it copies it first); ``None``: it
    cannot be read or does not parse."""
    return remembered(("ast", path), lambda: _parse(path, text))


def _parse(path: Path, text: str | None) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def remembered(key: Any, compute: Callable[[], _T]) -> _T:
    """``compute()``, once per ``key`` within ``reading_once`` (every call outside it)."""
    memo = _READ.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def calls_asset_pipe(module: Path) -> bool:
    """Whether ``module`` already makes an ``AssetPipe(...)`` (``init --force`` run again after
    the lines are in); ``False`` when it cannot be read."""
    try:
        return "AssetPipe(" in module.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def app_root(module: Path, name: str, root_path: str | None = None) -> Path:
    """The folder Flask takes as the app's ``root_path`` (where ``static/`` and ``templates/``
    are) for ``Flask(name)`` written in ``module``: the module's folder for ``__name__``; for a
    literal import name, that package's folder when it is the module's own package or one it
    sits in (OctoPrint's ``Flask("octoprint")`` in ``octoprint/server/__init__.py`` has its
    folders in ``octoprint/``, not ``octoprint/server/``); else the module's folder. A
    ``root_path`` given (flaskBlog's ``"."``, relative to where the app runs: taken from the
    module's folder) is that folder."""
    folder = module.parent
    if root_path is not None:
        return (folder / root_path).resolve()
    name = name.strip("\"'")
    if name == "__name__":
        return folder
    # the module's dotted name, from the folders holding an __init__.py above it
    parts = [] if module.name == "__init__.py" else [module.stem]
    pkg = folder
    dirs: list[Path] = []
    while (pkg / "__init__.py").is_file():
        dirs.insert(0, pkg)
        parts.insert(0, pkg.name)
        pkg = pkg.parent
    wanted = name.split(".")
    for i, package in enumerate(dirs):
        if parts[: i + 1] == wanted:
            return package
    return folder


def shallowest(root: Path, name: str) -> Path | None:
    """The least deep folder called ``name`` under ``root`` (``SKIP_DIRS`` and dot folders
    skipped), the first by path of equals."""
    best: Path | None = None
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        if name in dirnames:
            cand = Path(dirpath) / name
            if best is None or len(cand.parts) < len(best.parts):
                best = cand
    return best
