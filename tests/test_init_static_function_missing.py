"""``init`` lists a static function even when a few of its calls name files the checkout
lacks, met adopting GNU MediaGoblin from git.

Its templates name every file as ``{{ request.staticdirect('/css/base.css') }}``, and a few
calls name files of git submodules a checkout may not have fetched
(``css/extlib/skeleton.css``, ``extlib/pdf.js/web/viewer.html``). ``init`` listed a function
only when every call named a file of the static folder, so it wrote no
``templates.static_functions``: 0 scripts and 0 stylesheets found, and the build left every
URL of every page unhashed. Now a function is listed when most of its calls (two at least) name
files; the others are missing assets (``missing_assets: warn``, each named).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from assetpipe.adopt import discover
from tests.conftest import run_cli, write_tree

SITE: dict[str, str | bytes] = {
    "mediagoblin/static/css/base.css": "body { color: rgb(1, 2, 3); }\n",
    "mediagoblin/static/js/keyboard_navigation.js": "document.body.dataset.nav = 'on';\n",
    "mediagoblin/static/js/header_dropdown.js": "document.body.dataset.menu = 'on';\n",
    "mediagoblin/templates/mediagoblin/base.html": """\
<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{{ request.staticdirect('/css/extlib/skeleton.css') }}">
<link rel="stylesheet" href="{{ request.staticdirect('/css/base.css') }}">
<script src="{{ request.staticdirect('/js/header_dropdown.js') }}"></script>
</head><body>{% block content %}{% endblock %}</body></html>
""",
    "mediagoblin/templates/mediagoblin/root.html": """\
{% extends "mediagoblin/base.html" %}
{% block content %}<p>home</p>
<script src="{{ request.staticdirect('/js/keyboard_navigation.js') }}"></script>
{% endblock %}
""",
}


def test_function_with_a_missing_file_is_listed(tmp_path: Path) -> None:
    write_tree(tmp_path, SITE)
    assert discover(tmp_path).static_functions == ("request.staticdirect",)


@pytest.mark.node
def test_init_then_build_hashes_the_files_the_function_names(tmp_path: Path) -> None:
    write_tree(tmp_path, SITE)
    res = run_cli("init", cwd=tmp_path)
    assert res.code == 0, res.out + res.err
    text = (tmp_path / "pipeline.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert config["templates"]["static_functions"] == ["request.staticdirect"]
    assert config["templates"]["missing_assets"] == "warn"
    assert "css/extlib/skeleton.css (in mediagoblin/base.html)" in text
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    base = (tmp_path / "dist/templates/mediagoblin/base.html").read_text(encoding="utf-8")
    assert re.search(r"staticdirect\('/css/base-[A-Z0-9]{8}\.css'\)", base), base
    assert re.search(r"staticdirect\('/js/header_dropdown-[A-Z0-9]{8}\.js'\)", base), base
    assert "staticdirect('/css/extlib/skeleton.css')" in base  # left as written
