"""``init`` on Apache Superset's layout, whose ``build --strict`` failed as ``init`` wrote it.

Its ``spa.html`` preloads ``{{ assets_prefix }}/static/appbuilder/css/flags/flags16.css``, a
file of Flask-AppBuilder's package that FAB's blueprint serves under the app's ``/static/``:
``init`` said it 404s today and wrote ``missing_assets: warn``, and the build warned. And an
inline script registers ``{{ assets_prefix }}/static/service-worker.js``: the build hashed the
worker, left the reference as written and warned that it requests the unhashed source path."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetpipe.config import load_config
from tests.conftest import write_tree
from tests.real_apps import run_cli

LAYOUT = """<!DOCTYPE html>
<html>
  <head>
    <link rel="preload" href="{{ assets_prefix }}/static/fabish/css/flags/flags16.css" as="style"/>
    <script>
      navigator.serviceWorker.register('{{ assets_prefix }}/static/service-worker.js');
    </script>
  </head>
  <body><img src="/static/logo.png" alt="logo"></body>
</html>
"""


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_init_on_superset_layout_passes_build_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"  # an installed extension, outside the project
    write_tree(
        site,
        {
            "fabish/__init__.py": "",
            "fabish/static/fabish/css/flags/flags16.css": ".flag { width: 16px }\n",
        },
    )
    monkeypatch.setenv("PYTHONPATH", str(site))
    proj = tmp_path / "proj"
    write_tree(
        proj,
        {
            "app.py": "import fabish\nfrom flask import Flask\n\napp = Flask(__name__)\n",
            "templates/spa.html": LAYOUT,
            "static/service-worker.js": "self.addEventListener('install', () => {});\n",
            "static/logo.png": _png(),
        },
    )
    done = run_cli("init", cwd=proj)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (proj / "pipeline.yaml").read_text()
    assert "404 today" not in text and "missing_assets" not in text
    config = load_config(proj / "pipeline.yaml")
    assert config.templates.app_routes == ("fabish/css/flags/flags16.css",)
    assert config.static.keep_names == ("service-worker.js",)
    built = run_cli("build", "--strict", cwd=proj)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (proj / "dist/public/service-worker.js").is_file()  # the URL the page registers
    out = (proj / "dist/templates/spa.html").read_text()
    assert "register('{{ assets_prefix }}/static/service-worker.js')" in out
    assert "{{ assets_prefix }}/static/fabish/css/flags/flags16.css" in out
