"""Django's development server finding the build's hashed files.

A Django project serves its build through ``assetpipe.serve.AssetMiddleware`` around the WSGI
module's ``application`` (``adopt/djangoapp.py``). ``manage.py runserver`` with ``DEBUG`` on
never lets it: ``django.contrib.staticfiles`` wraps that application in its own handler,
which answers every request under ``STATIC_URL`` from the staticfiles finders and 404s what
they lack. Adopted linkding, started with ``manage.py runserver`` as its README says, linked
``/static/theme-light-HASH.css`` and ``/static/bundle-HASH.js``: both 404, the pages
unstyled and their scripts dead. Listed last in ``STATICFILES_FINDERS``::

    STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        "assetpipe.django.BuildFinder",
    ]

``BuildFinder`` finds a file of the current build (``<output>/public/``, through the build
link, so a new build is followed) by the name the rewritten templates give it; every other
name stays the other finders' (the build's files all have hashed names). It lists nothing:
``collectstatic`` leaves the build to the middleware, which answers it ``immutable`` and
precompressed, where a web server answering ``STATIC_ROOT`` itself would not.

``runserver_static(app)`` is the other half of what ``runserver`` does, for ``assetpipe watch
--app`` and ``audit --app``, which serve the project's WSGI application in their own server
behind the build: with ``DEBUG`` on, a ``STATIC_URL`` file the build lacks (an installed app's,
the admin's; a folder of ``STATICFILES_DIRS`` written at run time, linkding's favicons) is
answered from the staticfiles finders, as under ``runserver``. Without it those 404ed: a
project that leaves them to ``runserver`` routes no URL to them.
"""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join

from .configfind import served_build


class BuildFinder(BaseFinder):  # type: ignore[misc]
    """A staticfiles finder for the build's files, found from the folder of the settings
    module as ``AssetPipe(app)`` finds a Flask app's ``pipeline.yaml`` (``configfind``)."""

    @cached_property
    def public(self) -> Path:
        """The build's public folder: ``<output>/public``, the build link not resolved; the
        config is looked up from the working folder under ``settings.configure()``."""
        name = getattr(settings, "SETTINGS_MODULE", None)
        module = sys.modules.get(name) if name else None
        found = getattr(module, "__file__", None)
        return served_build(Path(found).parent if found else Path.cwd()).output / "public"

    def check(self, **kwargs: Any) -> list[Any]:
        """Nothing to check: a missing build only finds nothing."""
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        """The file of the build named ``path`` (a list of it with ``find_all``, Django's
        ``all`` before 5.2); none outside the public folder."""
        many = find_all or kwargs.get("all", False)
        try:
            full = Path(safe_join(self.public, path))
        except SuspiciousFileOperation:  # a path outside the folder
            full = None
        if full is None or not full.is_file():
            return [] if many else ""
        return [str(full)] if many else str(full)

    def list(self, ignore_patterns: Any) -> list[tuple[str, Any]]:
        """Nothing: ``collectstatic`` leaves the build to the middleware (module doc)."""
        return []


def runserver_static(app: Any) -> Any:
    """``app`` (a WSGI application) in Django's ``StaticFilesHandler``, as ``manage.py
    runserver`` serves it, when Django's settings are loaded with ``DEBUG`` on and
    ``django.contrib.staticfiles`` installed; else ``app`` itself (module doc)."""
    if not settings.configured or not settings.DEBUG:
        return app
    from django.apps import apps

    if not apps.is_installed("django.contrib.staticfiles"):
        return app
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    return StaticFilesHandler(app)


__all__ = ["BuildFinder", "runserver_static"]
