"""The Flask extension: two lines make an existing Flask app serve its build.

    from assetpipe.flask import AssetPipe
    AssetPipe(app)            # an app factory: ext = AssetPipe() ... ext.init_app(app)

The same two lines serve a Quart app (Flask's API over ASGI): the layers below then wrap
``app.asgi_app`` with their ASGI twins (``assetpipe.serve.asgi``, ``blueprint_static_asgi``),
and the hooks run on the event loop (``is_quart``). Behind a reverse proxy's prefix a file of
the build is found at the app's own path: the ASGI layers read it without the ``root_path``,
and a hook inside the app answers one a wrapper of the app's own strips
(``assetpipe.behind_prefix``).

``init_app`` finds pipeline.yaml (``find_config``) and then:

- **renders the rewritten templates**: ``app.jinja_env.loader`` becomes a
  ``assetpipe.jinja.SourceMappedLoader``: the app's own loader picks the file, and one in
  ``templates.dirs`` is answered with its rewrite in ``<output>/templates/`` (the build link,
  resolved on each load), the loader's own change to it merged in;
- **serves the build** under ``public_path`` with ``assetpipe.serve.AssetMiddleware`` in front
  of Flask (hashed files immutable; source paths such as ``/static/img/a.jpg`` answered with
  their default output and the ``Cache-Control`` Flask's static route sends, ``no-cache`` unless
  the app sets ``SEND_FILE_MAX_AGE_DEFAULT`` or an ``after_request`` hook sets one:
  ``static_cache_control``; ``no-cache`` in debug; ``source_paths=False`` turns them off). When
  ``public_path`` is Flask's static URL path, or the app already wraps ``app.wsgi_app`` in a
  layer of its own (WhiteNoise), or has a route under it (a view of its own serving files; at
  ``"/"`` every route), a path the build does not have goes on to Flask's static route, that
  layer or the app, as before adoption (``static_fallback=False``: a 404 instead);
- **compresses dynamic responses** with ``assetpipe.serve.CompressMiddleware`` (``compress=False``
  turns it off). BREACH: a response is left uncompressed when it sets a cookie, says
  ``Cache-Control: private`` or ``no-store``, comes from a view decorated with ``@no_compress``,
  or calls ``no_compress()`` while handled; ``compress_exclude`` lists path prefixes to skip;
- **hashes and compresses the extensions' static folders** (Flask-Admin's ``admin.static``,
  Flask-Bootstrap's ``bootstrap.static``, any blueprint's ``static_folder``): ``url_for`` gives
  their files hashed names, served immutable and compressed (``assetpipe.blueprint_static``;
  ``blueprint_static=False`` turns it off);
- **names computed static files**: a ``url_for('static', filename=EXPR)`` made while a
  template renders (a macro's ``'js/' + name``, or a Python helper the template calls, Fava's
  ``static_url('app.css')``), which the build cannot rewrite, names the build's hashed file of
  its value (``name_static_files``; not a view's ``url_for`` outside a render); so does
  Flask-Versioned's ``versioned`` filter (``name_versioned_files``);
- **follows new builds**: templates, ``asset_url()``/``asset_tags()`` and the file table move to
  a build swapped in by ``assetpipe build`` or ``assetpipe watch``. In debug (``app.debug``
  at ``AssetPipe(app)``: ``flask run --debug``, ``FLASK_DEBUG``) every request checks;
  otherwise each dynamic request does one ``stat`` of the manifest (a new build clears Jinja's template cache) and an asset
  request checks only when its file is missing.

Settings: arguments win over ``app.config`` (``ASSETPIPE_CONFIG``, ``ASSETPIPE_OUTPUT``,
``ASSETPIPE_PUBLIC_PATH``, ``ASSETPIPE_COMPRESS``, ``ASSETPIPE_COMPRESS_EXCLUDE``,
``ASSETPIPE_SOURCE_PATHS``, ``ASSETPIPE_STATIC_FALLBACK``, ``ASSETPIPE_BLUEPRINT_STATIC``, ``ASSETPIPE_DEV``,
``ASSETPIPE_RELOAD_URL``), which win over pipeline.yaml. ``dev=True`` also injects the
live-reload client (``reload_url``: the ``/__assetpipe/events`` stream of
``assetpipe watch --no-serve``) into HTML pages. In debug with ``dev`` unset (``app.debug`` read
per page: ``app.run(debug=True)`` sets it after the two lines), the client is
injected while an ``assetpipe watch`` of the same config runs, for its stream
(``assetpipe.serve.beacon``): ``flask run --debug`` beside ``assetpipe watch --no-serve``
reloads on save without a setting.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .behind_prefix import ASGIBehindPrefix, BehindPrefix
from .blueprint_static import BlueprintStatic
from .configfind import CONFIG_NAME, config_candidates, find_config
from .dashapp import (
    after_init_app,
    dash_attached,
    dash_server,
    dash_source,
    is_dash,
    name_dash_assets,
)
from .dashasgi import adopt_on_starlette, on_starlette
from .flaskcache import StaticHooks, static_cache_control
from .flasknames import built_file, is_quart, name_static_files, name_versioned_files
from .jinja import AssetResolver, SourceMappedLoader, install
from .manifest import manifest_stamp, report_missing_manifest
from .serve import AssetMiddleware
from .serve.compress import NO_COMPRESS_KEY
from .serve.holder import AssetServing, url_prefix

log = logging.getLogger("assetpipe")
F = TypeVar("F", bound=Callable[..., Any])


def no_compress(view: F | None = None) -> Any:
    """Keep a response uncompressed (BREACH): ``@no_compress`` on a view, or ``no_compress()``
    while a request is handled (Flask's or Quart's)."""
    if view is None:
        from flask import has_request_context, request

        if has_request_context():
            request.environ[NO_COMPRESS_KEY] = True
        else:  # a Quart request: its ASGI scope is the one the layers see
            from quart import request as quart_request

            scope: Any = quart_request.scope
            scope[NO_COMPRESS_KEY] = True
        return None

    if inspect.iscoroutinefunction(view):  # a Quart view

        @functools.wraps(view)
        async def awaited(*args: Any, **kwargs: Any) -> Any:
            no_compress()
            return await view(*args, **kwargs)

        return awaited

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        no_compress()
        return view(*args, **kwargs)

    return wrapped


def _static_route_at(app: Any, public_path: str) -> bool:
    """Whether the app may serve files under the URL prefix the middleware owns: Flask's own
    static route does, or a WSGI layer the app already wraps itself in may (SearXNG's
    ``app.wsgi_app = WhiteNoise(app.wsgi_app, prefix="static")`` with ``static_folder=None``:
    with the two lines after it, every file of its theme 404ed, scripts included)."""
    static = getattr(app, "static_url_path", None)
    inner = getattr(app, "asgi_app" if is_quart(app) else "wsgi_app", None)
    if inner is not None and getattr(inner, "__self__", None) is not app:
        return True  # not the app's own bound wsgi_app/asgi_app: a layer the app put there
    return (
        bool(getattr(app, "has_static_folder", False))
        and static is not None
        and url_prefix(public_path) == url_prefix(static)
    )


def _live_source(app: Any, public_path: str, source: Path | None) -> Path | None:
    """The build's source folder when it is the app's static folder and Flask's static route
    serves it under ``public_path``: a file of it that changed since the build (Flask-Admin's
    ``FileAdmin`` over ``static/``: an edit, a delete) is then left to that route, which
    serves it as it now is (``assetpipe.serve.freshness``); else ``None``."""
    folder = getattr(app, "static_folder", None)
    if source is None or not folder or not _static_route_at(app, public_path):
        return None
    return source if os.path.realpath(folder) == os.path.realpath(source) else None


class _OwnRoute:
    """True once the app has a URL rule of its own under the public path (MLflow's
    ``/static-files/<path:path>`` view, serving its static folder by hand): a file the build
    lacks then goes on to that view, as before adoption, not to a 404 of assetpipe's. Read at
    request time, not in ``init_app``: the two lines come right after ``Flask(...)``, before
    the module declares its routes (MLflow's 120 lines below). The map is read once, at the
    first request that asks: by then the app serves, and Flask refuses new routes after its
    first request, so a file the build lacks (a bot's probe of ``/static/x.php``) never scans
    the rules again. At the site's root (``public_path: "/"``: Indico's ``static_url_path='/'``
    with views of its own for ``/css/``, ``/dist/``, ``/images/`` and no Flask static route)
    every rule is under it: the app's pages go on to it too (every page was a 404)."""

    def __init__(self, app: Any, public_path: str) -> None:
        self.app = app
        self.prefix = url_prefix(public_path)
        self.found: bool | None = None

    def __bool__(self) -> bool:
        if self.found is None:
            rules = getattr(getattr(self.app, "url_map", None), "iter_rules", None)
            self.found = rules is not None and any(
                str(r.rule).startswith(self.prefix) for r in rules()
            )
        return self.found


def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


class AssetPipe:
    """Flask extension (see the module doc)."""

    def __init__(
        self,
        app: Any | None = None,
        *,
        config: str | Path | None = None,
        output: str | Path | None = None,
        public_path: str | None = None,
        compress: bool | None = None,
        compress_exclude: Iterable[str] | None = None,
        source_paths: bool | None = None,
        static_fallback: bool | None = None,
        blueprint_static: bool | None = None,
        dev: bool | None = None,
        reload_url: str | None = None,
    ) -> None:
        self.config = config
        self.output = output
        self.public_path = public_path
        self.compress = compress
        self.compress_exclude = compress_exclude
        self.source_paths = source_paths
        self.static_fallback = static_fallback
        self.blueprint_static = blueprint_static
        self.dev = dev
        self.reload_url = reload_url
        self.config_path: Path | None = None
        self._config_source_paths, self._config_integrity = True, False
        self._config_templates: tuple[Path, ...] = ()  # templates.dirs, absolute
        self._config_source: Path | None = None
        self._config_state: Path | None = None
        self.resolver: AssetResolver | None = None
        self.middleware: AssetServing | None = None
        if app is not None:
            self.init_app(app)

    def _setting(self, app: Any, attr: str, key: str) -> Any:
        value = getattr(self, attr)
        return value if value is not None else app.config.get(key)

    def _settings(self, app: Any) -> tuple[Path, str]:
        """(output, public_path): arguments, then app.config, then pipeline.yaml (which also
        gives ``serve.source_paths`` and ``templates.integrity``)."""
        root = Path(app.root_path)
        output = self._setting(app, "output", "ASSETPIPE_OUTPUT")
        public_path = self._setting(app, "public_path", "ASSETPIPE_PUBLIC_PATH")
        named = self._setting(app, "config", "ASSETPIPE_CONFIG")
        if named is not None or output is None:
            from .config import load_config

            self.config_path = find_config(
                root, named or CONFIG_NAME, getattr(app, "import_name", None)
            )
            cfg = load_config(self.config_path)
            output = output if output is not None else cfg.output
            public_path = public_path or cfg.public_path
            self._config_source_paths = cfg.serve.source_paths
            self._config_integrity = cfg.templates.integrity
            self._config_source = Path(cfg.source)
            self._config_state = cfg.state_dir
            self._config_templates = tuple(Path(cfg.source) / d for d in cfg.templates.dirs)
        out = Path(output)
        return (out if out.is_absolute() else root / out), public_path or "/static/"

    def init_app(self, app: Any) -> None:
        """Install the template loader, the Jinja globals and the WSGI (Quart: ASGI) layers on
        ``app`` (a Dash app: on ``app.server``, and Dash's asset links get the hashed names,
        ``assetpipe.dashapp``; one made with ``server=False``: once ``app.init_app(server)``
        has attached it)."""
        dash_app = None
        if is_dash(app):
            if not dash_attached(app):
                after_init_app(app, self.init_app)
                return
            if on_starlette(app):  # Dash 4's FastAPI backend (``assetpipe.dashasgi``)
                self.resolver = adopt_on_starlette(
                    app, config=self.config, output=self.output, public_path=self.public_path
                )
                return
            dash_app, app = app, app.server
        asgi = is_quart(app)
        # the WSGI layers, or their ASGI twins (same arguments, same behaviour) for Quart
        layers: Any = importlib.import_module(
            "assetpipe.serve.asgi" if asgi else "assetpipe.serve.wsgi"
        )
        output, public_path = self._settings(app)
        if dash_app is None and dash_server(app, public_path):
            log.warning(
                "assetpipe: %r is a Dash app's server: the build is served, but the links Dash"
                " writes keep their unhashed, no-cache names; give the Dash app instead:"
                " AssetPipe(app), not AssetPipe(app.server)",
                app.name,
            )
        live = _live_source(app, public_path, self._config_source)
        # a Dash app's assets folder, edited under Dash's own app.run(debug=True): debug only
        dash_live = (
            dash_source(dash_app, public_path, self._config_source)
            if dash_app is not None and live is None
            else None
        )
        if report_missing_manifest(output) is not None:  # once (the middleware's is then quiet)
            log.warning(
                "assetpipe: no build at %s yet: the app renders its own templates and "
                "static files until `assetpipe build` (picked up without a restart)",
                output,
            )
        dev_setting = self._setting(app, "dev", "ASSETPIPE_DEV")
        dev = _flag(dev_setting, False)
        follow = dev or bool(app.debug)
        # in debug, unless set: live reload while an `assetpipe watch` of this config runs
        # debug read per page: ``app.run(debug=True)`` sets it after the two lines ran
        watching = dev_setting is None and self._config_state is not None
        env = app.jinja_env
        env.loader = SourceMappedLoader(output, env.loader, self._config_templates)
        self.resolver = resolver = install(
            env,
            output / "manifest.json",
            public_path,
            check_interval=0.0 if follow else 1.0,
            integrity=self._config_integrity,
        )
        reload_url = self._setting(app, "reload_url", "ASSETPIPE_RELOAD_URL")
        # asked at the first request: hooks registered (or debug set) after the lines count
        hooks = StaticHooks(app, public_path, lambda: next(iter(resolver.manifest), ""))
        self.middleware = layers.AssetMiddleware(
            app.asgi_app if asgi else app.wsgi_app,
            output,
            public_path,
            dev=dev,
            autorefresh=follow,
            reload_url=reload_url or "/__assetpipe/events",
            source_paths=_flag(
                self._setting(app, "source_paths", "ASSETPIPE_SOURCE_PATHS"),
                self._config_source_paths,
            ),
            fallback=_flag(self._setting(app, "static_fallback", "ASSETPIPE_STATIC_FALLBACK"), True)
            and (_static_route_at(app, public_path) or _OwnRoute(app, public_path)),
            unhashed_cache_control=hooks.cache_control,
            app_headers=hooks.security_headers,
            source=live or dash_live,
            source_when=(lambda: bool(app.debug)) if dash_live is not None else None,
            watch_state=self._config_state if watching else None,
            watch_when=lambda: bool(app.debug),
        )
        outer: Any = self.middleware
        if _flag(self._setting(app, "compress", "ASSETPIPE_COMPRESS"), True):
            exclude = self._setting(app, "compress_exclude", "ASSETPIPE_COMPRESS_EXCLUDE") or ()
            # breach_guard: a response that sets a cookie (Flask adds the session cookie after
            # the after_request hooks, so this is a WSGI layer's job, not a hook's) or says
            # private/no-store is left uncompressed (``assetpipe.serve.compress.carries_secret``)
            outer = layers.CompressMiddleware(
                outer, exclude_paths=(url_prefix(public_path), *exclude), breach_guard=True
            )
        blueprints = _flag(
            self._setting(app, "blueprint_static", "ASSETPIPE_BLUEPRINT_STATIC"), True
        )
        blueprint_static = None
        if blueprints:
            if asgi:
                from .blueprint_static_asgi import ASGIBlueprintStatic

                outer = ASGIBlueprintStatic(outer, app)
                blueprint_static = outer.static
            else:
                outer = BlueprintStatic(outer, app)
        if _static_route_at(app, public_path):
            name_static_files(app, self.resolver, self.middleware.source_changed)
            name_versioned_files(app, self.resolver)
        if dash_app is not None:
            name_dash_assets(dash_app, self.resolver, self.middleware.source_changed)
        follower = _Follower(app, output, self.resolver, self.middleware)
        if asgi:
            app.asgi_app = outer

            async def follow_builds() -> None:  # on the loop: a sync hook is run in a thread
                follower()

            app.before_request(follow_builds)
            assert isinstance(self.middleware, layers.AssetMiddleware)
            app.before_request(ASGIBehindPrefix(self.middleware, blueprint_static).hook)
        else:
            app.wsgi_app = outer
            app.before_request(follower)
            assert isinstance(self.middleware, AssetMiddleware)
            app.before_request(BehindPrefix(self.middleware))
        app.extensions["assetpipe"] = self


class _Follower:
    """The ``before_request`` hook of one app: before each request Flask handles, move its
    templates, globals and file table to a build swapped in since the last one (one ``stat``).
    One per app, so an extension shared by an app factory's apps keeps them apart."""

    def __init__(
        self, app: Any, output: Path, resolver: AssetResolver, middleware: AssetServing
    ) -> None:
        self.app, self.output, self.resolver, self.middleware = app, output, resolver, middleware
        self.stamp = manifest_stamp(output)

    def __call__(self) -> None:
        holder = self.middleware.holder
        if self.app.debug and not holder.autorefresh:  # app.run(debug=True) after init_app
            holder.autorefresh = True
            self.resolver.check_interval = 0.0
        stamp = manifest_stamp(self.output)
        if stamp == self.stamp:
            return
        self.stamp = stamp
        cache = getattr(self.app.jinja_env, "cache", None)
        if cache is not None:
            cache.clear()
        self.resolver.refresh()
        holder.check()  # loads the new file table in the background


__all__ = [
    "AssetPipe",
    "built_file",
    "config_candidates",
    "find_config",
    "name_static_files",
    "name_versioned_files",
    "no_compress",
    "static_cache_control",
]
