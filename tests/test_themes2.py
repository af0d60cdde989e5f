"""Flask-Themes2 themes' static files, hashed and served while the app runs (pyLoad's pattern).

pyLoad's web UI loads everything (Bootstrap, jQuery, its CSS and images) through Flask-Themes2's
``theme_static('css/base.css')``: ``url_for('_themes.static', themeid='modern', filename=...)``,
a view at ``/web/_themes/<themeid>/<path:filename>`` serving ``themes/modern/static/``. That rule
has a second variable, so ``AssetPipe(app)`` took it for no static folder: every file stayed
unhashed and revalidated on each visit (17 of 17 requests again on a warm login page). Now each
theme's folder is hashed, compressed and ``immutable`` like a blueprint's. A real Flask-Themes2
app written here, with ``AssetPipe(app)`` right after ``Flask()`` (where ``init`` says), served
over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import brotli
import pytest

from tests.conftest import write_tree

SITE_CSS = ".site { background: url(../img/logo.svg); color: #345678; }\n" * 40
APP = """\
from flask import Flask
from flask_themes2 import Themes, render_theme_template

from assetpipe.flask import AssetPipe

app = Flask(__name__)
AssetPipe(app)
Themes().init_themes(app, app_identifier="dl", theme_url_prefix="/web/_themes")
app.add_url_rule("/", "index", lambda: render_theme_template("plain", "index.html"))
"""
PROJECT: dict[str, str | bytes] = {
    "pipeline.yaml": "source: static\noutput: dist\n",
    "static/robots.txt": "x\n",
    "site_app.py": APP,
    "themes/plain/info.json": (
        '{"application": "dl", "identifier": "plain", "name": "plain", "author": "",'
        ' "description": "", "license": "", "version": "1"}\n'
    ),
    "themes/plain/static/css/site.css": SITE_CSS,
    "themes/plain/static/img/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    # pyLoad's layout: jQuery UI in a subfolder of jQuery's, both loaded by the page
    "themes/plain/static/vendor/widget/widget.min.js": "window.lib = 1;\n",
    "themes/plain/static/vendor/widget/Widget UI/widget-ui.min.js": "window.lib.ui = 1;\n",
    # jQuery's npm package copied whole (django-helpdesk's vendor folder): its src/ modules
    # no page loads, but jQuery does not read its own URL
    "themes/plain/static/vendor/jquery/jquery.min.js": "window.jQuery = 1;\n",
    "themes/plain/static/vendor/jquery/src/core.js": "define(function () {});\n",
    "themes/plain/templates/index.html": (
        '<!doctype html><link rel="stylesheet" href="{{ theme_static(\'css/site.css\') }}">\n'
        "<script src=\"{{ theme_static('vendor/jquery/jquery.min.js') }}\"></script>\n"
        "<script src=\"{{ theme_static('vendor/widget/widget.min.js') }}\"></script>\n"
        "<script src=\"{{ theme_static('vendor/widget/Widget UI/widget-ui.min.js') }}\"></script>\n"
        '<img src="{{ theme_static(\'img/logo.svg\') }}" alt="">\n'
        "<script src=\"{{ theme_static('js/missing.js') }}\"></script>\n"
    ),
}


def _get(url: str, coding: str = "br") -> tuple[bytes, dict[str, str]]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": coding})
    with urllib.request.urlopen(req) as r:
        return r.read(), dict(r.headers)


def test_a_themes_files_are_hashed_compressed_and_immutable(tmp_path: Path) -> None:
    pytest.importorskip("flask_themes2", reason="pip install -e '.[test]'")
    from tests.real_apps import serve

    write_tree(tmp_path, PROJECT)
    with serve(tmp_path, "from site_app import app\n", adopt=False, log=tmp_path / "a.log") as base:
        page = urllib.request.urlopen(base + "/").read().decode()
        css = re.search(r'href="(/web/_themes/plain/css/site-[A-Z2-7]{8}\.css)"', page)
        img = re.search(r'src="(/web/_themes/plain/img/logo-[A-Z2-7]{8}\.svg)"', page)
        assert css and img, page
        # a script beside a subfolder of scripts is no self-locating library (CKEditor's
        # plugins/) when the page loads that subfolder's script itself: both hashed
        assert re.search(
            r'src="/web/_themes/plain/vendor/widget/widget\.min-[A-Z2-7]{8}\.js"', page
        ), page
        assert re.search(
            r'src="/web/_themes/plain/vendor/widget/Widget%20UI/widget-ui\.min-[A-Z2-7]{8}\.js"',
            page,
        )
        # a library's folder with modules no page loads, whose script does not read its
        # own URL (jQuery): hashed
        assert re.search(
            r'src="/web/_themes/plain/vendor/jquery/jquery\.min-[A-Z2-7]{8}\.js"', page
        ), page
        # not a file of the theme: left as Flask-Themes2 builds it
        assert 'src="/web/_themes/plain/js/missing.js"' in page, page
        body, headers = _get(base + css.group(1))
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["Content-Encoding"] == "br"
        text = brotli.decompress(body).decode()
        # the stylesheet names its image by the hashed name the page uses
        assert img.group(1).rsplit("/", 1)[1] in text and "logo.svg" not in text, text[:200]
        _, headers = _get(base + img.group(1), "identity")
        assert headers["Cache-Control"].endswith("immutable")
        # the unhashed URL still answers through the theme's own view
        body, headers = _get(base + "/web/_themes/plain/css/site.css", "identity")
        assert body.decode() == SITE_CSS and "immutable" not in headers.get("Cache-Control", "")


def test_init_names_the_themes_and_what_becomes_of_them(tmp_path: Path) -> None:
    """``init`` on pyLoad counted "0 template(s)" and said nothing of the themes whose files
    every page loads: it now names them and says ``AssetPipe(app)`` serves their files."""
    from tests.conftest import run_cli

    write_tree(tmp_path, {k: v for k, v in PROJECT.items() if k != "pipeline.yaml"})
    write_tree(tmp_path, {"themes/notes/info.json": '{"about": "not a Flask-Themes2 theme"}\n'})
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (
        "note: 1 Flask-Themes2 theme(s) (themes/plain): AssetPipe(app) hashes, compresses and"
        " serves their static files (theme_static(...)) while the app runs" in result.out
    ), result.out
