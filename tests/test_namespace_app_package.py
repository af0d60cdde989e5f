"""``AssetPipe(app)`` for an app in a namespace package (PEP 420: a folder with no
``__init__.py``).

beets' web UI is ``flask.Flask(__name__)`` in ``beetsplug/web/__init__.py``; ``beetsplug/`` has
no ``__init__.py`` (every beets plugin package shares it). A user copies the plugin to run in
place, runs ``assetpipe init`` in the folder that holds ``beetsplug/`` and ``init`` writes
``pipeline.yaml`` there; ``AssetPipe(app)`` looked in ``beetsplug/web/`` and ``beetsplug/``
only (the walk up the packages stopped at the first folder without ``__init__.py``) and the app
did not start (``config file not found``). The app's dotted name now leads to that folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assetpipe.flask import config_candidates

APP = """\
from flask import Flask, render_template

from assetpipe.flask import AssetPipe

app = Flask(__name__)
AssetPipe(app)
app.add_url_rule("/", "index", lambda: render_template("index.html"))
"""

PROJECT: dict[str, str | bytes] = {
    "nsplug/web/__init__.py": APP,
    "nsplug/web/static/site.css": "body { color: #123456; }\n",
    "nsplug/web/templates/index.html": (
        '<!doctype html><title>x</title><link rel="icon" href="data:,">\n'
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='site.css') }}\">\n"
    ),
}


def test_the_folder_holding_a_namespace_package_is_a_candidate(tmp_path: Path) -> None:
    root = tmp_path / "nsplug/web"
    assert config_candidates(root, import_name="nsplug.web")[-1] == tmp_path / "pipeline.yaml"
    # a module of the package (``nsplug.web.views`` in ``nsplug/web/views.py``) alike
    views = config_candidates(root, import_name="nsplug.web.views")
    assert tmp_path / "pipeline.yaml" in views
    # a name that does not match the folders adds nothing
    assert config_candidates(root, import_name="other.web") == config_candidates(root)
    assert config_candidates(root, import_name="__main__") == config_candidates(root)


@pytest.mark.node
def test_an_app_in_a_namespace_package_starts_and_serves_the_build(tmp_path: Path) -> None:
    """Run as the copy runs (the folder holding ``nsplug/`` first on the path): the page
    links the hashed stylesheet, answered ``immutable``."""
    from tests.real_apps import serves_hashed_stylesheet

    serves_hashed_stylesheet(tmp_path, PROJECT, "from nsplug.web import app\n", "/static/site-")
