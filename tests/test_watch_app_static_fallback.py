"""``assetpipe watch --app``: a path under ``public_path`` that names no file of the build goes
on to the user's app, as ``AssetPipe(app)`` does in production. Airflow's pages name
Flask-AppBuilder's blueprint files by the hashed names ``AssetPipe(app)`` gives them at run
time (``/static/appbuilder/css/bootstrap.min-BTUIXWWX.css``), which the app's own layer
answers; the watch server answered each with its own 404, so every page lost its Bootstrap.

A real build, the dev server's real WSGI stack around a real Flask app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.dev.server import make_site_app
from tests.conftest import write_tree
from tests.test_serve_support import wsgi_get


def _get(app: Any, path: str) -> tuple[str, bytes]:
    """One GET through the WSGI ``app``: its status and body (the response closed)."""
    status, _, body = wsgi_get(app, path)
    return status, body


def test_a_file_the_build_lacks_goes_on_to_the_users_app(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": 'source: static\noutput: dist\nstatic:\n  include: ["app.css"]\n',
            "static/app.css": "body{color:red}\n",
            "vendor/ab.css": ".ab{color:blue}\n",
        },
    )
    cfg = load_config(tmp_path / "pipeline.yaml")
    build(cfg)
    flask_app = Flask(__name__, static_folder=str(tmp_path / "static"))
    flask_app.register_blueprint(
        Blueprint(
            "ab",
            __name__,
            static_folder=str(tmp_path / "vendor"),
            static_url_path="/static/appbuilder",
        )
    )
    site = make_site_app(cfg, "/__assetpipe/events", app=flask_app)
    status, body = _get(site, "/static/appbuilder/ab.css")
    assert status.startswith("200") and b".ab{color:blue}" in body
    status, body = _get(site, "/static/app.css")  # the build's, as before
    assert status.startswith("200") and b"color:red" in body
