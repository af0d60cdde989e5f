"""A blueprint whose ``template_folder`` is a subfolder of the app's templates folder
(flask-shop's dashboard: ``Blueprint("dashboard", ..., template_folder=APP_DIR / "templates" /
"dashboard")``, its views rendering ``product/detail.html``) renders the build's rewrite of
that file. The build names it by the app's folder (``dashboard/product/detail.html``), so
``AssetPipe(app)``'s loader missed ``product/detail.html`` and Flask rendered the source: no
``loading="lazy"``, a literal ``/static/`` URL unhashed. Real build, real Flask, real HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Blueprint, Flask, render_template

from assetpipe import build
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server

pytestmark = pytest.mark.node

LAYOUT = "<!doctype html><title>admin</title>\n{% block content %}{% endblock %}\n"
PAGE = """\
{% extends "admin/layout.html" %}
{% block content %}
<h1>Detail</h1>
<img src="/static/img/logo.svg" alt="first">
<img src="/static/img/logo.svg" alt="second">
{% endblock %}
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n'


def _app(root: Path) -> Flask:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n"
            "templates: {dirs: [app/templates], pages: [admin/page.html]}\n"
            "static: {include: ['img/**']}\n",
            "app/templates/admin/layout.html": LAYOUT,
            "app/templates/admin/page.html": PAGE,
            # a name the app's folder has at its top too: Flask renders the app's
            "app/templates/detail.html": "<p>the app's own detail.html</p>\n",
            "app/templates/admin/detail.html": "<p>the blueprint's detail.html</p>\n",
            "app/static/img/logo.svg": SVG,
        },
    )
    build(root / "pipeline.yaml")
    app = Flask("app", root_path=str(root / "app"))
    AssetPipe(app)
    bp = Blueprint("admin", "app", template_folder=str(root / "app" / "templates" / "admin"))

    @bp.route("/detail")
    def detail() -> str:
        return render_template("detail.html")  # the app's folder has one: Flask picks it

    @bp.route("/page")
    def page() -> str:
        return render_template("page.html")

    app.register_blueprint(bp, url_prefix="/admin")

    @app.route("/by-app-name")
    def by_app_name() -> str:
        return render_template("admin/page.html")

    return app


def test_a_blueprint_name_for_a_file_in_the_app_folder_renders_the_rewrite(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path)
    with wsgi_server(app) as port:
        reference = request(port, "/by-app-name").body.decode()
        body = request(port, "/admin/page").body.decode()
        tags = re.findall(r"<img\b[^>]*>", body)
        assert len(tags) == 2, body
        assert all(re.search(r'src="/static/img/logo-[A-Z0-9]{8}\.svg"', t) for t in tags), body
        assert 'loading="lazy"' in tags[1], body
        assert tags == re.findall(r"<img\b[^>]*>", reference)
        # Flask's lookup order is kept: the app's folder has detail.html at its top
        assert "the app's own detail.html" in request(port, "/admin/detail").body.decode()
