"""What ``init`` tells a Django project for ``manage.py runserver``.

With ``DEBUG`` on, ``runserver`` answers every ``STATIC_URL`` request from the staticfiles
finders, ahead of the WSGI module's ``AssetMiddleware`` (linkding's hashed files 404ed). Two
ways past it, in this order:

- ``"assetpipe.djangorunserver"`` in ``INSTALLED_APPS`` before ``"django.contrib.staticfiles"``
  (when the settings module lists that app by its literal name): its ``runserver`` serves the
  build in front of staticfiles' handler, as deployed: precompressed, hashed names immutable
  (``assetpipe/djangorunserver``). Not when the settings list ``daphne``, whose own
  ``runserver`` (an ASGI one, listed first as Channels says) would take its place;
- else ``assetpipe.django.BuildFinder`` last in ``STATICFILES_FINDERS``: staticfiles' handler
  finds the build's hashed files too, and sends them as any file, uncompressed.
"""

from __future__ import annotations

import ast
from pathlib import Path

#: the app whose ``runserver`` serves the build (``assetpipe/djangorunserver``)
RUNSERVER_APP = "assetpipe.djangorunserver"
STATICFILES_APP = "django.contrib.staticfiles"
#: the staticfiles finder of the build (``assetpipe/django.py``), and Django's default ones
FINDER = "assetpipe.django.BuildFinder"
DEFAULT_FINDERS = (
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
)


def finders_line(tree: ast.Module) -> int | None:
    """The line of the module's own ``STATICFILES_FINDERS = ...``."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "STATICFILES_FINDERS" for t in node.targets
        ):
            return node.lineno
    return None


def staticfiles_line(tree: ast.Module) -> int | None:
    """The line of ``"django.contrib.staticfiles"`` in a list or tuple the module assigns at
    its top level (``INSTALLED_APPS``, cookiecutter-django's ``DJANGO_APPS``); ``None`` when
    there is none, or when such a list names ``daphne`` (module doc)."""
    found: int | None = None
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        for item in ast.walk(node.value):
            if isinstance(item, (ast.List, ast.Tuple)):
                names = [e for e in item.elts if isinstance(e, ast.Constant)]
                if any(e.value == "daphne" for e in names):
                    return None
                at = next((e.lineno for e in names if e.value == STATICFILES_APP), None)
                found = found if found is not None else at
    return found


def runserver_step(shown: str, staticfiles: int | None, finders: int | None) -> list[str]:
    """The lines ``init`` prints for ``runserver`` in the settings module ``shown``: the app
    before staticfiles' line ``staticfiles``, else the finder last in ``STATICFILES_FINDERS``
    (its list at line ``finders``, or a new list with Django's two default finders). A line 0
    is a list of a module the settings star-import (``settingsinline``: Misago's
    ``INSTALLED_APPS`` is ``misago.settings``'): the settings' end extends it."""
    if staticfiles == 0:
        return [
            f"and at the end of {shown} (manage.py runserver then serves the build as deployed:"
            " brotli/gzip, hashed names immutable; every other static file as before):",
            "",
            f'    INSTALLED_APPS = ["{RUNSERVER_APP}", *INSTALLED_APPS]',
        ]
    if staticfiles is not None:
        return [
            f'and in INSTALLED_APPS, before "{STATICFILES_APP}" at line {staticfiles} of'
            f" {shown} (manage.py runserver then serves the build as deployed: brotli/gzip,"
            " hashed names immutable; every other static file as before):",
            "",
            f'    "{RUNSERVER_APP}",',
        ]
    why = (
        " (manage.py runserver answers STATIC_URL itself, from the staticfiles finders:"
        " this one finds the build's hashed files):"
    )
    if finders == 0:
        return [
            f"and at the end of {shown}{why}",
            "",
            f'    STATICFILES_FINDERS = [*STATICFILES_FINDERS, "{FINDER}"]',
        ]
    if finders is not None:
        at = f"at line {finders} of {shown}"
        return [f"and last in the STATICFILES_FINDERS list {at}{why}", "", f'    "{FINDER}",']
    return [
        f"and at the end of {shown}{why}",
        "",
        "    STATICFILES_FINDERS = [",
        *(f'        "{name}",' for name in (*DEFAULT_FINDERS, FINDER)),
        "    ]",
    ]


def finder_note(settings: Path | None, staticfiles: int | None, shown: str) -> str | None:
    """For a project adopted with the finder (``init --force`` run again): the line that has
    ``runserver`` serve the build as deployed instead, when the settings module ``settings``
    names the finder, not the app, and lists staticfiles at line ``staticfiles``."""
    try:
        text = settings.read_text(encoding="utf-8") if settings is not None else ""
    except (OSError, UnicodeDecodeError):
        return None
    if staticfiles is None or FINDER not in text or RUNSERVER_APP in text:
        return None
    return (
        f'note: manage.py runserver sends the build uncompressed through {FINDER}; with "'
        f'{RUNSERVER_APP}" in INSTALLED_APPS, before "{STATICFILES_APP}" at line {staticfiles}'
        f" of {shown}, it serves the build as deployed (brotli/gzip, hashed names immutable)."
    )
