"""The static folders of a Flask app's blueprints, hashed and compressed while the app runs.

A Flask extension ships its files in its own blueprint's static folder (Flask-Admin's
``admin.static`` under ``/admin/static/``, Flask-Bootstrap's ``bootstrap.static`` under
``/static/bootstrap/``) and its own templates name them with
``url_for('<blueprint>.static', filename=F)``. Those templates and folders live in the
installed package, outside the project the build reads, so the build cannot see them; the app
can. ``BlueprintStatic``:

- **names**: ``url_for`` (Flask's, and the Jinja global) answers a ``<blueprint>.static``
  endpoint whose ``filename`` exists in that blueprint's static folder with the content-hashed
  name, as ``hashed_folders.HashedFolders`` names a file (not a script that finds its own files
  from its name or path, not an HTML page);
- **serves** those hashed URLs itself, in front of the app (``HashedFolders.respond``:
  ``immutable``, compressed, ETag/304), stylesheets naming their images and fonts by their
  hashed names.

The unhashed URLs keep answering through the blueprint's own route, as before. Blueprints
mounted on a subdomain or host are left alone, and so is the app's own ``static`` endpoint (the
build handles it), and so is a blueprint whose URL is the app's static URL
(``Blueprint(..., static_folder="../static")``, as cookiecutter-flask's blueprints declare): the
build's hashed, precompressed files are those, and when its folder is the app's own its
``url_for`` names them as the build does. A blueprint serving the app's own folder under a URL
of its own (rq-dashboard's ``rq_dashboard.static`` at ``/rq-dashboard/static/``) is hashed here:
the build rewrites ``url_for('static', ...)`` only. So is each Flask-Themes2 theme's folder,
each folder a view picks by name from a mapping (MoinMoin's XStatic packages at
``/+serve/<name>/``: ``mapped_static``) and a blueprint ``static`` view's (``view_static``)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from .adopt.selflocate import template_texts
from .hashed_folders import HashedFolders, _Version
from .mapped_static import folder_key, keyed_folders
from .serve.passthrough import Passthrough
from .view_static import view_folders

__all__ = ["BlueprintStatic"]

_RULE = re.compile(r"^(/[^<>]*)<(?:path:)?filename>$")


class BlueprintStatic(HashedFolders, Passthrough):
    """WSGI layer and ``url_for`` wrapper for one Flask app (see the module doc)."""

    _wrapped = "wsgi"  # ``app`` is the Flask app

    def __init__(
        self, wsgi: Callable[..., Iterable[bytes]], app: Any, memory_limit: int = 64 << 20
    ):
        super().__init__(memory_limit)
        self.wsgi, self.app = wsgi, app
        # ``<blueprint>.static`` endpoints serving the app's own folder at the app's static URL
        self._own: set[str] = set()
        self._static_prefix = ""  # the URL prefix of the app's own static route
        self._rules_seen = -1
        self._keyed: dict[str, str] = {}  # endpoint -> the rule variable picking its folder
        self._templates_text: str | None = None  # every template's source (``template_text``)
        # Flask < 2.2 has no ``app.url_for``: its templates' global is ``flask.url_for``, and
        # that is the one wrapped (Python code calling ``flask.url_for`` gets unhashed URLs)
        own = getattr(app, "url_for", None)
        global_ = app.jinja_env.globals.get("url_for")
        original = own or global_

        def url_for(endpoint: str, /, *args: Any, **values: Any) -> str:
            return str(original(endpoint, *args, **self.hashed_values(endpoint, values)))

        if own is not None:
            app.url_for = url_for
        # an app's own global (Indico's ``url_for(endpoint, *targets, **values)``, reading URL
        # values from objects) is kept: it ends in ``flask.url_for``, which is ``app.url_for``
        if own is None or global_ is None or global_ == own:
            app.jinja_env.globals["url_for"] = url_for

    def folders(self) -> dict[str, tuple[str, str]]:
        """``<blueprint>.static`` endpoint → (its URL prefix, its folder), read from the app's
        URL map again whenever an endpoint was added (blueprints registered after ``init_app``)."""
        url_map = self.app.url_map
        # Werkzeug's rules by endpoint: its size changes when a blueprint adds its endpoints
        # (counting every rule on each url_for cost ~200 us on an app with 400 routes)
        by_endpoint = getattr(url_map, "_rules_by_endpoint", None)
        seen = len(by_endpoint) if by_endpoint is not None else len(list(url_map.iter_rules()))
        if seen != self._rules_seen:
            found: dict[str, tuple[str, str]] = {}
            own: set[str] = set()
            own_static = self.app.static_folder
            own_folder = os.path.realpath(own_static) if own_static else None
            # the URL Flask's own static route answers: its rule, not ``app.static_url_path``,
            # which an app may set after ``Flask()`` (rq-dashboard's ``create_app`` sets
            # ``/rq-dashboard/static`` while the route stays ``/static/<path:filename>``)
            own_prefix = next(
                (
                    m.group(1)
                    for r in url_map.iter_rules()
                    if r.endpoint == "static" and (m := _RULE.match(r.rule))
                ),
                f"{self.app.static_url_path or ''}/",
            )
            for rule in url_map.iter_rules():
                name, _, tail = rule.endpoint.rpartition(".")
                bp = self.app.blueprints.get(name) if tail == "static" else None
                m = _RULE.match(rule.rule)
                if bp is None or m is None or rule.subdomain or getattr(rule, "host", None):
                    continue
                folder = getattr(bp, "static_folder", None)
                if not folder or not os.path.isdir(folder):
                    continue
                # a blueprint under the app's static URL: the build's outer layer answers it
                # (hashed, precompressed); when its folder is the app's own too, its url_for
                # names the build's file (``_own``). One serving the app's folder under a URL of
                # its own (rq-dashboard's ``rq_dashboard.static`` at ``/rq-dashboard/static/``)
                # is hashed here like any other: the build never rewrites its url_for
                real = os.path.realpath(folder)
                if m.group(1) == own_prefix:
                    if real == own_folder:
                        own.add(rule.endpoint)
                    continue
                found[rule.endpoint] = (m.group(1), real)
            found.update(view_folders(self.app, url_map.iter_rules(), own_prefix))
            keyed, self._keyed = keyed_folders(self.app, url_map.iter_rules())
            found.update(keyed)
            self._folders, self._own, self._rules_seen = found, own, seen
            self._static_prefix = own_prefix
        return self._folders

    def hashed_values(self, endpoint: str, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` with a blueprint static ``filename`` replaced by its hashed name."""
        filename, folders = values.get("filename"), self.folders()
        static = endpoint.endswith("static") or endpoint in self._keyed
        if not isinstance(filename, str) or not static:
            return values
        if endpoint.startswith("."):
            from flask import request  # a relative endpoint, inside a blueprint's request

            bp = request.blueprint if request else None
            endpoint = f"{bp}{endpoint}" if bp else endpoint[1:]
        where = folders.get(folder_key(endpoint, values, self._keyed))
        if where is None:
            if endpoint in self._own:  # the build's file, as url_for('static', ...) names it
                named = self._built(filename)
                return values if named is None else {**values, "filename": named}
            return values
        named = self.named(where[1], filename)
        return values if named is None else {**values, "filename": named}

    def _built(self, filename: str) -> str | None:
        """The build's name of ``filename`` (a key of its manifest), ``None`` before a build or
        for a file it does not hold."""
        ext = self.app.extensions.get("assetpipe")
        resolver = getattr(ext, "resolver", None)
        if resolver is None or self._static_prefix != resolver.public_path:
            return None  # the build's files are not served at the app's static URL
        entry = resolver.manifest.get(filename.lstrip("/"))
        file = entry.get("file") if entry else None
        return file if isinstance(file, str) else None

    def template_text(self) -> str:
        """Every template's source of the app's Jinja environment, read once."""
        if self._templates_text is None:
            self._templates_text = template_texts(self.app.jinja_env)
        return self._templates_text

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        got = self.respond(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("PATH_INFO", ""),
            environ.get("HTTP_ACCEPT_ENCODING"),
            environ.get("HTTP_IF_NONE_MATCH", ""),
        )
        if got is None:
            return self.wsgi(environ, start_response)
        status, headers, body = got
        start_response(status, headers)
        return [body] if body else []

    def _built_url(self, url: str) -> tuple[str, tuple[str, _Version]] | None:
        """The build's URL of a URL under the app's static URL, with the manifest's version (a
        new build renames the stylesheet naming it); ``None`` when the build has no such file."""
        ext = self.app.extensions.get("assetpipe")
        resolver = getattr(ext, "resolver", None)
        prefix = self._static_prefix
        named = self._built(url[len(prefix) :]) if url.startswith(prefix) else None
        manifest = str(resolver.manifest_path) if resolver is not None else ""
        seen = self.version(manifest) if named is not None else None
        return None if seen is None or named is None else (prefix + named, (manifest, seen))
