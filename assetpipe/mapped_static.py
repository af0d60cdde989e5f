"""A view that serves files from a folder it picks by name from a mapping, one folder per name.

MoinMoin serves its XStatic packages (Font Awesome, Pygments' stylesheets, svg-edit: each a pip
package of its own) and the wiki's own ``wiki_local`` folder through one view, ``serve.files``
at ``/+serve/<name>/<path:filename>``::

    base_path = current_app.cfg.serve_files[name]   # in a try: KeyError -> abort(404)
    return send_from_directory(base_path, filename)

and its templates say ``url_for('serve.files', name='font_awesome', filename='css/all.css')``.
That rule has a second variable, so it is no ``<blueprint>.static`` folder: Font Awesome's
stylesheet and its web fonts went out unhashed and were revalidated on every visit.
``mapped_folders`` finds such a view and the mapping it reads, and ``BlueprintStatic`` then
hashes, compresses and serves each folder of the mapping as it does a blueprint's static
folder, keyed ``<endpoint>:<name>`` (as Flask-Themes2's themes are, ``themes2``).

A view counts only when all of these hold:

- its rule is ``<prefix><NAME>/<filename>`` (a ``string`` or ``path`` ``filename``, no
  subdomain or host; Flask-Themes2's ``_themes.static`` is ``themes2``'s);
- its function has one ``return``, ``send_from_directory(FOLDER, filename)``, and ``FOLDER`` is
  a local name assigned once, ``MAPPING[NAME]``, where ``MAPPING`` is an expression of names,
  attributes, constants and constant subscripts (evaluated once, in an app context, in the function's globals); its
  other statements are ``if``/``try`` blocks that only ``abort``, ``raise`` or ``pass``;
- for each name of the mapping whose value is a folder, called as a request without a session
  or cookie would call it, it answers 200 with one of that folder's files byte for byte
  (``view_static.serves_as_is``). A name that fails (a login in front, a value that is a URL,
  as Moin's ``external_docs``) keeps its URLs.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .themes2 import THEMES_ENDPOINT, theme_folders
from .view_static import (
    body_of,
    examined_once,
    function_scope,
    sent_folder,
    serves_as_is,
    view_def,
)

_RULE = re.compile(r"^(/[^<>]*)<(?:string:)?(\w+)>/<(?:path:)?filename>$")
_SAFE = (ast.Name, ast.Attribute, ast.Constant, ast.Load)
_MEMO = "assetpipe.mapped_static"  # app.extensions key: (endpoint, id(view)) -> folders or None


def mapped_folders(
    app: Any, rules: Iterable[Any]
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(``<endpoint>:<name>`` → (that name's URL prefix, its real folder), endpoint → the rule
    variable that picks the folder) for each view that serves a mapping's folders as they are
    (see the module doc). Each view is examined once."""
    found: dict[str, tuple[str, str]] = {}
    selectors: dict[str, str] = {}
    for rule in rules:
        m = _RULE.match(rule.rule)
        if m is None or rule.subdomain or getattr(rule, "host", None):
            continue
        if rule.endpoint == THEMES_ENDPOINT or m.group(2) == "filename":
            continue
        got = examined_once(app, _MEMO, rule, _examine, m.group(1), m.group(2))
        if got is None:
            continue
        selector, folders = got
        selectors[rule.endpoint] = selector
        for name, folder in folders.items():
            found[f"{rule.endpoint}:{name}"] = (f"{m.group(1)}{name}/", folder)
    return found, selectors


def keyed_folders(
    app: Any, rules: Iterable[Any]
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """``mapped_folders``'s folders and selectors with Flask-Themes2's themes added (each
    ``_themes.static:<themeid>``, picked by ``themeid``)."""
    rules = list(rules)
    found, selectors = mapped_folders(app, rules)
    themes = theme_folders(app, rules)
    if themes:
        selectors[THEMES_ENDPOINT] = "themeid"
    found.update(themes)
    return found, selectors


def folder_key(endpoint: str, values: Mapping[str, Any], selectors: Mapping[str, str]) -> str:
    """The ``BlueprintStatic.folders`` key a ``url_for(endpoint, **values)`` names:
    ``<endpoint>:<value>`` for an endpoint whose folder a variable picks, else ``endpoint``."""
    selector = selectors.get(endpoint)
    value = values.get(selector) if selector else None
    return f"{endpoint}:{value}" if isinstance(value, str) else endpoint


def _examine(app: Any, view: Any, prefix: str, selector: str) -> tuple[str, dict[str, str]] | None:
    """(``selector``, name → real folder) for the names whose folder ``view`` serves as is."""
    fn = inspect.unwrap(view)
    mapping_expr = _mapping_expr(fn, selector)
    if mapping_expr is None:
        return None
    try:
        with app.app_context():
            code = compile(ast.Expression(mapping_expr), "<view>", "eval")
            mapping = eval(code, function_scope(fn))  # noqa: S307 - the app's own code, names and attributes only
    except Exception:  # any failure: not a mapping we can use
        return None
    if not isinstance(mapping, Mapping):
        return None
    folders: dict[str, str] = {}
    for name, value in list(mapping.items()):
        if not isinstance(name, str) or not name or "/" in name:
            continue
        if not isinstance(value, str | os.PathLike) or not os.path.isdir(value):
            continue
        folder = os.path.realpath(value)
        if serves_as_is(app, view, f"{prefix}{name}/", folder, {selector: name}):
            folders[name] = folder
    return (selector, folders) if folders else None


def _mapping_expr(view: Any, selector: str) -> ast.expr | None:
    """``MAPPING`` of ``FOLDER = MAPPING[selector]`` in a view whose one ``return`` is
    ``send_from_directory(FOLDER, filename)`` and whose other statements only guard it."""
    func = view_def(view)
    if func is None:
        return None
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return)]
    folder = sent_folder(returns[0].value if len(returns) == 1 else None)
    if not isinstance(folder, ast.Name):
        return None
    assigns = [
        n
        for n in ast.walk(func)
        if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign)
        and any(isinstance(t, ast.Name) and t.id == folder.id for t in _targets(n))
    ]
    if len(assigns) != 1 or not isinstance(assigns[0], ast.Assign):
        return None
    value = assigns[0].value
    if not isinstance(value, ast.Subscript):
        return None
    if not (isinstance(value.slice, ast.Name) and value.slice.id == selector):
        return None
    if not all(_safe(n) for n in ast.walk(value.value)):
        return None
    if not all(_guard_only(s, assigns[0], returns[0]) for s in body_of(func)):
        return None
    return value.value


def _safe(node: ast.AST) -> bool:
    """A node of a mapping expression: names, attributes, constants, constant subscripts
    (``current_app.config["SERVE_FILES"]``)."""
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant)
    return isinstance(node, _SAFE)


def _targets(node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[ast.expr]:
    return list(node.targets) if isinstance(node, ast.Assign) else [node.target]


def _guard_only(stmt: ast.stmt, assign: ast.stmt, ret: ast.stmt) -> bool:
    """Whether ``stmt`` is the assignment, the return, or a block that only aborts."""
    if stmt is assign or stmt is ret or isinstance(stmt, ast.Pass | ast.Raise):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        callee = stmt.value.func
        return (
            callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
        ) == "abort"
    if isinstance(stmt, ast.If):
        return all(_guard_only(s, assign, ret) for s in (*stmt.body, *stmt.orelse))
    if isinstance(stmt, ast.Try):
        blocks = [*stmt.body, *stmt.orelse, *stmt.finalbody]
        blocks += [s for h in stmt.handlers for s in h.body]
        return all(_guard_only(s, assign, ret) for s in blocks)
    return False
