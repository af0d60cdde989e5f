"""``init`` on an app laid out as SearXNG is: the templates name their files relative to a
theme folder of the static folder (the app's own ``url_for`` finds them there), and the theme's
script is a prebuilt, code-split module graph (Vite's output: the entry imports its chunks, the
chunks import the entry back)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from assetpipe.adopt import discover, init
from assetpipe.adopt.subfolder import names_subfolder
from tests.conftest import run_cli, write_tree
from tests.rebuild_site import png

THEMED: dict[str, str | bytes] = {
    "app.py": "from flask import Flask\n\napp = Flask(__name__, static_folder=None)\n",
    "static/themes/simple/core.min.js": "var e={n:1};import(`./chunk/Ab1.min.js`);export{e as i};\n",
    "static/themes/simple/chunk/Ab1.min.js": 'import{i as e}from"../core.min.js";e.n++;\n',
    "static/themes/simple/site.min.css": ".logo{background:url(./img/logo.png)}\n",
    "static/themes/simple/img/logo.png": png(64, 16, (200, 20, 20)),
    "templates/base.html": """\
        <script type="module" src="{{ url_for('static', filename='core.min.js') }}"></script>
        <link rel="stylesheet" href="{{ url_for('static', filename='site.min.css') }}">
        <link rel="icon" href="{{ url_for('static', filename='img/logo.png') }}">
        """,
}


def test_the_theme_folder_the_templates_name_files_in_is_the_source(tmp_path: Path) -> None:
    """Read against ``static/``, the three references looked missing: ``init`` wrote "they
    404 today too" and ``missing_assets: warn``, found no script or stylesheet, and the build
    hashed nothing. The theme folder is the source now, no reference is missing, and the
    module graph's entry is copied, not bundled again."""
    write_tree(tmp_path, THEMED)
    p = discover(tmp_path)
    assert p.subfolder == "themes/simple"
    assert p.static_dir == tmp_path / "static/themes/simple"
    assert p.missing == [] and p.styles == ["site.min.css"]
    assert p.scripts == [] and p.copied_modules == ["core.min.js"]
    text = init(tmp_path).path.read_text()
    config = yaml.safe_load(text)
    assert config["source"] == "static/themes/simple"
    assert "missing_assets" not in text and "scripts" not in config
    assert "core.min.js" in config["static"]["include"]


def test_the_config_init_writes_builds_strict_and_links_the_entry_by_its_name(
    tmp_path: Path,
) -> None:
    """``build --strict`` passes; the entry keeps its name (the chunk imports it by that name:
    hashed or bundled, it ran twice), the stylesheet and the icon are hashed."""
    write_tree(tmp_path, THEMED)
    assert run_cli("init", cwd=tmp_path).code == 0
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    man = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert man["core.min.js"]["file"] == "core.min.js"
    html = (tmp_path / "dist/templates/base.html").read_text()
    assert "filename='core.min.js'" in html
    assert f"filename='{man['site.min.css']['file']}'" in html
    assert "filename='img/logo.png'" not in html


def test_names_subfolder_wants_most_of_the_missing_files() -> None:
    present = ["themes/a/x.js", "themes/a/y.css", "themes/b/x.js", "other/z.png"]
    assert names_subfolder(["x.js", "y.css"], present) == "themes/a"
    assert names_subfolder(["x.js"], present) is None  # one file proves nothing
    assert names_subfolder(["x.js", "y.css", "q.js", "r.js"], present) is None


def test_where_names_the_line_that_creates_the_app_when_it_has_more_arguments(
    tmp_path: Path,
) -> None:
    """SearXNG creates its app with ``Flask(__name__, static_folder=None, ...)``: ``init`` said
    "after app = Flask(__name__)", a line the file does not have; it names the line now."""
    write_tree(tmp_path, THEMED)
    assert init(tmp_path).where == (
        "in app.py, after line 3 (app = Flask(__name__, static_folder=None))"
    )
