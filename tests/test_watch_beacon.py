"""``flask run --debug`` beside ``assetpipe watch --no-serve``: ``AssetPipe(app)`` in debug
injects the live-reload client for the running watch's stream without a setting
(``assetpipe.serve.beacon``), and stops when the watch stops.

Real Flask behind a real server on 127.0.0.1, a real ``Watcher`` and, for the reload itself,
real Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assetpipe.dev.watch import Watcher
from assetpipe.serve.beacon import FILE, WatchBeacon, announce, withdraw
from tests.test_serve_support import wsgi_server
from tests.test_watch import Recorder, edit, get, make_project


@contextmanager
def flask_app(
    root: Path, *, debug: bool = True, debug_later: bool = False, **config: Any
) -> Iterator[str]:
    """The user's Flask app (its templates in ``site/templates``, ``AssetPipe(app)``), served on
    a free port; yields its URL. ``debug_later``: debug set after ``AssetPipe(app)``, as
    ``app.run(debug=True)`` does (Whoogle's ``--debug``)."""
    from flask import Flask, render_template

    from assetpipe.flask import AssetPipe

    app = Flask("beaconapp", root_path=str(root), template_folder="site/templates")
    app.debug = debug
    app.config.update(config)

    @app.route("/")
    def index() -> str:
        return render_template("index.html")

    AssetPipe(app)
    if debug_later:
        app.debug = True
    with wsgi_server(app) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def watch(root: Path) -> Iterator[Watcher]:
    w = Watcher(root / "pipeline.yaml", port=0, serve=False, on_line=Recorder().line)
    w.start()
    try:
        yield w
    finally:
        w.close()


pytestmark = [pytest.mark.node]


def test_the_client_follows_the_watch_of_the_apps_config(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    with flask_app(root) as url:
        assert b"__assetpipe/events" not in get(url + "/")[1]  # no watch yet
        with watch(root) as w:  # started after the app, as often
            status, html = get(url + "/")
            assert status == 200
            assert json.dumps(w.events_url).encode() in html, html[-400:]
            assert (root / ".assetpipe" / FILE).is_file()
        assert not (root / ".assetpipe" / FILE).exists()
        assert b"__assetpipe/events" not in get(url + "/")[1]  # stopped: no client


def test_debug_set_after_the_two_lines_gets_the_client(tmp_path: Path) -> None:
    """Whoogle's ``--debug`` runs ``app.run(debug=True)``, which sets ``app.debug`` after the
    module called ``AssetPipe(app)``: beside ``assetpipe watch --no-serve`` no page got the
    client. ``app.debug`` is read per page now."""
    root = make_project(tmp_path)
    with watch(root) as w, flask_app(root, debug=False, debug_later=True) as url:
        assert json.dumps(w.events_url).encode() in get(url + "/")[1]


def test_no_client_outside_debug_or_when_dev_is_set_off(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    with watch(root):
        with flask_app(root, debug=False) as url:
            assert b"__assetpipe/events" not in get(url + "/")[1]
        with flask_app(root, ASSETPIPE_DEV=False) as url:
            assert b"__assetpipe/events" not in get(url + "/")[1]


def test_a_beacon_of_a_dead_process_is_ignored_and_a_new_one_read(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    (tmp_path / FILE).write_text(
        json.dumps({"pid": int(dead.stdout), "events_url": "http://127.0.0.1:1/e"})
    )
    beacon = WatchBeacon(tmp_path)
    assert beacon.events_url() is None  # a watch killed without cleaning up
    announce(tmp_path, "http://0.0.0.0:8123/__assetpipe/events")
    # a watch on every interface is reached at loopback
    assert beacon.events_url() == "http://127.0.0.1:8123/__assetpipe/events"
    (tmp_path / FILE).write_text("{not json")
    assert beacon.events_url() is None
    announce(tmp_path, "http://127.0.0.1:9/x")
    withdraw(tmp_path)
    assert beacon.events_url() is None and not (tmp_path / FILE).exists()
    # another process's announcement is not withdrawn by this one
    (tmp_path / FILE).write_text(json.dumps({"pid": os.getppid(), "events_url": "http://h/e"}))
    withdraw(tmp_path)
    assert beacon.events_url() == "http://h/e"


@pytest.mark.chromium
def test_a_css_save_is_swapped_into_the_debug_apps_page(tmp_path: Path, browser: Any) -> None:
    root = make_project(tmp_path)
    with watch(root) as w, flask_app(root) as url:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(url + "/")
            page.wait_for_function("document.body.dataset.js === 'ran'")
            assert w.broker.wait_for_clients(1)
            page.evaluate("window.__marker = 7")
            edit(root / "site/css/app.css", "body { color: rgb(0, 128, 0); }\n")
            page.wait_for_function(
                "getComputedStyle(document.body).color === 'rgb(0, 128, 0)'", timeout=30_000
            )
            assert page.evaluate("window.__marker") == 7  # swapped, not reloaded
        finally:
            context.close()
