"""A reference to the static folder itself, or to a folder in it, is no file: funnel's layout
preconnects to its static host with ``<link rel="preconnect" href="{{ url_for('static',
filename='') }}">``, and the build failed on it ("refers to '', which the build did not
produce"), as it did on ``/static/css/``. They are left as written, neither an error nor a
warning, and Flask renders them as before. Real build, real Flask app."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

PAGE = """\
<link rel="preconnect" crossorigin href="{{ url_for('static', filename='') }}">
<link rel="preconnect" href="/static/css/">
<link rel="prefetch" href="{{ url_for('static', filename='css/') }}">
<link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}">
"""
APP = """\
from flask import Flask, render_template

from assetpipe.flask import AssetPipe

app = Flask(__name__)
AssetPipe(app)
app.add_url_rule("/", "index", lambda: render_template("page.html"))
"""


def test_a_folder_reference_is_left_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "folderapp.py": APP,
            "static/css/site.css": "body { color: #123; }\n",
            "templates/page.html": PAGE,
        },
    )
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.err
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    out = (tmp_path / "dist/templates/page.html").read_text()
    assert out.splitlines()[:3] == PAGE.splitlines()[:3], out
    assert "css/site.css" not in out, out
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "folderapp", raising=False)
    page = importlib.import_module("folderapp").app.test_client().get("/").get_data(as_text=True)
    assert 'href="/static/"' in page and 'href="/static/css/"' in page, page
    assert page.count("/static/css/site-") == 1, page
