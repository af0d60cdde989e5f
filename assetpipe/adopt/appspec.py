"""How ``init`` names the app in ``pipeline.yaml``'s ``audit: app:`` hint (``app_spec``)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from .factories import makers

if TYPE_CHECKING:
    from .discover import Project


def app_spec(project: Project, config_dir: Path) -> str | None:
    """``module:attribute`` of the app for ``--app`` (a factory is called by the audit), when
    the module is importable from the config's folder. A factory that needs arguments cannot be
    called by the audit: the variable a module assigns its result to is named instead
    (``run:app`` for ``app = create_app(config)``), or none. An app made in a function of
    another name that returns it and needs no arguments (Supysonic's
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
        module, attr = app.entry
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


def _maker_call(module: Path) -> str | None:
    """``maker(...)()`` of ``module``'s text, ``None`` when unreadable or none."""
    try:
        name = maker(ast.parse(module.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    return None if name is None else name + "()"


def maker(tree: ast.Module) -> str | None:
    """The module's top-level function that creates a Flask app and returns it (``makers``),
    callable without arguments (each parameter has a default), else ``None``."""
    return next((fn.name for fn, needs_args in makers(tree) if not needs_args), None)
