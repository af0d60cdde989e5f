"""Pages rendered through the user's own app (issue 11, item 8): ``assetpipe watch --app`` and
``assetpipe audit --app`` import a real Flask app in-process (which then renders the rewritten
templates through ``AssetPipe``), ``pages:`` need only ``path``, a page that fails shows the
app's error and a hint, and ``audit --json`` keeps stdout for the JSON whatever the app prints.
Real builds, real HTTP on 127.0.0.1, real Chromium for the audit."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetpipe.config import load_config
from assetpipe.dev.server import make_site_app
from assetpipe.dev.watch import Watcher
from assetpipe.errors import ConfigError
from assetpipe.serve.pages import require_templates
from tests.conftest import require_chromium, run_cli, write_tree
from tests.test_flask_extension import css_href, make_project
from tests.test_serve_support import request
from tests.test_watch import Recorder

pytestmark = pytest.mark.node

APP = textwrap.dedent("""
    import sys
    from flask import Flask, render_template

    print("importing the app (its own stdout)")
    app = Flask(__name__, template_folder="app/templates")
    app.add_template_filter(lambda s: s.upper(), "shout")

    @app.route("/")
    def index():
        print("rendering / (its own stdout)")
        return render_template("index.html", title="Hi")

    @app.route("/broken")
    def broken():
        return render_template("index.html", title=1 / 0)
""")

PAGES = """
pages:
  - {path: /}
  - {path: /broken}
audit: {profile: desktop, runs: 1}
"""


def _project(tmp_path: Path, module: str) -> Path:
    project = make_project(tmp_path / "project")
    (project / f"{module}.py").write_text(APP)
    with (project / "pipeline.yaml").open("a") as f:
        f.write(PAGES)
    return project


@pytest.fixture
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app is imported in-process: leave sys.path and the imported modules as they were."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.endswith("_shop"):
            del sys.modules[name]


def test_pages_need_only_a_path_with_an_app(tmp_path: Path) -> None:
    project = _project(tmp_path, "unused")
    cfg = load_config(project / "pipeline.yaml")
    assert [(p.path, p.template) for p in cfg.pages] == [("/", None), ("/broken", None)]
    with pytest.raises(ConfigError) as err:  # without an app, a template is needed
        require_templates(cfg)
    lines = [line for line, _ in err.value.lines()]
    assert len(lines) == 2 and "pages[0].template" in lines[0] and "--app" in lines[0]
    assert re.match(r".*pipeline\.yaml:\d+:\d+: ", lines[1])


def test_assetpipe_renderer_errors_carry_a_hint(tmp_path: Path) -> None:
    """A real Flask template (current_user) in assetpipe's own renderer: the 500 says what
    failed and how to render through the app; the terminal gets it once."""
    write_tree(
        tmp_path,
        {
            "site/templates/pages/me.html": "<p>{{ current_user.name }}</p>\n",
            "pipeline.yaml": "source: site\npages:\n  - {path: /me, template: pages/me.html}\n",
        },
    )
    from assetpipe import build

    cfg = load_config(tmp_path / "pipeline.yaml")
    build(cfg)
    app = make_site_app(cfg, "/__assetpipe/events")
    got: list[str] = []
    body = b"".join(
        app({"PATH_INFO": "/me", "REQUEST_METHOD": "GET"}, lambda s, h, e=None: got.append(s))
    )
    assert got == ["500 Internal Server Error"]
    text = body.decode()
    assert "'current_user' is undefined" in text and "pages/me.html" in text
    assert "hint:" in text and "--app MODULE:APP" in text


def test_watch_app_renders_through_the_users_flask_app(
    tmp_path: Path, isolated_imports: None
) -> None:
    project = _project(tmp_path, "watch_shop")
    rec = Recorder()
    w = Watcher(
        project / "pipeline.yaml",
        port=0,
        on_line=rec.line,
        on_outcome=rec.outcome,
        app="watch_shop:app",
    )
    w.start()
    try:
        port = w.server.port
        page = request(port, "/")
        assert page.status == 200
        href = css_href(page.body)  # the rewritten template, through AssetPipe
        assert re.fullmatch(r"/static/css/site-[A-Z0-9]{8}\.css", href)
        assert b"/__assetpipe/events" in page.body  # the live-reload client
        assert request(port, href).status == 200
        broken = request(port, "/broken")
        assert broken.status == 500
        rec.wait(lambda: any("ZeroDivisionError" in t for k, t in rec.lines if k == "error"))
        line = next(t for k, t in rec.lines if "ZeroDivisionError" in t)
        assert "GET /broken: the app answered 500" in line and "watch_shop.py" in line
        (project / "app/css/site.css").write_text("body { margin: 5px; }\n")
        rec.wait(lambda: any("css/site.css" in o.changed for o in rec.outcomes))
        new = css_href(request(port, "/").body)
        assert new != href
        css = request(port, new)
        assert css.status == 200 and b"margin: 5px" in css.body
    finally:
        w.close()


def test_audit_app_json_and_the_apps_error(tmp_path: Path) -> None:
    require_chromium()
    project = _project(tmp_path, "audit_shop")
    assert run_cli("build", cwd=project).code == 0
    res = run_cli("audit", "--app", "audit_shop:app", "--json", "--no-hints", cwd=project)
    doc: dict[str, Any] = json.loads(res.out)  # only the document, whatever the app printed
    assert res.code == 1, res.err
    assert "its own stdout" in res.err
    pages = {p["path"]: p for p in doc["pages"]}
    assert pages["/"]["status"] == "measured" and pages["/"]["template"] is None
    assert pages["/broken"]["status"] == "errored"
    assert pages["/broken"]["error"].startswith("HTTP 500")
    assert pages["/broken"]["error"].endswith(
        "the app's error: ZeroDivisionError: division by zero (audit_shop.py:16, in broken)"
    )
    # the app's error, once, with its traceback head and a hint (not only "HTTP 500")
    assert res.err.count("GET /broken: the app answered 500") == 1
    assert "ZeroDivisionError: division by zero" in res.err
    assert "audit_shop.py" in res.err and "hint:" in res.err
    # without an app, the template-less pages are a config error naming them
    res = run_cli("audit", "--json", cwd=project)
    assert res.code == 2
    assert "pages[0].template" in res.err and "--app" in res.err
