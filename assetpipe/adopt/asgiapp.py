"""A Starlette or FastAPI app in the project: where ``assetpipe.starlette``'s two lines go.

Glances builds its web server inside a class: ``self._app = FastAPI(...)`` and ``self._templates
= Jinja2Templates(directory=self.TEMPLATE_PATH)`` in ``GlancesRestfulApi.__init__``. ``init``
said only "wrap your app in assetpipe.serve's middleware" and "point your template loader at
dist/templates": the user had to find the object, compute the build's absolute path and the
static mount's URL, and rewrite the templates' ``directory``. Now it names the module, the line
and the two lines with the names the code uses (``AssetPipe(self._app, self._templates)``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .files import python_texts

#: the classes whose call creates an ASGI app ``assetpipe.starlette.AssetPipe`` takes
APP_CLASSES = ("FastAPI", "Starlette")


@dataclass(frozen=True)
class AsgiApp:
    """Where a Starlette or FastAPI app is created, and its templates."""

    module_file: Path
    app: str  # the expression naming the app: ``app``, ``self._app``
    templates: str | None  # the Jinja2Templates it renders with, in the same scope
    line: int  # the two lines go after this line (the later of the two statements)
    indent: int  # the column of that statement

    def lines(self) -> tuple[str, str]:
        args = self.app if self.templates is None else f"{self.app}, {self.templates}"
        return ("from assetpipe.starlette import AssetPipe", f"AssetPipe({args})")


def _called(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _assigned(stmt: ast.stmt, names: tuple[str, ...]) -> str | None:
    """The target of ``stmt`` when it assigns a call of one of ``names``."""
    if (
        isinstance(stmt, (ast.Assign, ast.AnnAssign))
        and isinstance(stmt.value, ast.Call)
        and _called(stmt.value.func) in names
    ):
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        return ast.unparse(target)
    return None


def _scopes(tree: ast.Module) -> list[list[ast.stmt]]:
    """The module's body and every function's body: the statements of one scope each."""
    out: list[list[ast.stmt]] = [tree.body]
    out += [
        n.body for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    return out


def find_asgi_app(root: Path) -> AsgiApp | None:
    """The shallowest module (then the first by path) that assigns a ``FastAPI(...)`` or
    ``Starlette(...)`` call, with the ``Jinja2Templates(...)`` assigned in the same scope;
    ``None`` when there is none."""
    found: list[tuple[int, str, AsgiApp]] = []
    for path, text in python_texts(root):
        if not any(c + "(" in text for c in APP_CLASSES):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for body in _scopes(tree):
            app = templates = None
            last: ast.stmt | None = None
            for stmt in body:
                made = _assigned(stmt, APP_CLASSES)
                if made is not None and app is None:
                    app, last = made, stmt if last is None or stmt.lineno > last.lineno else last
                tpl = _assigned(stmt, ("Jinja2Templates",))
                if tpl is not None and templates is None:
                    templates = tpl
                    last = stmt if last is None or stmt.lineno > last.lineno else last
            if app is not None and last is not None:
                end = last.end_lineno or last.lineno
                hit = AsgiApp(path, app, templates, end, last.col_offset)
                found.append((len(path.relative_to(root).parts), str(path), hit))
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None
