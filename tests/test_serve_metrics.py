"""The Prometheus endpoint and the JSON stats under gunicorn with 2 worker processes, and the
ASGI middleware under uvicorn with 2 worker processes (prometheus_client's multiprocess mode):
whichever worker answers, the counts add up exactly, under the same metric names."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.rcache_support import _free_port
from tests.test_serve_support import request

APP = textwrap.dedent("""
    import os
    from flask import Flask, jsonify
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from assetpipe.serve import CompressMiddleware, ResponseCache, stats_app
    from assetpipe.serve.metrics import MetricsMiddleware, metrics_app, track_flask_routes
    from assetpipe.serve.rcache.flask import answer_hits_early, cached

    app = Flask(__name__)
    cache = ResponseCache(name="api")

    @app.get("/api/items")
    @cached(cache, ttl=60)
    def items():
        return jsonify([{"id": i, "name": f"item {i}"} for i in range(300)])

    @app.get("/api/items/<int:item_id>")
    def item(item_id):
        resp = jsonify(id=item_id, name="x" * 800)
        resp.headers["X-Worker"] = str(os.getpid())
        return resp

    track_flask_routes(app)
    answer_hits_early(app)  # its hits are labelled with the route too
    app.wsgi_app = DispatcherMiddleware(
        MetricsMiddleware(CompressMiddleware(app.wsgi_app)),
        {"/metrics": metrics_app, "/stats": stats_app})
""")
CONF = textwrap.dedent("""
    import os
    import pathlib
    from assetpipe.serve.metrics import child_exit  # noqa: F401

    def post_worker_init(worker):  # each worker says it has loaded the app
        pathlib.Path(os.environ["READY_DIR"], str(os.getpid())).touch()
""")


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.rindex("}")]))
        if all(got.get(k) == v for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


@contextmanager
def _two_workers(
    tmp_path: Path, server_args: list[str]
) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """Run ``python -m <server_args>`` in ``tmp_path`` with prometheus_client's multiprocess
    folder and a ``READY_DIR`` each worker may mark; yields that folder and the process, then
    stops it and fails if it printed a traceback."""
    prom = tmp_path / "prom"
    prom.mkdir()
    ready = tmp_path / "ready"
    ready.mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(prom),
        "READY_DIR": str(ready),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).resolve().parent.parent)]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", *server_args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield ready, proc
    finally:
        proc.terminate()
        proc.wait(15)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert "Traceback" not in err, err


def _assert_list_and_404_totals(text: str) -> None:
    """Both apps' totals for the 20 gzip list requests and the one 404, whichever worker
    answered ``/metrics``."""
    assert _sample(text, "assetpipe_http_requests_total", route="/api/items", encoding="gzip") == 20
    assert _sample(text, "assetpipe_http_requests_total", status="404") == 1
    assert _sample(text, "assetpipe_http_request_duration_seconds_count", route="/api/items") == 20


def test_counts_add_up_across_two_workers(tmp_path: Path) -> None:
    pytest.importorskip("prometheus_client")
    if shutil.which("gunicorn") is None and not (Path(sys.executable).parent / "gunicorn").exists():
        pytest.skip("gunicorn is not installed: pip install -e '.[test]'")
    (tmp_path / "api_app.py").write_text(APP)
    (tmp_path / "gunicorn_conf.py").write_text(CONF)
    port = _free_port()
    with _two_workers(
        tmp_path,
        [
            "gunicorn",
            "-w",
            "2",
            "--reuse-port",
            "-c",
            str(tmp_path / "gunicorn_conf.py"),
            "-b",
            f"127.0.0.1:{port}",
            "api_app:app",
        ],
    ) as (ready, proc):
        # both workers must have loaded the app: the master accepts connections before the
        # second worker is up, and then every request goes to the first one (seen in CI)
        deadline = time.monotonic() + 30
        while len(list(ready.iterdir())) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "gunicorn workers"
            time.sleep(0.1)
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "gunicorn"
                time.sleep(0.1)
        workers: set[str] = set()
        for i in range(30):  # each on a new connection: the kernel spreads them over both
            r = request(port, f"/api/items/{i}", headers={"Accept-Encoding": "br"})
            assert r.status == 200 and r.headers["content-encoding"] == "br"
            workers.add(r.headers["x-worker"])
        for _ in range(20):
            assert request(port, "/api/items", headers={"Accept-Encoding": "gzip"}).status == 200
        assert request(port, "/api/nope").status == 404
        assert len(workers) == 2, "every request went to one worker: nothing to add up"
        for _ in range(4):  # whichever worker answers, the same totals
            text = request(port, "/metrics").body.decode()
            assert (
                _sample(
                    text,
                    "assetpipe_http_requests_total",
                    route="/api/items/<int:item_id>",
                    status="200",
                    encoding="br",
                )
                == 30
            )
            _assert_list_and_404_totals(text)
            results = {
                res: _sample(text, "assetpipe_cache_requests_total", cache="api", result=res)
                for res in ("hit", "miss", "wait")
            }
            assert sum(results.values()) == 20 and 1 <= results["miss"] <= 2  # one per worker
            assert _sample(text, "assetpipe_cache_stores_total", cache="api") == results["miss"]
            assert _sample(text, "assetpipe_compression_saved_bytes_total", source="dynamic") > 0
            assert (
                _sample(text, "assetpipe_compression_saved_bytes_total", source="response_cache")
                > 0
            )
            stats = json.loads(request(port, "/stats").body)["all_workers"]
            assert stats["by_route"]["/api/items/<int:item_id>"] == 30
            assert stats["by_route"]["/api/items"] == 20
            assert (
                stats["caches"]["api"]["hit"]
                + stats["caches"]["api"]["miss"]
                + stats["caches"]["api"].get("wait", 0)
                == 20
            )


ASGI_APP = textwrap.dedent("""
    import json, os
    from assetpipe.serve.rcache import ResponseCache, Rule
    from assetpipe.serve.rcache.asgi import ResponseCacheMiddleware
    from assetpipe.serve.metrics_asgi import MetricsMiddleware, metrics_app

    async def api(scope, receive, send):
        path = scope["path"]
        if path == "/api/items":
            body = json.dumps([{"id": i, "name": f"item {i}"} for i in range(300)]).encode()
        elif path.startswith("/api/items/"):
            body = json.dumps({"id": path.rsplit("/", 1)[1], "name": "x" * 800}).encode()
        else:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [(b"content-type", b"application/json"),
                   (b"x-worker", str(os.getpid()).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def route(scope):
        path = scope["path"]
        if path == "/api/items":
            return path
        return "/api/items/{item_id}" if path.startswith("/api/items/") else "other"

    cached = ResponseCacheMiddleware(api, ResponseCache(name="asgi-api"),
                                     {"/api/items": Rule(ttl=60)})
    measured = MetricsMiddleware(cached, route=route)

    async def app(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/metrics":
            await metrics_app(scope, receive, send)
        else:
            await measured(scope, receive, send)
""")


def test_asgi_counts_add_up_across_two_uvicorn_workers(tmp_path: Path) -> None:
    pytest.importorskip("prometheus_client")
    (tmp_path / "asgi_api.py").write_text(ASGI_APP)
    port = _free_port()
    with _two_workers(
        tmp_path,
        [
            "uvicorn",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "asgi_api:app",
        ],
    ) as (_, proc):
        deadline = time.monotonic() + 60
        workers: set[str] = set()
        while len(workers) < 2:  # both workers up and answering
            try:
                r = request(port, "/api/items/0")
                workers.add(r.headers["x-worker"])
            except OSError:
                assert proc.poll() is None, "uvicorn exited"
            assert time.monotonic() < deadline, "uvicorn: both workers never answered"
            time.sleep(0.05)
        text = request(port, "/metrics").body.decode()
        warm = _sample(text, "assetpipe_http_requests_total", route="/api/items/{item_id}")
        for i in range(30):  # each on a new connection
            r = request(port, f"/api/items/{i}")
            assert r.status == 200
        for _ in range(20):
            assert request(port, "/api/items", headers={"Accept-Encoding": "gzip"}).status == 200
        assert request(port, "/api/nope").status == 404
        for _ in range(4):  # whichever worker answers, the same totals
            text = request(port, "/metrics").body.decode()
            assert (
                _sample(
                    text,
                    "assetpipe_http_requests_total",
                    route="/api/items/{item_id}",
                    status="200",
                    encoding="identity",
                )
                == warm + 30
            )
            _assert_list_and_404_totals(text)
            assert (
                _sample(
                    text, "assetpipe_http_response_bytes_total", route="/api/items", encoding="gzip"
                )
                > 0
            )
            results = {
                res: _sample(text, "assetpipe_cache_requests_total", cache="asgi-api", result=res)
                for res in ("hit", "miss", "wait")
            }
            assert sum(results.values()) == 20 and 1 <= results["miss"] <= 2  # one per worker
            assert (
                _sample(text, "assetpipe_compression_saved_bytes_total", source="response_cache")
                > 0
            )
