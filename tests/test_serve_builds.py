"""The middleware against real successive builds: retained files stay servable and immutable,
``dev=True`` follows the flipped output and injects the live-reload client, ``assetpipe serve``
end to end, and the suite's own guard (leaked files/sockets fail tests)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.serve import AssetMiddleware, build_table
from assetpipe.serve import asgi as asgi_mod
from assetpipe.serve.reload import client_script
from tests.conftest import run_cli, write_tree
from tests.test_serve_support import asgi_server, make_site, request, wsgi_server

PAGE = b"<!doctype html><html><head></head><body><h1>Hi</h1></body></html>"


def _html_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    if environ["PATH_INFO"] == "/data":
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
        return [b"{}"]
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(PAGE))),
            ("ETag", '"page"'),
        ],
    )
    return [PAGE]


async def _html_asgi(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    if scope["path"] == "/data":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")],
            }
        )
        await send({"type": "http.response.body", "body": b"{}"})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"etag", b'"page"')],
        }
    )
    half = len(PAGE) // 2  # in two messages: the injector must buffer
    await send({"type": "http.response.body", "body": PAGE[:half], "more_body": True})
    await send({"type": "http.response.body", "body": PAGE[half:]})


def _manifest(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "dist/manifest.json").read_text())
    return data


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_dev_follows_rebuilds_and_injects(tmp_path: Path, kind: str) -> None:
    cfg = make_site(tmp_path)
    build(cfg)
    old = _manifest(tmp_path)["js/app.js"]["file"]
    reload_url = "http://127.0.0.1:9999/__assetpipe/events"
    if kind == "wsgi":
        server = wsgi_server(
            AssetMiddleware(_html_wsgi, tmp_path / "dist", dev=True, reload_url=reload_url)
        )
    else:
        server = asgi_server(
            asgi_mod.AssetMiddleware(_html_asgi, tmp_path / "dist", dev=True, reload_url=reload_url)
        )
    with server as port:
        assert request(port, "/static/" + old).status == 200
        (tmp_path / "src/js/app.js").write_text("export const changed = 1;\n" * 50)
        build(cfg)
        new = _manifest(tmp_path)["js/app.js"]["file"]
        assert new != old
        r = request(port, "/static/" + new)
        assert r.status == 200 and r.body == (tmp_path / "dist/public" / new).read_bytes()
        # the previous build's file is retained (deploy safety) and still immutable
        r = request(port, "/static/" + old)
        assert r.status == 200
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        page = request(port, "/")
        script = client_script(reload_url)
        assert page.body == PAGE.replace(b"</body>", script + b"</body>")
        assert int(page.headers["content-length"]) == len(page.body)
        assert "etag" not in page.headers  # the strong tag no longer describes these bytes
        assert reload_url.encode() in page.body
        assert request(port, "/data").body == b"{}"


def test_retained_files_are_immutable_without_dev(tmp_path: Path) -> None:
    cfg = make_site(tmp_path)
    build(cfg)
    old = _manifest(tmp_path)["css/site.css"]["file"]
    (tmp_path / "src/css/site.css").write_text("a { color: blue }\n" * 100)
    build(cfg)
    report = json.loads((tmp_path / "dist/report.json").read_text())
    assert old in report["retained"]
    table = build_table(tmp_path / "dist")
    sf = table.files["/static/" + old]
    assert sf.immutable
    assert not table.files["/static/robots.txt"].immutable


def test_table_ignores_changes_without_dev(tmp_path: Path) -> None:
    cfg = make_site(tmp_path)
    build(cfg)
    mw = AssetMiddleware(None, tmp_path / "dist")
    before = mw.table
    (tmp_path / "src/js/app.js").write_text("export const v = 2;\n" * 50)
    build(cfg)
    assert mw.table is before
    assert AssetMiddleware(None, tmp_path / "dist", autorefresh=True).table is not before


def test_no_build_yet_serves_404(tmp_path: Path) -> None:
    mw = AssetMiddleware(None, tmp_path / "missing")
    assert len(mw.table) == 0
    got: list[str] = []
    body = mw(
        {"PATH_INFO": "/static/x.js", "REQUEST_METHOD": "GET"}, lambda s, h, e=None: got.append(s)
    )
    assert got == ["404 Not Found"] and list(body) == [b"Not Found\n"]


def test_cdn_public_path_serves_its_path_part(tmp_path: Path) -> None:
    build(make_site(tmp_path))
    mw = AssetMiddleware(None, tmp_path / "dist", "https://cdn.example.com/assets/")
    name = _manifest(tmp_path)["js/app.js"]["file"]
    assert "/assets/" + name in mw.table.files


def test_assetpipe_serve_end_to_end(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/templates/pages/about.html": """
        <html><head>{{ asset_tags('js/app.js') }}</head><body>{{ title }}</body></html>
        """,
            "about.yaml": "title: About us\n",
        },
    )
    cfg = make_site(tmp_path)
    with cfg.open("a") as f:
        f.write("pages:\n  - {path: /about, template: pages/about.html, context: about.yaml}\n")
    assert run_cli("build", cwd=tmp_path).code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "assetpipe", "serve", "--port", "0"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = None
        deadline = time.monotonic() + 30
        assert proc.stderr is not None
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if m and m.group(1) != "0":
                port = int(m.group(1))
        assert port, "the server did not report its port"
        page = request(port, "/about")
        assert page.status == 200
        assert b"About us" in page.body
        src = re.search(rb'src="(/static/js/[^"]+)"', page.body)
        assert src is not None
        asset = request(port, src.group(1), headers={"Accept-Encoding": "br"})
        assert asset.status == 200 and asset.headers["content-encoding"] == "br"
        assert request(port, "/static/../pipeline.yaml").status == 404
        assert request(port, "/nope").status == 404
        stats = json.loads(request(port, "/__assetpipe/stats").body)
        assert stats["assets"]["by_encoding"]["br"] >= 1
    finally:
        proc.terminate()
        proc.wait(10)
        assert proc.stderr is not None
        proc.stderr.close()


def test_assetpipe_serve_without_build(tmp_path: Path) -> None:
    make_site(tmp_path)
    r = run_cli("serve", "--port", "0", cwd=tmp_path)
    assert r.code == 1
    assert "error: no build at" in r.err and "assetpipe build" in r.err


def _open_fds(path: Path) -> int:
    """How many file descriptors of this process are open on ``path``."""
    target = os.path.realpath(path)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == target
        except OSError:
            continue
    return count


def test_a_file_streamed_from_disk_is_closed_however_the_response_ends(tmp_path: Path) -> None:
    """A body read from disk holds its file open while it is sent and closes it when the server
    closes the body: read to the end, abandoned after one chunk (the client went away), never
    read, given to the server's ``wsgi.file_wrapper``; and at once when ``start_response``
    raises. A leak here would exhaust a long-running server's descriptors."""
    from wsgiref.util import FileWrapper

    public = tmp_path / "dist/public/js"
    public.mkdir(parents=True)
    big = public / "big-ABCDEFGH.js"
    big.write_bytes(b"x" * 300_000)  # several 64 KiB chunks
    (tmp_path / "dist/manifest.json").write_text(
        json.dumps({"js/big.js": {"file": "js/big-ABCDEFGH.js", "src": "js/big.js"}})
    )
    mw = AssetMiddleware(None, tmp_path / "dist", memory_file_limit=0)
    url = "/static/js/big-ABCDEFGH.js"

    def call(**extra: Any) -> Any:
        env = {"PATH_INFO": url, "REQUEST_METHOD": "GET", **extra}
        return mw(env, lambda status, headers, exc_info=None: None)

    for extra in ({}, {"HTTP_RANGE": "bytes=100-250000"}, {"wsgi.file_wrapper": FileWrapper}):
        body = call(**extra)  # read to the end
        assert len(b"".join(body)) in (300_000, 249_901)
        body.close()
        assert _open_fds(big) == 0, extra
        body = call(**extra)  # abandoned after one chunk
        next(iter(body))
        assert _open_fds(big) == 1, extra  # the check sees an open file
        body.close()
        assert _open_fds(big) == 0, extra
        call(**extra).close()  # never read
        assert _open_fds(big) == 0, extra

    def gone(status: str, headers: Any, exc_info: Any = None) -> None:
        raise BrokenPipeError("the client went away")

    for extra in ({}, {"HTTP_RANGE": "bytes=0-9"}):
        env = {"PATH_INFO": url, "REQUEST_METHOD": "GET", **extra}
        with pytest.raises(BrokenPipeError):
            mw(env, gone)
        assert _open_fds(big) == 0, extra


def test_stats_survive_a_table_reload(tmp_path: Path) -> None:
    from assetpipe.serve import STATS

    cfg = make_site(tmp_path)
    build(cfg)
    mw = AssetMiddleware(None, tmp_path / "dist", dev=True)
    url = "/static/" + _manifest(tmp_path)["js/app.js"]["file"]
    env = {"PATH_INFO": url, "REQUEST_METHOD": "GET", "HTTP_ACCEPT_ENCODING": "br"}
    before = STATS.snapshot()["assets"]
    assert b"".join(mw(dict(env), lambda s, h, e=None: None))
    (tmp_path / "src/js/app.js").write_text("export const v = 3;\n" * 50)
    build(cfg)
    assert b"".join(mw(dict(env), lambda s, h, e=None: None))  # retained, from the new table
    after = STATS.snapshot()["assets"]
    assert after["requests"] - before["requests"] == 2
    assert after["by_encoding"].get("br", 0) - before["by_encoding"].get("br", 0) == 2
    assert after["bytes_saved"] > before["bytes_saved"]
