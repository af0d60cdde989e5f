"""A FastAPI app whose ``Jinja2Templates`` another module makes (microblog.pub's
``app/templates.py``: ``_templates = Jinja2Templates(directory=["data/templates",
"app/templates"])``, its users' override folder first, empty in a checkout): ``init`` found no
template (0 built) and said ``AssetPipe(app)``, so the pages would render from the unrewritten
templates. Now it builds the folder that holds them and names the object with its import; the
lines pasted as printed, the page links the hashed stylesheet and it answers. Real FastAPI app
(Starlette's test client)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

MAIN = """\
from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from app import templating

app = FastAPI()
app.mount("/static", StaticFiles(directory="app/static"), name="static")


@app.get("/")
def index(request: Request):
    return templating.templates.TemplateResponse(request, "page.html")
"""
TEMPLATING = """\
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=["data/templates", "app/templates"])
"""
PAGE = """<link rel="stylesheet" href="{{ url_for('static', path='css/site.css') }}">\n"""


def _paste(path: Path, out: str) -> None:
    """The lines ``init`` printed, where it said: the call after its line, then the imports
    after theirs (printed in that order, so each line number still holds)."""
    call_at = int(re.search(r"this one after line (\d+)", out).group(1))  # type: ignore[union-attr]
    imports_at = int(re.search(r"after line (\d+), with its imports", out).group(1))  # type: ignore[union-attr]
    printed = [line.strip() for line in out.splitlines() if line.startswith("    ")]
    call = [line for line in printed if line.startswith("AssetPipe(")]
    imports = [line for line in printed if line.startswith("from ")]
    lines = path.read_text().split("\n")
    lines[call_at:call_at] = call
    lines[imports_at:imports_at] = imports
    path.write_text("\n".join(lines))


def test_templates_made_in_another_module_are_built_and_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": MAIN,
            "app/templating.py": TEMPLATING,
            "app/static/css/site.css": "body { color: #123; }\n",
            "app/templates/page.html": PAGE,
            "data/templates/.gitkeep": "",
        },
    )
    out = run_cli("init", cwd=tmp_path)
    assert out.code == 0, out.err
    assert "1 template(s)" in out.out, out.out
    assert "    AssetPipe(app, templates)\n" in out.out, out.out
    assert "    from app.templating import templates\n" in out.out, out.out
    _paste(tmp_path / "app/main.py", out.out)
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    from starlette.testclient import TestClient

    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("app", "app.main", "app.templating"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    client = TestClient(importlib.import_module("app.main").app)
    page = client.get("/").text
    hashed = re.search(r'href="([^"]*/css/site-[A-Z0-9]+\.css)"', page)
    assert hashed is not None, page
    got = client.get(hashed.group(1))
    assert got.status_code == 200 and "#123" in got.text, got.status_code
