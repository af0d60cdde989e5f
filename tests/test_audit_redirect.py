"""``page.redirected``: a page whose document the app redirects (a login wall) is measured as
the page it lands on, and the audit says so. Supysonic's pages, audited without ``login:``,
answered 302 to ``/user/login`` and "passed" with the login page's figures, silently. A real
Flask app, a real build, ``audit --app`` in real Chromium."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_chromium, run_cli
from tests.test_flask_extension import make_project

pytestmark = pytest.mark.node

APP = textwrap.dedent("""
    from flask import Flask, redirect, render_template, request

    app = Flask(__name__, template_folder="app/templates")

    @app.route("/")
    def index():
        return render_template("index.html", title="Sign in")

    @app.route("/account")
    def account():
        if "session" not in request.cookies:
            return redirect("/")
        return render_template("index.html", title="Account")
""")


def test_a_redirected_page_is_a_warning_naming_where_it_landed(tmp_path: Path) -> None:
    require_chromium()
    project = make_project(tmp_path / "project")
    (project / "wall_shop.py").write_text(APP)
    with (project / "pipeline.yaml").open("a") as f:
        f.write("pages:\n  - {path: /}\n  - {path: /account}\naudit: {profile: desktop, runs: 1}\n")
    assert run_cli("build", cwd=project).code == 0
    res = run_cli("audit", "--app", "wall_shop:app", "--json", "--no-hints", cwd=project)
    doc: dict[str, Any] = json.loads(res.out)
    checks = {p["path"]: {c["id"]: c for c in p["checks"]} for p in doc["pages"]}
    assert checks["/"]["page.redirected"]["passed"] is True
    moved = checks["/account"]["page.redirected"]
    assert moved["passed"] is False and moved["level"] == "warn", moved
    assert "/account was redirected to /: its figures are that page's" in moved["message"]
    # in the terminal too, where "passed" was all it said
    res = run_cli(
        "audit", "--app", "wall_shop:app", "--page", "/account", "--no-hints", cwd=project
    )
    said = res.out + res.err
    assert "warning: /account: page.redirected: /account was redirected to /" in said, said
