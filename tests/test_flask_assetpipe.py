"""A real Flask app using ``AssetPipe`` over a real esbuild build, on wsgiref: the page's
``asset_tags()`` name CSS, the module script and modulepreloads (Vite's order, SRI), and every
URL it names is served by the middleware with bytes matching its integrity."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template, render_template_string
from flask import request as flask_request

from assetpipe import build
from assetpipe.flask import AssetPipe
from assetpipe.serve import no_compress
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server

pytestmark = pytest.mark.node

PAGE = """<!doctype html><html><head>{{ asset_tags('js/main.js') }}</head>
<body><img src="{{ asset_url('icons/logo.svg') }}"><p>{{ csrf }}</p></body></html>"""


def _site(root: Path) -> Path:
    write_tree(
        root,
        {
            "src/js/shared.js": "export const shared = (x) => 'shared:' + x.repeat(3);\n",
            "src/js/main.js": "import './main.css';\nimport { shared } from './shared.js';\n"
            "document.title = shared('main');\n",
            "src/js/other.js": "import { shared } from './shared.js';\nconsole.log(shared('o'));\n",
            "src/js/main.css": "body { margin: 0; color: #123456; }\n" * 20,
            "src/icons/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
            "src/templates/pages/index.html": "<p>x</p>\n",
            "pipeline.yaml": """
            source: src
            output: dist
            public_path: /assets/
            scripts: {entries: ["js/main.js", "js/other.js"]}
            static: {include: ["icons/**"]}
            templates: {integrity: true}
            """,
        },
    )
    return root / "pipeline.yaml"


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def test_flask_app_renders_tags_and_serves_them(tmp_path: Path) -> None:
    build(_site(tmp_path))
    app = Flask(__name__, static_folder=None)
    app.config["ASSETPIPE_CONFIG"] = str(tmp_path / "pipeline.yaml")
    ext = AssetPipe(app)
    assert app.extensions["assetpipe"] is ext

    @app.route("/")
    def index() -> str:
        no_compress(flask_request.environ)  # a page with a token: opted out (BREACH)
        return render_template_string(PAGE, csrf="token-123")

    with wsgi_server(app) as port:
        page = request(port, "/", headers={"Accept-Encoding": "gzip"})
        assert page.status == 200 and b"token-123" in page.body
        soup = BeautifulSoup(page.body, "html.parser")
        tags = soup.head.find_all(["link", "script"]) if soup.head else []
        kinds = [(t.name, (t.get_attribute_list("rel") or [None])[0]) for t in tags]
        assert kinds[0] == ("link", "stylesheet")
        assert ("script", None) in kinds
        assert kinds[-1] == ("link", "modulepreload")  # the shared chunk
        assert kinds.index(("script", None)) < kinds.index(("link", "modulepreload"))
        urls = [str(t.get("href") or t.get("src")) for t in tags]
        urls.append(str(soup.img["src"]))  # type: ignore[index]
        for tag, url in zip([*tags, None], urls, strict=True):
            assert url.startswith("/assets/")
            r = request(port, url)
            assert r.status == 200, url
            assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
            if tag is not None:
                assert tag["integrity"] == _sri(r.body)
                assert tag["crossorigin"] == "anonymous"
            compressed = request(port, url, headers={"Accept-Encoding": "br"})
            if url.endswith((".js", ".css")) and len(r.body) > 200:
                assert compressed.headers.get("content-encoding") == "br"
        assert request(port, "/assets/js/missing.js").status == 404
        assert request(port, "/assets/../pipeline.yaml").status == 404


def test_no_integrity_by_default(tmp_path: Path) -> None:
    """Without ``templates.integrity``, neither the rewritten templates nor ``asset_tags()``
    write SRI: ~80 bytes a tag on every HTML response, and a CORS request that a CDN without
    CORS headers would fail. The manifest still lists every file's integrity."""
    config = _site(tmp_path)
    config.write_text(config.read_text().replace("templates: {integrity: true}", ""))
    (tmp_path / "src/templates/pages/index.html").write_text(
        '<script type="module" src="/assets/js/main.js"></script>\n'
    )
    build(config)
    app = Flask(__name__, static_folder=None)
    app.config["ASSETPIPE_CONFIG"] = str(config)
    AssetPipe(app)

    @app.route("/")
    def index() -> str:
        return render_template_string(PAGE, csrf="token-123")

    @app.route("/built")
    def built() -> str:
        return render_template("pages/index.html")

    with wsgi_server(app) as port:
        page, rewritten = request(port, "/").body, request(port, "/built").body
    assert b"/assets/js/main-" in page and b"/assets/js/main-" in rewritten
    assert b"integrity=" not in page and b"integrity=" not in rewritten, (page, rewritten)
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert manifest["js/main.js"]["integrity"].startswith("sha384-")
