"""A blueprint's own ``static`` view that serves a folder as it is, taken for a static folder.

Some extensions give their blueprint no ``static_folder`` and serve their files through a view
of their own named ``static`` (Flask-MonitoringDashboard: ``@blueprint.route(
'/static/<path:filename>')`` whose body is ``return send_from_directory(loc() + 'static',
filename)``), so their templates still say ``url_for('<blueprint>.static', filename=F)``.
``view_folders`` finds such a view and the folder it serves, and ``BlueprintStatic`` then
hashes, compresses and serves that folder as it does a blueprint's static folder.

A view counts only when all of these hold:

- its rule is ``<prefix><filename>`` (one ``filename`` variable, no subdomain or host) on a
  blueprint without a ``static_folder`` (those are Flask's own route), outside the app's
  static URL;
- its function's body (under any decorators) is one ``return send_from_directory(FOLDER,
  filename)``, after an optional docstring, and ``FOLDER`` is an expression of names,
  attributes, constants, ``+`` and calls (evaluated once, in the function's globals) naming a
  folder;
- called as a request without a session or cookie would call it, decorators included, it
  answers 200 with one of the folder's files byte for byte. A view behind a login (a decorator
  that redirects, or aborts) fails this and keeps its URLs: the files are not public, and
  an immutable public copy must not make them so.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import textwrap
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

_RULE = re.compile(r"^(/[^<>]*)<(?:path:)?filename>$")
_SAFE = (
    ast.Name,
    ast.Attribute,
    ast.Constant,
    ast.BinOp,
    ast.Add,
    ast.Call,
    ast.Load,
    ast.keyword,
    ast.JoinedStr,
    ast.FormattedValue,
)
T = TypeVar("T")
_MEMO = "assetpipe.view_static"  # app.extensions key: (endpoint, id(view)) -> folder or None


def view_folders(app: Any, rules: Iterable[Any], own_prefix: str) -> dict[str, tuple[str, str]]:
    """``<blueprint>.static`` endpoint → (its URL prefix, the real folder its view serves), for
    each blueprint ``static`` view that serves a folder byte for byte (see the module doc).
    ``own_prefix``: the app's static URL, left to the build. Each view is examined once."""
    found: dict[str, tuple[str, str]] = {}
    for rule in rules:
        name, _, tail = rule.endpoint.rpartition(".")
        bp = app.blueprints.get(name) if tail == "static" else None
        m = _RULE.match(rule.rule)
        if bp is None or m is None or rule.subdomain or getattr(rule, "host", None):
            continue
        if getattr(bp, "static_folder", None) or m.group(1) == own_prefix:
            continue
        folder = examined_once(app, _MEMO, rule, _as_is, m.group(1))
        if folder is not None:
            found[rule.endpoint] = (m.group(1), folder)
    return found


def examined_once(
    app: Any, memo_key: str, rule: Any, examine: Callable[..., T], *args: Any
) -> T | None:
    """``examine(app, view, *args)`` for ``rule``'s view, once per endpoint and view function
    for the app's life (memoised in ``app.extensions[memo_key]``); ``None`` when the rule has
    no view."""
    view = app.view_functions.get(rule.endpoint)
    if view is None:
        return None
    memo: dict[tuple[str, int], T | None] = app.extensions.setdefault(memo_key, {})
    key = (rule.endpoint, id(view))
    if key not in memo:
        memo[key] = examine(app, view, *args)
    return memo[key]


def _as_is(app: Any, view: Any, prefix: str) -> str | None:
    """The folder ``view`` serves under ``prefix`` when it answers its files byte for byte."""
    folder = served_folder(view)
    return folder if folder is not None and serves_as_is(app, view, prefix, folder) else None


def view_def(view: Any) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The parsed ``def`` of ``view`` (unwrapped from its decorators), or ``None`` when its
    source cannot be read."""
    fn = inspect.unwrap(view)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    func = tree.body[0] if tree.body else None
    return func if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) else None


def body_of(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    """``func``'s statements without its docstring."""
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[1:]
    return body


def sent_folder(node: ast.expr | None) -> ast.expr | None:
    """FOLDER of ``send_from_directory(FOLDER, filename)`` (plain or as an attribute), else
    ``None``."""
    if not isinstance(node, ast.Call) or len(node.args) != 2 or node.keywords:
        return None
    callee = node.func
    called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
    folder, name = node.args
    if called != "send_from_directory" or not isinstance(name, ast.Name):
        return None
    return folder if name.id == "filename" else None


def served_folder(view: Any) -> str | None:
    """The real folder ``view`` hands to ``send_from_directory`` with its ``filename``, when
    its body is that one call (``None`` otherwise, or when the folder cannot be read safely)."""
    fn = inspect.unwrap(view)
    func = view_def(view)
    if func is None:
        return None
    body = body_of(func)
    call = body[0].value if len(body) == 1 and isinstance(body[0], ast.Return) else None
    target = sent_folder(call)
    if target is None or not all(isinstance(n, _SAFE) for n in ast.walk(target)):
        return None
    try:
        folder = eval(compile(ast.Expression(target), "<view>", "eval"), function_scope(fn))  # noqa: S307 - the app's own code, names and calls only
    except Exception:  # any failure: not a folder we can use
        return None
    if not isinstance(folder, str | os.PathLike) or not os.path.isdir(folder):
        return None
    return os.path.realpath(folder)


def function_scope(fn: Any) -> dict[str, Any]:
    """The names ``fn``'s body sees: its module's globals and its closure's cells."""
    scope = dict(fn.__globals__)
    if fn.__closure__:
        cells = zip(fn.__code__.co_freevars, fn.__closure__, strict=True)
        scope.update((k, c.cell_contents) for k, c in cells)
    return scope


def serves_as_is(
    app: Any, view: Any, prefix: str, folder: str, bound: dict[str, Any] | None = None
) -> bool:
    """Whether ``view``, called for one of ``folder``'s files in a fresh request (no session,
    no cookie, its decorators included; ``bound``: the rule's other variables), answers 200
    with that file's bytes."""
    sample = _a_file(folder)
    if sample is None:
        return False
    with open(os.path.join(folder, sample), "rb") as f:
        expected = f.read()
    try:
        with app.app_context(), app.test_request_context(prefix + sample):
            response = app.make_response(view(**(bound or {}), filename=sample))
            response.direct_passthrough = False
            try:
                return bool(response.status_code == 200 and response.get_data() == expected)
            finally:
                response.close()
    except Exception:  # an abort, a redirect raised, a failing guard: not as is
        return False


def _a_file(folder: str) -> str | None:
    """The smallest file of ``folder`` (the first by name among equals), relative, POSIX."""
    best: tuple[int, str] | None = None
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for n in sorted(names):
            path = os.path.join(root, n)
            try:
                size = os.path.getsize(path)
            except OSError:
                continue
            rel = os.path.relpath(path, folder).replace(os.sep, "/")
            if best is None or (size, rel) < best:
                best = (size, rel)
    return best[1] if best else None
