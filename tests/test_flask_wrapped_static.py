"""An app that serves its static files with a WSGI layer of its own, not Flask's static route
(SearXNG: ``Flask(__name__, static_folder=None)``, then ``app.wsgi_app = WhiteNoise(...)``): with
``AssetPipe(app)`` after that line, a file the build does not publish still reaches that layer,
as before adoption, instead of the middleware's 404."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.shared_data import SharedDataMiddleware

from assetpipe import build, load_config
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server


def _app(root: Path, **config: object) -> Flask:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static/themes/simple\noutput: dist\n"
            "static: {include: ['site.css']}\n",
            "static/themes/simple/site.css": "body{color:#123}\n",
            "static/themes/simple/chunk/a.js": "export const a=1;\n",
        },
    )
    build(load_config(root / "pipeline.yaml"))
    app = Flask("searxlike", root_path=str(root), static_folder=None)
    app.config.update(config)
    app.wsgi_app = SharedDataMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {"/static": str(root / "static")}
    )
    AssetPipe(app)
    return app


def test_a_file_the_build_lacks_reaches_the_apps_own_static_layer(tmp_path: Path) -> None:
    """The theme's chunk (not in the build) is answered by the app's layer; the build's file is
    the build's; ``static_fallback=False`` still makes the miss a 404."""
    with wsgi_server(_app(tmp_path / "a")) as port:
        r = request(port, "/static/themes/simple/chunk/a.js")
        assert r.status == 200 and r.body == b"export const a=1;\n"
        assert request(port, "/static/site.css").headers["cache-control"] == "no-cache"
    with wsgi_server(_app(tmp_path / "b", ASSETPIPE_STATIC_FALLBACK=False)) as port:
        assert request(port, "/static/themes/simple/chunk/a.js").status == 404
