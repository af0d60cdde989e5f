"""``assetpipe watch`` in a real Chromium: a CSS edit swaps the stylesheet without a reload; a
build error shows as an overlay while the last good build keeps serving; the fix reloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetpipe.dev.watch import Watcher
from assetpipe.manifest import Manifest
from tests.test_watch import Recorder, edit, make_project

pytestmark = [pytest.mark.node, pytest.mark.chromium]


@pytest.fixture
def session(tmp_path: Path, browser: Any) -> Iterator[tuple[Watcher, Recorder, Path, Any]]:
    root = make_project(tmp_path)
    rec = Recorder()
    w = Watcher(root / "pipeline.yaml", port=0, on_line=rec.line, on_outcome=rec.outcome)
    w.start()
    context = browser.new_context()
    page = context.new_page()
    try:
        yield w, rec, root, page
    finally:
        context.close()
        w.close()


def _open(w: Watcher, page: Any) -> None:
    page.goto(w.url + "/")
    page.wait_for_function("document.body.dataset.js === 'ran'")
    assert w.broker.wait_for_clients(1)
    page.evaluate("window.__marker = 42")


def test_css_edit_swaps_the_stylesheet_without_a_reload(session: Any) -> None:
    w, _rec, root, page = session
    _open(w, page)
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(1, 2, 3)"
    edit(root / "site/css/app.css", "body { color: rgb(200, 0, 0); }\n")
    page.wait_for_function(
        "getComputedStyle(document.body).color === 'rgb(200, 0, 0)'", timeout=30_000
    )
    assert page.evaluate("window.__marker") == 42  # the same document: no reload
    entry = Manifest.read(root / "dist/manifest.json")["css/app.css"]
    links = page.eval_on_selector_all(
        'link[rel="stylesheet"]', "ls => ls.map(l => [l.getAttribute('href'), l.integrity])"
    )
    assert links == [[f"/static/{entry['file']}", ""]]  # templates.integrity is off


def test_build_error_overlay_old_build_served_then_fix_reloads(session: Any) -> None:
    w, _rec, root, page = session
    _open(w, page)
    edit(root / "site/js/app.js", 'import { mark } from "./lib.js";\nmark(;\n')
    overlay = page.wait_for_selector("#assetpipe-error-overlay", timeout=30_000)
    assert "site/js/app.js:2:" in overlay.inner_text()
    # a fresh load still gets the last good build (and the overlay, the build being broken)
    page.reload()
    page.wait_for_function("document.body.dataset.js === 'ran'")
    page.wait_for_selector("#assetpipe-error-overlay", timeout=30_000)
    page.evaluate("window.__marker = 43")
    edit(
        root / "site/js/app.js",
        'import { mark } from "./lib.js";\nmark();\ndocument.body.dataset.fixed = "yes";\n',
    )
    page.wait_for_function("document.body.dataset.fixed === 'yes'", timeout=30_000)
    assert page.evaluate("window.__marker") is None  # reloaded
    assert page.query_selector("#assetpipe-error-overlay") is None


def test_users_own_app_gets_live_reload_with_no_serve(tmp_path: Path, browser: Any) -> None:
    """``watch --no-serve`` + the user's own WSGI app wrapped in ``AssetMiddleware(dev=True,
    reload_url=<watch's stream>)`` on another port: the cross-origin stream (CORS for loopback)
    swaps the stylesheet in the user's page."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from assetpipe.serve import AssetMiddleware

    root = make_project(tmp_path)
    rec = Recorder()
    w = Watcher(
        root / "pipeline.yaml", port=0, serve=False, on_line=rec.line, on_outcome=rec.outcome
    )
    w.start()

    def user_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = (root / "dist/templates/index.html").read_bytes()  # the user's own rendering
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

    app = AssetMiddleware(
        user_app, output=root / "dist", public_path="/static/", dev=True, reload_url=w.events_url
    )
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        page.wait_for_function("document.body.dataset.js === 'ran'")
        assert w.broker.wait_for_clients(1)
        page.evaluate("window.__marker = 7")
        edit(root / "site/css/app.css", "body { color: rgb(0, 128, 0); }\n")
        page.wait_for_function(
            "getComputedStyle(document.body).color === 'rgb(0, 128, 0)'", timeout=30_000
        )
        assert page.evaluate("window.__marker") == 7
    finally:
        context.close()
        server.shutdown()
        server.server_close()
        w.close()
