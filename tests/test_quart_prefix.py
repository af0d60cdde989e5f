"""A Quart app behind a reverse proxy's URL prefix still answers the build's files: mounted
at a root path the server sets (``uvicorn --root-path``, hypercorn's), and under a wrapper of
the app's own that mounts it there. Before, the ASGI layers read ``scope["path"]`` whole
(``/shop/static/css/site-HASH.css``), which the ASGI spec makes include the root path: every
hashed file, the app's and an extension blueprint's, answered Quart's 404 there (Quart 0.22,
uvicorn 0.55; seen on enchant97/web-portal under ``hypercorn --root-path``)."""

from __future__ import annotations

import importlib
import os
import sys
import time
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from assetpipe.serve.asgi import app_path
from tests.conftest import run_cli, write_tree
from tests.test_serve_support import asgi_server

pytest.importorskip("quart", reason="pip install -e '.[test]' (Quart is a test extra)")

APP = """\
from quart import Blueprint, Quart, render_template

kit = Blueprint("kit", __name__, static_folder="kit_static", static_url_path="/kit/static")


class MountAt:
    \"\"\"The app's own proxy fix: ``/inner/...`` is the app's ``/...`` mounted at ``/inner``
    (the root path added, the path kept, as the ASGI spec and Quart want it).\"\"\"

    def __init__(self, app, prefix):
        self.app, self.prefix = app, prefix

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(self.prefix + "/"):
            scope = {**scope, "root_path": scope.get("root_path", "") + self.prefix}
        await self.app(scope, receive, send)


def create_app(mount=None):
    app = Quart(__name__)
    app.register_blueprint(kit)
    if mount:
        app.asgi_app = MountAt(app.asgi_app, mount)

    @app.route("/")
    async def index():
        return await render_template("index.html")

    from assetpipe.flask import AssetPipe
    AssetPipe(app)
    return app
"""

INDEX = """\
<!doctype html><html><head><title>Shop</title>
<link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}">
<link rel="stylesheet" href="{{ url_for('kit.static', filename='kit.css') }}">
</head><body><h1>Shop</h1></body></html>
"""

CONFIG = """\
source: "{package}/static"
output: dist
public_path: "/static/"
templates: {{dirs: ["{package}/templates"]}}
styles: {{entries: ["css/site.css"]}}
static: {{include: ["media/*"]}}
"""

CLIP = 4 * 1024 * 1024  # bytes of a video the build copies (incompressible)


@pytest.fixture(scope="module")
def quart_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The module of a small Quart shop, built (``assetpipe build --strict``)."""
    root = tmp_path_factory.mktemp("prefix")
    package = f"quartprefix_{time.time_ns()}"
    write_tree(
        root,
        {
            f"{package}/__init__.py": APP,
            f"{package}/templates/index.html": INDEX,
            f"{package}/static/css/site.css": "h1 { color: #123456 }\n"
            + "".join(f".c{i} {{ margin: {i}px }}\n" for i in range(200)),
            f"{package}/kit_static/kit.css": ".kit { color: #0a0a0a }\n" * 50,
            f"{package}/static/media/clip.mp4": os.urandom(CLIP),
            "pipeline.yaml": CONFIG.format(package=package),
        },
    )
    done = run_cli("build", "--strict", cwd=root)
    assert done.code == 0, done.out + done.err
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(root))
        sys.modules.pop(package, None)


def _fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def _check_built_files(base: str, prefix: str, proxy_strips: bool) -> None:
    """The page names the build's files under ``prefix``, and each answers from the build,
    asked as a reverse proxy at ``prefix`` asks: without it (``proxy_strips``, which uvicorn's
    ``--root-path`` expects) or with it."""

    def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        assert url.startswith(prefix + "/"), url
        return _fetch(base + (url[len(prefix) :] if proxy_strips else url), **headers)

    def _head(url: str) -> tuple[int, dict[str, str], bytes]:
        path = url[len(prefix) :] if proxy_strips else url
        return _fetch(base + path, method="HEAD")

    status, _, body = _get(prefix + "/")
    html = body.decode()
    assert status == 200, html
    urls = [w for w in html.split('"') if w.endswith(".css")]
    assert len(urls) == 2 and all(u.startswith(prefix + "/") for u in urls), urls
    assert any(u.startswith(f"{prefix}/static/css/site-") for u in urls), urls
    assert any(u.startswith(f"{prefix}/kit/static/kit-") for u in urls), urls
    for url in urls:
        status, headers, body = _get(url, **{"Accept-Encoding": "br"})
        assert status == 200, (url, status, body[:200])
        assert "immutable" in headers["cache-control"], (url, headers)
        assert headers.get("content-encoding") == "br", (url, headers)
        status, _, _ = _get(url, **{"Accept-Encoding": "br", "If-None-Match": headers["etag"]})
        assert status == 304, url
    # a range of the build's file, and a HEAD (the file's length, no body)
    site = next(u for u in urls if "/static/css/site-" in u)
    status, headers, body = _get(site, Range="bytes=0-9")
    assert (
        status == 206
        and body == b"h1{color:#"
        and headers["content-range"].startswith("bytes 0-9/")
    ), (status, headers, body)
    length = headers["content-range"].rsplit("/", 1)[1]
    status, headers, body = _head(site)
    assert status == 200 and body == b"" and headers["content-length"] == length, headers
    # the source path keeps answering under the prefix too (Quart's own static route)
    status, _, body = _get(prefix + "/static/css/site.css")
    assert status == 200 and b"#123456" in body


def test_files_of_the_build_answer_under_a_servers_root_path(quart_shop: Any) -> None:
    with asgi_server(quart_shop.create_app(), root_path="/shop") as port:
        _check_built_files(f"http://127.0.0.1:{port}", "/shop", proxy_strips=True)


def test_files_of_the_build_answer_under_the_apps_own_prefix_wrapper(quart_shop: Any) -> None:
    with asgi_server(quart_shop.create_app(mount="/inner")) as port:
        base = f"http://127.0.0.1:{port}"
        _check_built_files(base, "/inner", proxy_strips=False)
        # a path of no file of the build goes on to the app, as before
        status, _, _ = _fetch(base + "/inner/static/css/missing.css")
        assert status == 404


def test_a_large_file_behind_the_apps_own_wrapper_is_streamed(quart_shop: Any) -> None:
    """The hook inside the app sends a large file of the build as it reads it, 64 KiB at a
    time, as the layer does: collected whole first, a 4 MiB video cost 4 MiB and more of memory
    per request (a video's full GET held in memory until sent)."""
    with asgi_server(quart_shop.create_app(mount="/inner")) as port:
        url = f"http://127.0.0.1:{port}/inner/static/media/clip.mp4"
        tracemalloc.start()
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                assert r.status == 200 and int(r.headers["Content-Length"]) == CLIP
                got = 0
                while chunk := r.read(65536):
                    got += len(chunk)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert got == CLIP
    assert peak < CLIP // 2, f"peak {peak} bytes for a {CLIP}-byte file"


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("/shop/static/a.css", "/shop", "/static/a.css"),  # the spec's: path holds the root
        ("/static/a.css", "/shop", "/static/a.css"),  # a server that strips it itself
        ("/shop", "/shop", "/"),
        ("/shopping/static/a.css", "/shop", "/shopping/static/a.css"),  # not a segment of it
        ("/static/a.css", "", "/static/a.css"),
    ],
)
def test_app_path(path: str, root: str, expected: str) -> None:
    assert app_path({"path": path, "root_path": root}) == expected
