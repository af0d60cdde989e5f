"""The Flask extension: ``asset_url()``/``asset_tags()`` in templates plus the asset middleware.

    from flask import Flask
    from assetpipe.flask import AssetPipe

    app = Flask(__name__)
    AssetPipe(app, output="dist", public_path="/static/")      # or AssetPipe().init_app(app)

In templates: ``{{ asset_tags('js/dashboard.js') }}`` (CSS links, module script, modulepreloads,
with SRI, in Vite's order) and ``{{ asset_url('img/hero.jpg') }}``.

Settings (arguments win over ``app.config``, which wins over pipeline.yaml):
``ASSETPIPE_CONFIG`` (a pipeline.yaml; its ``output`` and ``public_path`` are used),
``ASSETPIPE_OUTPUT`` (default ``dist``), ``ASSETPIPE_PUBLIC_PATH`` (default ``/static/``),
``ASSETPIPE_DEV`` (follow rebuilds and inject the live-reload client), ``ASSETPIPE_RELOAD_URL``.

``app.wsgi_app`` is wrapped in ``assetpipe.serve.AssetMiddleware``: requests under
``public_path`` are answered by it (precompressed, immutable caching, 404 for anything else),
before Flask's own static route — so leave Flask's ``static_url_path`` elsewhere or unused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .jinja import AssetResolver, install
from .serve import AssetMiddleware


class AssetPipe:
    """Flask extension (see the module doc)."""

    def __init__(self, app: Any | None = None, *, config: str | Path | None = None,
                 output: str | Path | None = None, public_path: str | None = None,
                 dev: bool | None = None, reload_url: str | None = None) -> None:
        self.config = config
        self.output = output
        self.public_path = public_path
        self.dev = dev
        self.reload_url = reload_url
        self.resolver: AssetResolver | None = None
        self.middleware: AssetMiddleware | None = None
        if app is not None:
            self.init_app(app)

    def _settings(self, app: Any) -> tuple[Path, str]:
        output: str | Path | None = self.output or app.config.get("ASSETPIPE_OUTPUT")
        public_path: str | None = self.public_path or app.config.get("ASSETPIPE_PUBLIC_PATH")
        config_path = self.config or app.config.get("ASSETPIPE_CONFIG")
        if config_path is not None and (output is None or public_path is None):
            from .config import load_config

            cfg = load_config(config_path)
            output = output or cfg.output
            public_path = public_path or cfg.public_path
        return Path(output or "dist"), public_path or "/static/"

    def init_app(self, app: Any) -> None:
        """Install the Jinja globals on ``app.jinja_env`` and wrap ``app.wsgi_app``."""
        output, public_path = self._settings(app)
        dev = bool(self.dev if self.dev is not None else app.config.get("ASSETPIPE_DEV", False))
        reload_url = self.reload_url or app.config.get("ASSETPIPE_RELOAD_URL",
                                                       "/__assetpipe/events")
        self.resolver = install(app.jinja_env, output / "manifest.json", public_path,
                                check_interval=0.0 if dev else 1.0)
        self.middleware = AssetMiddleware(app.wsgi_app, output, public_path, dev=dev,
                                          reload_url=reload_url)
        app.wsgi_app = self.middleware
        app.extensions["assetpipe"] = self
