"""A Django project served over ASGI (``uvicorn shopsite.asgi:application``), adopted as
``init`` says. ``init`` named only the WSGI module: under uvicorn the middleware never ran,
and every hashed file the rewritten templates name was a 404 (``collectstatic`` copies none of
them). It now names the ASGI module too, with the ASGI twins of the same layers; in a Channels
project, the name ``get_asgi_application()`` is assigned to, which the router serves. Real
Django, real uvicorn, real HTTP on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_django import (
    _answered,
    _free_port,
    _get,
    _paste,
    _project,
    _started,
    paste_entry,
)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("django") is None or importlib.util.find_spec("uvicorn") is None,
    reason="needs Django and uvicorn (the test extra)",
)

ASGI = """\
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")

application = get_asgi_application()
"""
#: Channels' shape: the router's "http" is the name get_asgi_application() is assigned to
CHANNELS = """\
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")

django_asgi_app = get_asgi_application()


async def application(scope, receive, send):  # ProtocolTypeRouter({"http": django_asgi_app})
    await django_asgi_app(scope, receive, send)
"""

#: paperless-ngx's shape: the router's "http" is a fresh get_asgi_application(), and the name
#: the first call is assigned to serves nothing (a router of Channels' kind, written here)
ROUTED = """\
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
django_asgi_app = get_asgi_application()


def router(routes):
    async def app(scope, receive, send):
        await routes[scope["type"]](scope, receive, send)

    return app


application = router(
    {
        "http": get_asgi_application(),
    },
)
"""
SHAPES = {"plain": ASGI, "channels": CHANNELS, "routed": ROUTED}
#: the name each shape's lines wrap
WRAPPED = {"plain": "application", "channels": "django_asgi_app", "routed": "application"}


def _paste_asgi(root: Path, out: str) -> None:
    """Paste the ASGI module's lines (and their imports) where ``init`` says."""
    part = out.split("and, for an ASGI server", 1)[1]
    assert re.search(r"these lines in (\S+), after line (\d+):", part), out
    paste_entry(root, part.split(" these lines in ", 1)[1].split("\n  and first in", 1)[0])


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_project_served_over_asgi_answers_the_builds_files(tmp_path: Path, shape: str) -> None:
    """The ``routed`` shape: paperless-ngx's ``asgi.py`` assigns ``django_asgi_app =
    get_asgi_application()`` and serves ``ProtocolTypeRouter({"http":
    get_asgi_application(), ...})``: ``init`` wrapped ``django_asgi_app``, which serves
    nothing, and under uvicorn every hashed file was a 404. It wraps the router's name now."""
    _project(tmp_path)
    (tmp_path / "shopsite/asgi.py").write_text(SHAPES[shape])
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    name = WRAPPED[shape]
    assert f"    {name} = assetpipe_asgi.CompressMiddleware(" in result.out, result.out
    _paste(tmp_path, result.out)
    _paste_asgi(tmp_path, result.out)
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    port = _free_port()
    log = tmp_path / "uvicorn.log"
    args = [sys.executable, "-m", "uvicorn", "shopsite.asgi:application", "--port", str(port)]
    server = _started([*args, "--lifespan", "off"], log)
    try:
        base = f"http://127.0.0.1:{port}"
        html = _answered(base + "/", log, "uvicorn")
        css = re.search(r'href="(/static/css/site-[A-Z0-9]{8}\.css)"', html)
        assert css, html
        status, headers, _ = _get(base + css.group(1), "br, gzip")
        assert status == 200 and headers.get("content-encoding") == "br", headers
        assert "immutable" in headers.get("cache-control", ""), headers
        # a file the build lacks goes on to Django (its staticfiles URLs, DEBUG on)
        assert _get(base + "/static/shop/app.css")[2] == b"p { color: red; }\n"
        # init again: the ASGI module is adopted, no second wrap proposed
        again = run_cli("init", "--force", cwd=tmp_path).out
        assert "assetpipe_asgi" not in again, again
        # a project adopted before init named the ASGI module: init again names it
        (tmp_path / "shopsite/asgi.py").write_text(SHAPES[shape])
        again = run_cli("init", "--force", cwd=tmp_path).out
        assert "already wraps application" in again and "For an ASGI server" in again, again
    finally:
        server.terminate()
        server.wait(10)


def test_an_asgi_module_of_another_project_is_not_named(tmp_path: Path) -> None:
    """BookWyrm's ``celerywyrm/asgi.py`` is its Celery workers' project, beside the site's
    ``bookwyrm/wsgi.py``: not the site's ASGI module."""
    _project(tmp_path)
    (tmp_path / "workers").mkdir()
    (tmp_path / "workers/__init__.py").write_text("")
    (tmp_path / "workers/asgi.py").write_text(ASGI)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "ASGI" not in result.out, result.out
