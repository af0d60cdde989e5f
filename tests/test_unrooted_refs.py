"""A template that names its static files relative to the page, as the static URL without its
leading slash (Glances' web UI: ``<script src="static/glances.js" defer>``, rendered at ``/`` by
FastAPI, its static mount at ``/static``, or under a ``url_prefix``). Unseen, ``init`` found no
script, took the whole ``static/`` folder (the Vue sources, ``package.json``, the webpack
config, the templates themselves) as files to copy, and the build left both references as
written with a warning (``--strict`` failed): nothing the page loads was hashed."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from flask import Flask, render_template
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from assetpipe.adopt import discover, init
from assetpipe.flask import AssetPipe
from assetpipe.rewrite.refs import classify, replacement
from tests.conftest import run_cli, write_tree

PAGE = """\
<!doctype html>
<link rel="icon" type="image/x-icon" href="static/favicon.ico" />
<script>window.__APP__ = {'refresh': '{{ refresh }}'}</script>
<script src="static/app.js" defer></script>
"""

TREE: dict[str, str | bytes] = {
    # the bundler's output is the served folder; its sources sit beside it, not served
    "pkg/web/static/public/app.js": "(()=>{document.title='ran:'+window.__APP__.refresh})();\n",
    "pkg/web/static/public/favicon.ico": b"\x00\x00\x01\x00" + bytes(range(64)) * 4,
    "pkg/web/static/js/main.js": "import './store.js';\n",
    "pkg/web/static/js/store.js": "export const s = 1;\n",
    "pkg/web/static/package.json": "{}\n",
    "pkg/web/static/templates/index.html": PAGE,
}


def test_classify_the_static_url_without_its_leading_slash() -> None:
    ref = classify("static/js/app.js?v=2", "/static/")
    assert ref is not None and (ref.kind, ref.key) == ("unrooted", "js/app.js")
    assert ref.rewritable and "static/js/app.js?v=2"[ref.start : ref.end] == "js/app.js"
    assert replacement(ref, "js/app-ABCD1234.js") == "js/app-ABCD1234.js"
    for value, kind in (
        ("/static/js/app.js", "literal"),
        ("./static/js/app.js", "relative"),
        ("statics/app.js", "relative"),
        ("js/app.js", "relative"),
    ):
        found = classify(value, "/static/")
        assert found is not None and found.kind == kind, value
    root = classify("static/app.js", "/")  # a root public path has no such form
    assert root is not None and root.kind == "relative"


def test_init_finds_the_served_folder_and_the_scripts(tmp_path: Path) -> None:
    """The references name ``public/``'s files: that folder is the source (its siblings, the
    bundler's sources and config, are not copied), and the script is listed."""
    write_tree(tmp_path, TREE)
    p = discover(tmp_path)
    assert p.subfolder == "public"
    assert p.static_dir == tmp_path / "pkg/web/static/public"
    assert p.scripts == ["app.js"] and p.classic == ["app.js"] and p.missing == []
    config = yaml.safe_load(init(tmp_path).path.read_text())
    assert config["source"] == "pkg/web/static/public"
    assert config["templates"]["dirs"] == ["pkg/web/static/templates"]
    assert "package.json" not in json.dumps(config)


def test_the_build_hashes_them_and_keeps_the_urls_relative(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    assert run_cli("init", cwd=tmp_path).code == 0
    link = '<a href="static/nothing-here.txt">a file the build lacks</a>\n'
    (tmp_path / "pkg/web/static/templates/index.html").write_text(PAGE + link)
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    man = json.loads((tmp_path / "dist/manifest.json").read_text())
    js, ico = man["app.js"]["file"], man["favicon.ico"]["file"]
    assert js != "app.js" and ico != "favicon.ico"
    out = (tmp_path / "dist/templates/index.html").read_text()
    assert f'<script src="static/{js}" defer></script>' in out
    assert f'href="static/{ico}"' in out
    assert 'href="static/nothing-here.txt"' in out  # no file of the build: as written


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[str]:
    """The built app served over HTTP under the prefix ``/mon`` (the page at ``/mon/``), as
    Glances is with its ``url_prefix``."""
    write_tree(tmp_path, TREE)
    assert run_cli("init", cwd=tmp_path).code == 0
    assert run_cli("build", cwd=tmp_path).code == 0
    web = tmp_path / "pkg/web"
    app = Flask(
        "unrooted_app",
        root_path=str(web),
        static_folder="static/public",
        template_folder="static/templates",
    )
    app.add_url_rule("/", "index", lambda: render_template("index.html", refresh=2))
    AssetPipe(app, config=str(tmp_path / "pipeline.yaml"))
    root = DispatcherMiddleware(NotFound(), {"/mon": app})
    server = make_server("127.0.0.1", 0, root, threaded=True)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_a_mounted_app_loads_the_hashed_files_relative_to_its_page(mounted: str) -> None:
    """The page's relative URLs resolve under the mount: each is answered immutable; a URL
    made absolute (``/static/...``) would have missed the prefix."""
    page = urllib.request.urlopen(mounted + "/mon/").read().decode()
    srcs = [s.split('"')[0] for s in page.split('src="')[1:]]
    assert srcs and srcs[0].startswith("static/app-")
    with urllib.request.urlopen(f"{mounted}/mon/{srcs[0]}") as r:
        assert r.status == 200 and "immutable" in r.headers["Cache-Control"]
        assert b"window.__APP__" in r.read()
