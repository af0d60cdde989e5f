"""A Starlette app shaped as the starlette-admin demo (jowilf/starlette-admin-demo): its static
folder mounted as a route of ``Starlette(routes=[...])``, ``Mount("/statics",
app=StaticFiles(directory="statics"), name="statics")``, and named in its templates as
``url_for('statics', path=K)``. ``init`` read only ``app.mount(...)`` calls and stopped with
"no Flask app with a static folder found"; adopted by hand, the build answered the mount's
unhashed files ``no-cache`` where ``StaticFiles`` sends no ``Cache-Control`` at all, and a warm
visit in Chromium revalidated the page's ``masonry.min.js`` and the admin's avatar, which it
reused before adoption."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("starlette")

from tests.conftest import load_module, run_cli, write_tree
from tests.test_serve_support import asgi_server

APP = """\
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


async def homepage(request):
    return templates.TemplateResponse(request, "index.html")


app = Starlette(
    routes=[
        Route("/", homepage),
        Mount("/statics", app=StaticFiles(directory=HERE / "statics"), name="statics"),
    ]
)
"""

TREE: dict[str, str | bytes] = {
    "app.py": APP,
    "statics/js/masonry.js": "window.masonry = function (el) { return el; };\n" * 20,
    "templates/index.html": (
        "<!doctype html>\n<title>demo</title>\n"
        "<script src=\"{{ url_for('statics', path='js/masonry.js') }}\"></script>\n"
    ),
}

TWO_LINES = "from assetpipe.starlette import AssetPipe\nAssetPipe(app, templates)\n"


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_init_reads_a_mount_route_of_another_name(tmp_path: Path) -> None:
    """``Mount(...)`` in ``routes=[...]`` gives the source and public path, its name
    ``statics`` goes into ``templates.static_routes``, so the templates' ``url_for('statics',
    path=K)`` is read as a reference (the script is an entry) and rewritten by a strict build."""
    write_tree(tmp_path, TREE)
    out = run_cli("init", cwd=tmp_path)
    assert out.code == 0, out.err
    assert "AssetPipe(app, templates)" in out.out, out.out
    config = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "statics"' in config and 'public_path: "/statics/"' in config, config
    assert 'static_routes: ["static", "statics"]' in config, config
    assert 'entries: ["js/masonry.js"]' in config, config
    assert "AssetPipe(app, templates)\n# (assetpipe.starlette: Starlette, FastAPI)" in config, (
        config
    )
    result = run_cli("build", "--strict", cwd=tmp_path)
    assert result.code == 0, result.err
    page = (tmp_path / "dist/templates/index.html").read_text()
    assert "url_for('statics', path='js/masonry-" in page, page


def test_unhashed_files_keep_the_mounts_cache_control(tmp_path: Path) -> None:
    """The build answers the source path ``/statics/js/masonry.js`` (brotli, its own ETag)
    with the headers the app's ``StaticFiles`` sends: no ``Cache-Control``, so the browser's
    heuristic freshness reuses it as before adoption; the hashed name stays ``immutable``."""
    write_tree(tmp_path, TREE)
    (tmp_path / "app.py").write_text(APP + TWO_LINES)
    (tmp_path / "pipeline.yaml").write_text(
        "source: statics\noutput: dist\npublic_path: /statics/\n"
        "templates: {dirs: [templates], static_routes: [static, statics]}\n"
        "scripts: {entries: [js/masonry.js]}\n"
    )
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    (tmp_path / "statics/late.js").write_text("var late = 1;\n")  # the app's own answer
    hashed = json.loads((tmp_path / "dist/manifest.json").read_text())["js/masonry.js"]["file"]
    with asgi_server(load_module(tmp_path / "app.py", "demo_statics_app").app) as port:
        base = f"http://127.0.0.1:{port}"
        _, _, page = _get(base + "/")
        assert f"/statics/{hashed}" in page.decode()
        _, own, _ = _get(base + "/statics/late.js")
        assert "etag" in own and "cache-control" not in own, own  # StaticFiles' answer
        status, source, _ = _get(base + "/statics/js/masonry.js")
        assert status == 200 and source.get("cache-control") == own.get("cache-control")
        assert "last-modified" in source, source
        _, built, _ = _get(f"{base}/statics/{hashed}")
        assert "immutable" in built["cache-control"]


def test_init_says_when_the_templates_object_is_made_per_request(tmp_path: Path) -> None:
    """The demo's view renders with ``Jinja2Templates("templates").TemplateResponse(...)``:
    there is no object to give ``AssetPipe``, so ``init`` printed ``AssetPipe(app)`` and the
    page kept its unhashed ``masonry.min.js`` without a word. It names the line and the fix."""
    view = APP.replace('templates = Jinja2Templates(directory=str(HERE / "templates"))\n', "")
    view = view.replace(
        "return templates.TemplateResponse(",
        'return Jinja2Templates(directory=str(HERE / "templates")).TemplateResponse(',
    )
    write_tree(tmp_path, {**TREE, "app.py": view})
    out = run_cli("init", cwd=tmp_path)
    assert out.code == 0, out.err
    assert "    AssetPipe(app)\n" in out.out, out.out
    line = view.split("\n").index(
        '    return Jinja2Templates(directory=str(HERE / "templates")).TemplateResponse('
        'request, "index.html")'
    )
    assert f"app.py:{line + 1} makes a Jinja2Templates(...) without naming it" in out.out
    assert "pass it: AssetPipe(app, templates)" in out.out


ADMIN = """\
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent


class RefreshSession:
    # sends the session cookie again on every response, as Starlette's SessionMiddleware did
    # before 1.0 (starlette-admin 0.15's demo pins 0.46)

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def sending(message):
            if message["type"] == "http.response.start":
                cookie = (b"set-cookie", b"session=signed-in; path=/; httponly")
                message = {**message, "headers": [*message["headers"], cookie]}
            await send(message)

        await self.app(scope, receive, sending)


async def index(request):
    return HTMLResponse("<p>admin signed in</p>" * 100)


admin = Starlette(
    routes=[
        Route("/", index),
        Mount("/statics", app=StaticFiles(directory=HERE / "vendor"), name="statics"),
    ],
    middleware=[Middleware(RefreshSession)],
)
app = Starlette(
    routes=[
        Mount("/admin", app=admin, name="admin"),
        Mount("/statics", app=StaticFiles(directory=HERE / "statics"), name="statics"),
    ]
)
from assetpipe.starlette import AssetPipe
AssetPipe(app)
"""


def test_a_session_cookie_does_not_hold_back_a_mounted_file_server(tmp_path: Path) -> None:
    """starlette-admin's sub-app adds ``SessionMiddleware``, which (Starlette 0.46) sets the
    session cookie on every response of a signed-in user, its ``StaticFiles`` answers too: the
    BREACH guard left them all uncompressed (1.00x the bytes on every admin page). A file's
    body reflects no request input: files under a ``StaticFiles`` mount, at any depth, are
    compressed beside the cookie; the page that sets it still is not. (The guard read the path
    after the ``Mount`` had rewritten the scope's ``root_path``: it is read before the app
    runs.)"""
    write_tree(
        tmp_path,
        {
            "app.py": ADMIN,
            "statics/js/masonry.js": "window.masonry = 1;\n",
            "vendor/css/tabler.css": "".join(f".c{i} {{ color: #{i:06x}; }}\n" for i in range(400)),
            "pipeline.yaml": "source: statics\noutput: dist\npublic_path: /statics/\n"
            "templates: {dirs: []}\nstatic: {include: ['**']}\n",
        },
    )
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    with asgi_server(load_module(tmp_path / "app.py", "demo_statics_app").app) as port:
        base = f"http://127.0.0.1:{port}/admin/"
        for url, encoding in ((base + "statics/css/tabler.css", "br"), (base, None)):
            request = urllib.request.Request(url, headers={"Accept-Encoding": "br"})
            with urllib.request.urlopen(request) as r:
                assert r.headers.get("Set-Cookie") == "session=signed-in; path=/; httponly"
                assert r.headers.get("Content-Encoding") == encoding, (url, r.headers)
