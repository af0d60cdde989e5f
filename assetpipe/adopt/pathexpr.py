"""A settings module's path expressions, evaluated as Python evaluates them on import.

Django settings name their folders by expressions built from ``__file__``
(``os.path.join(BASE_DIR, "templates")`` with ``BASE_DIR =
os.path.dirname(os.path.dirname(__file__))``, ``Path(__file__).resolve().parent.parent /
"static"``). ``init`` read only their string literals, as a path's last parts: pretix's
``os.path.join(BASE_DIR, 'templates')`` names a folder that does not exist (its templates are
its apps'), and was taken for the first of the project's many ``templates/`` folders,
``pretix/base/templates``. Evaluated, it is the folder Django reads, or none.
"""

from __future__ import annotations

import ast
import os
import posixpath
from collections.abc import Callable
from pathlib import Path

from .asgiapp import called_name

#: ``os.path`` functions of one path, by name
_ONE: dict[str, Callable[[str], str]] = {
    "dirname": posixpath.dirname,
    "abspath": posixpath.normpath,
    "realpath": posixpath.normpath,
    "normpath": posixpath.normpath,
}


#: the calls whose arguments are parts of the path they make
_PATH_CALLS = {*_ONE, "join", "Path", "PurePath", "str", "resolve", "absolute", "joinpath"}


def eval_path(node: ast.AST, values: dict[str, ast.expr], module: Path) -> str | None:
    """The path ``node`` evaluates to in ``module`` (its ``__file__``), a module-level name
    read as its value (``values``); ``None`` when a part of it is none of the forms below:
    a string literal, ``__file__``, ``os.path.dirname``/``abspath``/``realpath``/
    ``normpath``/``join``, ``Path(...)``, ``.parent``, ``.parents[N]``, ``.resolve()``,
    ``.absolute()``, ``.joinpath(...)``, django-environ's ``Path(...) - N`` and ``.path(...)``,
    ``str(...)``, ``/`` and ``+`` on paths and strings, a string's
    ``.replace(old, new)`` (Kiwi TCMS's ``os.path.join(TCMS_ROOT_PATH, "static").replace("\\",
    "/")``), a call of a module-level ``lambda`` of those."""
    return _eval(node, values, str(module.resolve()), 0)


def _eval(node: ast.AST, values: dict[str, ast.expr], module: str, depth: int) -> str | None:
    if depth > 8:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return module
        value = values.get(node.id)
        return None if value is None else _eval(value, values, module, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.Add):
        left = _eval(node.left, values, module, depth + 1)
        right = _eval(node.right, values, module, depth + 1)
        if left is None or right is None:
            return None
        return posixpath.join(left, right) if isinstance(node.op, ast.Div) else left + right
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        # django-environ's ``environ.Path(__file__) - 3``: three folders up (cookiecutter-django
        # before 2020, Bootcamp); a ``Path`` of pathlib has no ``-``
        up, inner = node.right, _eval(node.left, values, module, depth + 1)
        if inner is None or not isinstance(up, ast.Constant) or not isinstance(up.value, int):
            return None
        return _up(inner, up.value)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _eval(node.value, values, module, depth + 1)
        return None if inner is None else _up(inner, 1)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        index = node.slice
        if node.value.attr != "parents" or not isinstance(index, ast.Constant):
            return None
        inner = _eval(node.value.value, values, module, depth + 1)
        if inner is None or not isinstance(index.value, int):
            return None
        return _up(inner, index.value + 1)
    if isinstance(node, ast.Call):
        return _call(node, values, module, depth)
    return None


def _up(path: str, levels: int) -> str:
    """The folder ``levels`` folders above ``path`` (``.parents[N]``: N + 1; ``- N``: N)."""
    path = posixpath.normpath(path)
    for _ in range(levels):
        path = posixpath.dirname(path)
    return path


def _call(node: ast.Call, values: dict[str, ast.expr], module: str, depth: int) -> str | None:
    """A call of the forms ``eval_path`` names."""
    if node.keywords:
        return None
    args = [_eval(a, values, module, depth + 1) for a in node.args]
    if any(a is None for a in args):
        return None
    given = [a for a in args if a is not None]
    func = node.func
    name = called_name(func)
    helper = values.get(func.id) if isinstance(func, ast.Name) else None
    if isinstance(helper, ast.Lambda) and len(helper.args.args) == len(given):
        # django-oscar's sandbox: ``location = lambda x: os.path.join(HERE, x)``, then
        # ``location('static/')``: the body, its parameters read as the arguments' values
        bound = {a.arg: ast.Constant(v) for a, v in zip(helper.args.args, given, strict=True)}
        return _eval(helper.body, {**values, **bound}, module, depth + 1)
    if isinstance(func, ast.Attribute) and name in ("resolve", "absolute") and not given:
        inner = _eval(func.value, values, module, depth + 1)
        return None if inner is None else posixpath.normpath(inner)
    if isinstance(func, ast.Attribute) and name in ("joinpath", "path") and given:
        # djangopackages' ``PROJECT_ROOT.joinpath("static")`` (no static folder was found);
        # django-environ's ``APPS_DIR.path("static")``
        inner = _eval(func.value, values, module, depth + 1)
        return None if inner is None else posixpath.join(inner, *given)
    if isinstance(func, ast.Attribute) and name == "replace" and len(given) == 2:
        inner = _eval(func.value, values, module, depth + 1)
        return None if inner is None else inner.replace(given[0], given[1])
    if name in ("Path", "PurePath", "str") and given:
        return posixpath.join(*given)
    if not (isinstance(func, ast.Attribute) and ast.unparse(func.value) in ("os.path", "path")):
        return None
    if name == "join" and given:
        return posixpath.join(*given)
    if name in _ONE and len(given) == 1:
        return _ONE[name](given[0])
    return None


def settings_folder(
    dirs: list[Path], settings: Path, item: ast.expr, values: dict[str, ast.expr]
) -> Path | None:
    """The folder of the project's ``dirs`` (the project's own folder first) that one path
    expression of the settings module ``settings`` names: the one it evaluates to
    (``eval_path``), none when that is no folder of the project (module doc); an expression
    that does not evaluate is read by its string literals, as a path's last parts, the
    folder of ``dirs`` ending so nearest the settings module."""
    found = eval_path(item, values, settings)
    if found is not None and posixpath.isabs(found):
        folder = Path(posixpath.normpath(found))
        real = folder.resolve()
        # the build's own templates, pasted first in DIRS (``dist`` links into .assetpipe/)
        inside = real.is_relative_to(dirs[0].resolve()) and ".assetpipe" not in real.parts
        return folder if inside and folder.is_dir() else None
    tail = tuple(_path_parts(item, values, 0))
    if not tail:
        return None
    hits = [d for d in dirs if d.parts[-len(tail) :] == tail]
    head = tail[:-1]
    skipped = [d / tail[-1] for d in dirs if not head or d.parts[-len(head) :] == head]
    hits += [d for d in skipped if d not in hits and d.is_dir()]
    if not hits:
        return None
    near = settings.resolve().parent
    return max(hits, key=lambda h: (_shared(h.resolve(), near), -len(h.parts)))


def _path_parts(node: ast.AST, values: dict[str, ast.expr], depth: int) -> list[str]:
    """The folder names a path expression's string literals spell, in source order, a
    module-level name read as its value (a few levels deep: ``BASE_DIR`` of ``PROJECT_DIR``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [p for p in node.value.split("/") if p and p != "."]
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        return _path_parts(value, values, depth + 1) if value is not None and depth < 4 else []
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Attribute) and func.attr == "replace":
        # the string's own parts (Kiwi TCMS's ``.replace("\\", "/")``), not the characters swapped
        return _path_parts(func.value, values, depth)
    own = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in values
    if isinstance(node, ast.Call) and called_name(node.func) not in _PATH_CALLS and not own:
        return []  # a value known at run time (pretalx's config.get("filesystem", "base"))
    return [p for child in ast.iter_child_nodes(node) for p in _path_parts(child, values, depth)]


def _shared(a: Path, b: Path) -> int:
    """How many leading folders two absolute paths share."""
    return len(Path(os.path.commonpath([a, b])).parts)


def named_exactly(
    listed: ast.expr | None, values: dict[str, ast.expr], settings: Path
) -> set[Path]:
    """The folders (resolved) of a list of path expressions (a module-level name read as its
    value) that evaluate (``eval_path``) to a folder: named for certain, not by their last
    parts. Tandoor's ``DIRS`` lists its ``cookbook`` app's ``templates/`` (Django then searches
    it before every app's, installed ones too); it was taken for the app's folder alone,
    dropped as shadowed by an installed package's template, and no template was built."""
    if isinstance(listed, ast.Name):
        listed = values.get(listed.id)
    if not isinstance(listed, ast.List | ast.Tuple):
        return set()
    found = (eval_path(item, values, settings) for item in listed.elts)
    return {
        Path(posixpath.normpath(f)).resolve()
        for f in found
        if f is not None and posixpath.isabs(f) and Path(f).is_dir()
    }
