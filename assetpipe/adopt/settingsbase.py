"""Which module is a Django project's settings, read through the installed module it star-imports.

mailman-web's settings (``/etc/mailman3/settings.py``, as its docs write them) start with
``from mailman_web.settings.base import *``: ``TEMPLATES`` and ``INSTALLED_APPS`` are the
installed package's, and its pages are installed packages' (Postorius, HyperKitty,
django-mailman3). ``init``'s error said to copy their templates into a ``DIRS`` folder and their
static files into a ``STATICFILES_DIRS`` folder and to run it again; once they were
(``TEMPLATES[0]["DIRS"] = [...]`` and ``STATICFILES_DIRS = [...]`` after the import), it said
the same, since no module under the folder names the DjangoTemplates backend. ``settings_module``
now reads such settings as Python runs them: the installed module's statements, then the
project's, a ``TEMPLATES[0]["KEY"] = value`` of the project's setting that key of the backend.
The installed module's lines are 0 (no line of the project's file is named for them).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from pathlib import Path

from .djangotemplates import installed_module
from .files import parsed_modules
from .settingsinline import inlined

#: Django's Jinja2 backends, each with the folder of an app its ``APP_DIRS`` searches
#: (django-jinja's ``OPTIONS["app_dirname"]`` names another)
JINJA_BACKENDS = {
    "django.template.backends.jinja2.Jinja2": "jinja2",
    "django_jinja.backend.Jinja2": "templates",
}


def backend(tree: ast.Module) -> ast.Dict | None:
    """The first backend dict of a settings module's ``TEMPLATES`` that ``init`` builds the
    folders of: ``{"BACKEND": "...DjangoTemplates", ...}`` or a Jinja2 backend's (Django's,
    django-jinja's), which Django asks first for a template. DMOJ lists django-jinja's, then
    Django's for the admin, both with ``DIRS`` naming ``templates/``: ``init`` had the build's
    folder put in the second's ``DIRS`` only, and every page was still rendered by the first,
    from the source templates (the build's hashed names unused)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and app_dirname(node) is not None:
            return node
    return None


def app_dirname(node: ast.Dict) -> str | None:
    """The folder of an app that a template backend's ``APP_DIRS`` searches (``templates``;
    ``jinja2`` for Django's Jinja2 backend); ``None``: not a template backend ``init`` reads."""
    name, options = backend_name(node), _words(node).get("OPTIONS")
    if name.endswith("DjangoTemplates"):
        return "templates"
    if name not in JINJA_BACKENDS:
        return None
    other = _words(options).get("app_dirname") if isinstance(options, ast.Dict) else None
    return str(other.value) if isinstance(other, ast.Constant) else JINJA_BACKENDS[name]


def backend_name(node: ast.Dict | None) -> str:
    """The ``"BACKEND"`` string of a backend dict (``""``: none)."""
    name = _words(node).get("BACKEND") if node is not None else None
    return name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else ""


def _words(node: ast.Dict) -> dict[object, ast.expr]:
    """A dict display's constant keys → their values."""
    return {
        k.value: v
        for k, v in zip(node.keys, node.values, strict=True)
        if isinstance(k, ast.Constant)
    }


def star_imports(root: Path) -> Iterator[tuple[Path, str, ast.Module, str, ast.Module]]:
    """Each module under ``root`` (by path) with a top-level ``from PKG.MODULE import *`` of an
    installed module outside ``root``: its path, text and tree, the dotted name and the
    installed module's tree."""
    for path, text, tree in sorted(parsed_modules(root, "import *"), key=lambda m: str(m[0])):
        for node in tree.body:
            if not (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and node.module
                and [a.name for a in node.names] == ["*"]
            ):
                continue
            found = installed_module(node.module)
            if found is None or found.resolve().is_relative_to(root.resolve()):
                continue
            try:
                installed = ast.parse(found.read_text(encoding="utf-8", errors="replace"))
            except (OSError, SyntaxError, ValueError):
                continue
            yield path, text, tree, node.module, installed


def settings_module(root: Path) -> tuple[Path, ast.Module, str] | None:
    """The shallowest module (then the first by path) whose ``TEMPLATES`` names the
    DjangoTemplates backend or a Jinja2 one (``backend``): its path, tree (with the project's
    modules it star-imports: ``settingsinline.inlined``) and text; else the first that
    star-imports an
    installed module naming it and sets folders of its own (``STATICFILES_DIRS``, a key of
    ``TEMPLATES[N]``), its tree that module's statements then its own (``_through``)."""
    best: tuple[int, str, Path, ast.Module, str] | None = None
    for path, text, tree in parsed_modules(root, "DjangoTemplates", *JINJA_BACKENDS):
        if backend(tree) is not None:
            cand = (len(path.relative_to(root).parts), str(path), path, tree, text)
            best = cand if best is None or cand[:2] < best[:2] else best
    if best is not None:  # with the project's modules it star-imports (Misago's)
        return best[2], inlined(root, best[2], best[3]), best[4]
    for path, text, tree, _, installed in star_imports(root):
        if backend(installed) is not None and _own_folders(tree):
            return path, _through(installed, tree), text
    return None


def _own_folders(tree: ast.Module) -> bool:
    """Whether the module sets ``STATICFILES_DIRS`` or a key of ``TEMPLATES[N]`` itself."""
    for node in tree.body:
        for target in node.targets if isinstance(node, ast.Assign) else []:
            if isinstance(target, ast.Name) and target.id == "STATICFILES_DIRS":
                return True
            if _templates_key(target) is not None:
                return True
    return False


def _templates_key(target: ast.expr) -> str | None:
    """``"DIRS"`` for a target ``TEMPLATES[N]["DIRS"]``; ``None`` for any other."""
    if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Subscript)):
        return None
    inner, key = target.value, target.slice
    named = isinstance(inner.value, ast.Name) and inner.value.id == "TEMPLATES"
    if named and isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _through(installed: ast.Module, own: ast.Module) -> ast.Module:
    """The installed module's statements (lines 0), then ``own``'s; each ``TEMPLATES[N]["KEY"]
    = value`` of ``own`` sets that key of the installed module's backend dict."""
    base = copy.deepcopy(installed)
    for node in ast.walk(base):
        if isinstance(node, ast.expr | ast.stmt):
            node.lineno = 0
    found = backend(base)
    for node in own.body:
        if found is None or not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            key = _templates_key(target)
            if key is None:
                continue
            keys = [k.value if isinstance(k, ast.Constant) else None for k in found.keys]
            if key in keys:
                found.values[keys.index(key)] = node.value
            else:
                found.keys.append(ast.Constant(key))
                found.values.append(node.value)
    return ast.Module(body=[*base.body, *own.body], type_ignores=[])
