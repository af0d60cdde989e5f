"""Unhashed URLs keep working (issue 11, item 5): a source path under ``public_path`` (a manifest
key such as ``/static/img/team-1.jpg``) is answered by the WSGI and ASGI middleware with the
asset's default output — an image's original format at its largest width, a script's or
stylesheet's bundle — under ``Cache-Control: no-cache`` with an ETag (304 on revalidation),
while hashed URLs stay immutable; ``source_paths=False`` turns it off. Real builds (Pillow,
esbuild), real servers on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.serve import AssetMiddleware
from assetpipe.serve import asgi as asgi_mod
from tests.conftest import CORPUS, write_tree
from tests.test_serve_support import asgi_server, request, wsgi_server

pytestmark = pytest.mark.node

IMMUTABLE = "public, max-age=31536000, immutable"


def _site(root: Path) -> Path:
    write_tree(
        root,
        {
            "src/js/app.js": "".join(
                f"export function f{i}() {{ return 'message number {i}'; }}\n" for i in range(60)
            ),  # big enough to get a .br
            "src/css/site.css": "body { color: #123456; }\n" * 30,
            "src/favicon.png": (CORPUS / "samples/chessboard_RGB.png").read_bytes(),
            "src/robots.txt": "User-agent: *\n",
            "src/extra/notes.txt": "published, not a manifest key\n",
            "src/templates/pages/index.html": "<p>hi</p>\n",
            "pipeline.yaml": """
            source: src
            output: dist
            images: {include: ["img/**/*.jpg"], widths: [100, 200], formats: [webp, original]}
            scripts: {entries: ["js/app.js"]}
            styles: {entries: ["css/site.css"]}
            static:
              include: ["favicon.png", "robots.txt"]
              keep_names: ["robots.txt"]
            """,
        },
    )
    (root / "src/img").mkdir()
    shutil.copy(CORPUS / "samples/rocket.jpg", root / "src/img/team-1.jpg")
    return root / "pipeline.yaml"


def _manifest(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "dist/manifest.json").read_text())
    return data


def _server(kind: str, root: Path, **options: Any) -> Any:
    if kind == "wsgi":
        return wsgi_server(AssetMiddleware(None, root / "dist", **options))
    return asgi_server(asgi_mod.AssetMiddleware(None, root / "dist", **options))


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_source_paths_answer_with_the_default_output(tmp_path: Path, kind: str) -> None:
    build(_site(tmp_path))
    m = _manifest(tmp_path)
    public = tmp_path / "dist/public"
    jpeg = max(
        (v for v in m["img/team-1.jpg"]["variants"] if v["format"] == "jpeg"),
        key=lambda v: v["width"],
    )
    cases = {
        "/static/img/team-1.jpg": (jpeg["file"], "image/jpeg"),
        "/static/js/app.js": (m["js/app.js"]["file"], "text/javascript; charset=utf-8"),
        "/static/css/site.css": (m["css/site.css"]["file"], "text/css; charset=utf-8"),
        "/static/favicon.png": (m["favicon.png"]["file"], "image/png"),
    }
    with _server(kind, tmp_path) as port:
        for url, (file, ctype) in cases.items():
            r = request(port, url)
            assert r.status == 200, url
            assert r.body == (public / file).read_bytes(), url
            assert r.headers["content-type"] == ctype
            assert r.headers["cache-control"] == "no-cache", url
            etag = r.headers["etag"]
            again = request(port, url, headers={"If-None-Match": etag})
            assert again.status == 304 and again.headers["cache-control"] == "no-cache"
            hashed = request(port, "/static/" + file)
            assert hashed.status == 200 and hashed.headers["cache-control"] == IMMUTABLE
        # precompressed alternatives come along (the bundle's .br)
        r = request(port, "/static/js/app.js", headers={"Accept-Encoding": "br"})
        assert r.headers.get("content-encoding") == "br"
        assert r.headers["cache-control"] == "no-cache"
        # a keep_names file is served as it is; nothing else changes
        assert request(port, "/static/robots.txt").body == b"User-agent: *\n"
        assert request(port, "/static/extra/notes.txt").status == 404  # never published
        assert request(port, "/static/img/team-2.jpg").status == 404
        assert request(port, "/static/js/missing.js").status == 404


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_source_paths_switch_off(tmp_path: Path, kind: str) -> None:
    build(_site(tmp_path))
    m = _manifest(tmp_path)
    with _server(kind, tmp_path, source_paths=False) as port:
        assert request(port, "/static/img/team-1.jpg").status == 404
        assert request(port, "/static/js/app.js").status == 404
        assert request(port, "/static/" + m["js/app.js"]["file"]).status == 200


def test_source_path_follows_a_new_build(tmp_path: Path) -> None:
    """A revalidated source path gets the new build's bytes (new ETag), not a stale 304."""
    cfg = _site(tmp_path)
    build(cfg)
    with _server("wsgi", tmp_path, autorefresh=True) as port:
        first = request(port, "/static/css/site.css")
        (tmp_path / "src/css/site.css").write_text("body { margin: 3px; }\n")
        build(cfg)
        r = request(port, "/static/css/site.css", headers={"If-None-Match": first.headers["etag"]})
        assert r.status == 200 and b"margin:3px" in r.body


def test_pipeline_yaml_switch(tmp_path: Path) -> None:
    """`serve: {source_paths: false}` reaches `assetpipe serve`'s app and the Flask extension;
    a wrong value is a located config error."""
    from flask import Flask

    from assetpipe.config import load_config
    from assetpipe.errors import ConfigError
    from assetpipe.flask import AssetPipe
    from assetpipe.serve.server import make_app

    cfg_path = _site(tmp_path)
    build(cfg_path)
    hashed = "/static/" + _manifest(tmp_path)["js/app.js"]["file"]
    with cfg_path.open("a") as f:
        f.write("serve: {source_paths: false}\n")
    with asgi_server(make_app(load_config(cfg_path))) as port:
        assert request(port, "/static/js/app.js").status == 404
        assert request(port, hashed).status == 200
    app = Flask("x", root_path=str(tmp_path), static_folder=None)
    AssetPipe(app)
    with app.test_client() as client:
        assert client.get("/static/js/app.js").status_code == 404
        assert client.get(hashed).status_code == 200
    cfg_path.write_text(cfg_path.read_text().replace("source_paths: false", "source_paths: 3"))
    with pytest.raises(ConfigError) as err:
        load_config(cfg_path)
    assert "serve.source_paths" in str(err.value) and "pipeline.yaml:" in str(err.value)


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_a_former_builds_hashed_name_gets_the_current_file(tmp_path: Path, kind: str) -> None:
    """Fava memoises its url_for: a running Fava kept linking the hashed names of the build it
    first rendered with, and two builds later (retain_builds: 2) every page 404ed its app.js
    and came up blank. A hashed name this build lacks is answered with the output of the same
    name but for its hash, no-cache (never immutable: those bytes are not that name's); a
    name no output has, an unhashed miss and a chunk's stay 404."""
    cfg = _site(tmp_path)
    build(cfg)
    old = _manifest(tmp_path)
    (tmp_path / "src/css/site.css").write_text("body { margin: 3px; }\n" * 30)
    (tmp_path / "src/js/app.js").write_text(
        "".join(f"export function g{i}() {{ return 'changed {i}'; }}\n" for i in range(60))
    )
    build(cfg)
    (tmp_path / "src/css/site.css").write_text("body { margin: 4px; }\n" * 30)
    build(cfg)  # the first build's files are no longer retained
    new = _manifest(tmp_path)
    for key in ("css/site.css", "js/app.js"):
        assert old[key]["file"] != new[key]["file"]
        assert not (tmp_path / "dist/public" / old[key]["file"]).exists()
    widest = max(new["img/team-1.jpg"]["variants"], key=lambda v: v["width"])["file"]
    stale_image = widest.rsplit("-", 1)[0] + "-AAAAAAAA." + widest.rsplit(".", 1)[1]
    with _server(kind, tmp_path) as port:
        css = request(port, "/static/" + old["css/site.css"]["file"])
        assert css.status == 200 and b"margin:4px" in css.body, css.status
        assert css.headers["cache-control"] == "no-cache"
        assert css.headers["content-type"].startswith("text/css")
        js = request(port, "/static/" + old["js/app.js"]["file"], headers={"Accept-Encoding": "br"})
        assert js.status == 200 and js.headers.get("content-encoding") == "br"
        assert js.headers["cache-control"] == "no-cache"
        image = request(port, "/static/" + stale_image)
        assert (
            image.status == 200 and image.body == (tmp_path / "dist/public" / widest).read_bytes()
        )
        current = request(port, "/static/" + new["css/site.css"]["file"])
        assert current.headers["cache-control"] == IMMUTABLE
        assert request(port, "/static/css/other-AAAAAAAA.css").status == 404
        assert request(port, "/static/js/missing.js").status == 404
    with _server(kind, tmp_path, source_paths=False) as port:
        assert request(port, "/static/" + old["css/site.css"]["file"]).status == 404
