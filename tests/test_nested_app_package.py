"""``AssetPipe(app)`` for an app deep inside a package, in a folder with no project file.

pyLoad's web UI is ``flask.Flask(__name__)`` in ``pyload/webui/app/__init__.py``; a user runs
``assetpipe init`` in the folder that holds ``pyload/`` (it has no ``pyproject.toml``: an
installed package copied to run in place), and ``init`` writes ``pipeline.yaml`` there.
``AssetPipe(app)`` looked in ``pyload/webui/app/`` and ``pyload/webui/`` only: the app did not
start (``config file not found``). It now also looks beside the outermost package.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assetpipe.flask import config_candidates
from tests.conftest import write_tree

APP = """\
from flask import Flask, render_template

from assetpipe.flask import AssetPipe

app = Flask(__name__)
app.config["SECRET_KEY"] = "x"
AssetPipe(app)
app.add_url_rule("/", "index", lambda: render_template("pages/index.html"))
"""

PROJECT: dict[str, str | bytes] = {
    "dl/__init__.py": "",
    "dl/web/__init__.py": "",
    "dl/web/app/__init__.py": APP,
    "dl/web/app/static/css/site.css": "body { color: #123456; }\n",
    "dl/web/app/templates/pages/index.html": (
        '<!doctype html><title>x</title><link rel="icon" href="data:,">\n'
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
    ),
}


def test_the_config_beside_the_outermost_package_is_a_candidate(tmp_path: Path) -> None:
    write_tree(tmp_path, PROJECT)
    candidates = config_candidates(tmp_path / "dl/web/app")
    assert tmp_path / "pipeline.yaml" in candidates, candidates
    # the app's own folder and its parent are still looked in first
    assert candidates[:2] == [
        tmp_path / "dl/web/app/pipeline.yaml",
        tmp_path / "dl/web/pipeline.yaml",
    ]


@pytest.mark.node
def test_an_app_two_packages_deep_starts_and_serves_the_build(tmp_path: Path) -> None:
    """Run as the project runs it (the folder holding ``dl/`` first on the path): the page
    links the hashed stylesheet, answered ``immutable``."""
    from tests.real_apps import serves_hashed_stylesheet

    serves_hashed_stylesheet(tmp_path, PROJECT, "from dl.web.app import app\n", "/static/css/site-")
