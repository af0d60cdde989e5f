"""``assetpipe init`` on a Plotly Dash app (written here in small; nothing is imported).

A Dash app makes its Flask app itself (``app.server``) and serves its ``assets/`` folder at
``/assets/``, linking each script and stylesheet there from the page it writes. ``init`` said
"no Flask app with a static folder found" and stopped: a new user had no config and no lines.
It now takes the assets folder as the source, ``/assets/`` (or ``assets_url_path``) as the public
path, and names the two lines with the Dash app's variable, after the statement making it."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from assetpipe.adopt import discover
from assetpipe.config import load_config
from tests.conftest import run_cli, write_tree

APP = """\
import dash
from dash import Dash, html

app = Dash(
    __name__,
    use_pages=False,
    title="Cafe",
)
server = app.server
app.config.suppress_callback_exceptions = True

app.layout = html.Div([html.Img(src=app.get_asset_url("img/cafe.jpg"))])
"""


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def _project(root: Path, app: str = APP, assets: str = "assets") -> None:
    write_tree(
        root,
        {
            "app.py": app,
            f"{assets}/style.css": ".hero { background: url(img/cafe.jpg); }\n",
            f"{assets}/app.js": "window.cafe = 1;\n",
            f"{assets}/favicon.ico": b"\x00\x00\x01\x00",
            f"{assets}/img/cafe.jpg": _jpeg(),
        },
    )


def test_init_takes_the_dash_assets_folder_and_names_the_dash_app(tmp_path: Path) -> None:
    _project(tmp_path)
    r = run_cli("init", cwd=tmp_path)
    assert r.code == 0, r.err
    config = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "assets"' in config and 'public_path: "/assets/"' in config, config
    assert "# Dash app: app.py (app = Dash(...))." in config, config
    # after the whole multi-line Dash(...) call (line 8), not inside it or after a Dash config
    # setting; the Dash app itself, not app.server
    assert "Add these two lines in app.py: this one after line 8 " in r.out, r.out
    assert "    AssetPipe(app)\n" in r.out, r.out
    assert "a Dash app: Dash links every script and stylesheet" in r.out, r.out
    assert "that no <script src>" not in r.out, r.out  # Dash links them
    # the commented audit example names the app's pages, not a template Dash does not have
    uncommented = config.replace("# pages:", "pages:").replace("#   - {path: /}", "  - {path: /}")
    uncommented = uncommented.replace("# audit:", "audit:").replace(
        '#   app: "app:app"', '  app: "app:app"'
    )
    (tmp_path / "audited.yaml").write_text(uncommented)
    cfg = load_config(tmp_path / "audited.yaml")
    assert [(p.path, p.template) for p in cfg.pages] == [("/", None)]
    assert cfg.audit.app == "app:app"
    project = discover(tmp_path)
    assert project.image_dirs == ["img"]
    assert {"app.js", "style.css", "favicon.ico"} <= set(project.static_files)


@pytest.mark.node
def test_the_config_init_writes_builds_strict(tmp_path: Path) -> None:
    _project(tmp_path)
    assert run_cli("init", cwd=tmp_path).code == 0
    r = run_cli("build", "--strict", cwd=tmp_path)
    assert r.code == 0, r.out + r.err
    public = tmp_path / "dist/public"
    assert any(public.glob("style-*.css")) and any(public.glob("app-*.js")), list(public.rglob("*"))


def test_a_dash_app_s_own_assets_folder_and_url_path(tmp_path: Path) -> None:
    app = APP.replace('title="Cafe",', 'assets_folder="static_files", assets_url_path="/files",')
    _project(tmp_path, app, assets="static_files")
    project = discover(tmp_path)
    assert project.static_dir == (tmp_path / "static_files").resolve()
    assert project.public_path == "/files/"
    assert project.templates_dir is None


def test_a_flask_app_embedding_a_dash_app_stays_the_one_adopted(tmp_path: Path) -> None:
    """A Flask app with its own static and templates folders that embeds a Dash dashboard
    (``Dash(__name__, server=app, url_base_pathname="/dash/")``) keeps its own source: the
    dashboard is secondary, its ``assets/`` not what the templates load."""
    flask_app = """\
    from dash import Dash
    from flask import Flask, render_template

    app = Flask(__name__)
    dash_app = Dash(__name__, server=app, url_base_pathname="/dash/")
    """
    _project(tmp_path, flask_app)
    write_tree(
        tmp_path,
        {
            "static/css/site.css": "body { margin: 0; }\n",
            "templates/index.html": '<link rel="stylesheet" href="{{ url_for(\'static\', '
            "filename='css/site.css') }}\">\n",
        },
    )
    project = discover(tmp_path)
    assert project.app is not None and not project.app.dash
    assert project.static_dir == (tmp_path / "static").resolve()
    assert project.public_path == "/static/" and project.styles == ["css/site.css"]


FACTORY = """\
from dash import Dash, html


def create_app():
    app = Dash(
        __name__,
        title="Cafe",
    )
    app.layout = html.Div([html.Img(src=app.get_asset_url("img/cafe.jpg"))])
    return app


app = create_app()
server = app.server
"""


def test_a_dash_app_made_in_a_factory(tmp_path: Path) -> None:
    """``def create_app(): app = Dash(...)``: ``init`` said "no Flask app with a static folder
    found" (it read a module's top-level ``X = Dash(...)`` only)."""
    _project(tmp_path, FACTORY)
    r = run_cli("init", cwd=tmp_path)
    assert r.code == 0, r.err
    config = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "assets"' in config and 'public_path: "/assets/"' in config, config
    assert "# Dash app: app.py (app = Dash(...) in create_app())." in config, config
    assert '#   app: "app:app"' in config, config  # the module's app = create_app()
    where = 'inside create_app(), after line 8 (app = Dash(__name__, title="Cafe")), before'
    assert where in r.out, r.out
    assert "    AssetPipe(app)\n" in r.out, r.out


DASHBOARD = """\
from dash import Dash, html
from flask import Flask

server = Flask(__name__)


@server.get("/")
def index():
    return '<a href="/dash/">dashboard</a>'


def init_dashboard(flask_app):
    dash_app = Dash(__name__, server=flask_app, url_base_pathname="/dash/")
    dash_app.layout = html.Div([html.Img(src=dash_app.get_asset_url("img/cafe.jpg"))])
    return dash_app.server
"""


@pytest.mark.node
def test_a_dashboard_under_a_prefix_on_a_flask_app(tmp_path: Path) -> None:
    """The common "Flask app with a dashboard under /dash/" layout: ``init`` adopted the Flask
    app (an empty ``static/`` created, 0 files, ``AssetPipe(server)``) and the dashboard's
    ``assets/`` stayed Dash's, unhashed. It takes the Dash app in ``init_dashboard()`` now, at
    the URL Dash serves its assets under the prefix, and the lines it prints hash them."""
    _project(tmp_path, DASHBOARD + "\n\ninit_dashboard(server)\n")
    r = run_cli("init", cwd=tmp_path)
    assert r.code == 0, r.err
    config = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "assets"' in config and 'public_path: "/dash/assets/"' in config, config
    assert "#   - {path: /dash/}" in config, config
    assert "inside init_dashboard(), after line 13 (dash_app = Dash(" in r.out, r.out
    assert "    AssetPipe(dash_app)\n" in r.out and not (tmp_path / "static").exists(), r.out
    assert "AssetPipe(dash_app), given the Dash app (not dash_app.server)" in r.out, r.out
    # pasted where init says, the page links the built files under the prefix, immutable
    lines = (tmp_path / "app.py").read_text().splitlines()
    lines[13:13] = ["    from assetpipe.flask import AssetPipe", "    AssetPipe(dash_app)"]
    (tmp_path / "app.py").write_text("\n".join(lines) + "\n")
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    client = _imported(tmp_path).server.test_client()
    body = client.get("/dash/").get_data(as_text=True)
    css = re.search(r'href="(/dash/assets/style-[A-Z0-9]{8}\.css)\?m=', body)
    assert css is not None, body
    with client.get(css.group(1)) as served:
        assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]
    layout = client.get("/dash/_dash-layout").get_json()
    src = layout["props"]["children"][0]["props"]["src"]
    assert re.fullmatch(r"/dash/assets/img/cafe-(?:\d+w-)?[A-Z0-9]{8}\.jpg", src), src
    assert client.get("/").status_code == 200  # the Flask app's own view


def _imported(root: Path) -> Any:
    """``root/app.py`` imported under a name of its own (each test's app is another)."""
    name = f"dash_app_{abs(hash(root))}"
    spec = importlib.util.spec_from_file_location(name, root / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Flask finds the app's folder (root_path) through it
    spec.loader.exec_module(module)
    return module
