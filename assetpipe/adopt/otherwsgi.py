"""Why ``init`` found nothing to adopt in a WSGI app of no framework it reads.

Radicale's web UI is static files (``radicale/web/internal_data``: ``index.html``, module
scripts, a stylesheet) that its own WSGI function, ``application(environ, start_response)``,
serves at ``/.web/``; it writes one of them, ``js/config.js``, at run time. ``init`` said "no
Flask app with a static folder found" and told the user to look for ``Flask(__name__)``.
``wsgi_app_error`` names the function and the steps of docs/serving.md for any WSGI app: a
``pipeline.yaml`` written by hand, ``AssetMiddleware`` with ``fallback=True`` (without it, a path
under ``public_path`` the build lacks, the UI's own ``/.web/``, answered 404), and a file the app
writes at run time left out of ``static.include`` (the build's copy answered in its place).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from ..errors import UsageError
from .files import parsed_modules


def wsgi_function(root: Path) -> tuple[Path, str] | None:
    """The least deep module under ``root`` with a top-level function taking ``(environ,
    start_response)``, and that function's name (``None``: none)."""
    found: list[tuple[int, str, str]] = []
    for path, _, tree in parsed_modules(root, "start_response"):
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            if [a.arg for a in node.args.args][:2] == ["environ", "start_response"]:
                found.append((len(path.relative_to(root).parts), str(path), node.name))
    if not found:
        return None
    _, module, name = min(found)
    return Path(module), name


def wsgi_app_error(root: Path, found: tuple[Path, str]) -> UsageError:
    """The error for a WSGI function of no framework ``init`` reads (``wsgi_function``)."""
    module = os.path.relpath(found[0], root)
    return UsageError(
        f"no Flask, Django or ASGI app found under {root}; {module} has a WSGI function,"
        f" {found[1]}(environ, start_response): init cannot read which files it serves",
        hint="write pipeline.yaml by hand (source: the folder of its static files,"
        " public_path: the URL it serves them at, static.include: every file but those it"
        ' writes at run time, ["**", "!js/config.js"]) and wrap it, as docs/serving.md shows:'
        f" CompressMiddleware(AssetMiddleware({found[1]}, output=..., public_path=...,"
        " fallback=True)); fallback=True passes a path the build lacks to the app",
    )
