"""``assetpipe init`` and ``AssetPipe(app)`` on OctoPrint's layout, written here in small.

OctoPrint is a ``src/`` layout project (``pyproject.toml`` beside ``src/octoprint/``) whose app
is ``app = Flask("octoprint")`` at the top of ``octoprint/server/__init__.py``: the import name
is the package, so Flask's folders are ``octoprint/static`` and ``octoprint/templates``. The app
is set up by ``Server.run()`` (``global app``; ``self._setup_flask_app(app)`` sets its config
and Jinja options) and handed to Tornado later, in a method with a local ``app =
Application(...)``, Tornado's. ``init`` took the module's folder for the app's (and created an
empty ``octoprint/server/static``: nothing found), said to put the two lines in that Tornado
method "after app = Flask(__name__)", and ``AssetPipe(app)`` looked for ``pipeline.yaml`` in
``src/octoprint`` and ``src`` only, not in the project folder where ``init`` wrote it: the app
did not start. And ``init`` said nothing of the ``{% assets %}`` bundles (nearly all of the
main page's bytes), which assetpipe leaves to webassets: it now says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assetpipe.adopt import discover
from tests.conftest import adopt_and_build, run_cli, write_tree

SERVER = """\
from flask import Flask, render_template

app = Flask("printer")


class Application:
    def __init__(self, handlers):
        self.handlers = handlers


class Server:
    def run(self):
        global app
        self._setup_flask_app(app)
        self._setup_views(app)

        self.web = self._setup_web()
        return self.web

    def _setup_flask_app(self, app):
        app.config["SECRET_KEY"] = "x"

    def _setup_views(self, app):
        app.add_url_rule("/", "index", lambda: render_template("index.html"))

    def _setup_web(self):
        app = Application([("/.*", None)])
        return app
"""

PROJECT: dict[str, str | bytes] = {
    "pyproject.toml": '[project]\nname = "printer"\nversion = "1"\n',
    "src/printer/__init__.py": "",
    "src/printer/server/__init__.py": SERVER,
    "src/printer/static/css/site.css": "body { color: #123456; }\n",
    "src/printer/templates/index.html": (
        '<!doctype html><title>x</title><link rel="icon" href="data:,">\n'
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
    ),
    # the main page's bundles: Flask-Assets' (webassets builds and serves them)
    "src/printer/templates/bundles.html": (
        '{% assets "js_libs" %}<script src="{{ ASSET_URL }}"></script>{% endassets %}\n'
    ),
}


def test_a_named_app_package_gives_its_folders_and_the_lines_go_where_it_is_set_up(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, PROJECT)
    project = discover(tmp_path)
    assert project.app is not None
    assert project.static_dir == tmp_path / "src/printer/static"
    assert project.templates_dir == tmp_path / "src/printer/templates"
    assert project.styles == ["css/site.css"]
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert not (tmp_path / "src/printer/server/static").exists()
    config = (tmp_path / "pipeline.yaml").read_text()
    # the audit imports the package as the project runs it, not as src.printer (its own
    # absolute imports would fail); the comment does not claim Flask(__name__)
    assert '#   app: "printer.server:app"' in config, config
    assert "# Flask app: src/printer/server/__init__.py (app = Flask(...))." in config, config
    assert (
        "in src/printer/server/__init__.py: this one inside run(), after line 15, once app is"
        " configured (and before it is handed to the server)," in result.out
    ), result.out
    assert (
        "note: 1 template(s) load Flask-Assets bundles ({% assets %}: bundles.html): webassets"
        " builds and serves those scripts and stylesheets, and assetpipe leaves them as they are"
        in result.out
    ), result.out


@pytest.mark.node
def test_the_app_finds_the_config_in_the_project_folder_of_a_src_layout(tmp_path: Path) -> None:
    """Served over HTTP as the project runs it (``src`` on the path, the two lines where
    ``init`` says): the page links the hashed stylesheet, answered ``immutable``."""
    import urllib.request

    from tests.real_apps import serve

    write_tree(tmp_path, PROJECT)
    adopt_and_build(tmp_path)
    setup = "from printer import server\nserver.Server().run()\napp = server.app\n"
    with serve(tmp_path / "src", setup, adopt=True, log=tmp_path / "app.log") as base:
        page = urllib.request.urlopen(base + "/").read().decode()
        href = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert href.startswith("/static/css/site-") and href.endswith(".css"), page
        with urllib.request.urlopen(base + href) as css:
            assert "immutable" in css.headers["Cache-Control"]
