"""Where ``init`` asks for a new top-level import: with the module's own imports.

``init`` printed ``from assetpipe... import ...`` among the lines that go after the statement
making the app (``app = Flask(__name__)``, Django's ``application = get_wsgi_application()``):
pasted so, a project linted in CI (cookiecutter-django's pre-commit ruff, any flake8 setup)
failed on E402, "module level import not at top of file". The import goes after the last line of
the module's leading imports instead, where a linter wants it, and the other lines where they
were. The leading imports are what E402 allows before them: a docstring, imports,
``if``/``try`` blocks made of imports only (``if TYPE_CHECKING:``, ``try: import x except
ImportError: ...``) and the ``sys.path``/``os.environ`` changes ruff and pycodestyle accept
among them (cookiecutter-django's WSGI module appends to ``sys.path`` before its imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

#: the calls a module may make among its imports without breaking E402 (ruff's and
#: pycodestyle's exemptions): changing where imports are found, or the environment they read
_ALLOWED_CALLS = ("sys.path.", "os.environ.", "site.addsitedir")


def import_spot(tree: ast.Module) -> int:
    """The line after which a new top-level import goes: the last line of the module's last
    leading import statement (see the module docstring) that is not in a block, or of its
    docstring when it has none; ``0`` (its top) when it has neither. An ``if``/``try`` block of
    imports is among the leading imports but never the line named: its last line is indented
    (beets' web UI ends its imports with ``if TYPE_CHECKING:``; "after line 24" was the block's
    last import, and pasted where an editor leaves the cursor, in the block, the import never
    ran and ``AssetPipe(app)`` raised ``NameError``)."""
    spot = 0
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (i == 0 and _docstring(stmt)):
            spot = stmt.end_lineno or stmt.lineno
        elif not (_only_imports(stmt) or _allowed(stmt)):
            break
    return spot


def _docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _only_imports(stmt: ast.stmt) -> bool:
    """An ``if`` or ``try`` block whose statements are all imports (or ``pass``)."""
    if not isinstance(stmt, (ast.If, ast.Try)):
        return False
    inner: list[ast.stmt] = [*stmt.body, *stmt.orelse]
    if isinstance(stmt, ast.Try):
        inner += [s for h in stmt.handlers for s in h.body] + stmt.finalbody
    return all(
        isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass)) or _only_imports(s) for s in inner
    )


def _allowed(stmt: ast.stmt) -> bool:
    """A ``sys.path``/``os.environ`` change (a call or an item assignment)."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        target: ast.expr = stmt.value.func
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    else:
        return False
    try:
        text = ast.unparse(target)
    except (AttributeError, ValueError):  # pragma: no cover - unparse of a parsed tree
        return False
    return text.startswith(_ALLOWED_CALLS) or text.startswith("os.environ[")


def import_step(shown: str, imports: list[str], spot: int) -> list[str]:
    """``init``'s step for ``imports`` (lines as printed) in the module ``shown``, after line
    ``spot`` (``import_spot``). Printed after the step for the lines that follow the app's
    making, which names a later line: pasted in the order printed, each line number still
    holds."""
    what = "this import" if len(imports) == 1 else "these imports"
    where = f"after line {spot}, with its imports" if spot else "at its top"
    return ["", f"and {what} in {shown}, {where}:", "", *imports]


def two_lines(
    shown: str, place: str, lines: tuple[str, str], spot: int | None
) -> tuple[str, list[str]]:
    """``init``'s words and lines for an integration's two ``lines`` (the import, the call) in
    the module ``shown``, the call going ``place``: the call first, then the import after line
    ``spot``, with the module's imports; both together at ``place`` when ``spot`` is ``None``
    (``import_spot_before`` found no place)."""
    imp, call = lines
    imports = [f"    {line}" for line in imp.split("\n")]  # more than one: one per line
    what = "two lines" if len(imports) == 1 else "lines"
    if spot is None:
        return f"Add these {what} in {shown}, {place}:", [*imports, f"    {call}"]
    head = f"Add these {what} in {shown}: this one {place},"
    return head, [f"    {call}", *import_step(shown, imports, spot)]


def import_spot_before(text: str, line: int) -> int | None:
    """``import_spot`` of a module's ``text`` when its imports end before ``line`` (the
    statement the call follows); ``None`` when it does not parse or they do not."""
    try:
        spot = import_spot(ast.parse(text))
    except (SyntaxError, ValueError):
        return None
    return spot if spot < line else None


def module_import_spot(path: Path, line: int) -> int | None:
    """``import_spot_before`` of the module at ``path``; ``None`` when it cannot be read."""
    try:
        return import_spot_before(path.read_text(encoding="utf-8"), line)
    except (OSError, UnicodeDecodeError):
        return None
