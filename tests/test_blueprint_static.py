"""Blueprint static folders (an extension's, like Flask-Admin's ``admin.static``, or the app's
own blueprints') get hashed, immutable, compressed URLs from ``url_for`` once ``AssetPipe(app)``
is installed; the unhashed URLs still answer. A blueprint written here and the real
Flask-Admin, through Flask's test client (the WSGI stack ``init_app`` installs)."""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from flask import Blueprint, Flask, render_template_string, url_for

from assetpipe.flask import AssetPipe
from tests.conftest import REPO, write_tree

SHOP_CSS = ".shop { color: #345678; }\n" * 60
PAGE = """<link rel="stylesheet" href="{{ url_for('shop.static', filename='css/shop.css') }}">
<script src="{{ url_for('shop.static', filename='js/missing.js') }}"></script>"""


def make_app(tmp_path: Path, *, adopt: bool = True, **config: object) -> Flask:
    """An app whose ``shop`` blueprint has a static folder (``css/shop.css``, ``img/logo.svg``),
    with ``AssetPipe(app)`` installed unless ``adopt`` is false (``bench/blueprint_url_for.py``
    times both)."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n",
            "app/static/site.txt": "site\n",
            "shop/static/css/shop.css": SHOP_CSS,
            "shop/static/img/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
        },
    )
    app = Flask("app", root_path=str(tmp_path / "app"))
    app.config.update(config)
    if adopt:
        AssetPipe(app)  # before the blueprint is registered, as an app factory often does
    shop = Blueprint(
        "shop",
        "shop",
        root_path=str(tmp_path / "shop"),
        static_folder="static",
        static_url_path="/shop/static",
    )
    app.register_blueprint(shop)

    @app.route("/")
    def index() -> str:
        return render_template_string(PAGE)

    return app


def test_url_for_a_blueprint_static_file_is_hashed_and_served_immutable_compressed(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/shop/static/css/shop-[A-Z2-7]{8}\.css)"', page)
    assert css, page
    assert 'src="/shop/static/js/missing.js"' in page  # not a file: left as Flask builds it
    got = client.get(css.group(1), headers={"Accept-Encoding": "br, gzip"})
    assert got.status_code == 200
    assert got.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert got.headers["Content-Encoding"] == "br"
    assert got.headers["Content-Type"].startswith("text/css")
    assert brotli.decompress(got.get_data()).decode() == SHOP_CSS
    assert len(got.get_data()) < len(SHOP_CSS) // 4
    etag = got.headers["ETag"]
    again = client.get(css.group(1), headers={"Accept-Encoding": "br, gzip", "If-None-Match": etag})
    assert again.status_code == 304
    plain = client.get(css.group(1))
    assert plain.get_data(as_text=True) == SHOP_CSS and "Content-Encoding" not in plain.headers
    # the unhashed URL still answers through the blueprint's own route
    with client.get("/shop/static/css/shop.css") as unhashed:
        assert unhashed.get_data(as_text=True) == SHOP_CSS
    with app.test_request_context():
        assert re.fullmatch(
            r"/shop/static/img/logo-[A-Z2-7]{8}\.svg",
            url_for("shop.static", filename="img/logo.svg"),
        )


def test_a_stale_hash_or_a_path_outside_the_folder_is_not_served(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    old = re.search(r'href="([^"]+\.css)"', client.get("/").get_data(as_text=True))
    assert old
    (tmp_path / "shop/static/css/shop.css").write_text(SHOP_CSS + ".new { color: red; }\n")
    assert client.get(old.group(1)).status_code == 404  # never another version's bytes
    new = re.search(r'href="([^"]+\.css)"', client.get("/").get_data(as_text=True))
    assert new and new.group(1) != old.group(1)
    assert client.get(new.group(1)).get_data(as_text=True).endswith(".new { color: red; }\n")
    traversal = re.sub(r"css/shop-", "../../app/static/site-", new.group(1))
    assert client.get(traversal).status_code == 404


def test_a_blueprint_serving_the_apps_own_static_folder_leaves_it_to_the_build(
    tmp_path: Path,
) -> None:
    """``Blueprint(..., static_folder="../static")`` without a URL prefix serves the app's own
    folder at ``/static``: the build's hashed name of a copied file is the same as the one this
    layer would make, and the build's file (precompressed) must answer it, not the source
    file as it is (a favicon went out as 59 KB where the build holds 4.5 KB of brotli)."""
    import assetpipe

    icon = bytes(range(64)) * 64
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\nstatic: {include: [favicon.ico]}\n",
            "app/static/favicon.ico": icon,
            "app/views/__init__.py": "",
        },
    )
    assetpipe.build(tmp_path / "pipeline.yaml")
    app = Flask("app", root_path=str(tmp_path / "app"))
    app.config["ASSETPIPE_OUTPUT"] = str(tmp_path / "dist")
    AssetPipe(app)
    public = Blueprint(
        "public", "public", root_path=str(tmp_path / "app/views"), static_folder="../static"
    )
    app.register_blueprint(public)
    import json

    hashed = json.loads((tmp_path / "dist/manifest.json").read_text())["favicon.ico"]["file"]
    got = app.test_client().get("/static/" + hashed, headers={"Accept-Encoding": "br"})
    assert got.status_code == 200
    assert got.headers.get("Content-Encoding") == "br", got.headers
    assert brotli.decompress(got.get_data()) == icon


@pytest.mark.parametrize(("prefix", "late_url"), [("/dash", False), ("", False), ("/dash", True)])
def test_a_blueprint_naming_the_apps_own_static_folder_gets_hashed_urls(
    tmp_path: Path, prefix: str, late_url: bool
) -> None:
    """rq-dashboard: ``Blueprint("rq_dashboard", __name__, static_folder="static")`` in the
    app's own package (its folder is the app's), templates naming its files with
    ``url_for('rq_dashboard.static', ...)``, which the build leaves as written. Under its own
    URL (``/dash/static/``) this layer hashes them; at the app's (no ``url_prefix``) ``url_for``
    names the build's file. Both were left unhashed, ``no-cache``. ``late_url``: the app then
    sets ``app.static_url_path`` to the blueprint's URL, as rq-dashboard's ``create_app`` does
    (Flask's static route stays ``/static/<path:filename>``)."""
    import json

    import assetpipe

    css = ".dash { color: #123456; }\n" * 40
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\nstatic: {include: ['css/**']}\n",
            "app/static/css/dash.css": css,
        },
    )
    assetpipe.build(tmp_path / "pipeline.yaml")
    app = Flask("app", root_path=str(tmp_path / "app"))
    app.config["ASSETPIPE_OUTPUT"] = str(tmp_path / "dist")
    AssetPipe(app)
    dash = Blueprint("dash", "dash", root_path=str(tmp_path / "app"), static_folder="static")
    app.register_blueprint(dash, url_prefix=prefix)
    if late_url:
        app.static_url_path = f"{prefix}/static"

    @app.route("/page")
    def page() -> str:
        return render_template_string("{{ url_for('dash.static', filename='css/dash.css') }}")

    client = app.test_client()
    href = client.get("/page").get_data(as_text=True)
    assert re.fullmatch(rf"{prefix}/static/css/dash-[A-Z0-9]{{8}}\.css", href), href
    if not prefix:
        built = json.loads((tmp_path / "dist/manifest.json").read_text())["css/dash.css"]["file"]
        assert href == "/static/" + built
    got = client.get(href, headers={"Accept-Encoding": "br"})
    assert got.status_code == 200
    assert "immutable" in got.headers["Cache-Control"]
    assert brotli.decompress(got.get_data()).decode() == css
    # the unhashed URL still answers
    assert client.get(f"{prefix}/static/css/dash.css").status_code == 200


def test_turned_off_url_for_is_flasks(tmp_path: Path) -> None:
    app = make_app(tmp_path, ASSETPIPE_BLUEPRINT_STATIC=False)
    assert 'href="/shop/static/css/shop.css"' in app.test_client().get("/").get_data(as_text=True)


def test_flask_admin_pages_load_their_bootstrap_and_css_hashed(tmp_path: Path) -> None:
    flask_admin = pytest.importorskip("flask_admin", reason="pip install -e '.[test]'")
    from flask_admin.theme import Bootstrap4Theme  # type: ignore[import-untyped]

    write_tree(
        tmp_path, {"pipeline.yaml": "source: app/static\noutput: dist\n", "app/static/x.txt": "x\n"}
    )
    app = Flask("app", root_path=str(tmp_path / "app"))
    app.config["SECRET_KEY"] = "test"
    try:  # Flask-Admin translates through Flask-Babel whenever it is installed
        from flask_babel import Babel  # type: ignore[import-untyped]

        Babel(app)
    except ImportError:
        pass
    flask_admin.Admin(app, name="Shop", theme=Bootstrap4Theme())
    AssetPipe(app)
    client = app.test_client()
    page = client.get("/admin/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/admin/static/[^"]+)"', page)
    assert urls
    unhashed = [u for u in urls if not re.search(r"-[A-Z2-7]{8}\.\w+(\?|$)", u)]
    assert not unhashed, unhashed
    for u in urls:
        got = client.get(u, headers={"Accept-Encoding": "gzip"})
        assert got.status_code == 200, u
        assert got.headers["Cache-Control"].endswith("immutable")
        if u.split("?")[0].endswith((".css", ".js")):
            assert got.headers.get("Content-Encoding") == "gzip", u


def test_a_script_that_finds_its_files_from_its_own_name_keeps_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    write_tree(
        tmp_path / "shop/static",
        {
            # an editor that takes its base URL from /(^|\/)editor\.js/ and loads plugins/
            "editor/editor.js": "var base = document.currentScript.src.replace(/editor\\.js$/, '');\n",
            "editor/plugins/table/plugin.js": "window.tablePlugin = 1;\n",
            "js/app.js": "window.app = 1;\n",
            "js/extra/more.js": "window.more = 1;\n",  # js/ is a generic folder: hashed
        },
    )
    with app.test_request_context():
        assert (
            url_for("shop.static", filename="editor/editor.js") == "/shop/static/editor/editor.js"
        )
        assert re.fullmatch(
            r"/shop/static/js/app-[A-Z2-7]{8}\.js", url_for("shop.static", filename="js/app.js")
        )


def test_a_stylesheets_url_targets_are_hashed_and_a_changed_image_renames_it(
    tmp_path: Path,
) -> None:
    """An immutable stylesheet names its images and fonts by their hashed names, so a changed
    image gives the stylesheet a new name too (else the cached CSS keeps the old image)."""
    app = make_app(tmp_path)
    write_tree(
        tmp_path / "shop/static",
        {
            "css/shop.css": (
                '.logo { background: url("../img/logo.svg"); }\n'
                "@font-face { font-family: S; src: url(../fonts/s.woff2?v=2#x) format('woff2'); }\n"
                ".gone { background: url(../img/missing.png); }\n"
                ".data { background: url(data:image/gif;base64,R0lGOD==); }\n"
                ".far { background: url(https://example.com/x.png); }\n"
            ),
            "fonts/s.woff2": b"wOF2-font-bytes",
        },
    )
    client = app.test_client()

    def stylesheet() -> tuple[str, str]:
        page = client.get("/").get_data(as_text=True)
        found = re.search(r'href="(/shop/static/css/shop-[A-Z2-7]{8}\.css)"', page)
        assert found, page
        got = client.get(found.group(1))
        assert got.status_code == 200 and got.headers["Cache-Control"].endswith("immutable")
        return found.group(1), got.get_data(as_text=True)

    url, css = stylesheet()
    logo = re.search(r'url\("(\.\./img/logo-[A-Z2-7]{8}\.svg)"\)', css)
    font = re.search(r"url\((\.\./fonts/s-[A-Z2-7]{8}\.woff2)\?v=2#x\)", css)
    assert logo and font, css
    assert "url(../img/missing.png)" in css and "url(data:image/gif;base64,R0lGOD==)" in css
    assert "url(https://example.com/x.png)" in css
    for ref in (logo.group(1), font.group(1)):
        got = client.get(posixpath.normpath(posixpath.join(posixpath.dirname(url), ref)))
        assert got.status_code == 200 and got.headers["Cache-Control"].endswith("immutable"), ref
    with client.get("/shop/static/css/shop.css") as unhashed:  # as written, for Flask's route
        assert 'url("../img/logo.svg")' in unhashed.get_data(as_text=True)
    (tmp_path / "shop/static/img/logo.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'>2</svg>"
    )
    new_url, new_css = stylesheet()
    assert new_url != url and client.get(url).status_code == 404
    new_logo = re.search(r'url\("(\.\./img/logo-[A-Z2-7]{8}\.svg)"\)', new_css)
    assert new_logo and new_logo.group(1) != logo.group(1)


FLASK_2_1 = """\
import re, sys
from pathlib import Path
import flask, jinja2
from tests.test_blueprint_static import make_app
assert flask.__version__ == "2.1.3", flask.__version__
assert jinja2.__version__ == "3.0.3", jinja2.__version__
app = make_app(Path(sys.argv[1]))
client = app.test_client()
page = client.get("/").get_data(as_text=True)
css = re.search(r'href="(/shop/static/css/shop-[A-Z2-7]{8}\\.css)"', page)
assert css, page
got = client.get(css.group(1))
assert got.status_code == 200 and got.headers["Cache-Control"].endswith("immutable")
print("ok")
"""


def test_an_app_on_flask_2_1_gets_hashed_blueprint_urls(tmp_path: Path) -> None:
    """CTFd pins Flask 2.1, which has no ``app.url_for``: ``AssetPipe(app)`` failed with an
    AttributeError there. Flask 2.1.3 and Werkzeug 2.2.3 (CTFd's pins), with Jinja2 3.0.3
    (FlaskBB's era: ``from jinja2 import Markup``, gone in 3.1, so assetpipe asks only for
    3.0+), from the package index into a folder first on the path; skipped when the index
    cannot be reached."""
    target = tmp_path / "flask21"
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            "flask==2.1.3",
            "werkzeug==2.2.3",
            "jinja2==3.0.3",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if pip.returncode != 0:
        pytest.skip(f"Flask 2.1.3 and Jinja2 3.0.3 not installable here: {pip.stderr[-300:]}")
    (tmp_path / "site").mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(REPO)])}
    run = subprocess.run(
        [sys.executable, "-c", FLASK_2_1, str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-2000:]
