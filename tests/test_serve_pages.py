"""``assetpipe serve``'s pages: a strong ETag from the rendered bytes, 304 on a match, and dynamic
compression (weak ETag, Vary) — through the very app ``assetpipe serve`` runs, on uvicorn."""

from __future__ import annotations

from pathlib import Path

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.serve.server import make_app
from tests.conftest import write_tree
from tests.test_serve_support import asgi_server, decode, make_site, request


def test_pages_get_etag_304_and_compression(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/templates/pages/about.html": "<html><body>"
            + "<p>{{ title }} and more words about the team</p>" * 40
            + "</body></html>",
            "about.yaml": "title: About us\n",
        },
    )
    cfg = make_site(tmp_path)
    with cfg.open("a") as f:
        f.write("pages:\n  - {path: /about, template: pages/about.html, context: about.yaml}\n")
    build(cfg)
    with asgi_server(make_app(load_config(cfg))) as port:
        plain = request(port, "/about")
        assert plain.status == 200 and b"About us" in plain.body
        tag = plain.headers["etag"]
        assert tag.startswith('"') and "content-encoding" not in plain.headers
        assert plain.headers["vary"] == "Accept-Encoding"
        assert request(port, "/about", headers={"If-None-Match": tag}).status == 304

        br = request(port, "/about", headers={"Accept-Encoding": "br"})
        assert br.headers["content-encoding"] == "br"
        assert decode(br) == plain.body and len(br.body) < len(plain.body) / 3
        assert br.headers["etag"] == "W/" + tag
        nm = request(
            port, "/about", headers={"Accept-Encoding": "br", "If-None-Match": br.headers["etag"]}
        )
        assert nm.status == 304 and nm.headers["etag"] == "W/" + tag
        assert nm.headers["vary"] == "Accept-Encoding" and nm.body == b""
        head = request(port, "/about", "HEAD", {"Accept-Encoding": "br"})
        assert head.headers["content-length"] == br.headers["content-length"]
        # the stats endpoint is no-store: no validator
        assert "etag" not in request(port, "/__assetpipe/stats").headers
