"""A blueprint without a ``static_folder`` whose own ``static`` view serves a folder byte for
byte (``send_from_directory``, as Flask-MonitoringDashboard's does) has that folder hashed,
compressed and served immutable like a blueprint static folder; one behind a login keeps its
URLs. The blueprints live in a package written here and imported, as an installed extension
is, and are served by real Flask through its test client (the WSGI stack ``init_app``
installs)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import brotli
import pytest
from flask import Flask, render_template_string, session

from assetpipe.flask import AssetPipe
from tests.conftest import write_tree

KIT_CSS = ".kit { background: url(../img/dot.svg); }\n" + ".kit b { color: #123456; }\n" * 40
DOT = "<svg xmlns='http://www.w3.org/2000/svg'/>\n"
VIEWS = '''\
import functools
import os

from flask import Blueprint, redirect, session
from flask.helpers import send_from_directory


def loc():
    return os.path.abspath(os.path.dirname(__file__)) + "/"


kit = Blueprint("kit", __name__)
locked = Blueprint("locked", __name__)


def secure(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if session.get("in"):
            return func(*args, **kwargs)
        return redirect("/login")

    return wrapper


@kit.route("/static/<path:filename>")
def static(filename):
    """Serve static files."""
    return send_from_directory(loc() + "static", filename)


@locked.route("/static/<path:filename>", endpoint="static")
@secure
def locked_static(filename):
    return send_from_directory(loc() + "static", filename)
'''
PAGE = """<link rel="stylesheet" href="{{ url_for('kit.static', filename='css/kit.css') }}">
<img src="{{ url_for('locked.static', filename='img/dot.svg') }}">"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """An app with ``kit`` at ``/kit`` (a plain file view) and ``locked`` at ``/locked`` (the
    same view behind a session check), both over ``viewkit/static``."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n",
            "app/static/site.txt": "site\n",
            "viewkit/__init__.py": VIEWS,
            "viewkit/static/css/kit.css": KIT_CSS,
            "viewkit/static/img/dot.svg": DOT,
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "viewkit", raising=False)
    views = importlib.import_module("viewkit")
    app = Flask("app", root_path=str(tmp_path / "app"))
    app.secret_key = "test"
    AssetPipe(app)  # before the blueprints are registered, as an app factory often does
    app.register_blueprint(views.kit, url_prefix="/kit")
    app.register_blueprint(views.locked, url_prefix="/locked")

    @app.route("/")
    def index() -> str:
        return render_template_string(PAGE)

    @app.route("/login")
    def login() -> str:
        session["in"] = True
        return "in"

    return app


def hashed_stylesheet(client: Any, pattern: str) -> str:
    """The stylesheet the page at ``/`` links with a URL matching ``pattern`` (one group), as
    served: hashed URL, ``immutable``, brotli (decompressed here)."""
    page = client.get("/").get_data(as_text=True)
    css = re.search(pattern, page)
    assert css, page
    got = client.get(css.group(1), headers={"Accept-Encoding": "br, gzip"})
    assert got.status_code == 200
    assert got.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert got.headers["Content-Encoding"] == "br"
    return str(brotli.decompress(got.get_data()).decode())


def test_a_view_serving_a_folder_as_is_gets_hashed_immutable_compressed_urls(app: Flask) -> None:
    client = app.test_client()
    served = hashed_stylesheet(client, r'href="(/kit/static/css/kit-[A-Z2-7]{8}\.css)"')
    # the stylesheet's url() names the hashed image, which the same layer serves
    img = re.search(r"url\(\.\./img/(dot-[A-Z2-7]{8}\.svg)\)", served)
    assert img, served
    assert served.replace(img.group(1), "dot.svg") == KIT_CSS
    with client.get(f"/kit/static/img/{img.group(1)}") as svg:
        assert svg.get_data(as_text=True) == DOT
        assert svg.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # the unhashed URL still answers through the view itself
    with client.get("/kit/static/css/kit.css") as unhashed:
        assert unhashed.get_data(as_text=True) == KIT_CSS
        assert "immutable" not in unhashed.headers.get("Cache-Control", "")


def test_a_view_behind_a_login_keeps_its_urls(app: Flask) -> None:
    client = app.test_client()
    assert 'src="/locked/static/img/dot.svg"' in client.get("/").get_data(as_text=True)
    assert client.get("/locked/static/img/dot.svg").status_code == 302
    client.get("/login")  # logged in, it is still not made a public, immutable file
    page = client.get("/").get_data(as_text=True)
    assert 'src="/locked/static/img/dot.svg"' in page, page
    with client.get("/locked/static/img/dot.svg") as svg:
        assert svg.status_code == 200 and svg.get_data(as_text=True) == DOT
    hashed = re.search(r"dot-[A-Z2-7]{8}\.svg", client.get("/").get_data(as_text=True))
    assert hashed is None
