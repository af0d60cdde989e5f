"""An HTML page in a blueprint's static folder keeps its name: it is a document a user opens by
its URL (pgAdmin's Help menu names ``url_for('help.static', filename='index.html')``, its Sphinx
manual), not a subresource. Hashed, the menu opened ``/help/index-HASH.html``: a URL that
changes with each manual, beside the unhashed one every page of the manual links to."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, url_for

from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server


def _app(root: Path) -> Flask:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n",
            "app/static/site.txt": "site\n",
            "manual/index.html": "<!doctype html><title>Manual</title>"
            '<link rel="stylesheet" href="_static/basic.css"><a href="intro.html">intro</a>\n',
            "manual/intro.html": "<!doctype html><title>Intro</title>\n",
            "manual/_static/basic.css": "body { margin: 0 }\n" * 20,
        },
    )
    app = Flask("app", root_path=str(root / "app"))
    AssetPipe(app)
    help_bp = Blueprint("help", "help", static_folder=str(root / "manual"), static_url_path="/help")
    app.register_blueprint(help_bp)

    @app.route("/menu")
    def menu() -> str:
        return " ".join(
            url_for("help.static", filename=name)
            for name in ("index.html", "intro.html", "_static/basic.css")
        )

    return app


def test_an_html_page_keeps_its_name_and_its_stylesheet_is_hashed(tmp_path: Path) -> None:
    with wsgi_server(_app(tmp_path)) as port:
        page, intro, css = request(port, "/menu").body.decode().split()
        assert (page, intro) == ("/help/index.html", "/help/intro.html")
        assert css.startswith("/help/_static/basic-") and css.endswith(".css")
        r = request(port, page)
        assert r.status == 200 and b"<title>Manual</title>" in r.body
        assert "immutable" in request(port, css).headers["cache-control"]
