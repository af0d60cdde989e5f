"""A Plotly Dash app, adopted with the Flask extension's two lines on the Dash app itself.

Dash serves its pages from a Flask app (``app.server``) and links every file of its
``assets/`` folder itself, in the page it writes from ``index_string`` (not a Jinja template):
``<link rel="stylesheet" href="/assets/style.css?m=<mtime>">``, each script, the favicon. The
build cannot rewrite that page, so those URLs stayed the unhashed, ``no-cache`` names, and a
warm visit revalidated every one. ``AssetPipe(app)`` given the Dash app serves the build from
``app.server`` as for any Flask app, and makes Dash's ``get_asset_url`` (which names each of
those links, and the URLs an app builds with ``app.get_asset_url`` after the two lines) answer
the build's hashed file: content-named, served ``immutable``, Dash's ``?m=`` query kept.
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
    """Whether ``app`` is a Dash app (its Flask app is ``app.server``), not a Flask app."""
    return (
        callable(getattr(app, "get_asset_url", None))
        and hasattr(getattr(app, "config", None), "assets_url_path")
        and hasattr(getattr(app, "server", None), "wsgi_app")
    )


def name_dash_assets(
    dash_app: Any, resolver: AssetResolver, changed: Callable[[str], bool] | None = None
) -> None:
    """Wrap ``dash_app.get_asset_url(path)`` so that a ``path`` of the current build's manifest
    (``resolver``, which follows new builds) is named by its built file (``built_file``: an
    image's original-format output, not WebP, since the consumer is unknown), in place of its
    last part of the URL Dash made (prefix and ``assets_url_path`` kept). A path the manifest
    lacks (a file added after the build) or that ``changed`` says was edited since the build
    keeps Dash's URL, answered as before."""
    original = dash_app.get_asset_url

    def get_asset_url(path: str) -> str:
        url: str = original(path)
        key = path.lstrip("/")
        entry = resolver.manifest.get(key)
        named = built_file(entry) if entry is not None else None
        if named is None or not url.endswith(key) or (changed is not None and changed(key)):
            return url
        return url[: len(url) - len(key)] + named

    dash_app.get_asset_url = get_asset_url


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
