"""``assetpipe init`` on small layouts written here (the real apps are in test_real_apps.py):
what it finds, that what it writes loads and builds, and that every static file lands in exactly
one stage."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assetpipe.adopt import discover, init
from assetpipe.config import load_config
from assetpipe.errors import UsageError
from assetpipe.pipeline.sources import globmatch
from tests.conftest import claiming_stages, run_cli, write_tree


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


FLAT: dict[str, str | bytes] = {
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "static/css/site.css": "body { background: url(../img/bg.png); }\n",
    "static/js/sidebar.js": "function sidebarColor(el) { el.style.color = 'red'; }\n",
    "static/js/app.mjs": "export const x = 1;\n",
    "static/js/unused.js": "var u = 1;\n",
    "static/img/bg.png": _png(),
    "static/img/team/a (1).png": _png(),
    "static/favicon.png": _png(),
    "static/fonts/x.woff2": b"wOF2fake",
    "templates/base.html": """\
        <link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}">
        <script src="{{ url_for("static", filename="js/sidebar.js") }}"></script>
        <script type="module" src="/static/js/app.mjs"></script>
        <script src="https://cdn.example.com/lib.js"></script>
        <link rel="icon" href="/static/favicon.png">
        """,
    "templates/pages/index.html": "{% extends 'base.html' %}<img src='/static/img/bg.png'>\n",
}


def test_flat_app_py_layout(tmp_path: Path) -> None:
    write_tree(tmp_path, FLAT)
    p = discover(tmp_path)
    assert p.app is not None and p.app.variable == "app" and p.app.factory is None
    assert p.static_dir == tmp_path / "static" and p.templates_dir == tmp_path / "templates"
    assert p.scripts == ["js/sidebar.js", "js/app.mjs"] and p.classic == ["js/sidebar.js"]
    assert p.styles == ["css/site.css"] and p.image_dirs == ["img"] and p.templates == 2


def test_written_config_loads_and_claims_every_file_once(tmp_path: Path) -> None:
    write_tree(tmp_path, FLAT)
    result = init(tmp_path)
    assert result.where == "in app.py, after app = Flask(__name__)"
    stages = claiming_stages(result.path)
    assert all(len(s) == 1 for s in stages.values()), stages
    assert stages["img/team/a (1).png"] == ["images"] and stages["favicon.png"] == ["static"]
    assert stages["js/unused.js"] == ["static"] and stages["fonts/x.woff2"] == ["static"]
    text = result.path.read_text()
    assert "# The scripts your templates load" in text and "js/sidebar.js" in text
    assert '#   app: "app:app"' in text


@pytest.mark.node
def test_written_config_builds_and_keeps_classic_globals(tmp_path: Path) -> None:
    write_tree(tmp_path, FLAT)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "Add these two lines in app.py: this one after app = Flask(__name__)," in result.out
    assert "and this import in app.py, after line 1, with its imports:" in result.out
    assert "\n    AssetPipe(app)\n" in result.out
    assert "\n    from assetpipe.flask import AssetPipe\n" in result.out
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.err
    manifest = yaml.safe_load((tmp_path / "dist" / "manifest.json").read_text())
    entries = manifest.get("entries", manifest)
    js = (tmp_path / "dist" / "public" / entries["js/sidebar.js"]["file"]).read_text()
    assert "function sidebarColor(" in js  # a classic script keeps its global function
    assert set(entries) >= {
        "css/site.css",
        "js/app.mjs",
        "img/bg.png",
        "favicon.png",
        "fonts/x.woff2",
        "js/unused.js",
    }


def test_package_with_factory_and_custom_static_folder(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "myapp/__init__.py": (
                "from flask import Flask\n\n\ndef create_app():\n"
                "    app = Flask(__name__, static_folder='assets', "
                "static_url_path='/a')\n    return app\n"
            ),
            "myapp/assets/main.css": "p{}\n",
            "myapp/templates/x.html": '<link rel="stylesheet" href="/a/main.css">\n',
            "tests/conftest.py": "from flask import Flask\napp = Flask(__name__)\n",
            "scripts/tool.py": "from flask import Flask\ntool = Flask('tool')\n",
        },
    )
    result = init(tmp_path)
    p = result.project
    assert p.app is not None and p.app.factory == "create_app"
    assert p.static_dir == tmp_path / "myapp" / "assets" and p.public_path == "/a/"
    assert p.styles == ["main.css"]
    assert result.where == (
        "in myapp/__init__.py, inside create_app(), before its `return app` (line 6)"
    )
    cfg = load_config(result.path)
    assert cfg.source == tmp_path / "myapp" / "assets" and cfg.public_path == "/a/"
    assert cfg.templates.dirs == ("../templates",)
    assert "# Also creates a Flask app (not used here): scripts/tool.py" in result.text
    assert '#   app: "myapp:create_app"' in result.text


def test_no_app_and_existing_config_are_usage_errors(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "nothing here\n"})
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 2 and "no Flask app with a static folder found" in result.err
    write_tree(tmp_path, FLAT)
    (tmp_path / "pipeline.yaml").write_text("source: static\n")
    with pytest.raises(UsageError, match="already exists"):
        init(tmp_path)
    result = run_cli("init", "--force", cwd=tmp_path)
    assert result.code == 0, result.err
    assert load_config(tmp_path / "pipeline.yaml").scripts.entries == (
        "js/sidebar.js",
        "js/app.mjs",
    )


def test_static_folder_without_app_is_found(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "site/static/css/a.css": "p{}\n",
            "site/templates/a.html": "<link rel=stylesheet href='/static/css/a.css'>",
        },
    )
    p = discover(tmp_path)
    assert p.app is None and p.static_dir == tmp_path / "site" / "static"
    assert p.styles == ["css/a.css"]


def test_an_app_that_is_not_flask_is_told_how_to_serve_the_build(tmp_path: Path) -> None:
    """No Flask app in the folder (Datasette, a bare ASGI or WSGI app): ``init`` says how any
    app serves the build and renders its templates, not the Flask extension's two lines (a
    Starlette or FastAPI app gets ``assetpipe.starlette``'s: ``tests/test_starlette.py``)."""
    write_tree(
        tmp_path,
        {
            "static/css/a.css": "p{}\n",
            "templates/a.html": "<link rel=stylesheet href='/static/css/a.css'>",
            "app.py": "async def app(scope, receive, send):\n    pass\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "AssetPipe(app)" not in result.out and "No Flask app found" in result.out
    assert f'output="{tmp_path.resolve() / "dist"}"' in result.out
    assert "dist/templates" in result.out
    assert "AssetMiddleware" in (tmp_path / "pipeline.yaml").read_text()


def test_static_globs_name_whole_folders_at_any_depth(tmp_path: Path) -> None:
    from assetpipe.adopt.discover import Project
    from assetpipe.adopt.globs import static_globs

    project = Project(
        root=tmp_path,
        app=None,
        static_dir=tmp_path,
        templates_dir=None,
        public_path="/static/",
        static_files=[
            "a.txt",
            "vendor/jq/jquery.js",
            "vendor/jq/jquery.map",
            "vendor/jq/ui/x.js",
            "vendor/bs/b.css",
            "vendor/bs/fonts/f.woff",
            "img/a.png",
            "img/icons/i.svg",
        ],
    )
    claimed = {"vendor/jq/jquery.js", "img/a.png"}
    globs = static_globs(project, claimed)
    assert globs == [
        "a.txt",
        "vendor/jq/jquery.map",
        "vendor/jq/ui/**",
        "vendor/bs/**",
        "img/icons/**",
    ]
    for f in project.static_files:
        assert globmatch(f, globs) != (f in claimed), f


def test_an_app_without_a_static_folder_gets_an_empty_one(tmp_path: Path) -> None:
    """Every asset of the app comes from its extensions (an app built on Flask-AppBuilder):
    init still writes a config that builds, and creates the app's static folder, empty."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": (
                "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n"
                "    return app\n"
            ),
            "app/views.py": "VIEWS = []\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (tmp_path / "app/static").is_dir() and not any((tmp_path / "app/static").iterdir())
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == tmp_path / "app" / "static"
    assert "created it, empty" in (tmp_path / "pipeline.yaml").read_text()
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.err


def test_an_empty_templates_folder_is_not_listed_so_strict_builds_pass(tmp_path: Path) -> None:
    """An API app (flasgger's Swagger UI, its templates and statics in the installed package)
    with an empty ``templates/``: init listed it, and the build's warning about a listed folder
    without templates made ``build --strict`` fail right after ``init``."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "app/static/site.css": "body { margin: 0; }\n",
        },
    )
    (tmp_path / "app/templates").mkdir()
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert not load_config(tmp_path / "pipeline.yaml").templates.dirs
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out


def test_litestar_url_for_file_path_names_the_entries(tmp_path: Path) -> None:
    """A Litestar app names its files ``url_for('static', file_path='K')`` (its static files
    router named ``static``): init counted "0 script(s), 0 stylesheet(s)", copied them as loose
    files, and the build left every one unhashed; and it said "No Flask app found here" with the
    generic middleware's three steps, where ``assetpipe.litestar``'s plugin takes two lines."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "from litestar import Litestar\n\napp = Litestar([])\n",
            "app/templates/base.html": (
                "<link rel=\"stylesheet\" href=\"{{ url_for('static', file_path='css/site.css') }}\">\n"
                "<script src=\"{{ url_for('static', file_path='js/site.js') }}\"></script>\n"
            ),
            "app/static/css/site.css": "body { margin: 0; }\n",
            "app/static/js/site.js": "window.ready = true;\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    # the plugin's two lines, where they go (it said "No Flask app found here")
    assert "add plugins=[AssetPipe()] to the Litestar(...) call at app/__init__.py:3" in result.out
    assert "    from assetpipe.litestar import AssetPipe\n    plugins=[AssetPipe()]," in result.out
    assert "No Flask app found" not in result.out
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert list(cfg.styles.entries) == ["css/site.css"]
    assert list(cfg.scripts.entries) == ["js/site.js"]
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    page = (tmp_path / "dist/templates/base.html").read_text()
    assert "file_path='css/site-" in page and "file_path='js/site-" in page, page


def test_templates_named_jinja2_are_included_so_the_build_rewrites_them(tmp_path: Path) -> None:
    """Templates ending in ``.jinja2`` (a blueprint tutorial's layout.jinja2): init finds them,
    so the config it writes must make the build rewrite them too."""
    write_tree(
        tmp_path,
        {
            "site/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
            "site/static/css/style.css": "body { color: #123; }\n",
            "site/templates/layout.jinja2": (
                "<link href=\"{{ url_for('static', filename='css/style.css') }}\" "
                'rel="stylesheet">\n'
            ),
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "**/*.jinja2" in load_config(tmp_path / "pipeline.yaml").templates.include
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    layout = (tmp_path / "dist/templates/layout.jinja2").read_text()
    assert re.search(r"filename='css/style-[A-Z2-7]{8}\.css'", layout), layout


def test_a_flask_subclass_app_without_a_static_folder_is_not_given_a_themes_folder(
    tmp_path: Path,
) -> None:
    """CTFd's shape: ``CTFdFlask(__name__)`` (a subclass of Flask) in a factory, no ``static/``
    of its own, and ``themes/<name>/static/`` folders its own view serves under
    ``/themes/<name>/static/``. Init finds the app and its (missing) static folder; a theme's
    folder taken as ``/static/`` would hash files the app never serves there."""
    write_tree(
        tmp_path,
        {
            "CTFd/__init__.py": (
                "from flask import Flask\n\nclass CTFdFlask(Flask):\n    pass\n\n"
                "def create_app(config='CTFd.config.Config'):\n"
                "    app = CTFdFlask(__name__)\n    return app\n"
            ),
            "CTFd/themes/admin/static/assets/main.1a2b3c4d.js": "window.admin = 1;\n",
            "CTFd/themes/core/static/img/logo.png": _png(),
            "CTFd/themes/core/templates/base.html": (
                "<script src=\"{{ url_for('views.themes', path='assets/main.1a2b3c4d.js') }}\">"
                "</script>\n"
            ),
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == tmp_path / "CTFd" / "static"
    assert "in CTFd/__init__.py: this one inside create_app()" in result.out


BLUEPRINTS: dict[str, str | bytes] = {
    "shop/__init__.py": """\
        from flask import Flask, render_template


        def create_app():
            app = Flask(__name__)
            from .auth import bp as auth
            from .admin import bp as admin

            app.register_blueprint(auth)
            app.register_blueprint(admin)

            @app.route("/")
            def index():
                return render_template("base.html")

            return app
        """,
    "shop/auth/__init__.py": """\
        from flask import Blueprint, render_template

        bp = Blueprint(
            "auth", __name__, url_prefix="/auth",
            template_folder="templates",
        )


        @bp.route("/login")
        def login():
            return render_template("auth/login.html")
        """,
    "shop/admin/__init__.py": """\
        import flask

        bp = flask.Blueprint("admin", __name__, url_prefix="/admin", template_folder="views")
        """,
    "shop/static/css/auth.css": "form { margin: 2px; }\n",
    "shop/static/css/site.css": "body { margin: 0; }\n",
    "shop/templates/base.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
    ),
    "shop/auth/templates/auth/login.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/auth.css') }}\">\n"
        "<form></form>\n"
    ),
    # the same name as the app's own: Flask renders the app's, so init leaves this folder out
    "shop/admin/views/base.html": "<p>never rendered</p>\n",
}


def test_blueprint_template_folders_are_rewritten_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blueprint's own template folder (``Blueprint(..., template_folder=...)``) is listed
    after the app's, so the pages it renders load the hashed stylesheet; one whose template
    names the app's folder has too is left out with a comment (Flask never renders those)."""
    write_tree(tmp_path, BLUEPRINTS)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    text = (tmp_path / "pipeline.yaml").read_text()
    assert (
        "# Not listed: shop/admin/views, a blueprint's templates folder: Flask renders base.html"
        in text
    )
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.templates.dirs == ("../templates", "../auth/templates")
    assert set(cfg.styles.entries) == {"css/auth.css", "css/site.css"}
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err

    monkeypatch.syspath_prepend(str(tmp_path))
    from shop import create_app  # type: ignore[import-not-found]

    from assetpipe.flask import AssetPipe

    app = create_app()
    AssetPipe(app, config=tmp_path / "pipeline.yaml")
    with app.test_client() as client:
        page = client.get("/auth/login").get_data(as_text=True)
        href = re.search(r'href="([^"]+)"', page)
        assert href and re.fullmatch(r"/static/css/auth-[A-Z2-7]{8}\.css", href.group(1)), page
        assert client.get(href.group(1)).status_code == 200
        assert "site-" in client.get("/").get_data(as_text=True)


def test_a_module_level_app_gets_the_lines_after_its_config_is_set(tmp_path: Path) -> None:
    """Otter Wiki's server.py creates the app, then loads its settings file: ``AssetPipe(app)``
    reads its ``ASSETPIPE_*`` settings when called, so right after ``Flask(__name__)`` it
    ignored them. init now names the line after the last statement that sets the config."""
    write_tree(
        tmp_path,
        {
            "wiki/__init__.py": "",
            "wiki/server.py": """\
                import os
                from flask import Flask

                app = Flask(__name__)
                app.config.update(
                    SITE_NAME="wiki",
                )
                app.config["DEBUG"] = False
                if os.environ.get("WIKI_SETTINGS"):
                    pass
                app.config.from_envvar("WIKI_SETTINGS", silent=True)


                @app.route("/")
                def index():
                    return "hi"
                """,
            "wiki/static/site.css": "p{}\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "in wiki/server.py: this one after line 11, once app.config is set," in result.out, (
        result.out
    )
    flat = tmp_path / "flat"
    write_tree(flat, FLAT)
    assert "after app = Flask(__name__)" in run_cli("init", cwd=flat).out


def test_lines_after_a_config_set_inside_a_block_go_after_the_whole_block(
    tmp_path: Path,
) -> None:
    """archivy sets ``app.config[...]`` last inside an ``if`` nested in a ``with`` in an ``if``
    (line 73, 12 spaces in): "after line 73" left the lines where an editor's Enter puts the
    cursor, inside the innermost ``if``, so ``AssetPipe(app)`` ran only when ripgrep was
    missing. init names the block that ends there and says the lines go after it, unindented;
    pasted so, the app serves the build whatever the branch."""
    write_tree(
        tmp_path,
        {
            "kb/__init__.py": """\
                import os
                from flask import Flask, render_template

                app = Flask(__name__)
                app.config.from_object("kb.settings")
                if app.config["SEARCH"]:
                    with app.app_context():
                        if os.environ.get("KB_NO_RG"):
                            app.config["SEARCH"] = 0


                @app.route("/")
                def index():
                    return render_template("index.html")
                """,
            "kb/settings.py": "SEARCH = 1\n",
            "kb/static/site.css": "p { color: red; }\n",
            "kb/templates/index.html": (
                "<link rel=stylesheet href=\"{{ url_for('static', filename='site.css') }}\">\n"
            ),
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    said = (
        "in kb/__init__.py: this one after line 9 (where the `if` block of line 6 ends; not"
        " indented: after the whole block), once app.config is set,"
    )
    assert said in " ".join(result.out.split()), result.out
    assert run_cli("build", cwd=tmp_path).code == 0
    module = tmp_path / "kb" / "__init__.py"
    lines = module.read_text().splitlines()
    lines[9:9] = ["from assetpipe.flask import AssetPipe", "AssetPipe(app)"]
    module.write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        [sys.executable, "-c", "from kb import app; print(app.test_client().get('/').text)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(r"/static/site-[A-Z0-9]{8}\.css", out), out


def test_a_script_another_script_names_by_its_url_keeps_its_name(tmp_path: Path) -> None:
    """calibre-web's main.js finds the app's base URL from jQuery's tag:
    ``src.substr(0, src.search("/static/js/libs/jquery.min.js"))``. With jQuery hashed the
    search fails and the base reads ``""``: behind a URL prefix every request went to the site's
    root. A file another script names by its URL keeps its name."""
    write_tree(
        tmp_path,
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "static/js/libs/jquery.min.js": "window.jQuery = function () {};\n",
            "static/js/main.js": (
                "function getPath() { var s = document.querySelector('script[src*=jquery]').src;"
                ' return s.substr(0, s.search("/static/js/libs/jquery.min.js")); }\n'
            ),
            "templates/base.html": (
                "<script src=\"{{ url_for('static', filename='js/libs/jquery.min.js') }}\">"
                "</script>\n"
                "<script src=\"{{ url_for('static', filename='js/main.js') }}\"></script>\n"
            ),
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.scripts.entries == ("js/main.js",)
    assert "js/libs/jquery.min.js" in cfg.static.keep_names
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    base = (tmp_path / "dist/templates/base.html").read_text()
    assert "filename='js/libs/jquery.min.js'" in base, base
    assert re.search(r"filename='js/main-[A-Z2-7]{8}\.js'", base), base


def test_page_templates_in_a_flat_templates_folder_keep_their_first_image_eager(
    tmp_path: Path,
) -> None:
    """calibre-web's detail.html extends layout.html and shows the book's cover first (a route,
    so its size is unknown): with the default ``templates.pages`` (``pages/**``) no template
    was a page, and the cover, the likely LCP, got loading="lazy". init lists the templates
    that extend a layout and that none extends."""
    write_tree(
        tmp_path,
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "static/css/site.css": "body { margin: 0; }\n",
            "templates/base.html": (
                "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">"
                "{% block body %}{% endblock %}\n"
            ),
            "templates/layout.html": "{% extends 'base.html' %}{% block body %}{% endblock %}\n",
            "templates/detail.html": (
                "{% extends 'layout.html' %}{% block body %}\n"
                '<img id="cover" src="{{ url_for(\'get_cover\', book_id=1) }}">\n'
                "<img src=\"{{ url_for('get_cover', book_id=2) }}\">\n"
                "{% endblock %}\n"
            ),
            "templates/macros.html": "{% macro x() %}<b></b>{% endmacro %}\n",
            # calibre-web's pages pick their layout by an expression
            "templates/fragment.html": "{% block body %}{% endblock %}\n",
            "templates/shelf.html": (
                '{% extends is_xhr|yesno("fragment.html", "layout.html") %}'
                "{% block body %}<img src=\"{{ url_for('cover', i=1) }}\">{% endblock %}\n"
            ),
        },
    )
    assert run_cli("init", cwd=tmp_path).code == 0
    pages = load_config(tmp_path / "pipeline.yaml").templates.pages
    assert pages == ("detail.html", "shelf.html"), pages
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    cover, second = (tmp_path / "dist/templates/detail.html").read_text().splitlines()[1:3]
    assert "loading" not in cover, cover
    assert 'loading="lazy"' in second, second


def test_init_run_again_after_the_lines_are_in_does_not_ask_for_them_again(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, FLAT)
    first = run_cli("init", cwd=tmp_path)
    assert "Add these two lines in app.py" in first.out
    app_py = tmp_path / "app.py"
    app_py.write_text(
        app_py.read_text() + "from assetpipe.flask import AssetPipe\nAssetPipe(app)\n"
    )
    again = run_cli("init", "--force", cwd=tmp_path)
    assert again.code == 0, again.err
    assert "Add these two lines" not in again.out
    assert "app.py already calls AssetPipe(...): run `assetpipe build`." in again.out


def test_an_app_made_in_a_function_of_another_name_gets_the_lines_once_configured(
    tmp_path: Path,
) -> None:
    """rq-dashboard's ``make_flask_app()`` makes the app, then reads its settings
    (``from_object``, and ``from_envvar`` under an ``if``): init said "after app =
    Flask(__name__)", so ``ASSETPIPE_*`` settings in that file were ignored. It returns the app:
    a factory whatever its name, whose lines go before its ``return app``, after them all."""
    write_tree(
        tmp_path,
        {
            "dash/__init__.py": "",
            "dash/cli.py": """\
                import os
                from flask import Flask


                def make_flask_app(config):
                    app = Flask(__name__)
                    app.config.from_object("dash.defaults")

                    if "DASH_SETTINGS" in os.environ:
                        app.config.from_envvar("DASH_SETTINGS")

                    def later():
                        app.config["X"] = 1  # a nested function: not the app being configured

                    app.register_blueprint(later)
                    return app
                """,
            "dash/static/site.css": "p{}\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (
        "in dash/cli.py: this one inside make_flask_app(), before its `return app` (line 16),"
        in result.out
    ), result.out


def test_an_app_run_by_a_function_gets_the_lines_once_configured(tmp_path: Path) -> None:
    """A function that makes the app and runs it (no ``return app``: not a factory) gets
    the lines after the last statement that sets its config, the ``if`` block's whole."""
    write_tree(
        tmp_path,
        {
            "dash/__init__.py": "",
            "dash/cli.py": """\
                import os
                from flask import Flask


                def main():
                    app = Flask(__name__)
                    app.config.from_object("dash.defaults")

                    if "DASH_SETTINGS" in os.environ:
                        app.config.from_envvar("DASH_SETTINGS")
                    app.run()
                """,
            "dash/static/site.css": "p{}\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (
        "in dash/cli.py: this one inside main(), after line 10 (where the `if` block of line"
        " 9 ends; 4 spaces in, as line 9: after the whole block), once app.config is set,"
        in result.out
    ), result.out


def test_an_app_made_in_a_function_is_adopted_where_init_says(tmp_path: Path) -> None:
    """Supysonic's ``create_application()`` (``global app``) makes the app and returns it: a
    factory, though not one named ``create_app``. init named "after line 8, once app.config is
    set" (first after a block's last line, 12 spaces in, where ``AssetPipe(app)`` never ran);
    a factory's lines go before its ``return app``, once the app is configured, and the
    audit's hint calls it. So pasted, the app is adopted."""
    write_tree(
        tmp_path,
        {
            "tunes/__init__.py": "",
            "tunes/web.py": """\
                import mimetypes
                from flask import Flask


                def create_application(config=None):
                    global app
                    app = Flask(__name__)
                    app.config.from_mapping(MIMETYPES={"xyz": "audio/x-xyz"} if config else {})
                    cache_dir = app.config.get("CACHE_DIR")
                    for k, v in app.config["MIMETYPES"].items():
                        if "." + k not in mimetypes.types_map:
                            mimetypes.add_type(v, "." + k, False)
                    app.cache_dir = cache_dir
                    return app
                """,
            "tunes/static/site.css": "p{}\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (
        "in tunes/web.py: this one inside create_application(), before its `return app` (line"
        " 14)," in result.out
    ), result.out
    text = (tmp_path / "pipeline.yaml").read_text()
    assert "(the app factory create_application())" in text, text
    web = tmp_path / "tunes/web.py"
    lines = web.read_text().splitlines()
    pasted = ["    from assetpipe.flask import AssetPipe", "    AssetPipe(app)"]
    web.write_text("\n".join(lines[:13] + pasted + lines[13:]) + "\n")
    assert run_cli("build", cwd=tmp_path).code == 0
    # the audit's hint names the factory (no ``audit: app:`` was written before session 19:
    # the audit rendered the templates itself, outside the app, and Supysonic's home page 500d)
    hint = re.search(r'^#   app: "(.+)"$', text, re.M)
    assert hint is not None and hint[1] == "tunes.web:create_application", hint
    code = (
        "from pathlib import Path; from assetpipe.serve.userapp import import_app; "
        f"print(sorted(import_app({hint[1]!r}, Path('.')).extensions))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "assetpipe" in done.stdout, done.stdout


def test_no_audit_hint_names_a_function_that_needs_arguments(tmp_path: Path) -> None:
    """A function that makes the app but needs an argument (rq-dashboard's
    ``make_flask_app(config)``) cannot be called by the audit: no ``audit: app:`` hint."""
    write_tree(
        tmp_path,
        {
            "dash/__init__.py": "",
            "dash/cli.py": "from flask import Flask\n\n\ndef make_flask_app(config):\n"
            "    app = Flask(__name__)\n    return app\n",
            "dash/static/site.css": "p{}\n",
        },
    )
    assert run_cli("init", cwd=tmp_path).code == 0
    assert "# audit:" not in (tmp_path / "pipeline.yaml").read_text()


def test_init_says_which_scripts_it_copies_rather_than_bundles(tmp_path: Path) -> None:
    """bukuserver's scripts are named by a macro's computed url_for and its stylesheets in
    Python: init found "0 script(s)" and said nothing else, as if it had missed them. It says
    how many it copies with hashed names and why; the files a tag loads are not counted, nor a
    self-locating library's."""
    write_tree(
        tmp_path,
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"
            "EXTRA_CSS = ['/static/css/extra.css']\n",
            "static/css/extra.css": "body { color: #333; }\n",
            "static/js/chart.js": "var Chart = 1;\n",
            "static/js/site.js": "var site = 1;\n",
            # finds its folder from its own <script> tag, as CKEditor 4 does
            "static/ckeditor/ckeditor.js": "var CKEDITOR = {basePath: [].slice.call("
            "document.getElementsByTagName('script')).pop().src.replace(/[^/]*$/, '')};\n",
            "static/ckeditor/lang/en.js": "var en = 1;\n",
            "static/ckeditor/plugins/a/plugin.js": "var a = 1;\n",
            "static/ckeditor/skins/moono/editor.css": "a { color: red; }\n",
            "templates/base.html": """\
                {% macro script(name) %}<script src="{{ url_for('static', filename='js/' + name) }}"></script>{% endmacro %}
                <script src="{{ url_for('static', filename='js/site.js') }}"></script>
                <script src="{{ url_for('static', filename='ckeditor/ckeditor.js') }}"></script>
                {{ script('chart.js') }}
                """,
        },
    )
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.err
    first = done.out.splitlines()[0]
    assert "1 script(s) (1 classic)" in first and "other file(s) copied" in first, first
    assert "1 script(s) and 1 stylesheet(s) that no <script src> or <link> tag loads" in (
        done.out
    ), done.out


def test_a_factory_s_own_name_for_the_app_is_in_the_two_lines(tmp_path: Path) -> None:
    """Fava's ``create_app()`` calls its app ``fava_app``, and its module then makes
    ``app = create_app([])``: pasted where init said, ``AssetPipe(app)`` was a NameError on
    import (``app`` is not bound yet). The lines name the factory's own local; so pasted, the
    module imports and the app is wrapped."""
    write_tree(
        tmp_path,
        {
            "ledgerweb/__init__.py": "",
            "ledgerweb/application.py": """\
                from flask import Flask


                def create_app(files, *, debug=False):
                    web_app = Flask("ledgerweb")
                    web_app.config["FILES"] = list(files)
                    return web_app


                app = create_app([])
                """,
            "ledgerweb/static/site.css": "p{}\n",
            "ledgerweb/templates/layout.html": (
                "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='site.css') }}\">\n"
            ),
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "inside create_app(), before its `return web_app` (line " in result.out, result.out
    assert "\n    AssetPipe(web_app)\n" in result.out
    assert "\n    from assetpipe.flask import AssetPipe\n" in result.out
    module = tmp_path / "ledgerweb" / "application.py"
    pasted = "    AssetPipe(web_app)\n    return web_app"
    text = module.read_text().replace("    return web_app", pasted)
    module.write_text("from assetpipe.flask import AssetPipe\n" + text)
    run = subprocess.run(
        [sys.executable, "-c", "import ledgerweb.application as m; print(m.app.extensions)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0 and "assetpipe" in run.stdout, run.stderr[-2000:]


def test_the_factorys_return_lines_are_named(tmp_path: Path) -> None:
    """A long factory (pgAdmin's ``create_app()`` runs ~800 lines) gets the line of its
    ``return app``; one with an early return gets each (a nested function's is not one); one
    that returns no app name keeps the words."""
    write_tree(
        tmp_path,
        {
            "site/__init__.py": (
                "from flask import Flask\n\n\n"
                "def create_app(testing=False):\n"  # line 4
                "    app = Flask(__name__)\n"
                "    if testing:\n"
                "        return app\n"  # line 7
                "\n"
                "    def helper():\n"
                "        return app\n"  # a nested function's: not named
                "    app.config['X'] = helper\n"
                "    return app\n"  # line 12
            ),
            "site/static/site.css": "p{}\n",
        },
    )
    where = init(tmp_path).where
    assert (
        where == "in site/__init__.py, inside create_app(), before each `return app` (lines 7, 12)"
    )
    module = tmp_path / "site" / "__init__.py"
    module.write_text(module.read_text().replace("    if testing:\n        return app\n", ""))
    where = init(tmp_path, force=True).where
    assert where == "in site/__init__.py, inside create_app(), before its `return app` (line 10)"
    module.write_text(module.read_text().replace("    return app\n", "    return build(app)\n"))
    where = init(tmp_path, force=True).where
    assert where == "in site/__init__.py, inside create_app() once the app is configured"


def test_a_litestar_call_with_plugins_is_told_to_add_to_its_list(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "main.py": (
                "from litestar import Litestar\n\napp = Litestar(\n    [],\n"
                "    plugins=[\n        Other(),\n    ],\n)\n"
            ),
            "static/site.css": "body { margin: 0; }\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "add AssetPipe() to the plugins list at main.py:5" in result.out, result.out
    assert "    plugins=[..., AssetPipe()]," in result.out
