"""Font preloads beside stylesheets the build does not serve (OctoPrint's pattern).

OctoPrint's ``stylesheets-preload.jinja2`` links its stylesheets through Flask-Assets'
``{% assets %}`` (webassets concatenates them and serves them from its own folder: their
``url()``\\ s name the static folder's fonts by their source names) and preloads the fonts those
stylesheets use, one by a literal ``url_for`` and two by a computed one in a ``{% for %}``.
Adopted, the build gave the literal preload the font's hashed name and ``AssetPipe(app)`` the
computed ones: each font was fetched twice (the preload's copy never used), 226 KB more on
the main page than before adoption. Here a minimal ``assets`` tag stands for Flask-Assets':
it links a stylesheet the build does not have, as webassets' URL does.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

from assetpipe import build
from assetpipe.flask import AssetPipe
from assetpipe.pipeline.result import BuildResult
from tests.conftest import tree_bytes, write_tree
from tests.rebuild_site import opened_files
from tests.test_serve_support import wsgi_server

pytestmark = pytest.mark.node


class Assets(Extension):
    """``{% assets "css" %}...{{ ASSET_URL }}...{% endassets %}``: the body once, with
    ``ASSET_URL`` the URL of the file webassets would have written (``static/gen/``, a folder
    no stage of the build lists: Flask serves it as it is)."""

    tags = {"assets"}  # noqa: RUF012 - Jinja's own declaration: an instance variable

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        parser.parse_expression()  # the bundle's name
        body = parser.parse_statements(("name:endassets",), drop_needle=True)
        url = nodes.Const("/static/gen/packed.css")
        return nodes.With([nodes.Name("ASSET_URL", "store")], [url], body).set_lineno(lineno)


HEAD = """\
{% assets "css" %}<link rel="stylesheet" href="{{ ASSET_URL }}">{% endassets %}
<link rel="preload" as="font" href="{{ url_for('static', filename='fonts/solid.woff2') }}" type="font/woff2" crossorigin>
{% for name in ("regular",) %}<link rel="preload" as="font" href="{{ url_for('static', filename='fonts/' + name + '.woff2') }}" type="font/woff2" crossorigin>{% endfor %}
"""
#: the control: the same preloads beside the build's own stylesheet
OWN = """\
<link rel="stylesheet" href="{{ url_for('static', filename='css/icons.css') }}">
<link rel="preload" as="font" href="{{ url_for('static', filename='fonts/solid.woff2') }}" type="font/woff2" crossorigin>
{% for name in ("regular",) %}<link rel="preload" as="font" href="{{ url_for('static', filename='fonts/' + name + '.woff2') }}" type="font/woff2" crossorigin>{% endfor %}
"""
BODY = '<p><i class="s">a</i><i class="r">b</i></p>\n'
CSS = """\
@font-face { font-family: S; src: url(../fonts/solid.woff2) format("woff2"); }
@font-face { font-family: R; src: url(../fonts/regular.woff2) format("woff2"); }
.s { font-family: S; } .r { font-family: R; }
"""


def _font(seed: int) -> bytes:
    return bytes((seed * 31 + i * 7) % 256 for i in range(2048))


def _built(root: Path) -> None:
    write_tree(
        root,
        {
            "pipeline.yaml": """
            source: app/static
            output: dist
            templates: {dirs: [app/templates], include: ["**/*.html"]}
            styles: {entries: [css/icons.css]}
            static: {include: ["fonts/**"]}
            """,
            "app/static/css/icons.css": CSS,
            "app/static/gen/packed.css": CSS,
            "app/static/fonts/solid.woff2": _font(1),
            "app/static/fonts/regular.woff2": _font(2),
            "app/templates/head.html": HEAD,
            "app/templates/own.html": OWN,
            "app/templates/webassets.html": '{% include "head.html" %}' + BODY,
            "app/templates/built.html": '{% include "own.html" %}' + BODY,
        },
    )
    build(root / "pipeline.yaml")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    _built(tmp_path)
    app = Flask("app", root_path=str(tmp_path / "app"))
    app.jinja_env.add_extension(Assets)
    AssetPipe(app)
    app.add_url_rule("/webassets", "webassets", lambda: render_template("webassets.html"))
    app.add_url_rule("/built", "built", lambda: render_template("built.html"))

    with wsgi_server(app) as port:
        yield f"http://127.0.0.1:{port}"


def _fonts_fetched(browser: Any, url: str) -> list[str]:
    page = browser.new_page()
    fetched: list[str] = []
    page.on("requestfinished", lambda r: fetched.append(r.url) if ".woff2" in r.url else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    page.close()
    return sorted(u.rsplit("/", 1)[1] for u in fetched)


def test_a_font_preload_beside_assets_stylesheets_keeps_its_name(site: str, browser: Any) -> None:
    """Each font once, by the name the stylesheet asks for: the source name beside
    ``{% assets %}`` (before the fix, ``solid-HASH.woff2`` and ``solid.woff2`` both), the
    hashed name beside the build's stylesheet."""
    assert _fonts_fetched(browser, site + "/webassets") == ["regular.woff2", "solid.woff2"]
    built = _fonts_fetched(browser, site + "/built")
    assert len(built) == 2 and all(re.fullmatch(r"\w+-[A-Z0-9]{8}\.woff2", f) for f in built)


def test_the_build_leaves_the_literal_preload_and_says_why(tmp_path: Path) -> None:
    _built(tmp_path)
    report = json.loads((tmp_path / "dist/report.json").read_text())
    why = (
        "a font preload beside stylesheets the build does not serve ({% assets %}, the app's"
        " own), which name the font by its source name: left as written"
    )
    assert [(s["line"], s["reason"]) for s in report["templates"]["head.html"]["skipped"]] == [
        (2, why),
        (3, why),
    ]
    assert (tmp_path / "dist/templates/head.html").read_text() == HEAD
    own = (tmp_path / "dist/templates/own.html").read_text()
    assert re.search(r"filename='fonts/solid-[A-Z0-9]{8}\.woff2'", own), own
    assert not report["warnings"]


#: Label Studio's layout: its React app's stylesheet, served by a view of the app, names the
#: static folder's font by its source name; the layout preloads it. A second font is named by
#: a stylesheet of the build (the control: its preload takes the hashed name).
APP_PAGE = """\
<link rel="stylesheet" href="{{ app_url }}/react-app/main.css?v={{ commit }}">
<link rel="preload" as="font" href="{{ app_url }}/static/fonts/solid.woff2" type="font/woff2" crossorigin>
<link rel="stylesheet" href="/static/css/icons.css">
<link rel="preload" as="font" href="/static/fonts/regular.woff2" type="font/woff2" crossorigin>
"""
APP_CSS = """\
@font-face { font-family: S; src: url(/static/fonts/solid.woff2) format("woff2"); }
.s { font-family: S; }
"""
ICONS_CSS = """\
@font-face { font-family: R; src: url(../fonts/regular.woff2) format("woff2"); }
.r { font-family: R; }
"""


def test_a_font_preload_beside_the_apps_own_stylesheet_keeps_its_name(
    tmp_path: Path, browser: Any
) -> None:
    """Before, ``solid-HASH.woff2`` (the preload's, never used) and ``solid.woff2`` (the
    app's stylesheet's): two fonts fetched twice on every Label Studio page."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": """
            source: app/static
            output: dist
            templates: {dirs: [app/templates]}
            styles: {entries: [css/icons.css]}
            static: {include: ["fonts/**"]}
            """,
            "app/static/css/icons.css": ICONS_CSS,
            "app/static/fonts/solid.woff2": _font(1),
            "app/static/fonts/regular.woff2": _font(2),
            "app/templates/page.html": APP_PAGE + BODY,
        },
    )
    build(tmp_path / "pipeline.yaml")
    app = Flask("app", root_path=str(tmp_path / "app"))
    AssetPipe(app)
    app.add_url_rule("/", "page", lambda: render_template("page.html", app_url="", commit="c0ffee"))
    app.add_url_rule("/react-app/main.css", "css", lambda: (APP_CSS, {"Content-Type": "text/css"}))
    with wsgi_server(app) as port:
        fetched = _fonts_fetched(browser, f"http://127.0.0.1:{port}/")
    assert fetched[1:] == ["solid.woff2"], fetched
    assert re.fullmatch(r"regular-[A-Z0-9]{8}\.woff2", fetched[0]), fetched


def _aged(root: Path) -> Path:
    """``_built``'s site with every source older than the racy window (so the next build after a
    save is an edit build, as between a user's saves)."""
    _built(root)
    old = time.time_ns() - 10**10
    for path in (root / "app").rglob("*"):
        os.utime(path, ns=(old, old))
    build(root / "pipeline.yaml")
    return root


def test_the_fonts_a_stylesheet_names_are_not_read_again_by_an_edit_build(tmp_path: Path) -> None:
    """Which fonts the built stylesheets name is cached by the stylesheets' stamps: a template
    edit reads none of them (an app's were megabytes, read on every save), and a changed
    stylesheet is read again. Each build's templates equal a cold build's."""
    a, b = _aged(tmp_path / "a"), _aged(tmp_path / "b")

    def both(change: Callable[[Path], None]) -> tuple[BuildResult, list[str]]:
        change(a)
        change(b)
        with opened_files() as seen:
            edited = build(a / "pipeline.yaml")
        cold = build(b / "pipeline.yaml", clean=True)
        assert tree_bytes(edited.build_dir / "templates") == tree_bytes(
            cold.build_dir / "templates"
        )
        return edited, [p for p in seen if p.endswith(".css")]

    def page(root: Path) -> None:
        built = root / "app/templates/built.html"
        built.write_text(built.read_text() + "<p>saved</p>\n")

    edited, read = both(page)
    assert edited.replayed and "styles" in edited.replayed
    assert read == []
    assert "solid-" in (edited.build_dir / "templates/own.html").read_text()

    def sheet(root: Path) -> None:
        (root / "app/static/css/icons.css").write_text(CSS.replace("solid.woff2", "regular.woff2"))

    edited, read = both(sheet)
    assert "styles" not in edited.replayed
    assert any("/public/" in p for p in read)
