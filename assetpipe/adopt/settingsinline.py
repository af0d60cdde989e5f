"""Django settings read with the project's own modules they star-import, as Python runs them.

Two layouts ``init`` read wrong, each a settings module split across project modules:

- Misago's ``devproject/settings.py`` names the DjangoTemplates backend and starts with ``from
  misago.settings import *`` (a module of the checkout, not an installed one), then sets
  ``INSTALLED_APPS = [*INSTALLED_PLUGINS, *INSTALLED_APPS]``: read alone, no app of the
  project was named, and ``init`` said the project had no static folder of its own.
  ``inlined`` puts the star-imported project modules' statements where their import is (their
  lines 0: no line of the settings file is named for them).
- Graphite's WSGI module runs ``graphite.settings``, which star-imports ``graphite.app_settings``
  (the module naming the backend, read by ``init``) and then sets ``STATICFILES_DIRS`` itself:
  ``running_settings`` is that module, where ``init`` looks for ``STATICFILES_DIRS`` when the
  module it reads sets none that exists.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

from .djangoentry import entry_module
from .files import parsed_file, remembered

#: ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkg.settings")`` or an assignment
SETTINGS_ENV = re.compile(r"""["']DJANGO_SETTINGS_MODULE["']\s*(?:,|\]\s*=)\s*["']([\w.]+)["']""")


def project_module(root: Path, name: str, importer: Path, level: int = 0) -> Path | None:
    """The file under ``root`` of module ``name`` as ``importer`` imports it (``level``: the
    dots of a relative import): a relative name from ``importer``'s package; an absolute one
    from the nearest folder above ``importer`` (up to ``root``, then ``root/src``) that holds
    it (``graphite.settings`` from ``webapp/graphite/wsgi.py`` is
    ``webapp/graphite/settings.py``, ``webapp`` on ``sys.path``); ``None``: not the project's."""
    parts = name.split(".") if name else []
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    elif parts:
        up = [p for p in importer.parents if p == root or p.is_relative_to(root)]
        bases = [*up, root / "src"]
    else:
        return None
    for base in bases:
        found = [base.joinpath(*parts).with_suffix(".py")] if parts else []
        found.append(base.joinpath(*parts, "__init__.py"))
        hit = next((f for f in found if f.is_file()), None)
        if hit is not None:
            return hit
    return None


def inlined(root: Path, path: Path, tree: ast.Module, depth: int = 0) -> ast.Module:
    """``tree`` (the module at ``path``) with each top-level ``from MODULE import *`` of a
    module of the project replaced by that module's statements (inlined in turn, four deep at
    most), their lines 0; a module that is not the project's, or does not parse, stays an
    import."""
    body: list[ast.stmt] = []
    for node in tree.body:
        found = _star_module(root, path, node) if depth < 4 else None
        shared = parsed_file(found) if found is not None and found != path else None
        if shared is None or found is None:
            body.append(node)
            continue
        inner = copy.deepcopy(shared)  # its lines zeroed below; the parse is shared
        for sub in ast.walk(inner):
            if isinstance(sub, ast.expr | ast.stmt):
                sub.lineno = 0
        body.extend(inlined(root, found, inner, depth + 1).body)
    return ast.Module(body=body, type_ignores=[])


def running_settings(root: Path, settings: Path) -> tuple[Path, ast.Module] | None:
    """The module the WSGI module's ``DJANGO_SETTINGS_MODULE`` names, with its tree, when it
    is another module of the project that star-imports ``settings`` (anywhere in it: Graphite's
    ``if not GRAPHITE_WEB_APP_SETTINGS_LOADED: from graphite.app_settings import *``)."""
    named = _wsgi_settings(root)
    runs = project_module(root, named[1], named[0]) if named is not None else None
    tree = parsed_file(runs) if runs is not None and runs != settings else None
    if runs is None or tree is None:
        return None
    imports = (_star_module(root, runs, node) for node in ast.walk(tree))
    return (runs, tree) if any(f == settings for f in imports) else None


def import_root(root: Path) -> Path | None:
    """The folder under ``root`` the project's modules are imported from, when it is not
    ``root``: the parent of the WSGI module's package that its ``DJANGO_SETTINGS_MODULE`` starts
    with (Apprise API's ``manage.py`` puts ``apprise_api/`` on ``sys.path``, its WSGI module
    ``apprise_api/core/wsgi.py`` runs ``core.settings``: its apps ``api`` and ``error`` are
    ``apprise_api/api`` and ``apprise_api/error``, none of which ``init`` found), or the
    folder of the WSGI module itself, a top-level module beside that package (Tabbycat's
    ``tabbycat/wsgi.py`` runs ``settings``, the package ``tabbycat/settings/``: its 19 apps'
    ``templates/`` folders, ``tabbycat/draw/templates``..., were not built, their pages'
    scripts left unhashed). The nearest folder above the WSGI module that holds that first
    part as a package or module; ``None`` when that is ``root`` or there is none."""
    named = _wsgi_settings(root)
    if named is None:
        return None
    first = named[1].split(".")[0]
    for folder in named[0].parents:
        if folder == root or not folder.is_relative_to(root):
            return None
        if (folder / first / "__init__.py").is_file() or (folder / f"{first}.py").is_file():
            return folder
    return None


def _wsgi_settings(root: Path) -> tuple[Path, str] | None:
    """The WSGI module and the ``DJANGO_SETTINGS_MODULE`` it sets, looked up once within
    ``reading_once`` (``import_root`` is asked for every app name ``init`` looks up)."""

    def find() -> tuple[Path, str] | None:
        wsgi = entry_module(root, "get_wsgi_application")
        try:
            text = wsgi[0].read_text(encoding="utf-8") if wsgi is not None else ""
        except (OSError, UnicodeDecodeError):
            return None
        named = SETTINGS_ENV.search(text)
        return (wsgi[0], named.group(1)) if wsgi is not None and named is not None else None

    return remembered(("wsgi_settings", root), find)


def _star_module(root: Path, path: Path, node: ast.AST) -> Path | None:
    """The project module a ``from MODULE import *`` ``node`` of ``path`` imports."""
    if not isinstance(node, ast.ImportFrom) or [a.name for a in node.names] != ["*"]:
        return None
    return project_module(root, node.module or "", path, node.level)
