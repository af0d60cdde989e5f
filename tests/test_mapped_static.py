"""A view that picks the folder it serves by name from a mapping (MoinMoin's ``serve.files`` at
``/+serve/<name>/<path:filename>``, reading ``current_app.cfg.serve_files[name]`` for its
XStatic packages) has each folder hashed, compressed and served immutable, as a blueprint static
folder is; a name whose value is no folder (a URL), and a view with a login in front, keep their
URLs. The packages and the view live in modules written here and imported, as installed ones
are, and are served by real Flask through its test client."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
from flask import Flask, render_template_string

from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_view_static import hashed_stylesheet

ICONS_CSS = (
    "@font-face { font-family: I; src: url(../webfonts/icons.woff2) format('woff2'); }\n"
    + ".icon b { color: #123456; }\n" * 40
)
FONT = b"wOF2-fake-font-bytes" * 20
VIEWS = """\
import functools

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory

serve = Blueprint("serve", __name__)
guarded = Blueprint("guarded", __name__)


@serve.route("/<name>/", defaults=dict(filename=""))
@serve.route("/<name>/<path:filename>")
def files(name, filename):
    try:
        base_path = current_app.config["SERVE_FILES"][name]
    except KeyError:
        abort(404)

    if not filename:
        abort(404)

    return send_from_directory(base_path, filename)


def secure(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if request.cookies.get("in"):
            return func(*args, **kwargs)
        return redirect("/login")

    return wrapper


@guarded.route("/<pkg>/<path:filename>")
@secure
def files(pkg, filename):
    folder = current_app.config["SERVE_FILES"][pkg]
    return send_from_directory(folder, filename)
"""
PAGE = """<link rel="stylesheet" href="{{ url_for('serve.files', name='icons', filename='css/icons.css') }}">
<script src="{{ url_for('serve.files', name='docs', filename='x.js') }}"></script>
<img src="{{ url_for('guarded.files', pkg='icons', filename='img/dot.svg') }}">"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """``serve`` at ``/+serve`` over two names (a package folder, a URL), ``guarded`` at
    ``/+guarded`` over the same mapping behind a cookie check."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n",
            "app/static/site.txt": "site\n",
            "mapview/__init__.py": VIEWS,
            "pkgs/icons/css/icons.css": ICONS_CSS,
            "pkgs/icons/webfonts/icons.woff2": FONT,
            "pkgs/icons/img/dot.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "mapview", raising=False)
    views = importlib.import_module("mapview")
    app = Flask("app", root_path=str(tmp_path / "app"))
    app.config["SERVE_FILES"] = {
        "icons": str(tmp_path / "pkgs" / "icons"),
        "docs": "https://docs.example.org/",
    }
    app.register_blueprint(views.serve, url_prefix="/+serve")
    app.register_blueprint(views.guarded, url_prefix="/+guarded")
    AssetPipe(app)

    @app.route("/")
    def index() -> str:
        return render_template_string(PAGE)

    return app


def test_each_folder_of_the_mapping_gets_hashed_immutable_compressed_urls(app: Flask) -> None:
    client = app.test_client()
    served = hashed_stylesheet(client, r'href="(/\+serve/icons/css/icons-[A-Z2-7]{8}\.css)"')
    # the stylesheet names its font by the hashed name, which the same layer serves
    font = re.search(r"url\(\.\./webfonts/(icons-[A-Z2-7]{8}\.woff2)\)", served)
    assert font, served
    assert served.replace(font.group(1), "icons.woff2") == ICONS_CSS
    with client.get(f"/+serve/icons/webfonts/{font.group(1)}") as woff:
        assert woff.get_data() == FONT
        assert woff.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # the unhashed URL still answers through the view itself
    with client.get("/+serve/icons/css/icons.css") as unhashed:
        assert unhashed.get_data(as_text=True) == ICONS_CSS
        assert "immutable" not in unhashed.headers.get("Cache-Control", "")


def test_a_name_that_is_no_folder_and_a_guarded_view_keep_their_urls(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'src="/+serve/docs/x.js"' in page, page
    assert 'src="/+guarded/icons/img/dot.svg"' in page, page
    assert client.get("/+guarded/icons/img/dot.svg").status_code == 302
