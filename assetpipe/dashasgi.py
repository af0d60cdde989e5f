"""A Dash 4 app on its FastAPI backend (``Dash(__name__, backend="fastapi")``), adopted with
the same two lines as on Flask (``AssetPipe(app)`` from ``assetpipe.flask``, given the Dash app).

There ``app.server`` is a FastAPI app, which mounts ``StaticFiles`` over the assets folder at
``/assets`` (a mount named ``<prefix>dash_assets``): no Flask config, no ``wsgi_app``, and the
Flask extension failed on import (``'dict' object has no attribute 'root_path'``). The server
gets ``assetpipe.starlette.AssetPipe`` instead (the build served in front of Dash's mount,
compressed, ``immutable``; a file the build lacks goes on to the mount), and Dash's asset URLs
name the build's files as on Flask (``assetpipe.dashapp.name_dash_assets``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .dashapp import name_dash_assets
from .jinja import AssetResolver


def on_starlette(dash_app: Any) -> bool:
    """Whether the Dash app's server is a Starlette or FastAPI app (not Flask, not Quart)."""
    server = dash_app.server
    return callable(getattr(server, "add_middleware", None)) and not hasattr(server, "wsgi_app")


def adopt_on_starlette(
    dash_app: Any,
    *,
    config: str | Path | None = None,
    output: str | Path | None = None,
    public_path: str | None = None,
) -> AssetResolver:
    """Serve the build from the Dash app's Starlette server and name Dash's asset URLs by the
    built files; the resolver that follows the builds. The config is looked up from the assets
    folder's parent (the app's folder, as Flask's ``root_path`` is for Dash on Flask)."""
    from .starlette import AssetPipe

    pipe = AssetPipe(
        dash_app.server,
        config=config,
        output=output,
        public_path=public_path,
        root=Path(dash_app.config.assets_folder).parent,
    )
    resolver = AssetResolver(pipe.output / "manifest.json", pipe.public_path)
    name_dash_assets(dash_app, resolver)
    return resolver
