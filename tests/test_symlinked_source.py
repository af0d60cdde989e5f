"""A static folder that is a symlink to a folder at another depth: ArchiveBox ships
``archivebox/static -> templates/static``, and ``assetpipe build`` crashed with a traceback
(``FileNotFoundError`` for ``.assetpipe/esbuild/scripts-classic/../../../../...js.map``): the
esbuild binary names its outputs relative to the cwd the kernel gives it, symlinks resolved, and
they were joined to the unresolved folder. ``init`` names such a folder as the settings do (a
Django project's ``STATIC`` folder; Flask's ``static_folder`` resolved), and a user may too.
Real esbuild, real Flask app."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

APP = """\
from flask import Flask, render_template

from assetpipe.flask import AssetPipe

app = Flask(__name__)
AssetPipe(app)
app.add_url_rule("/", "index", lambda: render_template("page.html"))
"""
CONFIG = """\
source: static
output: dist
public_path: /static/
templates: {dirs: [templates]}
scripts: {entries: [js/site.js, js/app.js]}
styles: {entries: [css/site.css]}
"""
PAGE = """\
<link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}">
<script src="{{ url_for('static', filename='js/site.js') }}"></script>
<script type="module" src="{{ url_for('static', filename='js/app.js') }}"></script>
"""


def test_a_symlinked_static_folder_builds_and_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "symapp.py": APP,
            "pipeline.yaml": CONFIG,
            "templates/page.html": PAGE,
            "templates/static/css/site.css": "body { color: #123; }\n",
            "templates/static/js/site.js": "function greet() { document.title = 'hi'; }\n",
            "templates/static/js/app.js": "import { n } from './lib.js';\nconsole.log(n);\n",
            "templates/static/js/lib.js": "export const n = 1;\n",
        },
    )
    (tmp_path / "static").symlink_to("templates/static")
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    assert "Traceback" not in built.err, built.err
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "symapp", raising=False)
    client = importlib.import_module("symapp").app.test_client()
    page = client.get("/").get_data(as_text=True)
    urls = [part.split('"')[0] for part in page.split('="')[1:] if part.startswith("/static/")]
    assert len(urls) == 3 and all("-" in Path(u).stem for u in urls), page
    for url in urls:
        got = client.get(url)
        assert got.status_code == 200 and got.data, (url, got.status_code)
    assert b"document.title" in client.get(urls[1]).data
