"""Django's development server and staticfiles storage finding the build's hashed files.

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

``ManifestStaticFilesStorage`` is Django's, for ``STORAGES["staticfiles"]``, that also names
the build's hashed files (Django's raises on a name its manifest lacks): the references the build
rewrites name its files, every other one keeps ``collectstatic``'s hashed name (``BuildNames``;
WhiteNoise's is in ``assetpipe/djangowhitenoise.py``).

``build_in_front(handler)`` is what ``assetpipe.djangorunserver``'s ``runserver`` serves: the
build answered as deployed (precompressed, hashed names ``immutable``) in front of
staticfiles' handler, which ``BuildFinder`` alone leaves to send them uncompressed.

``runserver_static(app)`` is the other half of what ``runserver`` does, for ``assetpipe watch
--app`` and ``audit --app``, which serve the project's WSGI application in their own server
behind the build: with ``DEBUG`` on, a ``STATIC_URL`` file the build lacks (an installed app's,
the admin's; a folder of ``STATICFILES_DIRS`` written at run time, linkding's favicons) is
answered from the staticfiles finders, as under ``runserver``. Without it those 404ed: a
project that leaves them to ``runserver`` routes no URL to them. The handler is that of the
``runserver`` Django takes, so a project's own (Mezzanine's, which also answers the uploaded
files of ``MEDIA_URL``) serves what it serves under ``runserver``.
"""

from __future__ import annotations

import logging
import sys
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import storage
from django.contrib.staticfiles.finders import BaseFinder
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join

from .configfind import ServedBuild, served_build
from .errors import ConfigError
from .manifest import manifest_stamp
from .serve.forget import forget_templates
from .serve.passthrough import Passthrough

log = logging.getLogger("assetpipe")


def project_build() -> ServedBuild:
    """The project's config and build, the config found from the folder of the settings
    module as ``AssetPipe(app)`` finds a Flask app's ``pipeline.yaml`` (``configfind``); from
    the working folder under ``settings.configure()``."""
    name = getattr(settings, "SETTINGS_MODULE", None)
    module = sys.modules.get(name) if name else None
    found = getattr(module, "__file__", None)
    return served_build(Path(found).parent if found else Path.cwd())


def build_public() -> Path:
    """The build's public folder: ``<output>/public``, the build link not resolved
    (``project_build``)."""
    return project_build().output / "public"


def build_file(public: Path, path: str) -> Path | None:
    """The file of the build's ``public`` folder named ``path``; none outside it."""
    try:
        full = Path(safe_join(public, path))
    except SuspiciousFileOperation:  # a path outside the folder
        return None
    return full if full.is_file() else None


class BuildFinder(BaseFinder):  # type: ignore[misc]
    """A staticfiles finder for the build's files (``build_public``)."""

    @cached_property
    def public(self) -> Path:
        """The build's public folder (``build_public``)."""
        return build_public()

    def check(self, **kwargs: Any) -> list[Any]:
        """Nothing to check: a missing build only finds nothing."""
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        """The file of the build named ``path`` (a list of it with ``find_all``, Django's
        ``all`` before 5.2); none outside the public folder: ``[]``, as Django's own finders
        answer a miss (an ``""`` was listed by ``finders.find`` as a match, ``[""]``, and
        Django's static view answered a file no finder has 500, not 404: DMOJ's ACE worker)."""
        many = find_all or kwargs.get("all", False)
        full = build_file(self.public, path)
        if full is None:
            return []
        return [str(full)] if many else str(full)

    def list(self, ignore_patterns: Any) -> list[tuple[str, Any]]:
        """Nothing: ``collectstatic`` leaves the build to the middleware (module doc)."""
        return []


class BuildNames:
    """A manifest storage's mixin that also names the build's files: a name its manifest
    lacks that is a file of the build (the hashed name a rewritten template's ``{% static %}``
    gives) is its own URL; every other name keeps the storage's (``collectstatic``'s hash)."""

    @cached_property
    def build(self) -> Path:
        """The build's public folder (``build_public``)."""
        return build_public()

    def stored_name(self, name: str) -> str:
        """The storage's hashed name of ``name`` when its manifest has one, else ``name`` itself
        when the build has it, else the storage's answer. Asked first, a storage with
        ``manifest_strict = False`` answered every build file itself: Label Studio's
        ``SkipMissedManifestStaticFilesStorage`` names a file it lacks ``""``, and each
        stylesheet of the build was linked as ``/static/``."""
        path = urlsplit(unquote(name)).path.strip()
        hashed, key = self.hashed_files, self.hash_key(path)  # type: ignore[attr-defined]
        if key not in hashed and build_file(self.build, path) is not None:
            return name
        return str(super().stored_name(name))  # type: ignore[misc]


class ManifestStaticFilesStorage(BuildNames, storage.ManifestStaticFilesStorage):  # type: ignore[misc]
    """Django's ``ManifestStaticFilesStorage`` that also names the build's files. Django's
    storage raised ``ValueError: Missing staticfiles manifest entry`` on every page; ``init``
    said to use Django's unhashed ``StaticFilesStorage``, and what the build does not rewrite
    lost the hashes ``collectstatic`` gave it: pretix's fonts and images named by its SCSS
    (django-compressor's output), its ``jsi18n`` script, the files of installed apps, all then
    answered without ``Cache-Control``, where nginx had sent them for a year. WhiteNoise's
    is ``assetpipe.djangowhitenoise.CompressedManifestStaticFilesStorage``."""


def build_in_front(handler: Any) -> Any:
    """``handler`` (``runserver``'s: the project's WSGI application in staticfiles' handler)
    behind an ``AssetMiddleware`` that answers the build's files as deployed: precompressed
    (brotli, gzip), hashed names ``immutable``, ETag/304/Range. A path the build lacks (an
    installed app's file, the admin's) and a source path whose file changed since the build go
    on to ``handler``, which answers them from the finders as before, compressed on the way out
    as the WSGI module's ``CompressMiddleware`` does deployed (Django-CRM's admin-based pages
    were 1.00x the plain project's under runserver); a new build is followed
    without a restart, and while an ``assetpipe watch`` of the config runs its live-reload
    client is put in the pages (``assetpipe.djangorunserver``). Without a config (a checkout
    before ``assetpipe init``, a broken ``pipeline.yaml``) it says so and serves as staticfiles
    does: the dev server still starts. While a watch runs, the pages are compressed here,
    after the client is put in: a project's own compression (the WSGI module's
    ``CompressMiddleware``, a view's ``gzip_page``) is asked for none, or the client could not
    go in; otherwise the project compresses its pages as it does without assetpipe."""
    from .serve.reload import uncompressed
    from .serve.wsgi import AssetMiddleware, CompressMiddleware

    try:
        found = project_build()
    except ConfigError as e:  # the dev server still starts, serving as staticfiles does
        log.warning("assetpipe: runserver serves no build: %s", e)
        return handler
    served = AssetMiddleware(
        # while a watch runs (its client goes in), compressed outside once it is (``is_html``)
        uncompressed(
            TemplatesFollowBuild(handler, found.output), lambda: bool(served.live_script())
        ),
        found.output,
        found.public_path,
        autorefresh=True,
        source_paths=found.source_paths,
        fallback=True,
        unhashed_cache_control="",  # as Django's static view: no Cache-Control
        source=found.config.source,
        watch_state=found.config.state_dir,
    )
    return CompressMiddleware(served)


class TemplatesFollowBuild(Passthrough):
    """A WSGI ``app`` (runserver's handler) whose Django template caches are emptied
    (``serve.forget.forget_templates``) before the first request after a new build at
    ``output`` (its manifest's stamp changed), so the page renders the templates that build
    wrote. Django empties its cached loader only on runserver's file-change signal, polled
    each second, and never under ``--noreload``: with ``assetpipe watch --no-serve`` beside
    runserver, django-helpdesk's page reloaded on a template save before that, and showed
    the old template; on a script save it linked the previous build's script."""

    def __init__(self, app: Any, output: Path) -> None:
        self.app = app
        self.output = output
        self.stamp = manifest_stamp(output)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        stamp = manifest_stamp(self.output)
        if stamp != self.stamp:
            self.stamp = stamp
            forget_templates()
        return self.app(environ, start_response)


def runserver_static(app: Any) -> Any:
    """``app`` (a WSGI application) in the handler ``manage.py runserver`` puts around the
    project's application, when Django's settings are loaded with ``DEBUG`` on: that of the
    ``runserver`` Django takes (``runserver_command``), its innermost application ``app``
    (staticfiles' ``StaticFilesHandler``; Mezzanine's, which also answers ``MEDIA_URL``: with
    staticfiles' alone, an adopted Mezzanine site's gallery photos 404ed under ``watch
    --app``); else ``app`` itself (module doc)."""
    if not settings.configured or not settings.DEBUG:
        return app
    from django.core.management.commands.runserver import Command as CoreRunserver

    class Given(CoreRunserver):  # type: ignore[misc]
        """Core ``runserver`` whose handler is ``app``, not the settings' application."""

        def get_handler(self, *args: Any, **options: Any) -> Any:
            return app

    command = runserver_command()
    custom = issubclass(command, CoreRunserver) and command is not CoreRunserver
    served = type("Runserver", (command, Given) if custom else (Given,), {})
    return served().get_handler(use_static_handler=True, insecure_serving=False)


def runserver_command() -> type:
    """The class of the ``runserver`` command Django takes (the first app of
    ``INSTALLED_APPS`` that has one), or for ``assetpipe.djangorunserver``'s the one it takes
    the place of: ``watch --app`` serves the build in front itself."""
    from django.core.management import get_commands, load_command_class

    app_name = get_commands().get("runserver", "django.core")
    found: type = type(load_command_class(app_name, "runserver"))
    return found.__bases__[0] if app_name == "assetpipe.djangorunserver" else found


__all__ = [
    "BuildFinder",
    "ManifestStaticFilesStorage",
    "build_in_front",
    "runserver_command",
    "runserver_static",
]
