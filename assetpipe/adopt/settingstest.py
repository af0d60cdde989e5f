"""Whether a settings module's condition holds, read without running it.

Mathesar's settings pick ``STATICFILES_DIRS`` by mode: ``[MATHESAR_UI_SOURCE_LOCATION, ...] if
MATHESAR_MODE == 'DEVELOPMENT' else [MATHESAR_UI_BUILD_LOCATION, ...]``, with ``MATHESAR_MODE =
os.environ.get('MODE', default='PRODUCTION')``. Read as its first branch, ``init`` took the
Svelte sources the development server compiles for the static folder (722 ``.svelte`` and
``.ts`` files copied and precompressed), where the project as it runs by default serves its
production build. A comparison of values known here (literals, module-level names, an
environment variable's default) is evaluated; anything else is unknown (``None``).
"""

from __future__ import annotations

import ast

#: ``os.environ.get("X", default)``, ``os.getenv("X", default)``: the value when X is unset
_ENV_GETTERS = ("environ.get", "getenv")


def holds(test: ast.expr, values: dict[str, ast.expr]) -> bool | None:
    """``test`` (an ``==`` / ``!=`` comparison, or its ``not``) evaluated over ``values`` (the
    module's assignments); ``None`` when a side is not known here."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = holds(test.operand, values)
        return None if inner is None else not inner
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left, right = known(test.left, values, 0), known(test.comparators[0], values, 0)
    if left is None or right is None:
        return None
    if isinstance(test.ops[0], ast.Eq):
        return left == right
    if isinstance(test.ops[0], ast.NotEq):
        return left != right
    return None


def known(node: ast.expr, values: dict[str, ast.expr], depth: int = 0) -> object | None:
    """The constant ``node`` stands for: a literal, a module-level name's value, an
    environment getter's default; ``None``: not known here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in values and depth < 4:
        return known(values[node.id], values, depth + 1)
    if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(_ENV_GETTERS):
        default = node.args[1] if len(node.args) > 1 else None
        default = next((k.value for k in node.keywords if k.arg == "default"), default)
        return known(default, values, depth + 1) if default is not None else None
    return None
