"""The values a Django settings module assigns to its names, read without importing it.

A setting is assigned at the module's top level (``STATIC_URL = "/static/"``), or only inside
the branches of a top-level ``if`` or ``try`` (Django Girls' site picks its
``STATICFILES_DIRS`` by environment: ``static/source`` under CI, ``static/local`` with
``DEBUG``, ``static/build`` otherwise, the last two made by its gulp build), or inside a
settings class (django-configurations). ``assigned`` gives the top level's values (a class's
where the top level has none); ``candidates`` every value a name may take, for a caller that
looks for the one that fits the checkout (the folder that exists).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator


def assigned(tree: ast.Module) -> dict[str, ast.expr]:
    """The module's top-level ``NAME = value`` assignments, by name (the last one's value),
    and, for an upper-case name the top level does not assign, its first in a top-level
    class (django-configurations' settings classes: Read the Docs'
    ``class CommunityBaseSettings(Settings)`` holds ``STATICFILES_DIRS``, ``SITE_ROOT``...)."""
    out: dict[str, ast.expr] = {}
    for name, value, kind in _assignments(tree):
        if kind == "top":
            prev = out.get(name)
            out[name] = value if prev is None else _with_previous(value, name, prev)
    for name, value, kind in _assignments(tree):
        if kind == "class" and name.isupper() and name not in out:
            out[name] = value
    return out


def _with_previous(value: ast.expr, name: str, prev: ast.expr) -> ast.expr:
    """``value`` with each read of ``name`` replaced by ``prev``, the value ``name`` had before:
    Tandoor's ``INSTALLED_APPS = INSTALLED_APPS + SOCIAL_PROVIDERS`` (and ``+=``) extends the
    list assigned above it, and reading the last assignment alone lost every app in it."""

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            return prev if node.id == name and isinstance(node.ctx, ast.Load) else node

    done: ast.expr = Substitute().visit(copy.deepcopy(value))
    return done


def candidates(tree: ast.Module, name: str) -> list[ast.expr]:
    """Every value ``name`` may take: ``assigned``'s, then those assigned inside the
    branches of top-level ``if``/``try`` blocks, in source order."""
    first = assigned(tree).get(name)
    rest = [v for n, v, kind in _assignments(tree) if n == name and kind == "branch"]
    return [first, *rest] if first is not None else rest


def _assignments(tree: ast.Module) -> Iterator[tuple[str, ast.expr, str]]:
    """(name, value, where: ``top``, ``branch`` or ``class``) of each single-name assignment
    (``NAME += x`` as ``NAME + x``) of the module's top level, of its top-level ``if``/``try`` blocks (nested ones too) and
    of its top-level classes' bodies, in source order."""

    def walk(body: list[ast.stmt], kind: str) -> Iterator[tuple[str, ast.expr, str]]:
        for n in body:
            if isinstance(n, ast.Assign) and len(n.targets) == 1:
                target = n.targets[0]
                if isinstance(target, ast.Name):
                    yield target.id, n.value, kind
            elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
                read = ast.Name(n.target.id, ast.Load())
                yield n.target.id, ast.BinOp(read, n.op, n.value), kind
            elif isinstance(n, ast.If):
                yield from walk(n.body, "branch" if kind == "top" else kind)
                yield from walk(n.orelse, "branch" if kind == "top" else kind)
            elif isinstance(n, ast.Try):
                for part in (n.body, *(h.body for h in n.handlers), n.orelse, n.finalbody):
                    yield from walk(part, "branch" if kind == "top" else kind)
            elif isinstance(n, ast.ClassDef) and kind == "top":
                yield from walk(n.body, "class")

    yield from walk(tree.body, "top")
