"""An installed package's ``StaticFiles`` mount under Starlette, hashed while the app runs
(``assetpipe.package_static``), shaped as starlette-admin mounts its own: a sub-app mounted
``name="admin"`` holds ``Mount("/statics", StaticFiles(packages=[PKG]), name="statics")``, and
the package's templates (its own ``Jinja2Templates``, never passed to ``AssetPipe``) name the
files with ``url_for(__name__ ~ ':statics', path=...)``, a route name computed at run time. The
starlette-admin demo's Tabler, jQuery and Font Awesome (~1 MB) went out unhashed and without a
``Cache-Control``: revalidated on every reload, compressed on each request. The package is a
real one, in a ``site-packages`` folder on ``sys.path``; real build, real uvicorn, real HTTP."""

from __future__ import annotations

import re
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest

pytest.importorskip("starlette")

from tests.conftest import load_module, run_cli, write_tree
from tests.test_serve_support import asgi_server

PKG = "shopadmin_pkg"

PACKAGE: dict[str, str | bytes] = {
    f"{PKG}/__init__.py": "",
    f"{PKG}/statics/css/shop.css": (
        "@font-face { font-family: shop; src: url(../fonts/shop.woff2) format('woff2'); }\n"
        + "body { font-family: shop, sans-serif; color: #123; }\n" * 30
    ),
    f"{PKG}/statics/fonts/shop.woff2": b"wOF2" + bytes(range(256)) * 8,
    f"{PKG}/statics/js/vendor/jquery.min.js": "window.$ = function () { return 1; };\n" * 40,
    f"{PKG}/templates/base.html": (
        "<!doctype html>\n<title>admin</title>\n"
        "<link rel=stylesheet href=\"{{ url_for(__name__ ~ ':statics', path='css/shop.css') }}\">\n"
        "<script src=\"{{ url_for(__name__ ~ ':statics', path='js/vendor/jquery.min.js') }}\">"
        "</script>\n"
        "<script src=\"{{ url_for(__name__ ~ ':statics', path='js/custom.js') }}\"></script>\n"
    ),
}

APP = f"""\
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

import {PKG}

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
admin_templates = Jinja2Templates(directory=str(Path({PKG}.__file__).parent / "templates"))
admin_templates.env.globals["__name__"] = "admin"


async def admin_page(request):
    return admin_templates.TemplateResponse(request, "base.html")


admin = Starlette(
    routes=[
        Route("/", admin_page),
        # the project's own folder first, as starlette-admin's ``statics_dir``
        Mount(
            "/statics",
            app=StaticFiles(directory=HERE / "overrides", packages=["{PKG}"]),
            name="statics",
        ),
    ]
)
app = Starlette(
    routes=[
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/admin", app=admin, name="admin"),
        # a package's folder by its path in site-packages
        Mount("/vendor", app=StaticFiles(directory=Path({PKG}.__file__).parent / "statics"),
              name="vendor"),
    ]
)
from assetpipe.starlette import AssetPipe
AssetPipe(app, templates, package_static=PACKAGE_STATIC)
"""

PROJECT: dict[str, str | bytes] = {
    "pipeline.yaml": "source: static\noutput: dist\nstatic: {include: ['**']}\n",
    "static/app.js": "window.app = 1;\n" * 40,
    "templates/index.html": "<!doctype html>\n<title>home</title>\n",
    "overrides/js/custom.js": "window.custom = 1;\n" * 40,
}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The package installed in a ``site-packages`` folder on ``sys.path``; the project."""
    packages = tmp_path / "venv/lib/python3/site-packages"
    write_tree(packages, PACKAGE)
    monkeypatch.syspath_prepend(str(packages))
    project = tmp_path / "project"
    write_tree(project, PROJECT)
    assert run_cli("build", "--strict", cwd=project).code == 0
    yield project
    sys.modules.pop(PKG, None)


def _serve(project: Path, package_static: bool = True) -> Any:
    text = APP.replace("PACKAGE_STATIC", str(package_static))
    (project / "server.py").write_text(text)
    return load_module(project / "server.py", f"package_static_app_{package_static}").app


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_a_package_mount_named_through_a_computed_name_is_hashed_and_immutable(
    site: Path,
) -> None:
    """The page names the package's stylesheet and script by hashed URLs, which answer
    ``immutable`` and brotli; the stylesheet's copy names its font by its hashed URL; the file
    the project's own folder holds (before the package's, as ``StaticFiles`` looks it up) keeps
    its name; a ``directory=`` in site-packages is hashed too, the app's own folder is the
    build's; the unhashed URLs are still the mount's."""
    app = _serve(site)
    with asgi_server(app) as port:
        base = f"http://127.0.0.1:{port}"
        _, _, page = _get(f"{base}/admin/")
        vendor = str(app.url_path_for("vendor", path="js/vendor/jquery.min.js"))
        assert re.fullmatch(r"/vendor/js/vendor/jquery\.min-[A-Z2-7]{8}\.js", vendor), vendor
        assert str(app.url_path_for("static", path="app.js")) == "/static/app.js"  # the build's
        html = page.decode()
        css = re.search(r'href="[^"]*?(/admin/statics/css/shop-[A-Z2-7]{8}\.css)"', html)
        js = re.search(r'src="[^"]*?(/admin/statics/js/vendor/jquery\.min-[A-Z2-7]{8}\.js)"', html)
        assert css and js, html
        assert "/admin/statics/js/custom.js" in html, html  # the project's own override
        status, headers, body = _get(base + css.group(1), **{"Accept-Encoding": "br"})
        assert status == 200 and headers["cache-control"].endswith("immutable"), headers
        assert headers["content-encoding"] == "br", headers
        font = re.search(rb"url\(\.\./fonts/shop-[A-Z2-7]{8}\.woff2\)", brotli.decompress(body))
        assert font, body
        font_url = (
            base + "/admin/statics/fonts/" + font.group(0)[len("url(../fonts/") : -1].decode()
        )
        status, headers, _ = _get(font_url)
        assert status == 200 and "immutable" in headers["cache-control"], headers
        status, headers, _ = _get(base + js.group(1))
        assert status == 200 and "immutable" in headers["cache-control"], headers
        status, headers, _ = _get(f"{base}/admin/statics/css/shop.css")
        assert status == 200 and "immutable" not in headers.get("cache-control", ""), headers


def test_package_static_off_leaves_the_mount_as_it_was(site: Path) -> None:
    """``package_static=False``: the names the app gives and its mount's answers, unchanged."""
    with asgi_server(_serve(site, package_static=False)) as port:
        _, _, page = _get(f"http://127.0.0.1:{port}/admin/")
        assert "/admin/statics/css/shop.css" in page.decode(), page


def _warm_visit_asks(project: Path, browser: Any, package_static: bool) -> list[str]:
    """The package's files Chromium asks the server for on a second visit to the admin page,
    2 s after the first, the package's files written just before (``mtime`` now)."""
    import os
    import time

    for d, _, names in os.walk(project.parent / "venv/lib/python3/site-packages" / PKG):
        for n in names:
            os.utime(os.path.join(d, n))
    app, seen = _serve(project, package_static), []

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(scope["path"])
        await app(scope, receive, send)

    with asgi_server(counting) as port:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/admin/", wait_until="networkidle")
            assert page.evaluate("typeof window.$") == "function"  # the hashed script ran
            time.sleep(2)
            seen.clear()
            page.goto(f"http://127.0.0.1:{port}/admin/", wait_until="networkidle")
        finally:
            context.close()
    # the project's own override (``overrides/js/custom.js``) is not the package's: unhashed
    return [p for p in seen if p.startswith("/admin/statics/") and not p.endswith("custom.js")]


def test_a_warm_visit_in_chromium_asks_nothing_of_the_package_files(
    site: Path, browser: Any
) -> None:
    """A package installed just now (an image just built): ``StaticFiles`` sends no
    ``Cache-Control``, so Chromium's heuristic freshness (a tenth of the file's age) is over by
    the next visit and it revalidated every file (``package_static=False``, as before); hashed
    and ``immutable``, it asks for none."""
    assert len(_warm_visit_asks(site, browser, package_static=False)) >= 2
    assert _warm_visit_asks(site, browser, package_static=True) == []
