"""``AssetPipe(app)`` names the hashed file of a ``url_for('static', filename=EXPR)`` that a
template computes while it renders (bukuserver's ``lib.html`` macro
``url_for('static', filename='bukuserver/js/' + filename)`` for ``Chart.js`` and four other
scripts): the build can rewrite only a literal ``filename``, so such a script stayed on its
unhashed, ``no-cache`` URL and every warm visit revalidated it. A view's ``url_for`` (a
redirect browsers may keep) stays as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, redirect, render_template, url_for
from werkzeug.wrappers import Response

from assetpipe import build
from assetpipe.flask import AssetPipe, built_file
from tests.conftest import write_tree

pytestmark = pytest.mark.node

LIB = """\
{% macro script(name) %}<script src="{{ url_for('static', filename='js/' + name) }}"></script>{% endmacro %}
"""
PAGE = """\
{% import 'lib.html' as lib %}<!doctype html><title>x</title>
{{ lib.script('chart.js') }}
{{ lib.script('missing.js') }}
<link rel="icon" href="{{ url_for('static', filename='img/' ~ icon) }}">
<script src="{{ url_for('static', filename='js/chart.js') }}"></script>
"""


def _site(root: Path, include: str, files: dict[str, str]) -> Flask:
    """``files`` under ``app/``, built (``static.include``: ``include``), and a Flask app over
    them with ``AssetPipe(app)``."""
    config = f"""
            source: app/static
            output: dist
            templates: {{dirs: [app/templates]}}
            static: {{include: {include}}}
            """
    write_tree(root, {"pipeline.yaml": config, **{f"app/{k}": v for k, v in files.items()}})
    build(root / "pipeline.yaml")
    app = Flask("app", root_path=str(root / "app"))
    AssetPipe(app)
    return app


def _app(root: Path) -> Flask:
    app = _site(
        root,
        '["js/**", "img/**"]',
        {
            "static/js/chart.js": "window.Chart = function () {};\n" * 20,
            "static/img/icon.svg": '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
            "templates/lib.html": LIB,
            "templates/page.html": PAGE,
        },
    )

    @app.route("/")
    def page() -> str:
        return render_template("page.html", icon="icon.svg")

    @app.route("/favicon.ico")
    def favicon() -> Response:
        return redirect(url_for("static", filename="img/icon.svg"), code=301)

    return app


def test_a_computed_static_filename_names_the_hashed_file(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client = app.test_client()
    body = client.get("/").get_data(as_text=True)
    computed, missing, literal = re.findall(r'<script src="([^"]+)"', body)
    assert re.fullmatch(r"/static/js/chart-[A-Z0-9]{8}\.js", computed), body
    assert literal == computed  # the same file the build wrote for the literal one
    assert missing == "/static/js/missing.js"  # not in the build: as written
    icon = re.search(r'rel="icon" href="([^"]+)"', body)
    assert icon and re.fullmatch(r"/static/img/icon-[A-Z0-9]{8}\.svg", icon.group(1)), body
    served = client.get(computed)
    assert served.status_code == 200
    assert "immutable" in served.headers["Cache-Control"]
    # a view's url_for is not the templates': its permanent redirect keeps the stable name
    assert client.get("/favicon.ico").headers["Location"] == "/static/img/icon.svg"


def test_an_image_entry_gives_what_its_source_path_answers_with() -> None:
    """The original-format output of the largest width: the bytes the unhashed URL answered
    with, under an immutable name."""
    entry: dict[str, Any] = {
        "file": "img/a-800w-WWWWWWWW.webp",
        "src": "img/a.jpg",
        "width": 800,
        "variants": [
            {"format": "webp", "width": 800, "file": "img/a-800w-WWWWWWWW.webp"},
            {"format": "jpeg", "width": 400, "file": "img/a-400w-JJJJJJJJ.jpg"},
            {"format": "jpeg", "width": 800, "file": "img/a-800w-KKKKKKKK.jpg"},
        ],
    }
    assert built_file(entry) == "img/a-800w-KKKKKKKK.jpg"
    assert built_file({"file": "js/x-AAAAAAAA.js"}) == "js/x-AAAAAAAA.js"


def test_a_computed_script_or_stylesheet_url_for_is_not_a_warning(tmp_path: Path) -> None:
    """bukuserver's ``lib.html`` macro made ``assetpipe build --strict`` fail on a warning the
    user cannot clear (the app's own template) and that was not true under ``AssetPipe(app)``:
    its scripts are hashed at run time. Listed in report.json still; an ``<img>``'s still warns
    (the build would have given it WebP and sizes)."""
    from tests.test_templates import _built_with

    report, page = _built_with(
        tmp_path,
        "lib.html",
        "<script src=\"{{ url_for('static', filename='js/' + name) }}\"></script>\n"
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/' ~ theme) }}\">\n"
        "<img src=\"{{ url_for('static', filename='img/' ~ name) }}\" alt=\"\">\n",
    )
    assert [(u["line"], u["reason"]) for u in page["unresolved"]] == [
        (1, "dynamic"),
        (2, "dynamic"),
        (3, "dynamic"),
    ]
    assert [
        (w["line"], w["message"]) for w in report["warnings"] if w["file"].endswith("lib.html")
    ] == [
        (
            3,
            "'{{ url_for('static', filename='img/' ~ name) }}' left as written (built by an"
            " expression): AssetPipe(app) names its default output at run time, without the"
            " srcset, sizes and modern formats a literal file name gets",
        )
    ]


def _helper_app(root: Path) -> Flask:
    """An app whose layout names its files through a Python template global of its own that
    calls ``flask.url_for('static', ...)`` with a cache-busting query (Fava's ``static_url``):
    neither the build (the template holds no ``url_for``) nor the Jinja ``url_for`` global
    sees those calls."""
    app = _site(
        root,
        '["css/**", "js/**"]',
        {
            "static/css/site.css": "body { color: #345; }\n",
            "static/js/main.js": "document.title = 'ok';\n",
            "templates/layout.html": (
                '<link rel="stylesheet" href="{{ asset(\'css/site.css\') }}">\n'
                '<script type="module" src="{{ asset(\'js/main.js\') }}"></script>\n'
            ),
        },
    )

    def asset(filename: str) -> str:
        return url_for("static", filename=filename, v="7")

    app.add_template_global(asset, "asset")

    @app.route("/")
    def page() -> str:
        return render_template("layout.html")

    @app.route("/style")
    def style() -> Response:
        return redirect(asset("css/site.css"))

    return app


def test_a_python_helper_called_by_a_template_names_the_hashed_file(tmp_path: Path) -> None:
    """Fava's ``static_url('app.css')`` left its stylesheet and module entry on their unhashed
    ``no-cache`` URLs: every visit revalidated them. A ``url_for('static', ...)`` made while a
    template renders now names the built file, whoever calls it; a view's stays as written."""
    client = _helper_app(tmp_path).test_client()
    body = client.get("/").get_data(as_text=True)
    css = re.search(r'href="([^"]+)"', body)
    js = re.search(r'src="([^"]+)"', body)
    assert css and re.fullmatch(r"/static/css/site-[A-Z0-9]{8}\.css\?v=7", css.group(1)), body
    assert js and re.fullmatch(r"/static/js/main-[A-Z0-9]{8}\.js\?v=7", js.group(1)), body
    served = client.get(css.group(1))
    assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]
    assert client.get("/style").headers["Location"] == "/static/css/site.css?v=7"
    assert client.get("/").get_data(as_text=True) == body  # the same names on every render


def test_an_app_with_its_own_g_class_renders(tmp_path: Path) -> None:
    """Fava sets ``app_ctx_globals_class`` to a class of its own, without ``dict``'s
    ``setdefault``: the renders kept on ``g`` used it, and every page was a 500."""

    class Context:  # Fava's: plain attributes, none of flask.ctx._AppCtxGlobals' methods
        pass

    app = _helper_app(tmp_path)
    app.app_ctx_globals_class = Context  # type: ignore[assignment]
    reply = app.test_client().get("/")
    assert reply.status_code == 200, reply.get_data(as_text=True)[-400:]
    assert re.search(r'href="/static/css/site-[A-Z0-9]{8}\.css', reply.get_data(as_text=True))


def test_without_flask_signals_the_templates_url_for_is_still_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flask < 2.3 without blinker has no signals (``connect`` raises RuntimeError): the Jinja
    ``url_for`` global names the file then, as before (a Python helper's calls are not)."""
    import flask

    def no_signals(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("signalling support is unavailable")

    monkeypatch.setattr(flask.before_render_template, "connect", no_signals)
    body = _app(tmp_path).test_client().get("/").get_data(as_text=True)
    computed = re.findall(r'<script src="([^"]+)"', body)[0]
    assert re.fullmatch(r"/static/js/chart-[A-Z0-9]{8}\.js", computed), body


def test_the_renders_are_not_among_the_apps_g_values(tmp_path: Path) -> None:
    """Flask-DebugToolbar's ``flask.g`` panel lists ``g``'s values: ``_assetpipe_renders`` was
    among them on every adopted page. The list is kept beside ``g`` now, not on it."""
    from flask import g

    app = _app(tmp_path)

    @app.route("/g")
    def g_values() -> dict[str, Any]:
        body = render_template("page.html", icon="icon.svg")
        return {"g": sorted(vars(g._get_current_object())), "body": body}

    got = app.test_client().get("/g").get_json()
    assert got["g"] == [], got["g"]
    computed = re.findall(r'<script src="([^"]+)"', got["body"])[0]
    assert re.fullmatch(r"/static/js/chart-[A-Z0-9]{8}\.js", computed), got["body"]
