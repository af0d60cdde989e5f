"""``assetpipe init`` on an app that is a Flask subclass naming itself in its own ``__init__``
(MoinMoin's ``class MoinApp(Flask)`` calling ``super().__init__("moin")``, made by a factory
with keyword arguments only): it said "No Flask app found here" and gave the steps of an app
that is not Flask. It now finds the app, its folders, and says the two lines go at the end of
that ``__init__`` as ``AssetPipe(self)``; pasted there, the app serves the build. The package
is installed too (a copy on ``PYTHONPATH``, as a user running a PyPI app in place has it), and
``init``'s note on installed packages no longer names the app's own."""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.config import load_config
from tests.conftest import run_cli, write_tree

APP = """\
from flask import Flask, render_template


class WikiApp(Flask):
    def __init__(self, config_file=None, warn=True):
        super().__init__("wiki")
        if config_file == "help":
            return
        self.config["LOADED"] = config_file

        @self.route("/")
        def index():
            return render_template("index.html")

        self.jinja_env.globals["site"] = "Wiki"


def create_app(config=None):
    return create_app_ext(config_file=config)


def create_app_ext(config_file=None, **kwargs):
    return WikiApp(config_file=config_file, **kwargs)
"""
FILES: dict[str, str | bytes] = {
    "wiki/__init__.py": "",
    "wiki/app.py": APP,
    "wiki/static/css/site.css": "body { color: #123456; }\n",
    "wiki/templates/index.html": (
        "<title>{{ site }}</title>\n"
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
    ),
}


def test_init_finds_a_flask_subclass_and_places_the_lines_in_its_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    write_tree(project, FILES)
    write_tree(tmp_path / "site", FILES)  # the same package, installed
    env = {
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    }
    done = run_cli("init", cwd=project, env=env)
    assert done.code == 0, done.out + done.err
    assert "No Flask app found" not in done.out, done.out
    assert "at the end of WikiApp.__init__(), after line 15" in done.out, done.out
    assert "    AssetPipe(self)" in done.out, done.out
    assert "ship static files" not in done.out, done.out  # the app's own package
    cfg = load_config(project / "pipeline.yaml")
    assert cfg.source == project / "wiki" / "static"
    assert [Path(d).name for d in cfg.templates.dirs] == ["templates"]
    # the two lines where init said, then the build: the page links the hashed stylesheet
    lines = APP.splitlines()
    lines[14:14] = ["        from assetpipe.flask import AssetPipe", "        AssetPipe(self)"]
    (project / "wiki" / "app.py").write_text("\n".join(lines) + "\n")
    build(project / "pipeline.yaml")
    monkeypatch.syspath_prepend(str(project))
    for name in ("wiki", "wiki.app"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    app = importlib.import_module("wiki.app").create_app()
    _links_immutable_css(app, "/", r"/static/css/site-[A-Z2-7]{8}\.css")


def _links_immutable_css(app: Any, page_url: str, css_url: str) -> None:
    """The app's page at ``page_url`` links a stylesheet whose URL matches ``css_url``, which
    the app answers as a hashed file (a year, ``immutable``)."""
    page = app.test_client().get(page_url).get_data(as_text=True)
    css = re.search(f'href="({css_url})"', page)
    assert css, page
    with app.test_client().get(css.group(1)) as got:
        assert got.headers["Cache-Control"] == "public, max-age=31536000, immutable"


#: Indico's layout: the app class with a mixin before Flask, made in a factory in another
#: module, its folders named relative to the package; a shallower utility script with an app
#: of its own and no folders
MIXED: dict[str, str | bytes] = {
    "confapp/__init__.py": "",
    "confapp/web/__init__.py": "",
    "confapp/web/flask/__init__.py": "",
    "confapp/web/flask/wrappers.py": """\
        from flask import Flask


        class PluginMixin:
            plugin = None


        class ConfFlask(PluginMixin, Flask):
            pass
        """,
    "confapp/web/flask/app.py": """\
        from flask import render_template

        from confapp.web.flask.wrappers import ConfFlask


        def make_app(testing=False):
            app = ConfFlask(
                "confapp", static_folder="web/static", template_folder="web/templates"
            )
            app.add_url_rule("/", "index", lambda: render_template("index.html"))
            return app
        """,
    "confapp/web/static/css/site.css": "body { color: #123456; }\n",
    "confapp/web/templates/index.html": FILES["wiki/templates/index.html"],
    "bin/utils/proxy.py": "from flask import Flask\n\napp = Flask(__name__)\n",
}


def test_init_finds_a_flask_subclass_with_a_mixin_before_flask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``class IndicoFlask(PluginFlaskMixin, Flask)`` was no Flask class to ``init``: it took
    Indico's ``bin/utils/apiProxy.py`` (``app = Flask(__name__)``, no folders) for the app,
    made it an empty static folder and built nothing."""
    write_tree(tmp_path, MIXED)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert "in confapp/web/flask/app.py" in done.out, done.out
    assert not (tmp_path / "bin/utils/static").exists()
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == tmp_path / "confapp/web/static"
    text = (tmp_path / "confapp/web/flask/app.py").read_text()
    (tmp_path / "confapp/web/flask/app.py").write_text(
        text.replace(
            "    return app\n",
            "    from assetpipe.flask import AssetPipe\n\n    AssetPipe(app)\n    return app\n",
        )
    )
    build(tmp_path / "pipeline.yaml")
    monkeypatch.syspath_prepend(str(tmp_path))
    page = importlib.import_module("confapp.web.flask.app").make_app().test_client().get("/")
    assert re.search(r'href="/static/css/site-[A-Z2-7]{8}\.css"', page.get_data(as_text=True))


#: Lektor 3.3's admin UI: ``class WebUI(Flask)`` calling ``Flask.__init__(self, "lektor.admin",
#: static_url_path="/admin/static")``, not ``super().__init__``, then its blueprints
EXPLICIT: dict[str, str | bytes] = {
    "pub/__init__.py": "",
    "pub/admin/__init__.py": "",
    "pub/admin/webui.py": """\
        from flask import Flask, render_template


        class WebUI(Flask):
            def __init__(self, env, debug=False):
                Flask.__init__(self, "pub.admin", static_url_path="/admin/static")
                self.env = env
                self.debug = debug
                self.add_url_rule("/admin/", "dash", lambda: render_template("dash.html"))


        WebAdmin = WebUI
        """,
    "pub/admin/static/app.css": "body { color: #123456; }\n",
    "pub/admin/templates/dash.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='app.css') }}\">\n"
    ),
}


def test_init_finds_a_flask_subclass_calling_flask_init_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lektor's ``Flask.__init__(self, "lektor.admin", ...)`` was no import name to ``init``
    (only ``super().__init__(...)`` was): "No Flask app found here", ``public_path:
    /static/`` where the admin serves ``/admin/static/``, the steps of an app that is not
    Flask. It is read as MoinMoin's call is now, its ``static_url_path`` too."""
    write_tree(tmp_path, EXPLICIT)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert "No Flask app found" not in done.out, done.out
    assert "at the end of WebUI.__init__(), after line 9" in done.out, done.out
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == tmp_path / "pub/admin/static"
    assert cfg.public_path == "/admin/static/"
    lines = (tmp_path / "pub/admin/webui.py").read_text().splitlines()
    lines[9:9] = ["        from assetpipe.flask import AssetPipe", "        AssetPipe(self)"]
    (tmp_path / "pub/admin/webui.py").write_text("\n".join(lines) + "\n")
    build(tmp_path / "pipeline.yaml")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = importlib.import_module("pub.admin.webui").WebUI(env=None)
    _links_immutable_css(app, "/admin/", r"/admin/static/app-[A-Z2-7]{8}\.css")


#: knowledge-repo's layout: the class names its app (``Flask.__init__(self, __name__, ...)``) in
#: ``pkg/app/app.py``; ``pkg/repository.py`` makes one with ``app.KnowledgeFlask(self, ...)``
#: beside the package's own ``static/`` (empty) and ``templates/`` (its post templates, no page)
MADE_ELSEWHERE: dict[str, str | bytes] = {
    "kr/__init__.py": "",
    "kr/repository.py": """\
        class Repository:
            def get_app(self, *args, **kwargs):
                from . import app

                return app.KnowledgeApp(self, *args, **kwargs)
        """,
    "kr/static/.keep": "",
    "kr/templates/post_template.md": "# title\n",
    "kr/app/__init__.py": "",
    "kr/app/app.py": """\
        from flask import Flask, render_template


        class KnowledgeApp(Flask):
            def __init__(self, repo, debug=None, **kwargs):
                Flask.__init__(
                    self, __name__, template_folder="templates", static_folder="static"
                )
                self.repo = repo
                self.add_url_rule("/", "index", lambda: render_template("index.html"))
        """,
    "kr/app/static/css/site.css": "body { color: #123456; }\n",
    "kr/app/templates/index.html": FILES["wiki/templates/index.html"],
}


def test_init_reads_a_self_naming_subclass_where_it_names_itself_not_where_it_is_made(
    tmp_path: Path,
) -> None:
    """``app.KnowledgeFlask(self, ...)`` was read as the app's creation with import name
    ``self``: its module's folder (the package's empty ``static/``) became the source, 0 of the
    app's files were built, and the two lines were to go after that call in ``repository.py``.
    The class names the app in its own ``__init__``: the app's folders are the class's."""
    write_tree(tmp_path, MADE_ELSEWHERE)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert "in kr/app/app.py: this one at the end of KnowledgeApp.__init__()" in done.out, done.out
    assert "    AssetPipe(self)" in done.out, done.out
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == tmp_path / "kr" / "app" / "static"
    assert [Path(d).name for d in cfg.templates.dirs] == ["templates"]
    build(tmp_path / "pipeline.yaml")
    page = (tmp_path / "dist" / "templates" / "index.html").read_text()
    assert re.search(r"css/site-[A-Z2-7]{8}\.css", page), page
