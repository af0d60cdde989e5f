"""The Pyramid integration: two lines in the app's ``main()`` make it serve its build.

    from assetpipe.pyramid import AssetPipe
    AssetPipe(config)         # in main(), before config.make_wsgi_app()

``AssetPipe(config)`` finds pipeline.yaml from the module that calls it (as ``AssetPipe(app)``
finds Flask's) and:

- **serves the build** under ``public_path``: a tween at the top of the app's tweens answers a
  request for a file of the build (``<output>/public/``: hashed names ``immutable``,
  brotli/gzip, ETag/304/Range) through ``assetpipe.serve.AssetMiddleware``, before Pyramid's
  routing, transaction or debug toolbar tweens run; every other request, a static file the
  build lacks or an unhashed name among them, goes on to the app as before (its
  ``add_static_view`` serves the source file with its own ``cache_max_age``);
- **renders the rewritten templates**: each ``templates.dirs`` folder inside a package is
  overridden with ``<output>/templates/`` (``config.override_asset``), so a renderer named
  ``acme:templates/home.jinja2`` (pyramid_jinja2, Chameleon, Mako: each loads its templates as
  assets) renders the build's rewrite; through the build link, so a new build is followed;
  a template pyramid_jinja2 finds through its search path (``jinja2.directories``, a renderer
  named ``"base.jinja2"``: pypicloud) too, the build's ``templates/`` put first in that path;
- **names unhashed files hashed at run time**: a cache buster on the static folder's asset
  specification (``config.add_cache_buster``) makes ``request.static_url('acme:static/K')``
  computed in a view or a template expression give the build's file for K (a literal one in a
  template is rewritten by the build already).

The static folder must be a package's folder (``acme/static``): its asset specification
(``assetpipe.assetspec``) is what the templates and ``add_static_view`` name. The tween also
answers the build's files under the URL of each ``add_static_view`` of that folder, which
need not be ``public_path``: pypicloud names its view ``"static/%s" % __version__``, so the
cache buster's ``/static/1.3.12/css/base-HASH.css`` went to the app's static view, a 404.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .assetspec import spec_of
from .configfind import served_build
from .errors import AssetpipeError, ConfigError
from .jinja import AssetResolver
from .manifest import MANIFEST_NAME
from .serve import AssetMiddleware

#: the registry key of the serving middleware the tween uses
REGISTRY_KEY = "assetpipe.serving"
#: the registry key of the static folder's asset specification (``acme:static/``), or None
SPEC_KEY = "assetpipe.static_spec"


class _PassOn(Exception):
    """Raised by the middleware's wrapped app: the request names no file of the build."""


def _pass_on(environ: Any, start_response: Any) -> Any:
    raise _PassOn


def static_view_prefixes(registry: Any, spec: str | None) -> list[str]:
    """The URL paths (``/static/1.3.12/``) of the app's ``add_static_view`` views of the
    folder ``spec`` names, read from Pyramid's registrations once the configuration is
    committed; longest first. A view named by a full URL (another host) or whose route has a
    placeholder is left out: no request path of the app names its files."""
    from pyramid.interfaces import IRoutesMapper, IStaticURLInfo

    info = registry.queryUtility(IStaticURLInfo)
    mapper = registry.queryUtility(IRoutesMapper)
    if spec is None or info is None or mapper is None:
        return []
    prefixes = set()
    for url, view_spec, route_name in info.registrations:
        route = mapper.get_route(route_name) if url is None else None
        pattern = str(route.pattern) if route is not None else ""
        if view_spec != spec or not pattern.endswith("*subpath"):
            continue
        prefix = "/" + pattern[: -len("*subpath")].lstrip("/")
        if prefix.endswith("/") and "{" not in prefix:
            prefixes.add(prefix)
    return sorted(prefixes, key=len, reverse=True)


def _at(app: AssetMiddleware, path: str) -> Any:
    """``app`` asked for ``path`` (a WSGI string) in place of the request's own path."""

    def call(environ: Any, start_response: Any) -> Any:
        return app({**environ, "PATH_INFO": path}, start_response)

    return call


def tween_factory(handler: Any, registry: Any) -> Any:
    """Pyramid's tween: a request for a file of the build, under ``public_path`` or under an
    ``add_static_view`` of the static folder (``static_view_prefixes``), is answered from the
    build; any other goes on to ``handler``."""
    served: AssetMiddleware = registry[REGISTRY_KEY]
    mounts = [
        p for p in static_view_prefixes(registry, registry.get(SPEC_KEY)) if p != served.prefix
    ]

    def tween(request: Any) -> Any:
        path: str = request.environ.get("PATH_INFO") or ""
        for prefix in mounts:
            if path.startswith(prefix):
                try:
                    return request.get_response(_at(served, served.prefix + path[len(prefix) :]))
                except _PassOn:
                    return handler(request)
        if path.startswith(served.prefix):
            try:
                return request.get_response(served)
            except _PassOn:
                pass
        return handler(request)

    return tween


class _ManifestBuster:
    """A Pyramid cache buster: ``static_url`` of a manifest key gives its built ``file``."""

    def __init__(self, resolver: AssetResolver) -> None:
        self.resolver = resolver

    def __call__(
        self, request: Any, subpath: str, kw: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        entry = self.resolver.manifest.get(subpath)
        return (str(entry["file"]), kw) if entry is not None else (subpath, kw)


def _search_build_first(registry: Any, folders: list[Path], output: Path) -> None:
    """Put the build's ``templates/`` before each templates folder in the search path of every
    pyramid_jinja2 environment. A renderer named without a package (``"base.jinja2"``) is found
    through that path, the absolute folders ``jinja2.directories`` named when the app started
    (pypicloud's ``pypicloud:templates``), which ``config.override_asset`` does not reach."""
    try:
        from pyramid_jinja2 import IJinja2Environment
    except ImportError:  # not a pyramid_jinja2 app
        return
    built = os.path.join(output, "templates")
    sources = {os.path.normpath(f) for f in folders}
    for _, env in registry.getUtilitiesFor(IJinja2Environment):
        path = getattr(env.loader, "searchpath", None)
        if not isinstance(path, list) or built in path:
            continue
        for i, entry in enumerate(path):
            if os.path.normpath(entry) in sources:
                path.insert(i, built)
                break


def AssetPipe(  # named like the Flask extension, which users already know
    config: Any,
    *,
    pipeline: str | Path | None = None,
    output: str | Path | None = None,
    public_path: str | None = None,
) -> AssetMiddleware:
    """Install the build on a Pyramid ``Configurator`` (see the module docstring); returns the
    serving middleware. ``pipeline``: the config file (found from the calling module's folder
    when not given); ``output`` and ``public_path`` win over the config's."""
    caller = sys._getframe(1).f_globals.get("__file__")
    build = served_build(
        Path(caller).parent if caller else None,
        config=pipeline,
        output=output,
        public_path=public_path,
        source_paths=False,
    )
    if not (build.output / MANIFEST_NAME).is_file():
        raise ConfigError(
            [
                AssetpipeError(
                    f"no build at {build.output}: {MANIFEST_NAME} is missing",
                    hint="run `assetpipe build` (the app serves the build and its rewritten "
                    "templates)",
                )
            ]
        )
    served = AssetMiddleware(
        _pass_on,
        build.output,
        build.public_path,
        source_paths=False,
        fallback=True,
    )
    config.registry[REGISTRY_KEY] = served
    static = spec_of(build.config.source)
    config.registry[SPEC_KEY] = static
    from pyramid.tweens import INGRESS

    config.add_tween(f"{__name__}.tween_factory", under=INGRESS)
    folders = [
        Path(os.path.normpath(build.config.source / folder))  # relative to the source folder
        for folder in build.config.templates.dirs
    ]
    for folder in folders:
        spec = spec_of(folder)
        if spec is not None and spec.endswith("/"):
            config.override_asset(to_override=spec, override_with=f"{build.output}/templates/")
    # after pyramid_jinja2's environments and search paths (its phases: -20, -10)
    config.action(
        None, lambda: _search_build_first(config.registry, folders, build.output), order=999
    )
    if static is not None:
        resolver = AssetResolver(build.output / MANIFEST_NAME, build.public_path)
        config.add_cache_buster(static, _ManifestBuster(resolver))
    return served
