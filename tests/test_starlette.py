"""``assetpipe.starlette.AssetPipe``: the two lines for a Starlette or FastAPI app, met adopting
Glances' web UI (a ``FastAPI`` built inside a class, ``StaticFiles`` mounted at ``url_prefix +
'/static'`` after the middleware is set up, ``Jinja2Templates``). By hand, the user wrapped the
app in ``asgi.AssetMiddleware`` with the build's absolute path and the mount's URL, and
rewrote ``Jinja2Templates(directory=...)`` as a list with ``dist/templates`` first."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")

import brotli
import uvicorn

from assetpipe.starlette import mount_path
from tests.conftest import load_module, run_cli, write_tree

SERVER = '''\
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

HERE = Path(__file__).parent


class Api:
    """Built as Glances builds its server: the app and templates in __init__, the static
    mount added later, under a URL prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.app = Starlette()
        self.templates = Jinja2Templates(directory=str(HERE / "static/templates"))
        self.app.add_middleware(GZipMiddleware, minimum_size=100)
        from assetpipe.starlette import AssetPipe
        AssetPipe(self.app, self.templates)
        self.routes()

    def index(self, request):
        return self.templates.TemplateResponse(request, "index.html", {"refresh": 2})

    def stats(self, request):
        return JSONResponse({"cpu": [1.5] * 200})

    def routes(self) -> None:
        self.app.router.routes.append(Route(self.prefix + "/", self.index))
        self.app.router.routes.append(Route(self.prefix + "/api/4/all", self.stats))
        self.app.mount(
            self.prefix + "/static",
            StaticFiles(directory=str(HERE / "static/public")),
            name="static",
        )
'''

TREE: dict[str, str | bytes] = {
    "pipeline.yaml": """\
source: pkg/web/static/public
output: dist
templates: {dirs: [pkg/web/static/templates]}
static: {include: ["**"]}
""",
    "pkg/__init__.py": "",
    "pkg/web/__init__.py": "",
    "pkg/web/server.py": SERVER,
    "pkg/web/static/public/app.js": "(()=>{document.title='ran'})();\n" * 40,
    "pkg/web/static/templates/index.html": (
        '<!doctype html>\n<script src="static/app.js" defer></script>\n'
        "<p>{{ refresh }} {{ asset_url('app.js') }}</p>\n"
    ),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=[""])
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    """The app built and served; ``request.param``: uvicorn's ``root_path`` (the server
    behind a proxy that strips that prefix: the URLs it is asked keep no trace of it)."""
    write_tree(tmp_path, TREE)
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    api = load_module(tmp_path / "pkg/web/server.py", "pkg.web.server").Api("/mon")
    port = _free_port()
    config = uvicorn.Config(
        api.app, host="127.0.0.1", port=port, log_level="error", root_path=request.param
    )
    server = uvicorn.Server(config)
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/mon/", tmp_path
    finally:
        server.should_exit = True
        t.join(5)


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_the_two_lines_serve_the_build_under_the_apps_static_mount(
    served: tuple[str, Path],
) -> None:
    """From the module's folder it finds pipeline.yaml two folders up; the page is the
    rewritten template (its relative URL hashed), the hashed file is answered immutable and
    precompressed at the mount's URL under the prefix (mounted after the two lines), the
    API answers as before, and a file the build lacks goes on to the app's StaticFiles."""
    base, root = served
    status, _, body = _get(base)
    page = body.decode()
    assert status == 200 and '<script src="static/app-' in page
    js = page.split('src="')[1].split('"')[0]
    assert f"/mon/{js}" in page  # asset_url() names the mount's URL too
    status, headers, _ = _get(base + js, **{"Accept-Encoding": "br"})
    assert status == 200 and "immutable" in headers["cache-control"]
    assert headers["content-encoding"] == "br"
    status, _, body = _get(base + "api/4/all", **{"Accept-Encoding": "identity"})
    assert status == 200 and body.startswith(b'{"cpu"')
    # dynamic responses compressed, as for Flask: brotli through the app's own GZipMiddleware
    status, headers, body = _get(base + "api/4/all", **{"Accept-Encoding": "br"})
    assert status == 200 and headers.get("content-encoding") == "br"
    assert brotli.decompress(body).startswith(b'{"cpu"')
    (root / "pkg/web/static/public/late.txt").write_text("added after the build\n")
    status, _, body = _get(base + "static/late.txt")
    assert status == 200 and body == b"added after the build\n"


@pytest.mark.parametrize("served", ["/proxy"], indirect=True)
def test_the_build_answers_under_a_servers_root_path(served: tuple[str, Path]) -> None:
    """Under ``uvicorn --root-path /proxy`` the ASGI spec puts ``/proxy`` in the path the
    middleware sees (``/proxy/mon/static/app-HASH.js``): matched whole, the hashed file went
    on to ``StaticFiles``, which has no such file (404). It is the app's path that names it."""
    base, _ = served
    status, _, body = _get(base)
    js = body.decode().split('src="')[1].split('"')[0]
    assert status == 200 and js.startswith("static/app-"), body
    status, headers, _ = _get(base + js, **{"Accept-Encoding": "br"})
    assert status == 200 and "immutable" in headers["cache-control"]
    assert headers["content-encoding"] == "br"


def test_mount_path_reads_the_static_mount() -> None:
    from starlette.applications import Starlette
    from starlette.staticfiles import StaticFiles

    app = Starlette()
    assert mount_path(app) is None
    app.mount("/x/static", StaticFiles(directory=".", check_dir=False), name="static")
    assert mount_path(app) == "/x/static/"


CLASS_BUILT = """\
import os

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates


class RestfulApi:
    def __init__(self, config):
        self.config = config
        self._app = FastAPI(title="x")
        root = os.path.dirname(os.path.realpath(__file__))
        self._templates = Jinja2Templates(
            directory=os.path.join(root, "static/templates")
        )
        self._app.add_middleware(object)
"""


def test_init_names_the_module_the_line_and_the_apps_own_names(tmp_path: Path) -> None:
    """Glances' shape: the app and its templates made in a method. ``init`` said "wrap your
    app in assetpipe.serve's middleware" and left the rest to the user; it names the line
    after both statements now, with ``self._app`` and ``self._templates``."""
    write_tree(
        tmp_path,
        {
            "mon/__init__.py": "",
            "mon/web/__init__.py": "",
            "mon/web/api.py": CLASS_BUILT,
            "mon/web/static/public/app.js": "var a = 1;\n",
            "mon/web/static/public/favicon.ico": b"\x00\x00\x01\x00" * 64,
            "mon/web/static/templates/index.html": (
                '<link rel="icon" href="static/favicon.ico">\n'
                '<script src="static/app.js"></script>\n'
            ),
        },
    )
    out = run_cli("init", cwd=tmp_path)
    assert out.code == 0, out.err
    assert "in mon/web/api.py: this one after line 14 (at its indentation, 8 spaces in" in out.out
    assert "    from assetpipe.starlette import AssetPipe\n" in out.out
    assert "    AssetPipe(self._app, self._templates)\n" in out.out
    assert "wrap your app" not in out.out
    assert "source: mon/web/static/public," in out.out
    api = tmp_path / "mon/web/api.py"
    lines = api.read_text().split("\n")
    lines[14:14] = [
        "        from assetpipe.starlette import AssetPipe",
        "        AssetPipe(self._app)",
    ]
    api.write_text("\n".join(lines))
    again = run_cli("init", "--force", cwd=tmp_path)
    assert again.code == 0, again.err
    assert "mon/web/api.py already calls AssetPipe(...)" in again.out
    assert "Add these two lines" not in again.out


MOUNTED = """\
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).parent


class QuietFiles(StaticFiles):
    pass


class Server:
    def __init__(self, prefix=""):
        self.app = FastAPI()
        self.DIST = os.path.join(os.path.dirname(__file__), "frontend/dist")
        self.templates = Jinja2Templates(directory=str(HERE / "pages"))
        self.app.mount("/media", StaticFiles(directory=HERE / "media"), name="media")
        self.app.mount(prefix + "/assets", QuietFiles(directory=self.DIST), name="static")
"""


def test_init_reads_the_folder_the_static_mount_serves(tmp_path: Path) -> None:
    """The folder and URL come from ``app.mount(..., StaticFiles(directory=...),
    name="static")`` (a subclass of ``StaticFiles``, a path built with ``os.path.join`` and
    an attribute): no folder of the project is called ``static``, so ``init`` stopped with "no
    Flask app with a static folder found"; the templates' folder comes from
    ``Jinja2Templates``."""
    write_tree(
        tmp_path,
        {
            "srv/__init__.py": "",
            "srv/server.py": MOUNTED,
            "srv/frontend/dist/main.js": "var a = 1;\n",
            "srv/frontend/src/main.ts": "let a = 1;\n",
            "srv/media/logo.png": b"\x89PNG\r\n\x1a\n",
            "srv/pages/index.html": '<script src="/assets/main.js"></script>\n',
        },
    )
    from assetpipe.adopt import discover

    p = discover(tmp_path)
    assert p.static_dir == (tmp_path / "srv/frontend/dist").resolve()
    assert p.public_path == "/assets/"
    assert p.templates_dir == (tmp_path / "srv/pages").resolve()
    assert p.scripts == ["main.js"] and p.missing == []
    out = run_cli("init", cwd=tmp_path)
    assert out.code == 0, out.err
    assert "AssetPipe(self.app, self.templates)" in out.out
