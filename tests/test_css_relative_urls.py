"""A bundled stylesheet names its fonts and images relative to itself, so an app mounted under a
path prefix (ihatemoney's ``APPLICATION_ROOT = "/ihm"`` behind a proxy forwarding only
``/ihm/``) still loads them: with ``url(/static/...)`` every font and icon 404ed there."""

from __future__ import annotations

import io
import json
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

import pytest
from PIL import Image

from assetpipe import build
from assetpipe.esbuild.result import Result
from assetpipe.manifest import Manifest
from assetpipe.stages.cssurls import relativize
from tests.sourcemap_vlq import unvlq

pytestmark = pytest.mark.node

CONFIG = """\
source: site
output: dist
images:
  include: ["images/**/*.png"]
  widths: [16]
  formats: [webp]
styles:
  entries: ["css/main.css"]
"""


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


# ihatemoney's layout: main.css @imports a partial in another folder naming its fonts
SITE: dict[str, str | bytes] = {
    "site/images/edit.png": png(),
    "site/fonts/lobster.woff": b"wOFF-fake-font-bytes",
    "site/fonts/fontfaces.css": '@font-face { font-family: L; src: url("lobster.woff"); }\n',
    "site/css/main.css": '@import "../fonts/fontfaces.css";\n'
    ".edit { background: url(../images/edit.png) no-repeat; }\n"
    ".after { color: red; }\n",
}


def stylesheet(root: Path) -> tuple[str, str, Manifest]:
    m = Manifest.read(root / "dist" / "manifest.json")
    name = str(m["css/main.css"]["file"])
    return name, (root / "dist" / "public" / name).read_text(), m


def test_urls_resolve_under_a_path_prefix(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG, SITE)
    build(root / "pipeline.yaml")
    name, css, m = stylesheet(root)
    refs = re.findall(r"""url\(["']?([^"')]+)""", css)
    assert len(refs) == 2 and not [r for r in refs if r.startswith("/")]
    # the page links the stylesheet under the app's prefix: each reference stays under it
    page_css = urljoin("http://h/ihm/static/", name)
    want = {m["images/edit.png"]["file"], m["fonts/lobster.woff"]["file"]}
    got = {urljoin(page_css, r).removeprefix("http://h/ihm/static/") for r in refs}
    assert got == want
    # and at the stylesheet's unhashed source path, which the middleware answers too
    assert {posixpath.normpath(posixpath.join("css", r)) for r in refs} == want


def test_sourcemap_columns_follow_the_shorter_references(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG, SITE)
    build(root / "pipeline.yaml")
    name, css, _ = stylesheet(root)
    doc = json.loads((root / "dist" / "public" / (name + ".map")).read_text())
    line = css.split("\n")[0]
    col, src_line, at = 0, 0, line.index(".after")
    mapped = None
    for seg in doc["mappings"].split(";")[0].split(","):
        fields = unvlq(seg)
        col += fields[0]
        if len(fields) >= 4:
            src_line += fields[2]
            if col == at:
                mapped = src_line
    assert mapped == 2  # 0-based: `.after` is main.css's third line


def test_an_absolute_public_path_is_left_as_esbuild_wrote_it(
    make_site: Callable[..., Path],
) -> None:
    cdn = "https://cdn.example.com/static/"
    root = make_site(CONFIG + f"public_path: {cdn}\n", SITE)
    build(root / "pipeline.yaml")
    _, css, m = stylesheet(root)
    assert f"url({cdn}{m['images/edit.png']['file']})" in css


def test_the_rewritten_stylesheet_gets_a_name_of_its_own_bytes() -> None:
    """esbuild named the stylesheet by its bytes before the rewrite; served ``immutable``, that
    name must not stand for other bytes (a cached copy with ``/static/`` URLs would stay)."""
    css = b".a{src:url(/static/fonts/x-BBBBBBBB.woff)}\n/*# sourceMappingURL=/static/css/m-AAAAAAAA.css.map */\n"
    meta = {
        "outputs": {
            "css/m-AAAAAAAA.css": {},
            "css/m-AAAAAAAA.css.map": {},
            "js/app-CCCCCCCC.js": {"cssBundle": "css/m-AAAAAAAA.css"},
        }
    }
    files = {
        "css/m-AAAAAAAA.css": css,
        "css/m-AAAAAAAA.css.map": b'{"version":3,"mappings":"AAAA"}',
        "js/app-CCCCCCCC.js": b"x",
    }
    out = relativize(Result(files, meta), "/static/")
    (name,) = [n for n in out.files if n.endswith(".css")]
    assert re.fullmatch(r"css/m-[A-Z2-7]{8}\.css", name) and name != "css/m-AAAAAAAA.css"
    assert (
        out.files[name]
        == (
            f".a{{src:url(../fonts/x-BBBBBBBB.woff)}}\n/*# sourceMappingURL=/static/{name}.map */\n"
        ).encode()
    )
    assert name + ".map" in out.files
    assert sorted(out.metafile["outputs"]) == sorted([name, name + ".map", "js/app-CCCCCCCC.js"])
    assert out.metafile["outputs"]["js/app-CCCCCCCC.js"]["cssBundle"] == name
