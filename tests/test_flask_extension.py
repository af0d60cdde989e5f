"""``AssetPipe(app)`` on a real Flask app in the standard package layout (``project/pipeline.yaml``
beside ``project/app/``), served over real HTTP on 127.0.0.1 (wsgiref) after real builds: Flask
renders the rewritten templates (and still its own for the rest), the config is found from
``app.root_path`` whatever the working directory, HTML is compressed with the BREACH opt-outs,
and a running app follows new builds (issue 11, items 2 and 7)."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, make_response, render_template, session

from assetpipe import build
from assetpipe.errors import ConfigError
from assetpipe.flask import AssetPipe, no_compress
from tests.conftest import write_tree
from tests.test_serve_support import decode, request, wsgi_server

pytestmark = pytest.mark.node

BIG = 600 * 1024  # over the file table's 512 KiB in-memory limit: streamed from disk

INDEX = """\
<!doctype html><html><head>
<link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}"></head>
<body><h1>{{ title }}</h1>
{% for i in range(80) %}<p>row {{ i }} of a page long enough to compress</p>{% endfor %}
</body></html>
"""


def make_project(root: Path, *, big: bool = False) -> Path:
    """project/pipeline.yaml + project/app/ (templates, CSS, a static file); returns project."""
    files: dict[str, str | bytes] = {
        "pipeline.yaml": """
            source: app
            output: dist
            styles: {entries: ["css/site.css"]}
            static: {include: ["data/**"]}
            templates: {integrity: true}  # the mark of a rewritten template in these tests
            """,
        "app/css/site.css": "body { color: #123456; }\n" * 40,
        "app/data/notes.txt": "plain notes\n",
        "app/templates/index.html": INDEX,
        # not under templates.dirs' include globs: only the app's own loader has it
        "app/templates/mail.txt": "Hello {{ name }}\n",
    }
    if big:
        files["app/data/big.bin"] = bytes(range(256)) * (BIG // 256)
    write_tree(root, files)
    return root


def make_app(project: Path, ext: AssetPipe | None = None, **config: Any) -> Flask:
    app = Flask("app", root_path=str(project / "app"))
    app.config.update(SECRET_KEY="test", **config)
    (ext or AssetPipe()).init_app(app)

    @app.route("/")
    def index() -> str:
        return render_template("index.html", title="Hi")

    @app.route("/mail")
    def mail() -> str:
        return render_template("mail.txt", name="Ada")

    @app.route("/login")
    def login() -> str:
        session["user"] = "ada"  # Flask adds the session cookie after the after_request hooks
        return render_template("index.html", title="token-123")

    @app.route("/private")
    def private() -> Any:
        resp = make_response(render_template("index.html", title="yours"))
        resp.headers["Cache-Control"] = "private"
        return resp

    @app.route("/decorated")
    @no_compress
    def decorated() -> str:
        return render_template("index.html", title="csrf")

    return app


def css_href(body: bytes) -> str:
    m = re.search(rb'href="(/static/css/[^"]+)"', body)
    assert m is not None, body[:300]
    return m.group(1).decode()


def test_renders_the_rewritten_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "project")
    build(project / "pipeline.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the config is found from app.root_path, not the cwd
    app = make_app(project)
    ext = app.extensions["assetpipe"]
    assert ext.config_path == project / "pipeline.yaml"
    with wsgi_server(app) as port:
        page = request(port, "/")
        assert page.status == 200
        href = css_href(page.body)
        assert re.fullmatch(r"/static/css/site-[A-Z0-9]{8}\.css", href), href
        assert b'integrity="sha384-' in page.body  # the rewritten template, not the source
        css = request(port, href)
        assert css.status == 200
        assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
        # a template outside templates.dirs' globs comes from the app's own loader
        assert request(port, "/mail").body == b"Hello Ada"


class _ReverseProxied:
    """An app's own WSGI wrapper (calibre-web's, trimmed): behind a proxy at a URL prefix
    (``X-Script-Name``) it strips the prefix, and the app's views read ``script_name`` off it."""

    def __init__(self, app: Any) -> None:
        self.app, self.script_name = app, ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        prefix = environ.get("HTTP_X_SCRIPT_NAME", "")
        if prefix and environ["PATH_INFO"].startswith(prefix):
            environ["SCRIPT_NAME"], environ["PATH_INFO"] = (
                prefix,
                environ["PATH_INFO"][len(prefix) :],
            )
            self.script_name = prefix
        return self.app(environ, start_response)


def _proxied_app(tmp_path: Path) -> Flask:
    """A built project's app, wrapped in its own ``_ReverseProxied``, then adopted."""
    project = make_project(tmp_path / "project")
    build(project / "pipeline.yaml")
    app = Flask("app", root_path=str(project / "app"))
    app.wsgi_app = _ReverseProxied(app.wsgi_app)  # type: ignore[method-assign]
    AssetPipe(app)

    @app.route("/")
    def index() -> str:
        return render_template("index.html", title=app.wsgi_app.script_name)  # type: ignore[attr-defined]

    return app


def test_the_apps_own_wsgi_wrapper_is_still_reachable_through_ours(tmp_path: Path) -> None:
    """calibre-web's session code reads ``app.wsgi_app.script_name`` on every request: with
    AssetPipe's layers on top, every page answered 500 (AttributeError: 'BlueprintStatic'
    object has no attribute 'script_name')."""
    app = _proxied_app(tmp_path)
    with wsgi_server(app) as port:
        page = request(port, "/calibre/", headers={"X-Script-Name": "/calibre"})
        assert page.status == 200 and b"<h1>/calibre</h1>" in decode(page), page.status
    assert not hasattr(app.wsgi_app, "no_such_attribute")


def test_an_app_behind_a_url_prefix_gets_its_hashed_files(tmp_path: Path) -> None:
    """Behind a proxy at /calibre, the app's own wrapper strips the prefix *inside* assetpipe's
    layers, which saw /calibre/static/...: the hashed stylesheet the page names answered the
    app's 404 page (text/html), so no style or script applied. The build's files are now
    answered inside Flask too, with the same headers."""
    app = _proxied_app(tmp_path)
    proxy = {"X-Script-Name": "/calibre"}
    with wsgi_server(app) as port:
        href = css_href(decode(request(port, "/calibre/", headers=proxy)).replace(b"/calibre", b""))
        css = request(port, "/calibre" + href, headers={**proxy, "Accept-Encoding": "br"})
        assert css.status == 200, css.status
        assert css.headers["content-type"].startswith("text/css")
        assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert b"#123456" in decode(css)
        assert request(port, "/calibre/nope", headers=proxy).status == 404


def test_config_search_order_and_error(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    # a single-module app: pipeline.yaml beside app.py (app.root_path itself) wins
    (project / "app/pipeline.yaml").write_text("source: .\noutput: ../dist2\n")
    app = Flask("solo", root_path=str(project / "app"))
    assert AssetPipe(app).config_path == project / "app/pipeline.yaml"
    # a relative name is looked up from app.root_path, then its parent
    app = Flask("named", root_path=str(project / "app"))
    (project / "other.yaml").write_text((project / "pipeline.yaml").read_text())
    assert AssetPipe(app, config="other.yaml").config_path == project / "other.yaml"
    bare = tmp_path / "bare/pkg"
    bare.mkdir(parents=True)
    with pytest.raises(ConfigError) as err:
        AssetPipe(Flask("bare", root_path=str(bare)))
    message = str(err.value)
    assert str(bare / "pipeline.yaml") in message and str(bare.parent / "pipeline.yaml") in message
    assert err.value.problems[0].hint and "ASSETPIPE_CONFIG" in err.value.problems[0].hint


def test_compresses_html_with_breach_opt_outs(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(project / "pipeline.yaml")
    app = make_app(project)
    br = {"Accept-Encoding": "br"}
    with wsgi_server(app) as port:
        page = request(port, "/", headers=br)
        assert page.headers.get("content-encoding") == "br"
        assert b"<h1>Hi</h1>" in decode(page)
        assert "Accept-Encoding" in page.headers["vary"]
        for path, secret in (
            ("/login", b"token-123"),
            ("/private", b"yours"),
            ("/decorated", b"csrf"),
        ):
            r = request(port, path, headers=br)
            assert r.status == 200 and "content-encoding" not in r.headers, path
            assert secret in r.body
        assert "set-cookie" in request(port, "/login").headers
        # hashed assets keep their precompressed files (the compress layer skips public_path)
        css = request(port, css_href(page.body and decode(page)), headers=br)
        assert css.headers.get("content-encoding") == "br"
    off = make_app(project, ASSETPIPE_COMPRESS=False)
    with wsgi_server(off) as port:
        assert "content-encoding" not in request(port, "/", headers=br).headers


def test_app_factory(tmp_path: Path) -> None:
    """One extension object, ``init_app`` on two apps (two projects): each serves and follows
    its own build."""
    projects = [make_project(tmp_path / name) for name in ("one", "two")]
    for project in projects:
        build(project / "pipeline.yaml")
    ext = AssetPipe()
    apps = [make_app(project, ext) for project in projects]
    hrefs = []
    for app in apps:
        assert app.extensions["assetpipe"] is ext
        with app.test_client() as client:
            hrefs.append(css_href(client.get("/").data))
            assert client.get(hrefs[-1]).status_code == 200
    _rebuild(projects[1], "body { margin: 9px; }\n")
    with apps[0].test_client() as client:
        assert css_href(client.get("/").data) == hrefs[0]
    with apps[1].test_client() as client:
        new = css_href(client.get("/").data)
        assert new != hrefs[1] and b"margin:9px" in client.get(new).data


def _big_name(project: Path) -> str:
    return next(
        p.name
        for p in (project / "dist/public/data").iterdir()
        if p.name.startswith("big-") and p.suffix == ".bin"
    )


def _rebuild(project: Path, css: str) -> None:
    (project / "app/css/site.css").write_text(css)
    build(project / "pipeline.yaml")


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_running_app_follows_new_builds(tmp_path: Path, debug: bool) -> None:
    """Item 7: after `assetpipe build` swaps a new build in, the running app's pages name the
    new CSS and it is served; after two more builds (the first build folder retired), a file
    over 512 KiB whose hash never changed is still served."""
    project = make_project(tmp_path / "project", big=True)
    build(project / "pipeline.yaml")
    app = make_app(project, DEBUG=debug)
    big_url = "/static/data/" + _big_name(project)
    with wsgi_server(app) as port:
        first = css_href(request(port, "/").body)
        assert request(port, big_url).status == 200
        for n in range(3):
            _rebuild(project, f"body {{ margin: {n + 1}px; }}\n")
            page = request(port, "/")
            href = css_href(page.body)
            assert href != first
            css = request(port, href)
            assert css.status == 200, (n, href)
            assert f"margin:{n + 1}px".encode() in css.body
            big = request(port, big_url)
            assert big.status == 200, (n, big_url)
            assert len(big.body) == BIG


def test_production_table_recovers_a_retired_build(tmp_path: Path) -> None:
    """Item 7 without any page view in between: asset requests alone find the new build."""
    project = make_project(tmp_path / "project", big=True)
    build(project / "pipeline.yaml")
    app = make_app(project)
    big = _big_name(project)
    with wsgi_server(app) as port:
        assert request(port, "/static/data/" + big).status == 200
        for n in range(2):
            _rebuild(project, f"a {{ margin: {n + 1}px; }}\n")
        r = request(port, "/static/data/" + big)
        assert r.status == 200 and len(r.body) == BIG
        new_css = next(
            p.name for p in (project / "dist/public/css").iterdir() if p.suffix == ".css"
        )
        assert request(port, "/static/css/" + new_css).status == 200


def test_readme_two_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's adoption lines, verbatim, in an app package beside pipeline.yaml."""
    project = make_project(tmp_path / "project")
    build(project / "pipeline.yaml")
    (project / "app/__init__.py").write_text(
        textwrap.dedent("""
        from flask import Flask, render_template
        from assetpipe.flask import AssetPipe

        app = Flask(__name__)
        AssetPipe(app)

        @app.route("/")
        def index():
            return render_template("index.html", title="Hi")
    """)
    )
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "app", project / "app/__init__.py", submodule_search_locations=[]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "app", module)  # as `flask --app app run` imports it
    spec.loader.exec_module(module)
    with module.app.test_client() as client:
        href = css_href(client.get("/").data)
        assert client.get(href).status_code == 200


def test_files_the_build_lacks_go_to_flasks_static_route(tmp_path: Path) -> None:
    """Item 5 in a Flask app: a file of the app's static folder that no stage publishes is still
    served by Flask's own static route (as before adoption); the switch makes it a 404."""
    project = make_project(tmp_path / "project")
    write_tree(project, {"app/static/vendor/lib.js": "window.lib = 1;\n"})
    build(project / "pipeline.yaml")
    with wsgi_server(make_app(project)) as port:
        r = request(port, "/static/vendor/lib.js")
        assert r.status == 200 and r.body == b"window.lib = 1;\n"
        assert request(port, "/static/css/site.css").headers["cache-control"] == "no-cache"
        assert request(port, "/static/vendor/../../pipeline.yaml").status == 404
        assert request(port, "/static/nothing.js").status == 404
    with wsgi_server(make_app(project, ASSETPIPE_STATIC_FALLBACK=False)) as port:
        assert request(port, "/static/vendor/lib.js").status == 404


def test_app_started_before_the_first_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """No build yet: a warning, the app's own templates; the first build is then picked up
    without a restart."""
    project = make_project(tmp_path / "project")
    app = make_app(project)
    assert "no build at" in caplog.text and "assetpipe build" in caplog.text
    with wsgi_server(app) as port:
        assert css_href(request(port, "/").body) == "/static/css/site.css"  # the source
        build(project / "pipeline.yaml")
        href = css_href(request(port, "/").body)
        assert href != "/static/css/site.css"
        assert request(port, href).status == 200
