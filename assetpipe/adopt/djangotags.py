"""A Django project's own template tags that give a static file's URL, for
``templates.static_functions`` (``rewrite.djangotags``).

A tag is recognised by what it does, not by its name: a function registered as a
``simple_tag`` (``@register.simple_tag``, with or without arguments) whose body calls
Django's ``static()`` on its first parameter. NetBox's ``static_with_params(path, **params)``
returns ``static(path)`` with a ``?v=`` query added; every page links its stylesheets, bundle
and theme script through it, and without it listed the build rewrote none of them: the
pages' largest files stayed unhashed, revalidated on every visit.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .files import parsed_modules


def static_tags(root: Path) -> tuple[str, ...]:
    """The names of the project's simple tags whose first parameter is passed to
    ``static()``, sorted."""
    found: set[str] = set()
    for _path, _text, tree in parsed_modules(root, "simple_tag"):
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.FunctionDef)
                and any(_is_simple_tag(d) for d in node.decorator_list)
                and node.args.args
                and _passes_to_static(node, node.args.args[0].arg)
            ):
                found.add(node.name)
    return tuple(sorted(found))


def _is_simple_tag(decorator: ast.expr) -> bool:
    """``@register.simple_tag`` or ``@register.simple_tag(...)``."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "simple_tag"


def _passes_to_static(func: ast.FunctionDef, param: str) -> bool:
    """Whether ``func`` calls ``static(param)`` (or ``staticfiles_storage.url(param)``)."""
    for node in ast.walk(func):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        storage = isinstance(f, ast.Attribute) and ast.unparse(f) == "staticfiles_storage.url"
        arg = node.args[0]
        if (name == "static" or storage) and isinstance(arg, ast.Name) and arg.id == param:
            return True
    return False
