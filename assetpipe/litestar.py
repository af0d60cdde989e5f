"""Litestar: one plugin makes an existing app serve its build.

    from assetpipe.litestar import AssetPipe
    app = Litestar(route_handlers=[...], plugins=[AssetPipe()])

What ``assetpipe.flask.AssetPipe`` gives a Flask app, for a ``Litestar`` app whose pages are
Jinja templates (``TemplateConfig(directory=..., engine=JinjaTemplateEngine)``) naming their
files ``url_for('static', file_path=K)``, the files served by ``create_static_files_router(
path="/static", directories=[...], name="static")``:

- **the config** is found as Flask's is (``assetpipe.configfind.served_build``), from the folder of
  the module that makes the plugin (or ``root=``); a relative ``output`` is taken from
  pipeline.yaml's folder, as ``assetpipe build`` takes it;
- **the build is served** at the config's ``public_path`` by one
  ``assetpipe.serve.asgi.AssetMiddleware``, the app's outermost middleware. Litestar runs an
  app's middleware for the requests one of its routes matches, and a static files router
  matches every path below its own: there, the build answers its hashed names (``immutable``)
  and the source paths, and a file it lacks goes on to the router. Unhashed names and source
  paths keep the router's caching: the ``Cache-Control`` of the ``cache_control=`` it was made
  with (``create_static_files_router(..., cache_control=CacheControlHeader(max_age=3600))``),
  none when it has none, and a browser then reuses such a file on a warm visit without asking
  (the app's own ``cache_control=`` does not reach a static router's files, nor here;
  ``unhashed_cache_control`` names another header, ``"no-cache"`` to revalidate every time);
- **dynamic responses are compressed** (``asgi.CompressMiddleware``: brotli, zstd or gzip by
  the request's ``Accept-Encoding``, with the BREACH guard, the static router's files spared
  from it), as ``AssetPipe(app)`` does for Flask; a response the app's own
  ``compression_config`` compressed passes as it is. ``compress=False`` turns it off,
  ``compress_exclude`` skips path prefixes;
- **the rewritten templates are rendered**: the Jinja engine gets
  ``assetpipe.jinja.BuildLoader`` over ``<output>/templates/`` in front of its own loader (which
  still answers what the build lacks), the ``asset_url()``/``asset_tags()`` globals, and a
  ``url_for`` that names the build's hashed file for a ``file_path`` the build could not
  rewrite (computed in the template: ``file_path=item.photo``) on a route of
  ``templates.static_routes``; any other call is Litestar's own.

Arguments (``config``, ``output``, ``public_path``, ``source_paths``, ``root``) win over
pipeline.yaml; ``compress``, ``compress_exclude`` and ``unhashed_cache_control`` are arguments
only.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .configfind import served_build
from .flasknames import built_file
from .jinja import AssetResolver, BuildLoader, install
from .serve import asgi
from .serve.holder import url_prefix

__all__ = ["AssetPipe"]


class AssetPipe:
    """A Litestar init plugin (``plugins=[AssetPipe()]``) serving the build and rendering its
    rewritten templates (see the module docstring)."""

    def __init__(
        self,
        *,
        config: str | Path | None = None,
        output: str | Path | None = None,
        public_path: str | None = None,
        source_paths: bool | None = None,
        root: str | Path | None = None,
        compress: bool = True,
        compress_exclude: tuple[str, ...] = (),
        unhashed_cache_control: str | None = None,
    ) -> None:
        found = served_build(
            root, config=config, output=output, public_path=public_path, source_paths=source_paths
        )
        self.config_path, cfg, self.output = found.config_path, found.config, found.output
        self.public_path = found.public_path
        self.integrity = cfg.templates.integrity
        self.static_routes = tuple(cfg.templates.static_routes)
        self.compress, self.compress_exclude = compress, tuple(compress_exclude)
        #: the one server of the build's files every route's layer shares (its table, its
        #: memory); each layer is a copy of it that falls back to its own route
        self.serving = asgi.AssetMiddleware(
            None,
            self.output,
            self.public_path,
            source_paths=found.source_paths,
            fallback=True,
            unhashed_cache_control=unhashed_cache_control or "",
        )
        #: the router's ``cache_control`` is read at ``on_app_init`` unless this was given
        self.unhashed_given = unhashed_cache_control is not None
        self.resolver: AssetResolver | None = None

    def on_app_init(self, app_config: Any) -> Any:
        """Litestar's ``InitPluginProtocol`` hook: the layer goes first in the app's middleware,
        and the template engine, once made, renders the build's templates."""
        app_config.middleware.insert(0, self.layer)
        if not self.unhashed_given:
            header = router_cache_control(app_config.route_handlers, url_prefix(self.public_path))
            if header:
                self.serving.holder.use_unhashed(header)
        tc = app_config.template_config
        if tc is not None:
            if tc.instance is not None:
                self.templates(tc.instance)
            else:
                before = tc.engine_callback

                def made(engine: Any) -> None:
                    if callable(before):
                        before(engine)
                    self.templates(engine)

                tc.engine_callback = made
        return app_config

    def layer(self, app: Any) -> Any:
        """The middleware Litestar puts in front of one route's handler (``app``): the build's
        server falling back to that handler, behind the compressor."""
        served = copy.copy(self.serving)
        served.app = app
        if not self.compress:
            return served
        prefix = url_prefix(self.public_path)
        return asgi.CompressMiddleware(
            served,
            exclude_paths=(prefix, *self.compress_exclude),
            breach_guard=True,
            file_paths=(prefix,),
        )

    def templates(self, engine: Any) -> None:
        """Render ``engine``'s templates from the build (a Jinja engine: its ``engine`` is the
        ``Environment``; any other engine is left as it is)."""
        import jinja2

        env = getattr(engine, "engine", None)
        if not isinstance(env, jinja2.Environment):
            return
        own = [env.loader] if env.loader is not None else []
        env.loader = jinja2.ChoiceLoader([BuildLoader(self.output), *own])
        resolver = install(
            env, self.output / "manifest.json", self.public_path, integrity=self.integrity
        )
        self.resolver = resolver
        register = getattr(engine, "register_template_callable", None)
        if callable(register):
            register(key="url_for", template_callable=self._url_for(resolver))

    def _url_for(self, resolver: AssetResolver) -> Any:
        """Litestar's template ``url_for``, with a ``file_path`` of a static route named by the
        build's file for it (``flasknames.built_file``: what the source path itself serves)
        when the build has that key."""
        from litestar.template.base import url_for as litestar_url_for

        routes = self.static_routes

        def url_for(context: Mapping[str, Any], /, route_name: Any, **parameters: Any) -> str:
            key = parameters.get("file_path")
            if route_name in routes and isinstance(key, str):
                entry = resolver.manifest.get(key.lstrip("/"))
                named = built_file(entry) if entry is not None else None
                if named is not None:
                    parameters = {**parameters, "file_path": named}
            return litestar_url_for(context, route_name, **parameters)

        return url_for


def router_cache_control(handlers: Any, prefix: str) -> str:
    """The ``Cache-Control`` header a static files router at ``prefix`` (the build's public
    path, no trailing slash), among ``handlers`` or inside a router there, sends with each file:
    the ``cache_control=`` it was made with (``create_static_files_router`` gives its files
    and the router the same header); ``""`` when it has none."""
    route_path = prefix.rstrip("/") + "/{file_path:path}"
    for handler in handlers if isinstance(handlers, (list, tuple)) else ():
        for route in getattr(handler, "routes", None) or ():  # a router: its routes, full paths
            if getattr(route, "path", None) != route_path:
                continue
            for route_handler in route.route_handlers:  # owned by the router that made it
                control = getattr(getattr(route_handler, "owner", None), "cache_control", None)
                if control is not None:
                    return str(control.to_header())
    return ""
