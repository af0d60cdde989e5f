"""How ``init`` names the app in ``pipeline.yaml``'s ``audit: app:`` hint (``app_spec``)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from .asgiapp import called_name
from .factories import makers

if TYPE_CHECKING:
    from .discover import Project


def app_spec(project: Project, config_dir: Path) -> str | None:
    """``module:attribute`` of the app for ``--app`` (a factory is called by the audit), when
    the module is importable from the config's folder. A factory that needs arguments cannot be
    called by the audit: the variable a module assigns its result to is named instead
    (``run:app`` for ``app = create_app(config)``), or none; when importing that module does
    more (``unfit``), the factory called with the module's literal arguments (``entry_call``),
    or none. An app made in a function of another name that returns it and needs no arguments (Supysonic's
    ``create_application(config=None)``) is named as that call, ``supysonic.web:create_application()``:
    without it the audit renders the templates itself, outside the app."""
    app = project.app
    if app is None:
        return None
    attr = app.factory or app.variable or _maker_call(app.module_file)
    if app.dash is not None:  # made in a function: the name or call that returns it
        attr = app.dash.entry
    if not attr:
        return None
    module = app.module_file
    if app.factory_needs_args:  # called with no arguments it fails: name the app it returns
        if app.entry is None:
            return None
        if not unfit(app.entry[0]):
            module, attr = app.entry
        elif call := entry_call(*app.entry, attr):  # the factory, called as the module does
            attr = call
        else:  # importing it would patch the audit's process or never return
            return None
    try:
        rel = module.relative_to(config_dir).with_suffix("")
    except ValueError:
        return None
    parts = list(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
    if len(parts) > 1 and parts[0] == "src" and not (config_dir / "src/__init__.py").exists():
        # a src/ layout: the package is imported from src/ (installed, or src on the path),
        # never as src.package (OctoPrint's own absolute imports would fail)
        parts = parts[1:]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts) + ":" + attr


#: a module-level call that makes a module no place for the audit (or ``watch --app``) to
#: import the app from: gevent's or eventlet's monkey patching (Nyaa's ``WSGI.py`` runs
#: ``gevent.monkey.patch_all()``: the audit's Playwright then stops with "using Playwright Sync
#: API inside the asyncio loop") or a server started on import (its ``run.py`` ends in
#: ``app.run(...)``, which never returns)
_UNFIT_CALLS = ("patch_all", "monkey_patch", "run", "serve_forever")


def unfit_call(module: Path) -> tuple[int, str] | None:
    """The first call of ``_UNFIT_CALLS`` that ``module`` makes at its top level (outside ``if
    __name__ == "__main__"``), as (line, name): importing it is no way to get the app."""
    tree = _parsed(module)
    for node in [] if tree is None else tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            name = called_name(node.value.func)
            if name in _UNFIT_CALLS:
                return node.lineno, name
    return None


def unfit(module: Path) -> bool:
    """Whether ``module`` makes a call of ``_UNFIT_CALLS`` at its top level (``unfit_call``)."""
    return unfit_call(module) is not None


def entry_call(module: Path, variable: str, factory: str) -> str | None:
    """``factory(ARGS)``, as ``module`` calls it in ``variable = factory(ARGS)``, when every
    argument is a literal (``--app`` takes such a call: ``nyaa:create_app('config')``)."""
    tree = _parsed(module)
    for node in [] if tree is None else tree.body:
        value = node.value if isinstance(node, ast.Assign) else None
        named = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == variable for t in node.targets
        )
        if not (named and isinstance(value, ast.Call) and called_name(value.func) == factory):
            continue
        if any(k.arg is None for k in value.keywords):  # **kwargs
            return None
        try:
            for arg in [*value.args, *(k.value for k in value.keywords)]:
                ast.literal_eval(arg)
        except ValueError:
            return None
        shown = [ast.unparse(a) for a in value.args]
        shown += [f"{k.arg}={ast.unparse(k.value)}" for k in value.keywords]
        return f"{factory}({', '.join(shown)})"
    return None


def _parsed(module: Path) -> ast.Module | None:
    """``module``'s syntax tree, ``None`` when unreadable."""
    try:
        return ast.parse(module.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def _maker_call(module: Path) -> str | None:
    """``maker(...)()`` of ``module``'s text, ``None`` when unreadable or none."""
    tree = _parsed(module)
    name = None if tree is None else maker(tree)
    return None if name is None else name + "()"


def maker(tree: ast.Module) -> str | None:
    """The module's top-level function that creates a Flask app and returns it (``makers``),
    callable without arguments (each parameter has a default), else ``None``."""
    return next((fn.name for fn, needs_args in makers(tree) if not needs_args), None)
