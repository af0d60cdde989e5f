"""A stylesheet the static stage copies names the images the images stage publishes by their
hashed original-format output (SearXNG's prebuilt ``sxng-ltr.min.css`` has
``url(./img/searxng.png)``: left as written, the logo revalidated on every visit), and a
changed image renames that stylesheet, in a cold build and in an edit build alike."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from assetpipe import build, load_config
from assetpipe.serve import AssetMiddleware
from tests.conftest import write_tree
from tests.rebuild_site import png
from tests.test_serve_support import request, wsgi_server

CSS = ".logo{background:url(./img/logo.png) no-repeat}.x{background:url(img/gone.png)}\n"


def _site(root: Path) -> Path:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static\noutput: dist\n"
            "images: {include: ['img/**']}\n"
            "static: {include: ['app.min.css']}\n",
            "static/app.min.css": CSS,
            "static/img/logo.png": png(64, 16, (200, 20, 20)),
        },
    )
    _age(*(root / "static").rglob("*.*"), root / "pipeline.yaml")
    return root


def _age(*paths: Path) -> None:
    """Date ``paths`` 10 s back: a file saved just before a build is "racily clean" and makes
    the next build a full one (``pipeline.reuse``); these must allow an edit build."""
    then = time.time_ns() - 10_000_000_000
    for p in paths:
        os.utime(p, ns=(then, then))


def _built(root: Path) -> tuple[dict[str, dict[str, object]], str]:
    build(load_config(root / "pipeline.yaml"))
    man: dict[str, dict[str, object]] = json.loads((root / "dist/manifest.json").read_text())
    css = (root / "dist/public" / str(man["app.min.css"]["file"])).read_text(encoding="utf-8")
    return man, css


def _png_output(man: dict[str, dict[str, object]]) -> str:
    variants = man["img/logo.png"]["variants"]
    assert isinstance(variants, list)
    return str([v for v in variants if v["format"] == "png"][-1]["file"])


def test_a_copied_stylesheet_names_the_image_by_its_hashed_original_format(
    tmp_path: Path,
) -> None:
    """``url(./img/logo.png)`` becomes ``url(img/logo-64w-HASH.png)``: a PNG still (a
    background never becomes WebP), served ``immutable``; a file the build lacks stays."""
    man, css = _built(_site(tmp_path))
    out = _png_output(man)
    assert out.startswith("img/logo-") and out.endswith(".png")
    assert f"url({out}) no-repeat" in css
    assert "url(img/gone.png)" in css

    def not_found(environ: object, start_response: object) -> list[bytes]:
        raise AssertionError("every URL is the build's")

    with wsgi_server(AssetMiddleware(not_found, tmp_path / "dist", "/static/")) as port:
        r = request(port, "/static/" + out)
        assert r.status == 200
        assert "immutable" in r.headers["cache-control"]


def test_a_changed_image_renames_the_stylesheet_in_an_edit_build(tmp_path: Path) -> None:
    """Only the image changes: the next build (an edit build, the static stage otherwise
    replayed) reruns the static stage, so the stylesheet names the new image under a new name,
    as a cold build does."""
    root = _site(tmp_path)
    first, css1 = _built(root)
    logo = root / "static/img/logo.png"
    logo.write_bytes(png(64, 16, (20, 20, 200)))
    _age(logo)
    result = build(load_config(root / "pipeline.yaml"))
    assert "static" not in result.replayed and "templates" in result.replayed
    second, css2 = _built(root)
    assert _png_output(second) != _png_output(first)
    assert f"url({_png_output(second)})" in css2
    assert second["app.min.css"]["file"] != first["app.min.css"]["file"]
    assert css1 != css2
