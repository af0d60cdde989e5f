"""Live reload for pages under a build served at the site's root (``public_path: "/"``).

Met adopting isso: its files are answered at ``/js/``, ``/css/``, ``/img/``, so ``wsgi.py``
wraps it in ``AssetMiddleware(isso, public_path="/", fallback=True)``, and every page (the
admin page at ``/admin/``) is a path under ``public_path`` that the build lacks, passed on to
the app. Under ``assetpipe watch --app wsgi:application`` (and ``--no-serve`` beside the app's
own server) the middleware added the live-reload client only to paths outside ``public_path``:
the admin page had none, and saving ``css/admin.css`` rebuilt it ("css swap") while the open
page stayed as it was. A page the app answers through ``fallback`` gets the client now (WSGI
in real Chromium; the ASGI twin's HTML checked directly).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from assetpipe.dev.watch import Watcher
from tests.conftest import run_cli, write_tree
from tests.test_watch import Recorder, edit

pytestmark = [pytest.mark.node, pytest.mark.chromium]

PAGE = (
    b'<!DOCTYPE html><html><head><link rel="stylesheet" href="/css/admin.css"></head>'
    b"<body><p>admin</p></body></html>"
)
PROJECT: dict[str, str | bytes] = {
    "site/css/admin.css": "body { color: rgb(1, 2, 3); }\n",
    "pipeline.yaml": (
        'source: site\npublic_path: "/"\ntemplates:\n  dirs: []\nimages:\n  include: []\n'
        "static:\n  include: [css/*.css]\n"
    ),
}


def _page(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The app's own page at ``/admin/`` (isso's admin page, rendered by isso)."""
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE)))]
    )
    return [PAGE]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *a: Any) -> None:
        pass


def test_page_under_root_public_path_swaps_its_stylesheet(tmp_path: Path, browser: Any) -> None:
    from assetpipe.serve import AssetMiddleware

    write_tree(tmp_path, PROJECT)
    rec = Recorder()
    w = Watcher(
        tmp_path / "pipeline.yaml", port=0, serve=False, on_line=rec.line, on_outcome=rec.outcome
    )
    w.start()
    app = AssetMiddleware(
        _page,
        output=tmp_path / "dist",
        public_path="/",
        fallback=True,
        dev=True,
        reload_url=w.events_url,
    )
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/admin/")
        assert page.evaluate("getComputedStyle(document.body).color") == "rgb(1, 2, 3)"
        assert w.broker.wait_for_clients(1, timeout=10), "the page has no live-reload client"
        page.evaluate("window.__marker = 5")
        edit(tmp_path / "site/css/admin.css", "body { color: rgb(0, 128, 0); }\n")
        page.wait_for_function(
            "getComputedStyle(document.body).color === 'rgb(0, 128, 0)'", timeout=30_000
        )
        assert page.evaluate("window.__marker") == 5  # swapped in place, no reload
    finally:
        context.close()
        server.shutdown()
        server.server_close()
        w.close()


def test_asgi_page_under_root_public_path_gets_the_client(tmp_path: Path) -> None:
    from assetpipe.serve import asgi

    write_tree(tmp_path, PROJECT)
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.out + built.err

    async def page(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/html; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": PAGE})

    app = asgi.AssetMiddleware(
        page,
        output=tmp_path / "dist",
        public_path="/",
        fallback=True,
        dev=True,
        reload_url="http://127.0.0.1:9/__assetpipe/events",
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {"type": "http", "method": "GET", "path": "/admin/", "headers": [], "query_string": b""}
    # in a thread of its own: the module's Playwright keeps an event loop running in this one
    runner = threading.Thread(target=asyncio.run, args=(app(scope, receive, send),))
    runner.start()
    runner.join(30)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"/__assetpipe/events" in body, body
