"""Which of several Flask apps ``assetpipe init`` adopts when modules at one depth each make
one over the same folders. SimpleLogin's root holds ``maintenance_app.py`` (an app answering
503 while the service is down), ``server.py`` (a light app for scripts, and the factory that
picks one) and ``simplelogin_app.py`` (the app: its blueprints, extensions, routes): ``init``
took the first by name, the maintenance app, and said to paste the two lines there, so the
running app never served the build. The app that wires up most (blueprints, routes, extensions)
is the project's."""

from __future__ import annotations

from pathlib import Path

from assetpipe.config import load_config
from tests.conftest import run_cli, write_tree

FILES: dict[str, str | bytes] = {
    "maintenance_app.py": """\
        from flask import Flask, render_template


        def create_maintenance_app():
            app = Flask(__name__)

            @app.route("/health")
            def health():
                return "ok"

            @app.before_request
            def down():
                return render_template("error/503.html"), 503

            return app
        """,
    "server.py": """\
        from flask import Flask


        def create_light_app():
            app = Flask(__name__)
            app.config["DB"] = "sqlite://"
            return app


        def create_app():
            from site_app import create_site_app

            return create_site_app()
        """,
    "site_app.py": """\
        from flask import Flask, render_template

        from views import account, dashboard, api


        def create_site_app():
            app = Flask(__name__)
            app.register_blueprint(account)
            app.register_blueprint(dashboard)
            app.register_blueprint(api)
            app.add_url_rule("/", "index", lambda: render_template("index.html"))
            return app
        """,
    "views.py": """\
        from flask import Blueprint

        account = Blueprint("account", __name__)
        dashboard = Blueprint("dashboard", __name__)
        api = Blueprint("api", __name__)
        """,
    "static/css/site.css": "body { color: #123456; }\n",
    "templates/index.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
    ),
    "templates/error/503.html": "<p>down</p>\n",
}


def test_init_adopts_the_app_that_wires_up_blueprints_not_the_first_by_name(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, FILES)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert "Add these two lines in site_app.py: this one inside create_site_app()" in done.out, (
        done.out
    )
    assert load_config(tmp_path / "pipeline.yaml").source == tmp_path / "static"


#: Canonical's sites (ubuntu.com, snapcraft.io): the app is a Flask subclass of an installed
#: package, made as Flask is, its folders beside the app's package
MADE_BY_AN_INSTALLED_SUBCLASS: dict[str, str | bytes] = {
    "webapp/__init__.py": "",
    "webapp/app.py": """\
        from flask import render_template
        from sitekit.flask_base.app import SiteBase
        from webapp.views import shop

        app = SiteBase(
            __name__,
            "example.com",
            template_folder="../templates",
            template_404="404.html",
            static_folder="../static",
        )
        app.register_blueprint(shop)
        app.add_url_rule("/", "index", lambda: render_template("index.html"))
        """,
    "webapp/views.py": """\
        from flask import Blueprint

        shop = Blueprint(__name__, __name__, template_folder="shop_templates")
        """,
    "static/css/site.css": "body { color: #123456; }\n",
    "templates/index.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
    ),
}


def test_init_finds_an_app_made_by_an_installed_flask_subclass(tmp_path: Path) -> None:
    """``app = FlaskBase(__name__, "ubuntu.com", template_folder=..., static_folder=...)``,
    ``FlaskBase`` imported from ``canonicalwebteam.flask_base`` (not installed here, as in a
    checkout): ``init`` said "No Flask app found" and gave the steps of an app that is not
    Flask. A class made as Flask is (``__name__`` first, a folder keyword) is one; a Blueprint
    made so is not."""
    write_tree(tmp_path, MADE_BY_AN_INSTALLED_SUBCLASS)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert "Add these two lines in webapp/app.py" in done.out, done.out
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == tmp_path / "static"
    assert [Path(d).name for d in cfg.templates.dirs] == ["templates"]
