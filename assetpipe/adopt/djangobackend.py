"""Which template backend of a Django project's ``TEMPLATES`` the build takes, and its folders.

Django asks its engines for a template in the order of ``TEMPLATES``; the first that finds the
name renders it. ``init`` read the first backend (a change for DMOJ, whose django-jinja backend,
listed first, renders every page). django-debug-toolbar's example project lists Django's Jinja2
backend first for one ``index.jinja`` (its ``DIRS``: ``templates/jinja2``) and
``DjangoTemplates`` second for its eight pages (``templates/``): ``init`` built 1 template where
it built 9 before. One build rewrites its templates in one language (``templates.jinja``), and
its ``templates`` folder, first in a backend's ``DIRS``, would hand the other backend's templates
to an engine that fails on them. So the backend taken is the one whose folders hold most of the
project's templates, each counted for the first backend that finds its name (as Django renders
it) or whose folders hold its file (``templates/jinja2/index.jinja`` is the Jinja2 backend's,
though ``DjangoTemplates``' ``templates/`` holds it too); a tie goes to the earlier backend. The others are named, with their counts, for ``init`` to
say what it left as written.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .djangotemplates import AppTemplates, app_templates, installed_apps, template_names
from .files import remembered, walk_dirs
from .pathexpr import named_exactly, settings_folder
from .settingsbase import app_dirname, backend_name
from .settingstest import holds
from .settingsvalues import assigned


@dataclass(frozen=True)
class Choice:
    """``backend``: the backend dict whose folders are built (``None``: no backend ``init``
    reads); ``left``: each other backend holding templates of the project that none before it
    finds, as (its ``BACKEND``, their count, its folders), in ``TEMPLATES`` order; ``count``:
    the chosen one's."""

    backend: ast.Dict | None
    left: tuple[tuple[str, int, tuple[Path, ...]], ...] = ()
    count: int = 0


def project_dirs(root: Path) -> list[Path]:
    """The project's folders (``walk_dirs``), walked once within ``files.reading_once``."""
    return remembered(("project dirs", root), lambda: [Path(d) for d, _, _ in walk_dirs(root)])


def chosen_backend(root: Path, settings: Path, tree: ast.Module) -> Choice:
    """The backend of the settings module's ``TEMPLATES`` whose folders (``backend_folders``)
    hold most of the project's templates; see the module docstring."""
    values, dirs = assigned(tree), project_dirs(root)
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Dict) and app_dirname(n) is not None]
    seen: set[str] = set()  # the names an earlier backend finds
    held: set[Path] = set()  # the files its folders hold (DMOJ's two backends share a folder)
    counted: list[tuple[ast.Dict, int, tuple[Path, ...]]] = []
    for node in found:
        folders = backend_folders(root, settings, node, values, dirs)[0]
        listing = [(f, template_names(f)) for f in folders]
        files = {n: f / n for f, names in reversed(listing) for n in names}  # the first's
        own = {n for n, file in files.items() if n not in seen and file not in held}
        seen |= set(files)
        held |= {f / n for f, names in listing for n in names}
        holding = tuple(f for f in folders if any(files[n] == f / n for n in own))
        counted.append((node, len(own), holding))
    if not counted:
        return Choice(None)
    best = max(counted, key=lambda c: c[1])  # the first of the most
    left = tuple((backend_name(n), k, f) for n, k, f in counted if n is not best[0] and k)
    return Choice(best[0], left, best[1])


def backend_folders(
    root: Path, settings: Path, tpl: ast.Dict, values: dict[str, ast.expr], dirs: list[Path]
) -> tuple[list[Path], AppTemplates]:
    """The template folders of one backend, in its loaders' order (resolved): every folder of
    its ``DIRS``, then, with ``APP_DIRS`` (``app_dirs``), the folder of each project app that
    it searches (``djangotemplates.app_templates``); and those apps' folders."""
    listed = dirs_expr(tpl)
    templates = [t.resolve() for _, t in folders_of(dirs, settings, listed, values)]
    apps = AppTemplates()
    if app_dirs(tpl, values, root):
        apps = app_templates(root, installed_apps(values), app_dirname(tpl) or "templates")
        # an app's folder is searched in the apps' order (pretalx's unevaluated ``BASE_DIR /
        # "templates"`` was taken for the agenda app's), unless DIRS names it (``named_exactly``)
        exact = named_exactly(listed, values, settings)
        of_apps = {*apps.folders, *(f for f, _ in apps.shadowed)} - exact
        templates = [t for t in templates if t not in of_apps]
        templates += [f for f in apps.folders if f not in exact]
    return templates, apps


def dirs_expr(tpl: ast.Dict | None) -> ast.expr | None:
    """A backend's ``DIRS`` expression (``None``: no backend, or none)."""
    for k, v in zip(tpl.keys, tpl.values, strict=True) if tpl is not None else ():
        if isinstance(k, ast.Constant) and k.value == "DIRS":
            return v
    return None


def app_dirs(backend: ast.Dict, values: dict[str, ast.expr], root: Path) -> bool:
    """Whether the backend looks templates up in its apps' folders: ``"APP_DIRS": True``, or
    the ``app_directories`` loader named in its ``OPTIONS`` (a module-level name there read as
    its value), or a loader class of the project's that subclasses it (pretix's ``'loaders':
    template_loaders``, which names ``pretix.helpers.template_loaders.AppLoader``: its apps'
    640 templates went unbuilt)."""
    for k, v in zip(backend.keys, backend.values, strict=True):
        if isinstance(k, ast.Constant) and k.value == "APP_DIRS":
            return isinstance(v, ast.Constant) and v.value is True
    named = [values[n.id] for n in ast.walk(backend) if isinstance(n, ast.Name) and n.id in values]
    loaders = [ast.unparse(backend), *(ast.unparse(v) for v in named)]
    if any("app_directories" in text for text in loaders):
        return True
    dotted = {
        c.value for e in (backend, *named) for c in ast.walk(e) if isinstance(c, ast.Constant)
    }
    return any(_app_loader(root, d) for d in dotted if isinstance(d, str) and "." in d)


def _app_loader(root: Path, dotted: str) -> bool:
    """Whether ``dotted`` (``pkg.module.Class``) is a class of a module of the project that
    imports Django's ``app_directories`` loader."""
    module = root.joinpath(*dotted.split(".")[:-1]).with_suffix(".py")
    try:
        return "loaders.app_directories" in module.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def folders_of(
    dirs: list[Path], settings: Path, listed: ast.expr | None, values: dict[str, ast.expr]
) -> list[tuple[str, Path]]:
    """The folders of a list of path expressions found among ``dirs``, the project's folders
    (``project_dirs``), in the list's order, each with its prefix (``""``: none). A
    module-level name in an expression stands for its value (NetBox's ``TEMPLATES_DIR =
    BASE_DIR + '/templates'``, listed as ``"DIRS": [TEMPLATES_DIR]``: its ``templates/``,
    hundreds of templates, was never built); a ``(prefix, path)`` item of ``STATICFILES_DIRS``
    is its path. A folder the walk skips by its name (``project-static/dist``, a prebuilt
    bundle) is found all the same: the settings name it (NetBox's source was taken to be its
    second folder, ``project-static/img``)."""
    out: list[tuple[str, Path]] = []
    listed = _resolved(listed, values)
    if not isinstance(listed, ast.List | ast.Tuple):
        return out
    for listed_item in listed.elts:
        item, prefix = _resolved(listed_item, values), ""
        if isinstance(item, ast.Tuple) and len(item.elts) == 2:
            first = item.elts[0]
            prefix = str(first.value) if isinstance(first, ast.Constant) else ""
            item = item.elts[1]
        best = settings_folder(dirs, settings, item, values) if item is not None else None
        if best is not None and best not in (f for _, f in out):
            out.append((prefix, best))
    return out


def _resolved(node: ast.expr | None, values: dict[str, ast.expr]) -> ast.expr | None:
    """``node``, or the value of the module-level name it is; of a conditional expression,
    the branch its test picks when the test compares settings known here (``settingtest``:
    Mathesar's ``[...] if MATHESAR_MODE == 'DEVELOPMENT' else [...]``, the mode an
    environment variable's default sets), else its first branch (pretix's ``STATICFILES_DIRS =
    [...] if os.path.exists(...) else []``: the folders of the project as checked out)."""
    if isinstance(node, ast.Name) and node.id in values:
        node = values[node.id]
    if isinstance(node, ast.IfExp):
        return _resolved(node.orelse if holds(node.test, values) is False else node.body, values)
    return node
