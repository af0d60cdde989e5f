"""A site folder whose WSGI script runs an installed Django package's WSGI module.

Review Board is installed from PyPI and run from a site folder that ``rb-site install SITE``
writes: ``htdocs/reviewboard.wsgi`` (``from reviewboard.wsgi import application``, a script the
web server loads), ``conf/settings_local.py`` (the database, the secret key) and
``htdocs/static``, its ``STATIC_ROOT`` (links into the installed packages' prebuilt
django-pipeline output). The installed ``reviewboard.settings`` star-imports
``settings_local`` and then sets ``TEMPLATES`` and ``INSTALLED_APPS`` itself, so no template,
static folder or setting of the site's reaches what Django renders. ``init`` found no Django
settings under the folder: it said "No Flask app found here", wrote a config whose source was
``htdocs/static`` and which built nothing, and told to remove the web server's ``/static/``
rule, which would leave every stylesheet and script of every page a 404.
``installed_site`` finds such a script without importing anything, for
``djangopages.no_static_folder`` to name it and the packages the pages come from.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .djangotemplates import installed_apps, installed_module
from .files import parsed_file, walk
from .settingsinline import SETTINGS_ENV
from .settingsvalues import assigned


@dataclass(frozen=True)
class InstalledSite:
    """``script``: the site's WSGI script (``htdocs/reviewboard.wsgi``); ``module``: the
    installed WSGI module it takes ``application`` from (``reviewboard.wsgi``); ``settings``:
    the ``DJANGO_SETTINGS_MODULE`` that module sets (``reviewboard.settings``, ``""``: none
    found) and ``apps`` that module's ``INSTALLED_APPS`` as a list of names (``None``: not
    read)."""

    script: Path
    module: str
    settings: str
    apps: ast.expr | None


def installed_site(root: Path) -> InstalledSite | None:
    """The first WSGI script under ``root`` (a ``.wsgi`` file or a module, by path) that
    imports ``application`` from an installed module outside ``root`` which makes it with
    Django's ``get_wsgi_application()``; ``None`` for none."""
    for path in walk(root, (".wsgi", ".py")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        tree = parsed_file(path, text) if "application" in text else None
        for node in ast.walk(tree) if tree is not None else ():
            if not (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and node.module
                and "application" in (a.name for a in node.names)
            ):
                continue
            found = installed_module(node.module)
            if found is None or found.resolve().is_relative_to(root.resolve()):
                continue
            try:
                wsgi = found.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if "get_wsgi_application" in wsgi:
                named = SETTINGS_ENV.search(wsgi)
                settings = named.group(1) if named is not None else ""
                return InstalledSite(path, node.module, settings, _apps(settings))
    return None


def _apps(settings: str) -> ast.expr | None:
    """The ``INSTALLED_APPS`` of installed settings module ``settings`` (``installed_apps``)."""
    file = installed_module(settings) if settings else None
    tree = parsed_file(file) if file is not None else None
    return installed_apps(assigned(tree)) if tree is not None else None
