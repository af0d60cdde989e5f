"""An app whose Jinja loader changes templates as it reads them, and prefers files of its own
(Indico's ``CustomizationLoader``: ``<script>`` gets ``nonce="{{ get_csp_nonce() }}"``, which its
Content-Security-Policy needs for every inline script, and a file in ``CUSTOMIZATION_DIR``
replaces the core template of that name). ``AssetPipe(app)`` answered the build's rewrite of
the file ahead of that loader: every inline script lost its nonce and the customization was
never rendered. The app's loader picks the file now, and its change is merged into the rewrite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, render_template

from assetpipe import build, load_config
from assetpipe.flask import AssetPipe
from assetpipe.textmerge import merge3
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server

PAGE = (
    "<!doctype html><title>{{ title }}</title>\n"
    "<link rel=stylesheet href=\"{{ url_for('static', filename='site.css') }}\">\n"
    "<script>window.nonce = 1;</script>\n"
)


class _NonceLoader(jinja2.BaseLoader):
    """Indico's loader in small: files of ``custom`` first, then the app's; every ``<script>``
    given the request's nonce."""

    def __init__(self, custom: str, default: jinja2.BaseLoader) -> None:
        self.custom = jinja2.FileSystemLoader(custom)
        self.default = default

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        found: tuple[str, str | None, Any]
        try:
            found = self.custom.get_source(environment, template)
        except jinja2.TemplateNotFound:
            found = self.default.get_source(environment, template)
        source, name, fresh = found
        return source.replace("<script>", '<script nonce="{{ nonce }}">'), name, fresh


class _App(Flask):
    def create_global_jinja_loader(self) -> Any:
        return _NonceLoader(
            str(Path(self.root_path) / "custom"), super().create_global_jinja_loader()
        )


def _app(root: Path) -> Flask:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static\noutput: dist\nstatic: {include: ['site.css']}\n"
            "templates: {dirs: [templates]}\n",
            "static/site.css": "body{color:#123}\n",
            "templates/page.html": PAGE,
            "templates/other.html": PAGE.replace("{{ title }}", "core other"),
            "custom/other.html": "<!doctype html><title>customized</title><script>c()</script>\n",
        },
    )
    build(load_config(root / "pipeline.yaml"))
    app = _App("transforming", root_path=str(root))

    @app.route("/<name>")
    def page(name: str) -> str:
        return render_template(f"{name}.html", title="page", nonce="N0NCE")

    AssetPipe(app)
    return app


def test_the_loaders_nonce_is_merged_into_the_rewrite(tmp_path: Path) -> None:
    with wsgi_server(_app(tmp_path)) as port:
        body = request(port, "/page").body
        assert b'<script nonce="N0NCE">window.nonce = 1;</script>' in body
        assert b'href="/static/site-' in body  # the build's hashed name all the same
        custom = request(port, "/other").body  # the app's own file of that name wins
        assert (
            custom == b'<!doctype html><title>customized</title><script nonce="N0NCE">c()</script>'
        )


def test_merge3_keeps_both_edits_or_gives_up() -> None:
    base = "<p>\n<script>a()</script><img src=a.png>\n"
    ours = base.replace("a.png>", 'a-H.png loading="lazy">')
    theirs = base.replace("<script>", '<script nonce="n">')
    assert (
        merge3(base, ours, theirs)
        == '<p>\n<script nonce="n">a()</script><img src=a-H.png loading="lazy">\n'
    )
    assert merge3("x = 1\n", "x = 2\n", "x = 3\n") is None
    assert merge3(base, ours, base) == ours and merge3(base, base, theirs) == theirs
