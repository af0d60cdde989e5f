"""The values a Django settings module assigns to its names, read without importing it.

A setting is assigned at the module's top level (``STATIC_URL = "/static/"``), or only inside
the branches of a top-level ``if`` or ``try`` (Django Girls' site picks its
``STATICFILES_DIRS`` by environment: ``static/source`` under CI, ``static/local`` with
``DEBUG``, ``static/build`` otherwise, the last two made by its gulp build). ``assigned``
gives the top level's values; ``candidates`` every value a name may take, for a caller that
looks for the one that fits the checkout (the folder that exists).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator


def assigned(tree: ast.Module) -> dict[str, ast.expr]:
    """The module's top-level ``NAME = value`` assignments, by name (the last one's value)."""
    return {name: value for name, value, top in _assignments(tree) if top}


def candidates(tree: ast.Module, name: str) -> list[ast.expr]:
    """Every value ``name`` may take: the top level's (``assigned``), then those assigned
    inside the branches of top-level ``if``/``try`` blocks, in source order."""
    first = assigned(tree).get(name)
    rest = [v for n, v, top in _assignments(tree) if n == name and not top]
    return [first, *rest] if first is not None else rest


def _assignments(tree: ast.Module) -> Iterator[tuple[str, ast.expr, bool]]:
    """(name, value, at the top level) of each single-name assignment of the module's top
    level and of its top-level ``if``/``try`` blocks (nested ones too), in source order."""

    def walk(body: list[ast.stmt], top: bool) -> Iterator[tuple[str, ast.expr, bool]]:
        for n in body:
            if isinstance(n, ast.Assign) and len(n.targets) == 1:
                target = n.targets[0]
                if isinstance(target, ast.Name):
                    yield target.id, n.value, top
            elif isinstance(n, ast.If):
                yield from walk(n.body, False)
                yield from walk(n.orelse, False)
            elif isinstance(n, ast.Try):
                for part in (n.body, *(h.body for h in n.handlers), n.orelse, n.finalbody):
                    yield from walk(part, False)

    yield from walk(tree.body, True)
