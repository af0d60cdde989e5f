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
from .settingsbase import star_imports


def star_imported(root: Path) -> tuple[Path, str, ast.expr | None] | None:
    """The first module under ``root`` (by path) with a top-level ``from PKG.MODULE import *``
    of an installed module, outside ``root``, whose ``TEMPLATES`` names the DjangoTemplates
    backend: that module, the dotted name and the installed module's ``INSTALLED_APPS``
    expression; ``None`` for none."""
    for path, _, _, module, installed in star_imports(root):
        has_backend, apps = backend_apps(installed)
        if has_backend:
            return path, module, apps
    return None
