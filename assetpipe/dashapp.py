"""A Plotly Dash app, adopted with the Flask extension's two lines on the Dash app itself.

Dash serves its pages from a Flask app (``app.server``) and links every file of its
``assets/`` folder itself, in the page it writes from ``index_string`` (not a Jinja template):
``<link rel="stylesheet" href="/assets/style.css?m=<mtime>">``, each script, the favicon. The
build cannot rewrite that page, so those URLs stayed the unhashed, ``no-cache`` names, and a
warm visit revalidated every one. ``AssetPipe(app)`` given the Dash app serves the build from
``app.server`` as for any Flask app, and makes the URLs Dash makes for its assets (each of
those links, and every ``app.get_asset_url`` or ``dash.get_asset_url`` of the app's code, those
page modules made while ``Dash(...)`` imported them included) name the build's hashed file:
content-named, served ``immutable``, Dash's ``?m=`` query kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .flasknames import built_file
from .jinja import AssetResolver
from .serve.holder import url_prefix


def is_dash(app: Any) -> bool:
    """Whether ``app`` is a Dash app (its server is ``app.server``: Flask, or Dash 4's Quart
    or FastAPI; ``None`` until ``init_app(server)`` with Dash 2's ``server=False``), not a
    Flask app."""
    return callable(getattr(app, "get_asset_url", None)) and hasattr(
        getattr(app, "config", None), "assets_url_path"
    )


def dash_attached(dash_app: Any) -> bool:
    """Whether Dash's ``init_app`` has attached ``dash_app`` to its server: registered there
    the blueprint serving its assets (``<prefix>dash_assets``). Made with ``server=False``, it
    is not until ``dash_app.init_app(server)``: Dash 4 holds a Flask app of its own making
    meanwhile, which ``init_app`` replaces (Dash 2 holds ``None``)."""
    server = getattr(dash_app, "server", None)
    if server is not None and hasattr(dash_app, "_initialized_server"):  # Dash 4, any backend
        return bool(dash_app._initialized_server is server)
    return any(name.endswith("dash_assets") for name in getattr(server, "blueprints", {}))


def after_init_app(dash_app: Any, install: Callable[[Any], None]) -> None:
    """Run ``install(dash_app)`` right after the app's ``init_app(server)`` (``Dash(__name__,
    server=False)``, attached to the Flask app in a factory): the two lines, run after
    ``Dash(...)`` as ``init`` says, installed on the stand-in server, and the real one answered
    the hashed links Dash then wrote with 404s (the page lost its stylesheets)."""
    original = dash_app.init_app

    def init_app(app: Any = None, **kwargs: Any) -> None:
        original(app, **kwargs)
        dash_app.init_app = original
        install(dash_app)

    dash_app.init_app = init_app


#: each adopted Dash app's config (Dash's ``AttributeDict``, unhashable) by ``id``, with the
#: function naming its URLs (``name_dash_assets``); the config is kept, so no ``id`` is reused
_NAMERS: dict[int, tuple[Any, Callable[[str, str], str]]] = {}


def name_dash_assets(
    dash_app: Any, resolver: AssetResolver, changed: Callable[[str], bool] | None = None
) -> None:
    """Make every asset URL Dash makes for ``dash_app`` name the current build's file: a
    ``path`` of the build's manifest (``resolver``, which follows new builds) is named by its
    built file (``built_file``: an image's original-format output, not WebP, since the
    consumer is unknown) in place of the last part of the URL Dash made (prefix and
    ``assets_url_path`` kept). A path the manifest lacks (a file added after the build) or
    that ``changed`` says was edited since the build keeps Dash's URL, answered as before.

    Both of Dash's spellings meet in ``dash._get_paths.app_get_asset_url(config, path)``:
    ``app.get_asset_url(path)`` (the links Dash writes in its page) and ``dash.get_asset_url
    (path)`` (page modules, callbacks: it reads the last Dash app's config), which the wrapper
    of ``app.get_asset_url`` alone never saw (a callback's photo stayed unhashed). URLs made
    before this runs, in the page modules ``use_pages=True`` imports while ``Dash(...)`` makes
    the app, are named in place (``relink_pages``)."""
    from dash import _get_paths

    def named(url: str, path: str) -> str:
        key = path.lstrip("/")
        entry = resolver.manifest.get(key)
        built = built_file(entry) if entry is not None else None
        if built is None or not url.endswith(key) or (changed is not None and changed(key)):
            return url
        return url[: len(url) - len(key)] + built

    if not _NAMERS:
        original: Callable[[Any, str], str] = _get_paths.app_get_asset_url

        def app_get_asset_url(config: Any, path: str) -> str:
            url: str = original(config, path)
            namer = _NAMERS.get(id(config))
            return namer[1](url, path) if namer is not None and namer[0] is config else url

        _get_paths.app_get_asset_url = app_get_asset_url
    _NAMERS[id(dash_app.config)] = (dash_app.config, named)
    relink_pages(dash_app, named)


#: props whose strings are no URL to rename: text, identity, what callbacks compare
_NOT_URLS = frozenset({"children", "id", "value"})


def relink_pages(dash_app: Any, named: Callable[[str, str], str]) -> None:
    """Name by the build's files the asset URLs made before the two lines ran: in the page
    modules that ``use_pages=True`` imports while ``Dash(...)`` makes the app (``layout =
    html.Img(src=dash.get_asset_url("img/lake.jpg"))`` at a module's top level) and in a
    layout set before the lines. A string prop of a layout's component (not ``_NOT_URLS``)
    that is exactly a URL Dash makes for a path of its assets folder becomes the URL ``named``
    gives it, what Dash makes now; a layout that is a function runs per request, after the
    lines, and needs none. Done once: such a page names this build's files until the app
    restarts, as an app caching its ``url_for`` does (docs/adopting.md, "What stays
    unhashed")."""
    from dash import _get_paths, page_registry
    from dash.development.base_component import Component

    make: Callable[[Any, str], str] = _get_paths.app_get_asset_url
    prefix = make(dash_app.config, "")

    def relink(value: Any) -> None:
        if isinstance(value, (list, tuple)):
            for item in value:
                relink(item)
        elif isinstance(value, dict):
            for item in value.values():
                relink(item)
        elif isinstance(value, Component):
            for prop in value._prop_names:
                old = getattr(value, prop, None)
                if isinstance(old, str) and prop not in _NOT_URLS and old.startswith(prefix):
                    setattr(value, prop, named(old, old[len(prefix) :]))
                elif old is not None and not isinstance(old, str):
                    relink(old)

    for layout in (*(page.get("layout") for page in page_registry.values()), dash_app.layout):
        if not callable(layout):
            relink(layout)


def dash_server(app: Any, public_path: str) -> bool:
    """Whether the Flask app ``app`` is a Dash app's ``server`` whose assets the build is of:
    Dash registers its assets folder as a blueprint named ``<prefix>dash_assets`` served at
    ``public_path``. Given that server, ``AssetPipe`` serves the build but cannot reach the
    links Dash writes (a Flask app with its own build at ``/static/`` that embeds a Dash app is
    not one)."""
    return any(
        name.endswith("dash_assets")
        and url_prefix(bp.static_url_path or "") == url_prefix(public_path)
        for name, bp in getattr(app, "blueprints", {}).items()
    )


def dash_source(dash_app: Any, public_path: str, source: Path | None) -> Path | None:
    """The build's source folder when it is the Dash app's assets folder and Dash's assets
    route serves it under ``public_path``: a file of it edited since the build (under
    ``app.run(debug=True)``, Dash's own development server, without ``assetpipe watch``) is
    then Dash's to link and answer as it now is (``assetpipe.serve.freshness``). Without it the
    page kept linking the build's stale file, and even the unhashed URL answered the build's
    copy: an edit never showed. ``None`` otherwise."""
    config = dash_app.config
    folder = getattr(config, "assets_folder", None)
    route = f"{getattr(config, 'routes_pathname_prefix', '/')}{config.assets_url_path.strip('/')}"
    if source is None or not folder or url_prefix(route) != url_prefix(public_path):
        return None
    return source if os.path.realpath(folder) == os.path.realpath(source) else None
