"""The files ``AssetPipe(app)`` answers keep the security headers the app's ``after_request``
hooks gave its static files. Superset runs Flask-Talisman: before adoption every file of
``/static/`` came with ``X-Content-Type-Options: nosniff``, ``X-Frame-Options``, a
``Content-Security-Policy``, ``Referrer-Policy`` and ``Permissions-Policy``; after, the 836
files of its webpack build (and their unhashed URLs, which its runtime loads) came with none."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_talisman import Talisman

from assetpipe.flask import AssetPipe
from tests.test_flask_unhashed_cache import CHUNK, _site
from tests.test_serve_support import request, wsgi_server

KEPT = ("x-content-type-options", "x-frame-options", "referrer-policy", "permissions-policy")


def _app(root: Path, adopted: bool) -> Flask:
    """Superset's order: ``AssetPipe(app)`` at the end of ``create_app()``, Talisman set up
    before it; and a hook of the app's own registered after the two lines."""
    app = Flask("secured", root_path=str(root))
    Talisman(app, force_https=False, content_security_policy={"default-src": "'self'"})
    if adopted:
        AssetPipe(app)

    @app.after_request
    def isolate(response: object) -> object:
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"  # type: ignore[attr-defined]
        response.headers["X-Debug-Path"] = "not a security header"  # type: ignore[attr-defined]
        return response

    return app


def test_files_keep_the_apps_security_headers(tmp_path: Path) -> None:
    _site(tmp_path)
    with wsgi_server(_app(tmp_path, False)) as port:
        plain = request(port, CHUNK).headers
    for name in (*KEPT, "content-security-policy", "cross-origin-opener-policy"):
        assert name in plain
    app = _app(tmp_path, True)
    hashed = "/static/" + app.extensions["assetpipe"].resolver.manifest["js/chunk.js"]["file"]
    with wsgi_server(app) as port:
        unhashed = request(port, CHUNK)
        named = request(port, hashed)
        again = request(port, hashed, headers={"If-None-Match": named.headers["etag"]})
    assert unhashed.status == named.status == 200 and again.status == 304
    assert "immutable" in named.headers["cache-control"]
    for r in (unhashed, named, again):
        for name in (*KEPT, "cross-origin-opener-policy"):
            assert r.headers[name] == plain[name], (name, r.headers)
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
        assert "x-debug-path" not in r.headers  # only the security headers are copied


def test_an_app_without_hooks_sends_none(tmp_path: Path) -> None:
    """No hooks: the files carry the middleware's headers only, as before."""
    _site(tmp_path)
    app = Flask("bare", root_path=str(tmp_path))
    AssetPipe(app)
    with wsgi_server(app) as port:
        headers = request(port, CHUNK).headers
    assert not any(name in headers for name in (*KEPT, "content-security-policy"))


def test_the_apps_hooks_run_once_at_the_first_request(tmp_path: Path) -> None:
    """The unhashed names' ``Cache-Control`` and the security headers come from one run of the
    app's hooks at the first request (they ran once for each: a hook that counts or logs saw
    the same static URL twice)."""
    _site(tmp_path)
    app = _app(tmp_path, True)
    seen: list[str] = []

    @app.after_request
    def count(response: object) -> object:
        from flask import request as flask_request

        seen.append(flask_request.path)
        return response

    hashed = "/static/" + app.extensions["assetpipe"].resolver.manifest["js/chunk.js"]["file"]
    with wsgi_server(app) as port:
        first = request(port, CHUNK)
        request(port, hashed)
    assert first.status == 200 and first.headers["x-frame-options"]
    assert len(seen) == 1, seen
