"""A prebuilt webpack bundle served by the app's own route (MLflow's tracking UI): ``init`` finds
that route, a bundler's content-hashed files keep their names and are served ``immutable``
(only on a bundler manifest's evidence), files the build lacks go on to the app's route, and
the files the bundler did not hash (``index.html``, ``favicon.ico``) are left to the app.

Real files, a real ``assetpipe init`` / ``build``, a real Flask app over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assetpipe.adopt import discover, init
from assetpipe.adopt.ownstatic import own_static_route
from assetpipe.bundler_manifest import manifest_named
from assetpipe.hashing import bundler_hashed
from assetpipe.serve.files import build_table
from tests.conftest import run_cli, write_tree
from tests.real_apps import serve

APP = """\
import os
from flask import Flask, send_from_directory

def _prefixed(route):
    return os.environ.get("PREFIX", "") + route

app = Flask(__name__, static_folder="js/build")
{lines}

@app.route(_prefixed("/static-files/<path:path>"))
def serve_static_file(path):
    return send_from_directory(app.static_folder, path, max_age=2419200)

@app.route(_prefixed("/"))
def index():
    return send_from_directory(app.static_folder, "index.html")
"""

MAIN = "static/js/main.3f2a9b1c.js"
CHUNK = "static/js/812.4a5b6c7d.chunk.js"
LOGO = "static/media/logo.0badc0de1234abcd5678.png"
HAND = "static/media/hand.3f2a9b1c.png"  # hand-named: no manifest lists it


def _manifest(chunk: str) -> str:
    return json.dumps(
        {
            "files": {
                "main.js": f"/static-files/{MAIN}",
                chunk.rsplit("/", 1)[1]: f"/static-files/{chunk}",
                "logo.png": f"/static-files/{LOGO}",
                "index.html": "/static-files/index.html",
            },
            "entrypoints": [MAIN],
        }
    )


def _project(root: Path, lines: str = "") -> None:
    b = "js/build/"
    write_tree(
        root,
        {
            "app.py": APP.format(lines=lines),
            b + "index.html": f'<!doctype html><script defer src="static-files/{MAIN}"></script>',
            b + "favicon.ico": b"\x00\x00\x01\x00ico",
            b + "asset-manifest.json": _manifest(CHUNK),
            # a PWA's web app manifest names nothing, even a hash-like name
            b + "manifest.json": json.dumps({"start_url": ".", "icons": [{"src": HAND}]}),
            b + MAIN: 'self.load=function(e){return "static/js/"+e+".4a5b6c7d.chunk.js"};\n',
            b + CHUNK: "console.log('chunk');\n",
            b + LOGO: b"\x89PNG\r\n\x1a\nlogo",
            b + HAND: b"\x89PNG\r\n\x1a\nhand",
        },
    )


def test_bundler_hashed_needs_the_pattern_and_the_manifest() -> None:
    named = {MAIN, CHUNK, LOGO, "index.html"}
    assert bundler_hashed(MAIN, named) and bundler_hashed(CHUNK, named)
    assert bundler_hashed("assets/index-BXe3kR2-.js", {"assets/index-BXe3kR2-.js"})
    assert not bundler_hashed("index.html", named)  # listed, no hash in its name
    assert not bundler_hashed(HAND, named)  # a hash-like name no manifest lists


def test_manifest_named_reads_bundler_manifests_not_web_app_manifests(tmp_path: Path) -> None:
    _project(tmp_path)
    build = tmp_path / "js/build"
    keys = [p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()]
    named = manifest_named(build, keys, ["asset-manifest.json", "manifest.json"])
    assert named == {MAIN, CHUNK, LOGO, "index.html"}


def test_own_static_route_reads_the_view_not_its_neighbour() -> None:
    text = APP.format(lines="")
    assert own_static_route(text) == "/static-files/"
    other = text.replace("send_from_directory(app.static_folder, path", "send_file(path")
    assert own_static_route(other) is None  # the next view's send_from_directory is not its


def test_init_finds_the_route_and_keeps_the_bundle(tmp_path: Path) -> None:
    _project(tmp_path)
    project = discover(tmp_path)
    assert project.public_path == "/static-files/"  # not Flask's /build/
    assert project.bundler_files == sorted([MAIN, CHUNK, LOGO])
    assert {"index.html", "favicon.ico", HAND} <= set(project.left_to_app)
    text = init(tmp_path).text
    assert 'public_path: "/static-files/"' in text
    assert 'bundler_manifests: ["asset-manifest.json"]' in text
    include = next(x for x in text.splitlines() if x.startswith("  include:") and "js" in x)
    assert "favicon.ico" not in include and "index.html" not in include
    assert "images:\n  include: []" in text  # the bundle's images keep their names


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.mark.timeout(180)
def test_built_and_served_through_the_apps_own_route(tmp_path: Path) -> None:
    _project(tmp_path, "from assetpipe.flask import AssetPipe\nAssetPipe(app)")
    assert init(tmp_path, force=True).project.public_path == "/static-files/"
    done = run_cli("build", "--strict", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    public = tmp_path / "dist/public"
    assert (public / MAIN).is_file() and (public / CHUNK).is_file()
    entries = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert entries[MAIN]["file"] == MAIN and "immutable" not in entries[MAIN]
    with serve(tmp_path, "from app import app", adopt=False, log=tmp_path / "log") as base:
        code, headers, _ = _get(base + "/static-files/" + CHUNK)
        assert code == 200 and "immutable" in headers["Cache-Control"]
        # not in the build: the app's own route answers, as before adoption
        code, headers, body = _get(base + "/static-files/favicon.ico")
        assert code == 200 and headers["Cache-Control"] == "public, max-age=2419200"
        assert body == b"\x00\x00\x01\x00ico"
        code, _, body = _get(base + "/static-files/nothing.js")
        assert code == 404 and b"Not Found" in body and b"<title>" in body  # Flask's page


def test_a_rebuild_keeps_the_previous_bundles_chunks(tmp_path: Path) -> None:
    _project(tmp_path)
    init(tmp_path)
    assert run_cli("build", cwd=tmp_path).code == 0
    new = "static/js/812.99aa88bb.chunk.js"
    (tmp_path / "js/build" / CHUNK).rename(tmp_path / "js/build" / new)
    (tmp_path / "js/build/asset-manifest.json").write_text(_manifest(new))
    assert run_cli("build", cwd=tmp_path).code == 0
    public = tmp_path / "dist/public"
    assert (public / new).is_file()
    # a page loaded before the deploy still fetches its chunk, immutable
    assert (public / CHUNK).is_file()
    report = json.loads((tmp_path / "dist/report.json").read_text())
    assert CHUNK in report["retained"]


# Airflow's webpack: the manifest sits beside the bundle, in a folder of the static folder, and
# names the files relative to that folder (``{"main.js": "main.fb487bd34c7cd20f02bc.js"}``).
WEBPACK_MAIN = "dist/main.fb487bd34c7cd20f02bc.js"
AIRFLOW_APP = """\
from flask import Flask, render_template

app = Flask(__name__)

@app.route("/")
def index():
    return render_template("index.html")
"""


def _nested_project(root: Path) -> None:
    write_tree(
        root,
        {
            "app.py": AIRFLOW_APP,
            "templates/index.html": (
                # the scripts are named at run time from the manifest (``url_for_asset``)
                "<link rel=icon href=\"{{ url_for('static', filename='pin.svg') }}\">"
            ),
            "static/pin.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "static/dist/manifest.json": json.dumps(
                {
                    "main.js": "main.fb487bd34c7cd20f02bc.js",
                    "swagger-ui/index.js": "swagger-ui/index.js",
                    "LICENSES.txt": "../../../3rd-party-licenses/LICENSES-ui.txt",
                }
            ),
            "static/" + WEBPACK_MAIN: "console.log('main');\n",
            "static/dist/swagger-ui/index.js": "console.log('swagger');\n",
        },
    )


def test_manifest_below_the_top_names_files_relative_to_its_folder(tmp_path: Path) -> None:
    _nested_project(tmp_path)
    static = tmp_path / "static"
    keys = [WEBPACK_MAIN, "dist/swagger-ui/index.js", "pin.svg", "dist/manifest.json"]
    named = manifest_named(static, keys, ["dist/manifest.json"])
    assert named == {WEBPACK_MAIN, "dist/swagger-ui/index.js"}
    # Vite's manifest in a folder: its paths are relative to the folder above ``.vite``
    write_tree(static, {"ui/.vite/manifest.json": json.dumps({"m": {"file": "a/m-BXe3kR2a.js"}})})
    assert manifest_named(static, ["ui/a/m-BXe3kR2a.js"], ["ui/.vite/manifest.json"]) == {
        "ui/a/m-BXe3kR2a.js"
    }


@pytest.mark.timeout(180)
def test_init_finds_a_manifest_below_the_top_and_the_build_keeps_its_names(
    tmp_path: Path,
) -> None:
    _nested_project(tmp_path)
    project = discover(tmp_path)
    assert project.bundler_manifests == ["dist/manifest.json"]
    assert project.bundler_files == [WEBPACK_MAIN]
    assert 'bundler_manifests: ["dist/manifest.json"]' in init(tmp_path).text
    done = run_cli("build", "--strict", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    entries = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert entries[WEBPACK_MAIN]["file"] == WEBPACK_MAIN  # not main.fb48...-MY2B3N66.js


@pytest.mark.timeout(180)
def test_a_watch_build_does_not_make_a_bundlers_file_immutable(tmp_path: Path) -> None:
    """Under ``assetpipe watch`` a saved webpack file keeps its name: served ``immutable``, the
    reload showed the browser's old copy (Airflow's ``flash.65805954dad3c27a3986.css``)."""
    _nested_project(tmp_path)
    init(tmp_path)
    done = run_cli("build", "--profile", "development", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    table = build_table(tmp_path / "dist")
    assert not table.files["/static/" + WEBPACK_MAIN].immutable
    assert run_cli("build", cwd=tmp_path).code == 0  # production: a year, as before
    assert build_table(tmp_path / "dist").files["/static/" + WEBPACK_MAIN].immutable


def test_chunks_a_manifest_of_entries_only_loads_are_the_bundlers(tmp_path: Path) -> None:
    """Superset's webpack manifest lists its entries (25 of 836 files): the chunks its runtime
    loads by their hashes, the stylesheets those load, the fonts those name are the bundler's
    too, found by their hashes in the listed files' bytes; a hashed name nothing holds, or one
    in another folder, is not."""
    entry = "assets/spa.3c707e777337bc9d.entry.js"
    chunk = "assets/000bc761e5962a2869e2.chunk.js"
    sheet = "assets/7778.43c0d1d8252f021b.chunk.css"
    font = "assets/01755571581f208371a3.woff"
    unloaded = "assets/deadbeefdeadbeef0123.chunk.js"
    elsewhere = "vendor/aaaaaaaaaaaaaaaa.js"
    static = tmp_path / "static"
    write_tree(
        static,
        {
            "assets/manifest.json": json.dumps(
                {"app": "superset", "entrypoints": {"spa": {"js": [f"/static/{entry}"]}}}
            ),
            entry: 'var m={7123:"000bc761e5962a2869e2"},x="aaaaaaaaaaaaaaaa";'
            'function u(e){return "".concat(e,".").concat(m[e],".chunk.js")}\n',
            chunk: 'var c={7778:"43c0d1d8252f021b"};\n',
            sheet: "@font-face{src:url(01755571581f208371a3.woff)}\n",
            font: b"wOFF",
            unloaded: "0;\n",
            elsewhere: "0;\n",
        },
    )
    keys = [entry, chunk, sheet, font, unloaded, elsewhere, "assets/manifest.json"]
    named = manifest_named(static, keys, ["assets/manifest.json"])
    assert named == {entry, chunk, sheet, font}
    assert all(bundler_hashed(k, named) for k in named)
    assert not bundler_hashed(unloaded, named) and not bundler_hashed(elsewhere, named)
