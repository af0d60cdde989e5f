"""Another installed copy of the project's own package, for ``init``'s note.

An app installed from PyPI and adopted in a copy of its source (ihatemoney: ``pip install
ihatemoney``, its sdist unpacked, ``init`` and the two lines in the copy) runs adopted only when
Python finds the copy first: a server started in the copy's folder (gunicorn, ``flask --app``
put the working directory first on ``sys.path``). The app's own console script (``ihatemoney
run``) and a server started in any other folder import the copy in site-packages, which lacks
the two lines: the pages were served unbuilt, as before adoption, without a word.
``installed_copy`` finds that copy without importing it, so ``init`` can name it.
"""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InstalledCopy:
    """The project's top-level package ``name`` as ``sys.path`` finds it outside the project:
    at ``folder``, a copy other than the project's, whose distribution installs ``scripts``
    (console scripts that import it); ``adopted``: its copy of the app's module calls
    ``AssetPipe(`` too (the adopted folder installed with ``pip install .``: a snapshot with
    neither ``pipeline.yaml`` nor the build beside it)."""

    name: str
    folder: Path
    scripts: tuple[str, ...]
    adopted: bool = False


def top_package(module_file: Path) -> Path | None:
    """The folder of the top-level package ``module_file`` belongs to (the outermost folder,
    going up, with an ``__init__.py``), or None for a module outside a package (an ``app.py``:
    a name too common to call another module of that name a copy of it)."""
    top = None
    folder = module_file.parent
    while (folder / "__init__.py").is_file():
        top, folder = folder, folder.parent
    return top


def installed_copy(module_file: Path, root: Path) -> InstalledCopy | None:
    """The copy of ``module_file``'s top-level package that Python imports when neither the
    project folder ``root`` nor the package's parent folder is on ``sys.path`` (a console
    script, a server started in another folder), when that copy is not the project's own
    (an editable install of the project finds the project's folder: None). Found with
    ``sys.path``'s finders, without importing anything."""
    pkg = top_package(module_file)
    if pkg is None:
        return None
    own = {os.path.realpath(p) for p in (root, pkg.parent, os.getcwd())}
    path = [e for e in sys.path if e and os.path.realpath(e) not in own]
    try:
        spec = importlib.machinery.PathFinder.find_spec(pkg.name, path)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(os.path.realpath(next(iter(spec.submodule_search_locations))))
    if folder == Path(os.path.realpath(pkg)):
        return None
    twin = folder / module_file.relative_to(pkg)
    try:
        adopted = "AssetPipe(" in twin.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        adopted = False
    return InstalledCopy(pkg.name, folder, _console_scripts(pkg.name), adopted)


def _console_scripts(name: str) -> tuple[str, ...]:
    """The console scripts of the installed distributions of package ``name`` whose entry
    point is in that package, sorted."""
    dists = importlib.metadata.packages_distributions().get(name, [])
    scripts: set[str] = set()
    for dist in dists:
        try:
            eps = importlib.metadata.distribution(dist).entry_points
        except importlib.metadata.PackageNotFoundError:
            continue
        scripts.update(
            ep.name
            for ep in eps
            if ep.group == "console_scripts" and ep.value.split(":")[0].split(".")[0] == name
        )
    return tuple(sorted(scripts))


def installed_note(copy: InstalledCopy, root: Path) -> str:
    """``init``'s note naming ``copy`` and what to do: install the project in its place
    (``pip install -e .`` where the project has a ``pyproject.toml`` or ``setup.py``), else
    start the app from the project's folder only."""
    shown = os.path.relpath(copy.folder, root)
    started = ""
    if copy.scripts:
        names = " and ".join(f"`{s}`" for s in copy.scripts)
        started = f"{names} (its console script{'s' if len(copy.scripts) > 1 else ''}) and "
    packaged = any((root / f).is_file() for f in ("pyproject.toml", "setup.py", "setup.cfg"))
    fix = (
        "install this folder in its place: `pip install -e .` here"
        if packaged
        else "start the app from this folder only, or uninstall that copy"
    )
    what = (
        "a copy installed apart from this folder"
        if copy.adopted
        else "a copy without the two lines"
    )
    serve = (
        "fail to start (AssetPipe(app) finds no pipeline.yaml beside that copy)"
        if copy.adopted
        else "serve the pages unbuilt, as before"
    )
    return (
        f"note: {copy.name} is also installed at {shown}, {what}: the app runs adopted when"
        f" started in this folder (gunicorn, flask --app), but {started}a server started in"
        f' another folder import that copy and {serve}; {fix} (docs/adopting.md, "An app'
        ' installed from PyPI").'
    )
