"""TypeScript and JSX sources in the static folder, beside a bundler's output (Airflow 2.10
ships 203 under ``static/js/`` next to webpack's ``static/dist/``): ``init`` neither lists nor
counts them, the static stage does not copy (nor precompress) them even when a folder's glob
matches them, and the app still answers their unhashed URLs from the source folder, as before
adoption. A ``.ts`` video segment (MPEG transport stream) is copied as any file.

Real files, a real ``assetpipe init`` / ``build``, a real Flask app over real HTTP."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from assetpipe.adopt import init
from assetpipe.scriptsource import script_source
from tests.conftest import run_cli, write_tree
from tests.real_apps import serve

APP = """\
from flask import Flask, render_template

app = Flask(__name__)
{lines}

@app.route("/")
def index():
    return render_template("index.html")
"""
SEGMENT = b"\x47\x40\x00\x10\x00" + bytes(183)  # an MPEG-TS packet: sync byte, PAT


def _project(root: Path, lines: str = "") -> None:
    write_tree(
        root,
        {
            "app.py": APP.format(lines=lines),
            "templates/index.html": (
                "<script src=\"{{ url_for('static', filename='dist/grid.js') }}\"></script>"
                "<video src=\"{{ url_for('static', filename='video/seg0.ts') }}\"></video>"
            ),
            "static/dist/grid.js": "console.log('grid');\n",
            "static/js/grid/App.tsx": "export const App = () => <div>grid</div>;\n",
            "static/js/api.ts": "export type Dag = { id: string };\n",
            "static/js/legacy.jsx": "export default () => <p/>;\n",
            "static/js/datetime.js": "window.when = 1;\n",
            "static/declarations.d.ts": "declare module '*.png';\n",
            "static/video/seg0.ts": SEGMENT,
        },
    )


def test_script_source_knows_a_video_segment(tmp_path: Path) -> None:
    _project(tmp_path)
    static = tmp_path / "static"
    assert script_source("js/api.ts", static / "js/api.ts")
    assert script_source("js/grid/App.tsx", static / "js/grid/App.tsx")
    assert not script_source("video/seg0.ts", static / "video/seg0.ts")
    assert not script_source("js/datetime.js", static / "js/datetime.js")


@pytest.mark.timeout(180)
def test_sources_are_neither_listed_nor_copied_and_still_answered(tmp_path: Path) -> None:
    _project(tmp_path, "from assetpipe.flask import AssetPipe\nAssetPipe(app)")
    done = init(tmp_path, force=True)
    assert "declarations.d.ts" not in done.text and ".tsx" not in done.text
    # a folder's glob matches them too
    cfg = (tmp_path / "pipeline.yaml").read_text()
    assert "static:\n  include: [" in cfg
    cfg = cfg.replace("static:\n  include: [", 'static:\n  include: ["js/**", ', 1)
    (tmp_path / "pipeline.yaml").write_text(cfg)
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    entries = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert "js/datetime.js" in entries and "video/seg0.ts" in entries
    public = tmp_path / "dist/public"
    copied = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}
    for ext in (".tsx", ".jsx", ".d.ts"):
        assert not [c for c in copied if ext in c], sorted(copied)
    assert not [c for c in copied if c.startswith("js/api")], sorted(copied)
    with serve(tmp_path, "from app import app", adopt=False, log=tmp_path / "log") as base:
        answer = urllib.request.urlopen(base + "/static/js/grid/App.tsx", timeout=10)
        assert answer.status == 200 and b"<div>grid</div>" in answer.read()
        answer.close()
