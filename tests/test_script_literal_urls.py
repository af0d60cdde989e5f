"""The HTML5 Boilerplate jQuery fallback, as realpython's flask-boilerplate writes it: the CDN's
copy first, and where it failed, ``window.jQuery || document.write('<script
src="/static/js/libs/jquery.min.js"><\\/script>')``. The build left that URL as written with a
warning, so ``build --strict`` failed on a template it could not change; the literal URL in a
``<script>`` body's string is now the hashed file's, and so is a ``<style>`` body's ``url()``.
Offline (the CDN's address here refuses every connection), real Chromium loads the hashed
copy and the page's script runs; a quoted
URL that an ES module imports stays as written (a bundle need not keep a module's exports).
Real ``init``, ``build --strict``, Flask app over HTTP on 127.0.0.1."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import adopt_and_build, run_cli, write_tree
from tests.real_apps import serve, view


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


PAGE = """\
<!doctype html>
<html><head><title>waiting</title><link rel="icon" href="data:,">
<style>#out { background-image: url(/static/img/dot.png); }</style></head>
<body><p id="out">no jQuery</p>
<script src="http://127.0.0.1:9/ajax/libs/jquery/1.11.1/jquery.min.js"></script>
<script>window.jQuery || document.write('<script src="/static/js/libs/jquery.min.js"><\\/script>')</script>
<script src="{{ url_for('static', filename='js/site.js') }}"></script>
</body></html>
"""
APP: dict[str, str | bytes] = {
    "app.py": (
        "from flask import Flask, render_template\n\napp = Flask(__name__)\n"
        "app.add_url_rule('/', 'index', lambda: render_template('index.html'))\n"
    ),
    "static/js/libs/jquery.min.js": (
        "window.jQuery = function (sel) { return document.querySelector(sel); };\n"
    ),
    "static/js/site.js": "window.siteReady = 1;\njQuery('#out').textContent = 'jQuery ran';\n",
    "static/img/dot.png": _png(),
    "templates/index.html": PAGE,
}


@pytest.mark.node
def test_the_jquery_fallback_of_a_script_body_loads_the_hashed_copy(
    tmp_path: Path, browser: Any
) -> None:
    write_tree(tmp_path, APP)
    adopt_and_build(tmp_path)  # --strict: no warning left
    built = (tmp_path / "dist/templates/index.html").read_text()
    assert 'src="/static/js/libs/jquery.min-' in built, built
    with serve(tmp_path, "from app import app\n", adopt=True, log=tmp_path / "app.log") as base:
        pv = view(browser, base, "/", ("siteReady",))
    assert pv.missing_globals == [], pv
    assert [u for u in pv.requested if "/static/js/libs/jquery.min-" in u], pv.requested
    # the <style> body's background, by its hashed name
    assert [u for u in pv.requested if "/static/img/dot-" in u], pv.requested
    assert pv.bad_responses == []
    # the CDN's copy failed (Chromium blocks port 9), and nothing else did
    assert pv.console_errors == ["Failed to load resource: net::ERR_UNSAFE_PORT"], pv


def test_a_url_an_es_module_imports_stays_as_written(tmp_path: Path) -> None:
    """``import { mark } from "/static/js/mod.js"`` in a module script names the module's
    source exports: left as written (and reported), where a plain string is rewritten."""
    write_tree(
        tmp_path,
        {
            **APP,
            "static/js/mod.js": "export function mark() { window.moduleRan = 1; }\n",
            "templates/index.html": PAGE.replace(
                "</body>",
                '<script type="module">import { mark } from "/static/js/mod.js"; mark();</script>'
                '\n<script>var extra = "/static/js/mod.js";</script></body>',
            ),
        },
    )
    assert run_cli("init", cwd=tmp_path).code == 0
    done = run_cli("build", cwd=tmp_path)
    assert done.code == 0, done.err
    built = (tmp_path / "dist/templates/index.html").read_text()
    assert 'import { mark } from "/static/js/mod.js"' in built, built
    assert 'var extra = "/static/js/mod-' in built, built
    assert "'/static/js/mod.js' left as written (in <script> content)" in done.err, done.err
