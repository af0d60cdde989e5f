"""A Litestar app in the project: where ``assetpipe.litestar``'s plugin goes.

A Litestar app is one call, ``app = Litestar(route_handlers=[...], template_config=...,
plugins=[...])``: ``init`` said "No Flask app found here" and listed the generic middleware's
three steps (wrap the app, point ``TemplateConfig`` at ``dist/templates``, install
``asset_url()``), which leave the templates' computed ``url_for('static', file_path=...)`` on
unhashed names. Now it names the module, the call's line and the two lines: the import, and
``AssetPipe()`` in the call's ``plugins`` (a new keyword, or the list the call has).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .asgiapp import called_name
from .files import calls_asset_pipe, parsed_modules

IMPORT = "from assetpipe.litestar import AssetPipe"


@dataclass(frozen=True)
class LitestarApp:
    """Where a ``Litestar(...)`` call is, and whether it already has a ``plugins=`` list."""

    module_file: Path
    line: int  # the line of the call
    plugins_line: int | None  # the line of its ``plugins=`` keyword, when it has one

    @property
    def adopted(self) -> bool:
        """Whether the module already makes the plugin (``init --force`` run again)."""
        return calls_asset_pipe(self.module_file)

    def steps(self, shown: str) -> list[str]:
        """What ``init`` prints: where the two lines go, and the lines (``shown``: the module's
        path as the user sees it)."""
        if self.plugins_line is not None:
            where = f"add AssetPipe() to the plugins list at {shown}:{self.plugins_line}"
            second = "    plugins=[..., AssetPipe()],"
        else:
            where = f"add plugins=[AssetPipe()] to the Litestar(...) call at {shown}:{self.line}"
            second = "    plugins=[AssetPipe()],"
        return [
            f"Import the plugin at the top of {shown}, and {where}"
            " (assetpipe.litestar serves the build and renders the rewritten templates):",
            "",
            f"    {IMPORT}",
            second,
        ]


def find_litestar_app(root: Path) -> LitestarApp | None:
    """The shallowest module (then the first by path) that calls ``Litestar(...)``; ``None``
    when there is none."""
    found: list[tuple[int, str, LitestarApp]] = []
    for path, _text, tree in parsed_modules(root, "Litestar("):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or called_name(node.func) != "Litestar":
                continue
            plugins = next((k for k in node.keywords if k.arg == "plugins"), None)
            hit = LitestarApp(path, node.lineno, plugins.value.lineno if plugins else None)
            found.append((len(path.relative_to(root).parts), str(path), hit))
            break
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None
