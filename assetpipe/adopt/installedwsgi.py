"""A Django project whose settings and WSGI module are an installed package's: what goes where.

mailman-web is run with a ``settings.py`` of the site's (``MAILMAN_WEB_CONFIG``) that starts with
``from mailman_web.settings.base import *``, and gunicorn runs the installed
``mailman_web.wsgi:application``. With the settings read through the installed module
(``settingsbase``), ``init`` wrote the config but found no WSGI module under the folder and
printed the steps for an app that is not Django's (a Jinja loader, ``asset_url()``). It now names
the installed WSGI module, a ``wsgi.py`` to write beside the settings that wraps it (run in its
place), and the two lines for the end of the settings: the build's templates first in that
backend's ``DIRS`` and ``assetpipe.djangorunserver`` first in ``INSTALLED_APPS`` (before
staticfiles, for ``runserver``), written to work on the installed module's list or tuple.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from .djangoapp import from_module
from .djangoentry import WSGI_IMPORT, entry_module, imports_path, wrap_lines
from .djangotemplates import installed_module
from .settingsbase import backend, settings_module, star_imports
from .settingsvalues import assigned


def installed_wsgi_steps(
    root: Path, config_dir: Path, output: str, public_path: str
) -> list[str] | None:
    """``init``'s lines for settings under ``root`` read through an installed module whose
    package has the WSGI module (``NAME = get_wsgi_application()``); ``None`` for any other
    project. ``config_dir``: the folder of ``pipeline.yaml``, whose ``output`` holds the build."""
    found = settings_module(root)
    if found is None or entry_module(root, "get_wsgi_application") is not None:
        return None
    star = next((s for s in star_imports(root) if s[0] == found[0]), None)
    if star is None or backend(star[2]) is not None or backend(star[4]) is None:
        return None
    path, text, _, module, installed = star
    parts = module.split(".")
    file = installed_module(module)
    if file is None or len(parts) < 2:
        return None
    package = file.parents[len(parts) - 2]
    wsgi = entry_module(package, "get_wsgi_application")
    if wsgi is None:
        return None
    rel = wsgi[0].relative_to(package.parent).with_suffix("").parts
    dotted, name = ".".join(rel), wsgi[2]
    shown = os.path.relpath(path, root)
    here = from_module(path, config_dir)
    index = _backend_index(installed)
    beside = os.path.relpath(path.parent / "wsgi.py", root)
    return [
        f"Its settings ({shown}) take theirs from the installed {module}, and its WSGI module is"
        f" the installed {dotted}.",
        f"Write {beside} (serve the build in front of Django; a file the build lacks goes on"
        f" to Django as before) and run it in place of {dotted} (gunicorn wsgi:{name}):",
        "",
        "    from pathlib import Path",
        f"    {WSGI_IMPORT}",
        f"    from {dotted} import {name}",
        "",
        *wrap_lines(name, f'{here} / "{output}"', public_path),
        "",
        f"and at the end of {shown} (Django renders the rewritten templates; manage.py"
        " runserver serves the build as deployed"
        + ("" if imports_path(text) else "; `from pathlib import Path` at its top")
        + "):",
        "",
        f'    TEMPLATES[{index}]["DIRS"] = [str({here} / "{output}" / "templates"),'
        f' *TEMPLATES[{index}]["DIRS"]]',
        '    INSTALLED_APPS = ["assetpipe.djangorunserver", *INSTALLED_APPS]',
    ]


def _backend_index(tree: ast.Module) -> int:
    """The index of the DjangoTemplates backend in the module's ``TEMPLATES`` list (0)."""
    listed, found = assigned(tree).get("TEMPLATES"), backend(tree)
    items = listed.elts if isinstance(listed, ast.List | ast.Tuple) else []
    return next((i for i, item in enumerate(items) if item is found), 0)
