"""A Pyramid app: where its two lines go.

A Pyramid app has no app object until its ``main()`` (the paste entry point ``pserve`` runs)
returns ``config.make_wsgi_app()``; what an extension takes is the ``Configurator``. ``init``
said "No Flask app found here" and gave the generic steps (wrap the WSGI app, point a template
loader at the build), which a Pyramid app has no place for: its renderers load templates by
asset specification. ``find_pyramid_app`` finds the ``make_wsgi_app()`` call of the project's
shallowest module that makes one, and the two lines (``assetpipe.pyramid.AssetPipe(config)``)
go just before the statement holding it, at its indentation.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .files import parsed_modules, walk
from .importspot import module_import_spot, two_lines

#: the endings of Pyramid's other template languages' files (Chameleon, Mako)
OTHER_TEMPLATES = (".pt", ".mak", ".mako")


@dataclass(frozen=True)
class PyramidApp:
    """The module and statement where a Pyramid app makes its WSGI app."""

    module_file: Path
    line: int  # the first line of the statement that calls ``NAME.make_wsgi_app()``
    indent: int
    config: str  # NAME: the Configurator's variable (``config``)
    function: str | None  # the function holding it (``main``), ``None`` at module level
    ini: str | None = None  # the project's paste ini file (``development.ini``), if any
    #: Chameleon (``.pt``) and Mako (``.mak``, ``.mako``) templates beside the module
    other_templates: int = 0

    @property
    def adopted(self) -> bool:
        """Whether the module already installs the build (``init --force`` run again)."""
        return "assetpipe.pyramid" in self.module_file.read_text(encoding="utf-8")

    def steps(self, shown: str) -> list[str]:
        """What ``init`` prints: the place (``shown``: the module's path as the user sees it)
        and the two lines."""
        inside = f"inside {self.function}(), " if self.function else ""
        place = (
            f"{inside}before line {self.line} (its {self.config}.make_wsgi_app(), at that line's"
            f" indentation, {self.indent} spaces in; a Pyramid app: assetpipe.pyramid serves the"
            " build, renders the rewritten templates and names hashed files in"
            " request.static_url)"
        )
        lines = ("from assetpipe.pyramid import AssetPipe", f"AssetPipe({self.config})")
        spot = module_import_spot(self.module_file, self.line)
        head, steps = two_lines(shown, place, lines, spot)
        return [
            head,
            "",
            *steps,
            *(
                [
                    "",
                    f"Its {self.other_templates} Chameleon or Mako template(s) are not rewritten"
                    " (the build rewrites Jinja2 templates): request.static_url names the hashed"
                    " files at run time, without loading=lazy, width/height or srcset.",
                ]
                if self.other_templates
                else []
            ),
            *(
                [
                    "",
                    "During development, the app with live reload on save:",
                    f"    assetpipe watch --app \"pyramid.paster:get_app('{self.ini}')\"",
                ]
                if self.ini
                else []
            ),
        ]


def find_pyramid_app(root: Path) -> PyramidApp | None:
    """The ``NAME.make_wsgi_app()`` call of the shallowest module under ``root`` that imports
    Pyramid's ``Configurator`` (then the first by path); ``None`` when there is none."""
    best: tuple[int, str, Path, tuple[ast.stmt, str, str | None]] | None = None
    for path, _text, tree in parsed_modules(root, "make_wsgi_app"):
        if not _imports_configurator(tree):
            continue
        found = _make_call(tree)
        if found is None:
            continue
        cand = (len(path.relative_to(root).parts), str(path), path, found)
        best = min(best, cand, key=lambda c: c[:2]) if best else cand
    if best is None:
        return None
    # the ini and the other templates of the chosen app only (a tutorial's copies of the app
    # under docs/ were each walked)
    path, (stmt, name, function) = best[2], best[3]
    others = sum(1 for _ in walk(path.parent, OTHER_TEMPLATES))
    return PyramidApp(path, stmt.lineno, stmt.col_offset, name, function, _ini(root), others)


def _ini(root: Path) -> str | None:
    """The paste ini file in ``root`` that ``pserve`` runs (an ``[app:main]`` section),
    ``development.ini`` first."""
    found = sorted(root.glob("*.ini"), key=lambda p: (p.name != "development.ini", p.name))
    for path in found:
        try:
            if "[app:main]" in path.read_text(encoding="utf-8"):
                return path.name
        except (OSError, UnicodeDecodeError):
            continue
    return None


def _imports_configurator(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("pyramid")
        and any(a.name == "Configurator" for a in node.names)
        for node in ast.walk(tree)
    )


def _make_call(tree: ast.Module) -> tuple[ast.stmt, str, str | None] | None:
    """The first statement calling ``NAME.make_wsgi_app()`` (a ``return``, an assignment), NAME,
    and the function around it."""

    def visit(
        body: list[ast.stmt], function: str | None
    ) -> tuple[ast.stmt, str, str | None] | None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found = visit(stmt.body, stmt.name)
            elif isinstance(stmt, (ast.With, ast.If, ast.Try)):
                inner = [
                    s for part in ("body", "orelse", "finalbody") for s in getattr(stmt, part, [])
                ]
                found = visit(inner, function)
            else:
                found = None
                for node in ast.walk(stmt):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "make_wsgi_app"
                        and isinstance(node.func.value, ast.Name)
                    ):
                        found = (stmt, node.func.value.id, function)
                        break
            if found is not None:
                return found
        return None

    return visit(tree.body, None)
