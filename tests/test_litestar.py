"""``assetpipe.litestar.AssetPipe``: ``plugins=[AssetPipe()]`` makes a Litestar app serve its
build, real uvicorn on 127.0.0.1. Met adopting a Litestar 2.25 shop by hand (Bootstrap 5,
bootstrap-icons, a static files router named ``static``, Jinja templates): through the generic
ASGI middleware it needed three edits, its cards' computed ``url_for('static',
file_path=item.img)`` stayed on unhashed names answered ``no-cache``, and a warm visit
revalidated them where the plain app's router, which sends no ``Cache-Control``, let the
browser reuse them."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("litestar")

from assetpipe import build
from tests.conftest import write_tree
from tests.rebuild_site import png
from tests.test_serve_support import asgi_server, decode, request

APP = """\
from pathlib import Path
from typing import Any

from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from assetpipe.litestar import AssetPipe

HERE = Path(__file__).parent
SEEN = []


def note(engine):
    SEEN.append(type(engine).__name__)


@get("/")
async def index() -> Template:
    return Template(template_name="index.html", context={"photo": "img/a.png", "n": 300})


app = Litestar(
    route_handlers=[
        index,
        create_static_files_router(path="/static", directories=[HERE / "static"], name="static"),
    ],
    template_config=TemplateConfig(
        directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=note
    ),
    plugins=[AssetPipe()],
)
"""

PAGE = """<!doctype html>
<html><head><title>shop</title>
<link rel="stylesheet" href="{{ url_for('static', file_path='css/site.css') }}">
</head><body>
<img src="{{ url_for('static', file_path=photo) }}" alt="computed">
<script src="{{ asset_url('js/site.js') }}"></script>
{% for i in range(n) %}<p>row {{ i }} of the shop's page</p>{% endfor %}
</body></html>
"""


def test_the_plugin_serves_the_build_and_names_computed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "litestar_shop_app.py": APP,
            "templates/index.html": PAGE,
            "static/css/site.css": "body { color: rgb(1, 2, 3); }\n" * 40,
            "static/js/site.js": "window.ready = true;\n",
            "pipeline.yaml": (
                "source: static\noutput: dist\npublic_path: /static/\n"
                "templates: {dirs: [templates]}\n"
                'images: {include: ["img/**"]}\nstatic: {include: ["css/**", "js/**"]}\n'
            ),
        },
    )
    (tmp_path / "static/img").mkdir()
    (tmp_path / "static/img/a.png").write_bytes(png(640, 480, (40, 120, 200)))
    result = build(tmp_path / "pipeline.yaml")
    # the computed <img> is still a warning: the run-time name is its default output, without
    # the srcset and WebP a literal file name gets
    (warning,) = [w.message for w in result.warnings]
    assert "Litestar's plugins=[AssetPipe()] names its default output at run time" in warning
    (tmp_path / "static/late.txt").write_text("added after the build\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # Litestar reads its handlers' module
    module = importlib.import_module("litestar_shop_app")
    try:
        _check(module)
    finally:
        sys.modules.pop("litestar_shop_app", None)


def _check(module: Any) -> None:
    br = {"Accept-Encoding": "br"}
    with asgi_server(module.app) as port:
        r = request(port, "/", headers=br)
        assert r.status == 200 and r.headers.get("content-encoding") == "br", r.headers
        page = decode(r).decode()
        # the rewritten template: the literal url_for hashed by the build
        assert "file_path='" not in page and "/static/css/site-" in page, page
        css = page.split('href="', 1)[1].split('"', 1)[0]
        # the computed file_path names the build's file (the source path's own output)
        img = page.split('<img src="', 1)[1].split('"', 1)[0]
        assert img.startswith("/static/img/a-") and img != "/static/img/a.png", page
        assert '<script src="/static/js/site-' in page, page
        # the app's own engine callback still ran, before the plugin's
        assert module.SEEN == ["JinjaTemplateEngine"]

        for url in (css, img):
            r = request(port, url, headers=br)
            assert r.status == 200, url
            assert r.headers["cache-control"] == "public, max-age=31536000, immutable", url
        assert request(port, css, headers=br).headers.get("content-encoding") == "br"

        # an unhashed source path: from the build, with the router's caching (none)
        r = request(port, "/static/img/a.png")
        assert r.status == 200 and "cache-control" not in r.headers, r.headers
        # a file the build lacks goes on to the app's static files router
        r = request(port, "/static/late.txt")
        assert (r.status, r.body) == (200, b"added after the build\n")
        assert request(port, "/static/nothing-here.css").status == 404


@pytest.mark.parametrize("nested", [False, True], ids=["router", "inside-a-router"])
def test_unhashed_names_keep_the_static_routers_own_cache_control(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nested: bool
) -> None:
    """A static files router made with ``cache_control=`` sends that header with each file (a
    warm visit reuses them for an hour without asking); the build's unhashed names send the
    same, not the plugin's default (none), whether the router is the app's or inside another
    router. The hashed names stay immutable."""
    static = (
        'create_static_files_router(path="/static", directories=[HERE / "static"], '
        'name="static", cache_control=CacheControlHeader(max_age=3600))'
    )
    if nested:
        static = f'Router(path="/app", route_handlers=[{static}])'
    app = (
        APP.replace(
            "from litestar import Litestar, get", "from litestar import Litestar, Router, get"
        )
        .replace(
            "from litestar.plugins.jinja",
            "from litestar.datastructures import CacheControlHeader\nfrom litestar.plugins.jinja",
        )
        .replace(
            'create_static_files_router(path="/static", directories=[HERE / "static"], name="static")',
            static,
        )
    )
    assert static in app
    prefix = "/app/static" if nested else "/static"
    write_tree(
        tmp_path,
        {
            "litestar_cached_app.py": app,
            "static/js/site.js": "window.ready = true;\n",
            "pipeline.yaml": (
                f"source: static\noutput: dist\npublic_path: {prefix}/\n"
                'static: {include: ["js/**"]}\n'
            ),
        },
    )
    (tmp_path / "templates").mkdir()
    build(tmp_path / "pipeline.yaml")
    (tmp_path / "static/late.txt").write_text("added after the build\n")
    manifest = (tmp_path / "dist/manifest.json").read_text()
    hashed = manifest.split('"file": "', 1)[1].split('"', 1)[0]
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("litestar_cached_app")
    try:
        with asgi_server(module.app) as port:
            # the router's own file, and the build's unhashed name: the router's header
            for path in ("late.txt", "js/site.js"):
                r = request(port, f"{prefix}/{path}")
                assert (r.status, r.headers.get("cache-control")) == (200, "max-age=3600"), path
            r = request(port, f"{prefix}/{hashed}")
            assert r.status == 200 and "immutable" in r.headers["cache-control"], r.headers
    finally:
        sys.modules.pop("litestar_cached_app", None)
