"""``assetpipe init`` on patterns met adopting real Flask apps (Bluelog, Soft UI Dashboard).

An app that loads a self-locating library (the CKEditor pattern, met in
a real Flask blog: ``static/ckeditor/ckeditor.js`` finds its base URL by matching its own
``<script src>`` against ``/ckeditor\\.js$/`` and then loads ``config.js``, ``lang/en.js`` and
its skin from there). The library here is written for the test and does the same with
``editor/editor.js``; before the fix ``init`` made it a script entry, the build hashed it to
``editor-HASH.js``, the editor no longer recognised its own tag and requested ``lang/en.js``
under the page's URL (404, an uncaught error, no editor)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from assetpipe.adopt import discover, init
from assetpipe.config import load_config
from assetpipe.pipeline.sources import globmatch
from tests.conftest import adopt_and_build, write_tree
from tests.real_apps import run_cli, serve, view


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 16), (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


EDITOR = """\
(function () {
  var base = "";
  var tags = document.getElementsByTagName("script");
  for (var i = 0; i < tags.length; i++) {
    var m = (tags[i].getAttribute("src") || "").match(/^(.*\\/)?editor\\.js(\\?.*)?$/);
    if (m) { base = m[1] || ""; }
  }
  window.EDITOR = {
    basePath: base,
    start: function (id) {
      var s = document.createElement("script");
      s.src = base + "lang/en.js";
      s.onload = function () { document.getElementById(id).textContent = window.EDITOR_LANG.hello; };
      document.head.appendChild(s);
    },
  };
})();
"""

APP: dict[str, str | bytes] = {
    "app.py": (
        "from flask import Flask, render_template\n\napp = Flask(__name__)\n\n\n"
        "@app.get('/admin/post/new')\ndef new_post():\n"
        "    return render_template('new_post.html')\n"
    ),
    "static/js/site.js": "function siteReady() { return 1; }\n",
    "static/editor/editor.js": EDITOR,
    "static/editor/lang/en.js": 'window.EDITOR_LANG = { hello: "Editor ready" };\n',
    "static/editor/skins/moono/icons.png": _png(),
    "static/img/logo.png": _png(),
    "templates/new_post.html": """\
        <!doctype html><title>New post</title><link rel="icon" href="data:,">
        <img src="{{ url_for('static', filename='img/logo.png') }}" width="32" height="16" alt="">
        <div id="body">loading</div>
        <script src="{{ url_for('static', filename='js/site.js') }}"></script>
        <script src="{{ url_for('static', filename='editor/editor.js') }}"></script>
        <script>EDITOR.start("body");</script>
        """,
}


def test_self_locating_library_is_kept_by_name_not_bundled(tmp_path: Path) -> None:
    write_tree(tmp_path, APP)
    p = discover(tmp_path)
    assert p.kept_dirs == ["editor"]
    assert p.scripts == ["js/site.js"] and p.classic == ["js/site.js"]
    assert p.image_dirs == ["img"]  # the editor's skin icons are not resized
    cfg = load_config(init(tmp_path).path)
    assert cfg.static.keep_names == ("editor/**",)
    assert globmatch("editor/editor.js", cfg.static.include)
    assert globmatch("editor/skins/moono/icons.png", cfg.static.include)
    assert not globmatch("editor/editor.js", cfg.scripts.entries)
    assert not globmatch("editor/skins/moono/icons.png", cfg.images.include)


def test_generic_script_folders_are_not_libraries(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "static/js/app.js": "var a = 1;\n",
            "static/js/pages/unused.js": "var b = 1;\n",
            "templates/a.html": "<script src='/static/js/app.js'></script>",
        },
    )
    p = discover(tmp_path)
    assert p.kept_dirs == [] and p.scripts == ["js/app.js"]


def test_a_vendored_folder_is_no_library(tmp_path: Path) -> None:
    """pretalx's ``static/vendored/`` holds ``htmx.min.js`` beside libraries in their own
    subfolders (``apexcharts/``, ``fullcalendar/``): it was taken for one library that finds
    its files by URL, and every file in it kept its name, unhashed (``font-awesome.css``,
    which Django's manifest storage had hashed, was revalidated on each visit)."""
    write_tree(
        tmp_path,
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "static/vendored/htmx.min.js": "var htmx = 1;\n",
            "static/vendored/font-awesome.css": "i { color: red; }\n",
            "static/vendored/apexcharts/apexcharts.min.js": "var ApexCharts = 1;\n",
            "templates/a.html": (
                "<link rel='stylesheet' href='/static/vendored/font-awesome.css'>"
                "<script src='/static/vendored/htmx.min.js'></script>"
            ),
        },
    )
    p = discover(tmp_path)
    assert p.kept_dirs == [] and p.scripts == ["vendored/htmx.min.js"]
    assert p.styles == ["vendored/font-awesome.css"]


@pytest.mark.node
def test_adopted_app_still_starts_its_editor(tmp_path: Path, browser: object) -> None:
    write_tree(tmp_path, APP)
    adopt_and_build(tmp_path)
    setup = "from app import app\n"
    with serve(tmp_path, setup, adopt=True, log=tmp_path / "app.log") as base:
        pv = view(browser, base, "/admin/post/new", ("EDITOR_LANG", "siteReady"))
    assert pv.bad_responses == [] and pv.console_errors == []
    assert pv.missing_globals == []
    assert f"{base}/static/editor/lang/en.js" in pv.requested
    assert any("/static/js/site-" in u for u in pv.requested)  # the app's own script is hashed


BROKEN: dict[str, str | bytes] = {
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    "static/img/logo.png": _png(),
    "templates/base.html": "<img src=\"{{ url_for('static', filename='img/logo.png') }}\">\n",
    "templates/error/404.html": (
        "<img src=\"{{url_for('static', filename = 'images/error/404.png')}}\">\n"
        "<img src='/static/images/error/generic.png?v=2'>\n"
    ),
}


def test_references_the_app_already_breaks_do_not_fail_the_first_build(tmp_path: Path) -> None:
    """Soft UI Dashboard's error pages name images its static folder lacks (they 404 before
    assetpipe too): the config init wrote failed the first ``assetpipe build`` on them. init now
    lists them and writes ``missing_assets: warn``; the build warns and succeeds."""
    write_tree(tmp_path, BROKEN)
    p = discover(tmp_path)
    assert p.missing == [
        ("images/error/404.png", "error/404.html"),
        ("images/error/generic.png", "error/404.html"),
    ]
    result = init(tmp_path)
    assert "#   images/error/404.png (in error/404.html)" in result.text
    assert load_config(result.path).templates.missing_assets == "warn"
    built = run_cli("build", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "images/error/404.png', which the build did not produce" in built.stderr


def test_a_reference_a_view_of_the_app_answers_is_not_said_to_404(tmp_path: Path) -> None:
    """archivy 1.7.7 links ``/static/custom.css``, which its own ``@app.route`` answers (a
    user's stylesheet from its data folder): init said it 404s today and to fix it, and the
    build warned (``--strict`` failed) until the template was edited. init now lists it in
    ``templates.app_routes``: left as written, and ``build --strict`` passes as written."""
    write_tree(
        tmp_path,
        {
            **BROKEN,
            "templates/error/404.html": "<p>not found</p>\n",
            "templates/base.html": '<link rel="stylesheet" href="/static/custom.css">\n',
            "routes.py": (
                'from app import app\n\n\n@app.route("/static/custom.css")\n'
                "def custom_css():\n    return ''\n"
            ),
        },
    )
    p = discover(tmp_path)
    assert p.missing == [("custom.css", "base.html")]
    assert p.served_by_views == {"custom.css": "routes.py:4"}
    text = init(tmp_path).text
    assert "404 today" not in text
    assert "#   custom.css (in base.html; route at routes.py:4)" in text
    assert 'app_routes: ["custom.css"]' in text and "missing_assets" not in text
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    out = (tmp_path / "dist/templates/base.html").read_text()
    assert out == '<link rel="stylesheet" href="/static/custom.css">\n'


def test_no_missing_references_keep_the_default(tmp_path: Path) -> None:
    write_tree(tmp_path, {**BROKEN, "templates/error/404.html": "<p>not found</p>\n"})
    result = init(tmp_path)
    assert "missing_assets" not in result.text
    assert load_config(result.path).templates.missing_assets == "error"


def test_a_reference_inside_an_html_comment_is_not_called_missing(tmp_path: Path) -> None:
    """Evennia's webclient ``base.html`` keeps plugins it no longer ships commented out
    (``<!-- <script src={% static "webclient/js/plugins/options.js" %}> -->``, beside the
    ``options2.js`` it loads). The browser requests none of them and the build, which ignores
    HTML comments, warns about none; ``init`` listed three as files that "404 today too" and
    wrote ``missing_assets: warn``. A file named only inside a comment is no reference now."""
    write_tree(
        tmp_path,
        {
            **BROKEN,
            "static/js/plugins/options2.js": "window.options = 2;\n",
            "templates/error/404.html": "<p>not found</p>\n",
            "templates/client.html": (
                "<script src=\"{{ url_for('static', filename='js/plugins/options2.js') }}\">"
                "</script>\n<!--\n\t<script src=\"{{ url_for('static', filename="
                "'js/plugins/options.js') }}\"></script>\n-->\n<!-- <img src='/static/old.png'> -->\n"
            ),
        },
    )
    assert discover(tmp_path).missing == []
    result = init(tmp_path)
    assert "missing_assets" not in result.text and "404 today" not in result.text
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.returncode == 0, built.stderr


FACTORY_WITH_CONFIG: dict[str, str | bytes] = {
    "apps/__init__.py": (
        "from flask import Flask\n\n\ndef create_app(config):\n"
        "    app = Flask(__name__, static_folder='../static', template_folder='../templates')\n"
        "    app.config.from_object(config)\n    return app\n"
    ),
    "apps/config.py": "class Config:\n    SECRET_KEY = 'x'\n",
    "run.py": "from apps import create_app\nfrom apps.config import Config\n\napp = create_app(Config)\n",
    "static/css/a.css": "p { color: red }\n",
    "templates/index.html": "<link rel=stylesheet href=\"{{ url_for('static', filename='css/a.css') }}\">",
}


def test_a_factory_that_needs_arguments_is_named_by_the_module_that_calls_it(
    tmp_path: Path,
) -> None:
    """Soft UI Dashboard: ``def create_app(config)`` called in run.py. init suggested
    ``audit: app: apps:create_app``, which the audit then called as a WSGI app (create_app(environ,
    start_response): a 500 on every page). It now suggests ``run:app``; and ``--app`` naming such
    a factory is a usage error that says what to name instead."""
    from assetpipe.errors import UsageError
    from assetpipe.serve.userapp import import_app

    write_tree(tmp_path, FACTORY_WITH_CONFIG)
    p = discover(tmp_path)
    assert p.app is not None and p.app.factory == "create_app" and p.app.factory_needs_args
    assert p.app.entry == (tmp_path / "run.py", "app")
    assert '#   app: "run:app"' in init(tmp_path).text
    try:
        with pytest.raises(UsageError, match=r"function of \(config\): an app factory"):
            import_app("apps:create_app", tmp_path)
        app = import_app("run:app", tmp_path)
        assert app.name == "apps"
    finally:  # the modules of this project stay out of the other tests' imports
        for name in [m for m in sys.modules if m in ("run", "apps") or m.startswith("apps.")]:
            del sys.modules[name]
        while str(tmp_path) in sys.path:
            sys.path.remove(str(tmp_path))


def test_the_front_page_guess_prefers_pages_index_to_a_section_index(tmp_path: Path) -> None:
    """Soft UI Dashboard: init's commented pages: example named charts/index.html for "/"
    (the first index template in folder order); the front page is pages/index.html."""
    write_tree(
        tmp_path,
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "static/a.css": "p{}\n",
            "templates/authentication/login.html": "<p>login</p>",
            "templates/charts/index.html": "<p>charts</p>",
            "templates/dyn_dt/index.html": "<p>tables</p>",
            "templates/pages/index.html": "<p>home</p>",
        },
    )
    assert discover(tmp_path).first_page == "pages/index.html"
    (tmp_path / "templates" / "index.html").write_text("<p>top</p>")
    assert discover(tmp_path).first_page == "index.html"


def test_a_config_written_in_a_subfolder_names_paths_from_there(tmp_path: Path) -> None:
    """``--config deploy/pipeline.yaml``: paths in a config are relative to its own folder; init
    wrote them relative to the project, so the file it had just written failed to load."""
    write_tree(tmp_path, {**BROKEN, "deploy/.keep": ""})
    result = init(tmp_path, config_name="deploy/pipeline.yaml")
    cfg = load_config(result.path)
    assert cfg.source == tmp_path / "static"
    assert '"../static"' in result.text


def test_a_static_folder_served_at_the_root_builds_strict(tmp_path: Path) -> None:
    """changedetection.io's shape: ``Flask(__name__, static_url_path="")``, so init writes
    ``public_path: "/"``; its templates' closing tags (``</label>``), an XPath in a Jinja
    string (``//body/div``) and links to routes (``/settings``) were each reported as an asset
    reference left unhashed: hundreds of warnings and ``build --strict`` failed. A real leftover
    under the root (``/js/app.js?v=`` built in a script body) is still reported."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": (
                "from flask import Flask\n"
                'app = Flask(__name__, static_url_path="", static_folder="static")\n'
            ),
            "app/static/js/app.js": "window.app = 1;\n",
            "app/templates/index.html": (
                "<label>Name</label> <span>x</span>\n"
                "<a href=\"/settings\">Settings</a> <a href='/'>Home</a>\n"
                "{{ _('e.g. //body/div/span[contains(@class, \"x\")] or /some.regex/') }}\n"
                '<script src="/js/app.js"></script>\n'
            ),
        },
    )
    assert run_cli("init", cwd=tmp_path).returncode == 0
    assert load_config(tmp_path / "pipeline.yaml").public_path == "/"
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (tmp_path / "app/templates/index.html").write_text(
        '<script>var s = "/js/app.js?v=" + v;</script>\n<p>Fine</p>\n'
    )
    built = run_cli("build", cwd=tmp_path)
    assert built.returncode == 0 and "'/js/app.js' left as written" in built.stderr, built.stderr
    assert "'/p'" not in built.stderr and "1 more asset reference" not in built.stderr


def test_a_library_folder_whose_script_does_not_read_its_own_url_is_hashed(
    tmp_path: Path,
) -> None:
    """django-helpdesk's vendor folder holds jQuery's npm package whole (``jquery/`` with
    its ``src/`` modules, which no page loads): taken for a library that finds its files by
    its own URL, it kept its name, unhashed and revalidated on every visit. Only a script that
    reads its own URL (the editor's ``<script>`` scan, ``document.currentScript``) is one."""
    write_tree(
        tmp_path,
        {
            **APP,
            "static/vendor/jquery/jquery.min.js": "window.jQuery = function () {};\n",
            "static/vendor/jquery/src/ajax.js": "define(['./core'], function () {});\n",
            "static/vendor/pdf/pdf.min.js": "var base = document.currentScript.src;\n",
            "static/vendor/pdf/worker/pdf.worker.js": "self.onmessage = null;\n",
            "templates/list.html": (
                "<script src=\"{{ url_for('static', filename='vendor/jquery/jquery.min.js') }}\">"
                "</script>\n<script src=\"{{ url_for('static', filename='vendor/pdf/pdf.min.js')"
                ' }}"></script>\n'
            ),
        },
    )
    p = discover(tmp_path)
    assert p.kept_dirs == ["editor", "vendor/pdf"], p.kept_dirs
    assert "vendor/jquery/jquery.min.js" in p.scripts, p.scripts
