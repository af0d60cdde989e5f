"""The functions of a module that make a Flask app (``makers``), the one ``init`` takes as the
app factory (``module_factory``), and the name a function gives the app it creates
(``factory_app``): read from the module's source, nothing run."""

from __future__ import annotations

import ast
import re

from .asgiapp import called_name

_FACTORY = re.compile(r"^def\s+(create_app|make_app|app_factory)\s*\((?P<params>[^)]*)\)", re.M)


def makers(tree: ast.Module, classes: tuple[str, ...] = ()) -> list[tuple[ast.FunctionDef, bool]]:
    """The module's top-level functions that create an app and return it, each with whether
    it needs arguments (a parameter without a default): an app factory, whatever its name
    (Supysonic's ``create_application(config=None)``, rq-dashboard's ``make_flask_app(config)``).
    It creates the app by calling ``Flask`` (or a class whose name ends so, or one of
    ``classes``: Quart, a subclass) and returns the name it assigns that call to
    (``factory_app``)."""
    out = []
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or not _creates(fn, classes):
            continue
        a = fn.args
        needs_args = len(a.defaults) < len(a.posonlyargs) + len(a.args) or None in a.kw_defaults
        name = factory_app(tree, fn.name, classes)
        if any(
            isinstance(n, ast.Return) and isinstance(n.value, ast.Name) and n.value.id == name
            for n in ast.walk(fn)
        ):
            out.append((fn, needs_args))
    return out


def _creates(fn: ast.FunctionDef, classes: tuple[str, ...] = ()) -> bool:
    """Whether ``fn`` calls ``Flask(...)`` (or a class whose name ends so, or one of
    ``classes``)."""
    return any(isinstance(n, ast.Call) and _app_class(n.func, classes) for n in ast.walk(fn))


def _app_class(func: ast.expr, classes: tuple[str, ...]) -> bool:
    """Whether a call of ``func`` creates an app: ``Flask``, a name ending so, or ``classes``."""
    name = called_name(func)
    return name.endswith("Flask") or name.rpartition(".")[2] in classes


def factory_app(tree: ast.Module, factory: str, classes: tuple[str, ...] = ()) -> str:
    """The name the top-level function ``factory`` gives the app it creates: the first target
    it assigns a call of ``Flask`` (or of a class whose name ends so, CTFd's ``CTFdFlask``,
    ``flask.Flask``, or one of ``classes``); ``app`` when none reads so."""
    for fn in tree.body:
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and fn.name == factory:
            for stmt in ast.walk(fn):
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.value, ast.Call)
                    and _app_class(stmt.value.func, classes)
                    and isinstance(stmt.targets[0], ast.Name)
                ):
                    return stmt.targets[0].id
    return "app"


def module_factory(
    text: str, classes: tuple[str, ...], module_app: bool
) -> tuple[str, bool] | None:
    """The app factory a module defines and whether it needs arguments: a top-level
    ``create_app``, ``make_app`` or ``app_factory``, else a function of any name that creates
    the app and returns it (``makers``: Supysonic's ``create_application()``), unless
    the module also creates one at its top level (``module_app``: the app servers import)."""
    m = _FACTORY.search(text)
    if m is not None:
        return m.group(1), _required(m.group("params"))
    if module_app:
        return None
    try:
        found = makers(ast.parse(text), classes)
    except (SyntaxError, ValueError):
        return None
    return (found[0][0].name, found[0][1]) if found else None


def _required(params: str) -> bool:
    """Whether a ``def`` parameter list has a parameter without a default."""
    for p in params.split(","):
        p = p.split(":", 1)[0].strip()
        if p and "=" not in p and not p.startswith("*") and p != "/":
            return True
    return False
