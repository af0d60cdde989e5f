"""An app whose static files are at the site's root, served by views of its own, not Flask's
static route (Indico: ``IndicoFlask('indico', static_folder='web/static', static_url_path='/')``
with ``has_static_folder`` always ``False``, and an ``assets`` blueprint answering ``/css/...``,
``/dist/...``, ``/images/...`` and ``/<filename>`` with ``send_from_directory``). ``init``
writes ``public_path: "/"``; with ``AssetPipe(app)`` every path is under it, so a path the build
lacks (every page of the app) must reach the app, not the middleware's 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import flask
from flask import Flask, send_from_directory

from assetpipe import build, load_config
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server


class _NoStaticRoute(Flask):
    """Indico's ``IndicoFlask``: a static folder Flask is told it does not have."""

    @property
    def has_static_folder(self) -> bool:
        return False


def _app(root: Path, **config: object) -> Flask:
    write_tree(
        root,
        {
            "pipeline.yaml": 'source: web/static\noutput: dist\npublic_path: "/"\n'
            "static: {include: ['css/**']}\n",
            "web/static/css/site.css": "body{color:#123}\n",
            "web/static/images/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
        },
    )
    build(load_config(root / "pipeline.yaml"))
    app = _NoStaticRoute(
        "indicolike", root_path=str(root), static_folder="web/static", static_url_path="/"
    )
    app.config.update(config)
    static = str(root / "web/static")

    @app.route("/")
    def home() -> str:
        return "<!doctype html><title>home</title><h1>Categories</h1>"

    @app.route("/event/<int:event_id>/")
    def event(event_id: int) -> str:
        return f"<!doctype html><title>event {event_id}</title>"

    @app.route("/<any(css,images):folder>/<path:filename>")
    def folder_file(folder: str, filename: str) -> flask.Response:
        return send_from_directory(static, f"{folder}/{filename}")

    AssetPipe(app)
    return app


def test_the_apps_pages_and_own_files_at_the_root(tmp_path: Path) -> None:
    """The pages and the file the build lacks are the app's; the build's file is the build's;
    a path nothing answers is the app's own 404 page."""
    with wsgi_server(_app(tmp_path / "a")) as port:
        home = request(port, "/")
        assert home.status == 200 and b"<h1>Categories</h1>" in home.body
        assert request(port, "/event/7/").body.endswith(b"<title>event 7</title>")
        logo = request(port, "/images/logo.svg")  # not in the build: the app's view
        assert logo.status == 200 and logo.body.startswith(b"<svg")
        css = request(port, "/css/site.css")
        assert css.status == 200 and b"color:#123" in css.body
        assert css.headers["cache-control"] == "no-cache"  # the build's, unhashed
        missing = request(port, "/nothing/here")
        assert missing.status == 404 and b"<title>" in missing.body  # Flask's page


def test_static_fallback_off_still_answers_misses_with_404(tmp_path: Path) -> None:
    with wsgi_server(_app(tmp_path / "b", ASSETPIPE_STATIC_FALLBACK=False)) as port:
        assert request(port, "/images/logo.svg").status == 404
        assert request(port, "/css/site.css").status == 200


def _locator_url_for(endpoint: str, *targets: Any, **values: Any) -> str:
    """Indico's template global ``url_for(endpoint, *targets, **values)``: each target's
    ``locator`` gives URL values (``url_for('.display', event)``); then ``flask.url_for``."""
    for target in targets:
        values.update(target.locator)
    return flask.url_for(endpoint, **values)


class _Event:
    locator: ClassVar[dict[str, int]] = {"event_id": 7}


def test_the_apps_own_url_for_global_is_kept(tmp_path: Path) -> None:
    """Indico makes its ``url_for`` a template global before the two lines; its pages call it
    with an object (``url_for('.previous_event', category)``). ``AssetPipe(app)`` put a wrapper
    of Flask's ``app.url_for`` in its place: every page was a 500 (``url_for() takes 1
    positional argument but 2 were given``). The app's global stays, and the static file it
    names (through ``flask.url_for``) still gets the build's name."""
    root = tmp_path / "c"
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static\noutput: dist\nstatic: {include: ['site.css']}\n",
            "static/site.css": "body{color:#123}\n",
            "templates/page.html": "<a href=\"{{ url_for('event', ev) }}\">e</a>"
            "<link rel=stylesheet href=\"{{ url_for('static', filename='site.css') }}\">",
        },
    )
    build(load_config(root / "pipeline.yaml"))
    app = Flask("locatorlike", root_path=str(root))
    app.add_template_global(_locator_url_for, "url_for")

    @app.route("/event/<int:event_id>/")
    def event(event_id: int) -> str:
        return flask.render_template("page.html", ev=_Event())

    AssetPipe(app)
    with wsgi_server(app) as port:
        page = request(port, "/event/7/")
        assert page.status == 200, page.body[-300:]
        assert b'<a href="/event/7/">' in page.body
        assert b"/static/site-" in page.body  # the build's hashed name
    assert app.jinja_env.globals["url_for"] is _locator_url_for
