"""A stylesheet the static stage copies (a vendored icon font's CSS, not bundled) names its
fonts and icons by their hashed, immutable names; everything else in it stays byte for byte."""

from __future__ import annotations

import json
import re
from pathlib import Path

from assetpipe import build, load_config
from assetpipe.serve import AssetMiddleware
from assetpipe.stages.cssrefs import rewrite_refs
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server

CSS = (
    "/* Font Awesome-like: url(../webfonts/fa.woff2) in a comment too */\n"
    '@font-face{font-family:"FA";src:url(../webfonts/fa.woff2) format("woff2"),'
    "url('../webfonts/fa.ttf?v=6#iefix') format(\"truetype\"),"
    'url("../webfonts/fa-v4compat.woff2") format("woff2")}\n'
    ".logo{background:url(/static/icons/logo.svg) no-repeat}\n"
    ".dot{background:url(data:image/png;base64,iVBORw0KGgo=)}\n"
    ".cdn{background:url(https://cdn.example.com/x.png)}\n"
    ".other{background:url(/elsewhere/y.png)}\n"
    '@import "theme.css";\n'
)


def _site(root: Path, font: bytes = b"wOF2 font one") -> Path:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static\noutput: dist\n"
            "static: {include: ['css/**', 'webfonts/**', 'icons/**']}\n",
            "static/css/fa.css": CSS,
            "static/css/theme.css": "@import url(fa.css);\nbody{color:#123}\n",
            "static/webfonts/fa.woff2": font,
            "static/webfonts/fa.ttf": b"\0\1\0\0 ttf",
            "static/icons/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        },
    )
    build(load_config(root / "pipeline.yaml"))
    return root


def test_references_to_static_files_name_their_hashed_files(tmp_path: Path) -> None:
    """Relative and ``public_path`` references to files the static stage publishes are
    rewritten in their own form (query and fragment kept); a font the folder lacks
    (``fa-v4compat.woff2``: 404s today too), ``data:``, another host, another root path stay.
    Served for real, every rewritten URL answers 200 ``immutable``. A reference to another
    stylesheet stays as written (fa.css and theme.css import each other: neither name could
    come first)."""
    root = _site(tmp_path)
    man = json.loads((root / "dist/manifest.json").read_text())
    css_file = man["css/fa.css"]["file"]
    out = (root / "dist/public" / css_file).read_text()
    woff2, ttf, svg = (
        man[k]["file"] for k in ("webfonts/fa.woff2", "webfonts/fa.ttf", "icons/logo.svg")
    )
    assert f"url(../{woff2}) format" in out
    assert f"url('../{ttf}?v=6#iefix')" in out
    assert f"url(/static/{svg})" in out
    for kept in (
        'url("../webfonts/fa-v4compat.woff2")',
        "url(data:image/png;base64,iVBORw0KGgo=)",
        "url(https://cdn.example.com/x.png)",
        "url(/elsewhere/y.png)",
    ):
        assert kept in out, kept
    assert '@import "theme.css";' in out
    theme = man["css/theme.css"]["file"]
    assert (root / "dist/public" / theme).read_text().startswith("@import url(fa.css);")
    # the manifest describes the bytes published
    assert man["css/fa.css"]["size"] == len(out.encode())
    assert re.fullmatch(r"css/fa-[A-Z0-9]{8}\.css", css_file)

    def not_found(environ: object, start_response: object) -> list[bytes]:
        raise AssertionError("every URL is the build's")

    app = AssetMiddleware(not_found, root / "dist", "/static/")
    with wsgi_server(app) as port:
        for url in (f"/static/{css_file}", f"/static/{woff2}", f"/static/{ttf}", f"/static/{svg}"):
            r = request(port, url)
            assert r.status == 200, url
            assert "immutable" in r.headers["cache-control"], url


def test_a_changed_font_renames_the_stylesheet_that_loads_it(tmp_path: Path) -> None:
    """The stylesheet's name hashes its rewritten bytes: a new font (a new hashed name in the
    stylesheet) gives the stylesheet a new name too, or a browser holding the old, immutable
    stylesheet would go on loading the old font."""
    first = json.loads((_site(tmp_path / "a") / "dist/manifest.json").read_text())
    second = json.loads(
        (_site(tmp_path / "b", b"wOF2 font two") / "dist/manifest.json").read_text()
    )
    assert first["webfonts/fa.woff2"]["file"] != second["webfonts/fa.woff2"]["file"]
    assert first["css/fa.css"]["file"] != second["css/fa.css"]["file"]
    assert first["icons/logo.svg"]["file"] == second["icons/logo.svg"]["file"]


def test_rewrite_refs_leaves_what_it_does_not_know_byte_for_byte() -> None:
    names = {"img/a.png": "img/a-HASH.png"}
    text = "a{b:url( '../img/a.png' )}c{d:url(../img/b.png)}/* url(x) */"
    assert rewrite_refs(text, "css/x.css", "/static/", names.get) == (
        "a{b:url( '../img/a-HASH.png' )}c{d:url(../img/b.png)}/* url(x) */"
    )
    assert rewrite_refs("e{f:url(../../up.png)}", "css/x.css", "/static/", names.get) == (
        "e{f:url(../../up.png)}"
    )


def test_a_development_build_copies_the_stylesheet_as_it_is(tmp_path: Path) -> None:
    """``watch`` rebuilds only the files that changed: a stylesheet rewritten there would keep
    naming a font's old name after the font changed. Development builds serve every file
    ``no-cache`` anyway, so they copy it byte for byte."""
    root = _site(tmp_path)
    build(load_config(root / "pipeline.yaml"), profile="development")
    man = json.loads((root / "dist/manifest.json").read_text())
    assert (root / "dist/public" / man["css/fa.css"]["file"]).read_text() == CSS
