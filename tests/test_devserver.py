"""The dev server's live-reload stream over real HTTP on 127.0.0.1: SSE framing, CORS for
loopback origins only, the error replayed to late clients, shutdown ending the streams."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.dev.server import EVENTS_PATH, DevApp, DevServer, EventBroker, format_event
from tests.conftest import write_tree
from tests.test_serve_support import make_site


@pytest.fixture
def server() -> Iterator[DevServer]:
    srv = DevServer(DevApp(EventBroker(), serve=False), "127.0.0.1", 0)
    srv.start()
    try:
        yield srv
    finally:
        srv.close()


def request(
    srv: DevServer,
    method: str = "GET",
    path: str = EVENTS_PATH,
    headers: dict[str, str] | None = None,
) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    conn.request(method, path, headers=headers or {})
    return conn.getresponse()


def read_event(resp: http.client.HTTPResponse) -> tuple[str, str]:
    event, data = "", ""
    while True:
        line = resp.readline().decode()
        if line.startswith("event: "):
            event = line[7:].strip()
        elif line.startswith("data: "):
            data += line[6:].strip()
        elif line == "\n" and event:
            return event, data
        elif line == "":
            raise EOFError


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5000",
        "http://127.0.0.1:8000",
        "http://127.1.2.3",
        "https://[::1]:3000",
        "http://LOCALHOST:80",
    ],
)
def test_loopback_origins_get_cors(server: DevServer, origin: str) -> None:
    resp = request(server, headers={"Origin": origin})
    assert resp.status == 200
    assert resp.getheader("Access-Control-Allow-Origin") == origin
    assert resp.getheader("Content-Type", "").startswith("text/event-stream")
    assert resp.getheader("Cache-Control", "").startswith("no-cache")
    resp.close()


@pytest.mark.parametrize(
    "origin",
    [
        "http://example.com",
        "http://localhost.evil.com",
        "http://127.0.0.1.evil.com",
        "null",
        "http://10.0.0.1:8000",
    ],
)
def test_other_origins_get_no_cors(server: DevServer, origin: str) -> None:
    resp = request(server, headers={"Origin": origin})
    assert resp.getheader("Access-Control-Allow-Origin") is None
    resp.close()


def test_preflight_and_methods(server: DevServer) -> None:
    resp = request(server, "OPTIONS", headers={"Origin": "http://localhost:5000"})
    assert resp.status == 204
    assert resp.getheader("Access-Control-Allow-Origin") == "http://localhost:5000"
    assert "GET" in (resp.getheader("Access-Control-Allow-Methods") or "")
    resp.read()
    resp = request(server, "POST")
    assert resp.status == 405
    resp.read()


def test_no_serve_answers_only_the_stream(server: DevServer) -> None:
    resp = request(server, path="/")
    assert resp.status == 404
    assert EVENTS_PATH in resp.read().decode()


def test_events_reach_every_client_and_errors_replay(server: DevServer) -> None:
    broker = server.app.broker
    a = request(server)
    assert broker.wait_for_clients(1)
    broker.publish(
        "css", {"old": "/static/a-1.css", "new": "/static/a-2.css", "integrity": "sha384-x"}
    )
    assert read_event(a) == (
        "css",
        '{"integrity": "sha384-x", "new": "/static/a-2.css", "old": "/static/a-1.css"}',
    )
    broker.publish("error", {"message": 'site/js/app.js:2:5: Unexpected ";"\nmore'})
    assert read_event(a)[0] == "error"
    late = request(server)  # a page opened while the build is broken sees the error at once
    event, data = read_event(late)
    assert event == "error" and "app.js:2:5" in data
    broker.publish("reload", {"changed": ["js/app.js"]})
    assert read_event(a)[0] == "reload" and read_event(late)[0] == "reload"
    assert broker.error is None
    server.close()  # shutdown ends open streams
    with pytest.raises((EOFError, OSError)):
        read_event(a)


def test_multiline_data_is_framed() -> None:
    msg = format_event("error", {"message": "a\nb"}).decode()
    assert msg.startswith("event: error\ndata: ") and msg.endswith("\n\n")
    assert msg.count("\n\n") == 1  # JSON keeps the newline escaped: one message


def test_a_page_requested_while_watch_starts_waits_for_it(tmp_path: Path) -> None:
    """``watch`` listens before the user's app is imported (a second or more for a real app's
    imports: docker-flask-example's Celery and SQLAlchemy) and before its first build: a page
    opened meanwhile was told "assetpipe watch --no-serve: only the live-reload stream is
    served here" (404). It waits for both (``mark_ready``) and gets the page."""
    write_tree(tmp_path, {"src/templates/pages/home.html": "<html><body>home</body></html>"})
    cfg = make_site(tmp_path)
    with cfg.open("a") as f:
        f.write("pages:\n  - {path: /, template: pages/home.html}\n")
    build(cfg)
    app = DevApp(EventBroker(), serve=True)
    srv = DevServer(app, "127.0.0.1", 0)
    srv.start()
    try:
        got: list[tuple[int, bytes]] = []

        def fetch() -> None:
            resp = request(srv, path="/")
            got.append((resp.status, resp.read()))

        early = threading.Thread(target=fetch)
        early.start()
        time.sleep(0.3)  # the request is in before the app is ready
        assert not got
        app.set_config(load_config(cfg))  # the app imported: the first build still to come
        time.sleep(0.3)
        assert not got
        app.mark_ready()
        early.join(10)
        ((status, body),) = got
        assert status == 200 and b"home" in body, body
    finally:
        srv.close()
