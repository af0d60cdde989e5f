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

from collections.abc import Callable
from typing import Any

from .flasknames import built_file
from .jinja import AssetResolver


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


def dash_server(app: Any) -> bool:
    """Whether the Flask app ``app`` is a Dash app's ``server`` (Dash registers its assets
    folder as a blueprint named ``<prefix>dash_assets``): given it, ``AssetPipe`` serves the
    build but cannot reach the links Dash writes."""
    return any(name.endswith("dash_assets") for name in getattr(app, "blueprints", {}))
