"""The build's unhashed URLs keep the ``Cache-Control`` the app's own static route sent before
adoption. pgAdmin sets ``SEND_FILE_MAX_AGE_DEFAULT`` to a year and loads its webpack chunks and
RequireJS modules by their unhashed URLs (``/static/js/generated/app.bundle.js``): answered
``no-cache`` after adoption, a warm visit revalidated each of them, where Flask had let the
browser keep them."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIServer, make_server

from flask import Flask, g
from flask import request as flask_request

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


def test_requests_during_the_first_ones_probe_wait_for_it(tmp_path: Path) -> None:
    """A page's first requests arrive together: those that came while the first one asked the
    hooks were answered from the table made before, ``no-cache`` (Whoogle's warm visit then
    revalidated 3 of its files)."""
    _site(tmp_path)
    app = _app(tmp_path, True)
    probing = threading.Event()

    @app.after_request
    def slow_cache_a_day(response: Any) -> Any:
        if flask_request.path.startswith("/static/"):  # only the probe: files never get here
            probing.set()
            time.sleep(0.5)
        response.headers["Cache-Control"] = "max-age=86400"
        return response

    server = make_server("127.0.0.1", 0, app, server_class=_Threaded)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    port = server.server_address[1]
    try:
        got: list[str] = []
        first = threading.Thread(
            target=lambda: got.append(request(port, CHUNK).headers["cache-control"])
        )
        first.start()
        assert probing.wait(5)
        second = request(port, CHUNK).headers["cache-control"]
        first.join(10)
        assert got == ["max-age=86400"] and second == "max-age=86400"
    finally:
        server.shutdown()
        server.server_close()


class _Threaded(ThreadingMixIn, WSGIServer):
    """A WSGI server answering requests at once, each in its thread, as waitress and gunicorn's
    threads do (``wsgi_server``'s answers one at a time)."""

    daemon_threads = True


def test_in_debug_unhashed_urls_revalidate(tmp_path: Path) -> None:
    """In debug (set after the two lines, as ``app.run(debug=True)`` does) a save under
    ``assetpipe watch`` changes the file behind the unhashed name, and the page's reload must
    fetch it: Whoogle's ``--debug`` beside ``watch --no-serve`` reloaded with the old script,
    kept a day by its hook's ``max-age=86400``."""
    _site(tmp_path)
    app = _hooked_app(tmp_path, True)
    app.debug = True
    with wsgi_server(app) as port:
        assert request(port, CHUNK).headers["cache-control"] == "no-cache"


def test_the_probe_runs_the_hooks_but_saves_no_session(tmp_path: Path) -> None:
    """Asking the hooks must not save a session: a server-side store (Flask-Session) would get
    a session for no visitor on each process's first request. The hooks still run."""
    from flask.sessions import SecureCookieSessionInterface

    saved: list[str] = []

    class Recording(SecureCookieSessionInterface):
        def save_session(self, app: Any, session: Any, response: Any) -> None:
            saved.append(flask_request.path)
            super().save_session(app, session, response)

    _site(tmp_path)
    app = _hooked_app(tmp_path, True)
    app.secret_key = "k"
    app.session_interface = Recording()
    with wsgi_server(app) as port:
        assert request(port, CHUNK).headers["cache-control"] == "max-age=86400"
    assert saved == []
