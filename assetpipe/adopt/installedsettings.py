"""Settings that take everything from an installed package's settings module.

wger, installed as its docs say (``pip install wger``, ``wger create-settings``), runs with a
``settings.py`` whose first line is ``from wger.settings_global import *``: ``TEMPLATES``,
``INSTALLED_APPS`` and every template and static file are the installed ``wger`` package's. No
module under the folder names the DjangoTemplates backend, so ``init`` there said "no Flask app
with a static folder found" and told a Django user to look for ``Flask(__name__)``.
``star_imported`` finds such settings without importing anything, for
``djangopages.no_static_folder`` to name them and the packages their pages come from.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .djangoapp import backend_apps
from .djangotemplates import installed_module
from .files import parsed_modules


def star_imported(root: Path) -> tuple[Path, str, ast.expr | None] | None:
    """The first module under ``root`` (by path) with a top-level ``from PKG.MODULE import *``
    of an installed module, outside ``root``, whose ``TEMPLATES`` names the DjangoTemplates
    backend: that module, the dotted name and the installed module's ``INSTALLED_APPS``
    expression; ``None`` for none."""
    for path, _, tree in sorted(parsed_modules(root, "import *"), key=lambda m: str(m[0])):
        for node in tree.body:
            if not (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and node.module
                and [a.name for a in node.names] == ["*"]
            ):
                continue
            found = installed_module(node.module)
            if found is None or found.resolve().is_relative_to(root.resolve()):
                continue
            try:
                tree_of = ast.parse(found.read_text(encoding="utf-8", errors="replace"))
            except (OSError, SyntaxError, ValueError):
                continue
            backend, apps = backend_apps(tree_of)
            if backend:
                return path, node.module, apps
    return None
