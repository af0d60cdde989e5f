"""The build's unhashed URLs keep the ``Cache-Control`` the app's own static route sent before
adoption. pgAdmin sets ``SEND_FILE_MAX_AGE_DEFAULT`` to a year and loads its webpack chunks and
RequireJS modules by their unhashed URLs (``/static/js/generated/app.bundle.js``): answered
``no-cache`` after adoption, a warm visit revalidated each of them, where Flask had let the
browser keep them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, g

from assetpipe import build, load_config
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server

CHUNK = "/static/js/chunk.js"


def _site(root: Path) -> None:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static\noutput: dist\nstatic: {include: ['js/**']}\n",
            "static/js/chunk.js": "window.chunk = 1;\n",
        },
    )
    build(load_config(root / "pipeline.yaml"))


def _app(root: Path, adopted: bool, **config: object) -> Flask:
    app = Flask("unhashed", root_path=str(root))
    app.config.update(config)
    if adopted:
        AssetPipe(app)
    return app


def _cache_control(root: Path, adopted: bool, **config: object) -> str:
    with wsgi_server(_app(root, adopted, **config)) as port:
        r = request(port, CHUNK)
        assert r.status == 200 and b"chunk" in r.body
        return r.headers["cache-control"]


def test_an_unhashed_url_keeps_the_apps_max_age(tmp_path: Path) -> None:
    """With a max-age set (seconds or a timedelta), the unhashed URL says what plain Flask said;
    the hashed name stays immutable."""
    _site(tmp_path)
    for setting in (31556952, timedelta(hours=1)):
        before = _cache_control(tmp_path, False, SEND_FILE_MAX_AGE_DEFAULT=setting)
        after = _cache_control(tmp_path, True, SEND_FILE_MAX_AGE_DEFAULT=setting)
        assert before.startswith("public") and "max-age=" in before
        assert after == before
    app = _app(tmp_path, True, SEND_FILE_MAX_AGE_DEFAULT=600)
    hashed = app.extensions["assetpipe"].resolver.manifest["js/chunk.js"]["file"]
    with wsgi_server(app) as port:
        assert "immutable" in request(port, "/static/" + hashed).headers["cache-control"]


def test_without_a_max_age_unhashed_urls_revalidate(tmp_path: Path) -> None:
    """Flask's default (``None``): ``no-cache`` before and after."""
    _site(tmp_path)
    assert _cache_control(tmp_path, False) == "no-cache"
    assert _cache_control(tmp_path, True) == "no-cache"


def _hooked_app(root: Path, adopted: bool) -> Flask:
    """Whoogle's shape: the two lines come before the module that registers an
    ``after_request`` hook setting ``Cache-Control`` on every response (its own hashed
    ``static/build/main.68be5054.css`` included)."""
    app = _app(root, adopted)

    @app.after_request
    def cache_a_day(response: Any) -> Any:
        response.headers["Cache-Control"] = "max-age=86400"
        return response

    return app


def test_an_after_request_hook_registered_later_is_kept(tmp_path: Path) -> None:
    """The header an ``after_request`` hook gave the static route before adoption is the one the
    unhashed URL keeps, though the hook was registered after ``AssetPipe(app)`` (before, it was
    ``no-cache``: a warm visit of Whoogle revalidated its 6 stylesheets and scripts)."""
    _site(tmp_path)
    for adopted in (False, True):
        with wsgi_server(_hooked_app(tmp_path, adopted)) as port:
            assert request(port, CHUNK).headers["cache-control"] == "max-age=86400"
    app = _hooked_app(tmp_path, True)
    hashed = app.extensions["assetpipe"].resolver.manifest["js/chunk.js"]["file"]
    with wsgi_server(app) as port:
        assert "immutable" in request(port, "/static/" + hashed).headers["cache-control"]


def test_a_hook_that_needs_a_real_request_leaves_flasks_header(tmp_path: Path) -> None:
    """A hook reading what a ``before_request`` hook set fails on the probe: the unhashed URL
    then says what ``send_file`` says (``no-cache``), and is served."""
    _site(tmp_path)
    app = _app(tmp_path, True)

    @app.before_request
    def who() -> None:
        g.user = "someone"

    @app.after_request
    def per_user(response: Any) -> Any:
        response.headers["X-User"] = g.user
        return response

    with wsgi_server(app) as port:
        r = request(port, CHUNK)
        assert r.status == 200 and r.headers["cache-control"] == "no-cache"
