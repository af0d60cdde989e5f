"""Flask-Versioned's ``versioned`` filter (met adopting privacyIDEA, whose layout names all 74
of its scripts and 11 of its stylesheets as ``{{ instance }}/{{ "static/app.js" | versioned
}}``: the script root, then a path relative to the app's root path that the filter gives a
``?v=<mtime>`` suffix). Unseen, ``init`` listed none of them, the build left every one on its
unhashed ``no-cache`` URL, and it could not tell that the page loads them as classic scripts.

The filter here is written for the test and does what Flask-Versioned does: it checks that
the file exists under the app's root path and appends its modification time."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template, request

from assetpipe import build
from assetpipe.adopt import discover
from assetpipe.flask import AssetPipe
from assetpipe.manifest import Manifest
from assetpipe.rewrite.refs import classify, replacement
from tests.conftest import write_tree

LAYOUT = """\
<!doctype html>
<link href="{{ root }}/{{ "static/css/site.css" | versioned }}" rel="stylesheet">
{% if theme %}<link href="{{ root }}/{{ theme | versioned }}" rel="stylesheet">{% endif %}
<div ng-include="'{{ root }}/{{ "static/views/part.html" | versioned }}'"></div>
<script src="{{ root }}/{{ "static/js/widgets.js" | versioned }}"></script>
<script src="{{ root }}/{{ 'other/tool.js' | versioned }}"></script>
"""

TREE: dict[str, str | bytes] = {
    "pipeline.yaml": """\
source: app/static
output: dist
templates: {dirs: [app/templates]}
scripts: {entries: [js/widgets.js]}
styles: {entries: [css/site.css]}
static: {include: ["views/**", "css/theme.css"]}
""",
    "app/app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "app/static/css/site.css": "body { color: #102030; }\n",
    "app/static/css/theme.css": "body { background: #fafafa; }\n",
    "app/static/views/part.html": "<p>part</p>\n",
    # a classic script: its top-level function is a global other scripts call
    "app/static/js/widgets.js": "function openTheWidgetPanel(which) { return which + 1; }\n",
    "app/other/tool.js": "var tool = 1;\n",
    "app/templates/index.html": LAYOUT,
}


def _versioned(app: Flask) -> None:
    def versioned(path: str) -> str:
        full = os.path.join(app.root_path, path)
        if not os.path.isfile(full):
            raise LookupError(f"no such file: {full}")
        return f"{path}?v={int(os.path.getmtime(full))}"

    app.jinja_env.filters["versioned"] = versioned


def test_classify_a_versioned_reference() -> None:
    value = '{{ instance }}/{{ "static/js/app.js" | versioned }}'
    ref = classify(value, "/static/")
    assert ref is not None and ref.kind == "versioned" and ref.key == "js/app.js"
    assert value[ref.start : ref.end] == '{{ "static/js/app.js" | versioned }}'
    assert replacement(ref, "js/app-ABCD1234.js") == "static/js/app-ABCD1234.js"
    assert ref.head == "{{ instance }}/"
    bare = classify("{{ 'static/css/a.css'|versioned }}", "/static/")
    assert bare is not None and (bare.kind, bare.key) == ("versioned", "css/a.css")
    for other in (
        '{{ instance }}/{{ "vendor/x.js" | versioned }}',  # not under the static folder
        "'{{ instance }}/{{ \"static/x.html\" | versioned }}'",  # an Angular string
        "{{ path | versioned }}",
    ):
        found = classify(other, "/static/")
        assert found is not None and found.kind == "dynamic", other


@pytest.mark.node
def test_init_lists_them_and_the_build_rewrites_them(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    p = discover(tmp_path)
    assert p.scripts == ["js/widgets.js"] and p.classic == ["js/widgets.js"]
    assert p.styles == ["css/site.css"]
    result = build(tmp_path / "pipeline.yaml")
    assert not result.warnings
    m = Manifest.read(tmp_path / "dist" / "manifest.json")
    js, css = m["js/widgets.js"]["file"], m["css/site.css"]["file"]
    out = (tmp_path / "dist" / "templates" / "index.html").read_text()
    assert f'<script src="{{{{ root }}}}/static/{js}"></script>' in out
    assert f'<link href="{{{{ root }}}}/static/{css}" rel="stylesheet">' in out
    assert "{{ root }}/{{ theme | versioned }}" in out
    assert "{{ 'other/tool.js' | versioned }}" in out
    # built as a classic script: its global survives minification
    assert "function openTheWidgetPanel(" in (tmp_path / "dist" / "public" / js).read_text()


@pytest.mark.node
def test_the_app_renders_hashed_names_and_computed_ones_too(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    build(tmp_path / "pipeline.yaml")
    app = Flask("app", root_path=str(tmp_path / "app"))
    _versioned(app)
    AssetPipe(app)

    @app.route("/")
    def index() -> Any:
        root = request.script_root.rstrip("/")
        return render_template("index.html", root=root, theme="static/css/theme.css")

    m = Manifest.read(tmp_path / "dist" / "manifest.json")
    with app.test_client() as client:
        body = client.get("/").get_data(as_text=True)
        mounted = client.get("/", environ_overrides={"SCRIPT_NAME": "/pi"}).get_data(as_text=True)
        for key in ("js/widgets.js", "css/site.css", "css/theme.css", "views/part.html"):
            assert f'"/static/{m[key]["file"]}' in body or f"'/static/{m[key]['file']}'" in body
            got = client.get("/static/" + m[key]["file"])
            assert got.status_code == 200 and "immutable" in got.headers["Cache-Control"]
        assert f'src="/pi/static/{m["js/widgets.js"]["file"]}"' in mounted
        # outside the static folder: the filter as before
        assert re.search(r'src="/other/tool\.js\?v=\d+"', body), body
