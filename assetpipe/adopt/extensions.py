"""Installed packages the app imports that ship static files of their own, for ``init``'s note.

An extension's files (Flask-MonitoringDashboard's ``flask_monitoringdashboard/static/``,
Flask-Admin's) live in site-packages, outside the project ``init`` reads, so it counts none of
them; ``AssetPipe(app)`` handles those the app serves through a blueprint while it runs. A user
who sees "0 script(s)" beside a 2 MB dashboard asks what becomes of them: ``shipped_static``
names those packages so ``init`` can say.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from .files import python_texts


def imported_top_names(folder: Path) -> set[str]:
    """The top-level module names the app's modules under ``folder`` import (absolute imports,
    at any depth of the code; the folders ``init`` skips are skipped: ``files.walk``)."""
    names: set[str] = set()
    for _path, text in python_texts(folder):
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def shipped_static(
    folder: Path, root: Path, names: tuple[str, ...] = ("static",)
) -> list[tuple[str, Path]]:
    """(name, its static folder) for each package imported under ``folder`` that is
    installed outside ``root`` (not the standard library) and has files in a folder of one of
    ``names`` (``static/``; starlette-admin's ``statics/``) beside its ``__init__.py``, or one
    folder down (flasgger's Swagger UI in ``ui3/static/``; not under ``tests``); sorted by
    name. Found without importing them."""
    found = []
    project = os.path.realpath(root)
    for name in sorted(imported_top_names(folder) - set(sys.stdlib_module_names)):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        origin = spec.origin if spec else None
        if not origin or not spec or not spec.submodule_search_locations:
            continue
        pkg = Path(os.path.realpath(origin)).parent
        own = root / name if root.name != name else root  # init run in the package itself
        if str(pkg).startswith(project + os.sep) or (own / "__init__.py").is_file():
            continue  # the project's own package (installed too: a copy run in place)
        for static in _static_folders(pkg, names):
            if any(f.is_file() for f in static.rglob("*")):
                found.append((name, static))
                break
    return found


def _static_folders(pkg: Path, names: tuple[str, ...]) -> list[Path]:
    """The folders named one of ``names`` in ``pkg``, then in its sub-folders (sorted; not
    ``tests``, ``__pycache__``)."""
    subs = sorted(
        d for d in pkg.iterdir() if d.is_dir() and d.name not in ("tests", "test", "__pycache__")
    )
    return [f for base in (pkg, *subs) for f in (base / n for n in names) if f.is_dir()]


def served_by_packages(root: Path, keys: Iterable[str]) -> dict[str, str]:
    """Of ``keys`` (references under the public path that the static folder lacks), those a
    static folder of an installed package the app imports holds at that same path: key → that
    folder. A Flask extension's blueprint serves its ``static/`` there (Superset's layout names
    ``{{ assets_prefix }}/static/appbuilder/css/flags/flags16.css``, a file of
    Flask-AppBuilder's ``static/appbuilder/``, which its blueprint answers): ``init`` called it
    a file that 404s, and ``build --strict`` failed on it."""
    wanted = list(keys)
    found: dict[str, str] = {}
    if not wanted:
        return found
    for _name, static in shipped_static(root, root):
        for key in wanted:
            if key not in found and (static / key).is_file():
                found[key] = str(static)
    return found
