"""Files esbuild copies from npm packages (fonts and images a package's stylesheet names, an
image a script imports from a package) get clean public names, ``vendor/<package>/...``, and
every reference to them (CSS, JS, manifest, sourcemap) follows. Real esbuild, tiny real sites."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.manifest import Manifest
from assetpipe.stages.vendored import vendor_name
from tests.sourcemap_vlq import unvlq

pytestmark = pytest.mark.node

CONFIG = """\
source: site
output: dist
styles:
  entries: ["css/app.css"]
scripts:
  entries: ["js/app.js"]
"""

PIN = b"\x89PNG\r\n\x1a\n-a-package-image-"
FONT = b"wOF2\x00\x01\x00\x00-a-package-font-"

SITE: dict[str, str | bytes] = {
    "node_modules/mapkit/package.json": '{"name": "mapkit", "version": "1.0.0"}\n',
    "node_modules/mapkit/dist/images/pin.png": PIN,
    "node_modules/mapkit/dist/mapkit.css": ".pin { background: url(images/pin.png); }\n",
    "node_modules/@glyphs/icons/package.json": '{"name": "@glyphs/icons"}\n',
    "node_modules/@glyphs/icons/font/fonts/glyphs.woff2": FONT,
    "node_modules/@glyphs/icons/font/glyphs.css": (
        '@font-face { font-family: G; src: url("./fonts/glyphs.woff2?v=3") format("woff2"); }\n'
    ),
    "site/css/app.css": (
        '@import "mapkit/dist/mapkit.css";\n'
        '@import "@glyphs/icons/font/glyphs.css";\n'
        ".after-the-urls { color: rebeccapurple; }\n"
    ),
    "site/js/app.js": ('import pin from "mapkit/dist/images/pin.png";\ndocument.title = pin;\n'),
}


def _built(make_site: Callable[..., Path]) -> tuple[Manifest, Path]:
    """Builds ``SITE``; its manifest and public folder."""
    root = make_site(CONFIG, SITE)
    build(root / "pipeline.yaml")
    return Manifest.read(root / "dist" / "manifest.json"), root / "dist" / "public"


def test_package_assets_are_published_under_vendor_with_references_right(
    make_site: Callable[..., Path],
) -> None:
    m, public = _built(make_site)
    published = sorted(p.relative_to(public).as_posix() for p in public.rglob("*"))
    assert not [p for p in published if "_.._" in p or "node_modules" in p]
    pins = [p for p in published if re.fullmatch(r"vendor/mapkit/dist/images/pin-\w+\.png", p)]
    fonts = [
        p
        for p in published
        if re.fullmatch(r"vendor/@glyphs/icons/font/fonts/glyphs-\w+\.woff2", p)
    ]
    assert len(pins) == 1 and len(fonts) == 1
    assert (public / pins[0]).read_bytes() == PIN
    css = (public / str(m["css/app.css"]["file"])).read_text()
    # relative to the stylesheet (css/): it follows an app's path prefix
    assert f'url("../{pins[0]}")' in css
    assert f"../{fonts[0]}?v=3" in css
    assert set(m["css/app.css"]["assets"]) == {pins[0], fonts[0]}
    js = (public / str(m["js/app.js"]["file"])).read_text()
    assert f"/static/{pins[0]}" in js
    files = {str(m[k]["file"]) for k in m}
    assert pins[0] in files and fonts[0] in files
    for entry in (m[k] for k in m):  # every manifest file is published
        assert (public / str(entry["file"])).is_file()


def test_the_stylesheets_sourcemap_still_points_at_the_rule_after_the_renamed_urls(
    make_site: Callable[..., Path],
) -> None:
    m, public = _built(make_site)
    css_file = str(m["css/app.css"]["file"])
    css = (public / css_file).read_text()
    doc = json.loads((public / str(m["css/app.css"]["map"])).read_text())
    line, col = next(
        (n, text.index(".after-the-urls"))
        for n, text in enumerate(css.split("\n"))
        if ".after-the-urls" in text
    )
    mapped: dict[int, tuple[int, int, int]] = {}  # generated column -> (source, line, column)
    src = src_line = src_col = 0
    for n, text in enumerate(doc["mappings"].split(";")):
        gen = 0
        for seg in filter(None, text.split(",")):
            f = unvlq(seg)
            gen += f[0]
            if len(f) >= 4:
                src, src_line, src_col = src + f[1], src_line + f[2], src_col + f[3]
                if n == line:
                    mapped[gen] = (src, src_line, src_col)
    assert col in mapped, (col, sorted(mapped))
    source, at_line, at_col = mapped[col]
    assert doc["sources"][source].endswith("css/app.css")
    assert (at_line, at_col) == (2, 0)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("_.._/node_modules/leaf/a-H.png", "vendor/leaf/a-H.png"),
        ("_.._/node_modules/@s/p/f/a-H.woff", "vendor/@s/p/f/a-H.woff"),
        ("_.._/_.._/node_modules/a/node_modules/b/x-H.png", "vendor/b/x-H.png"),
        ("_.._/shared/fonts/x-H.woff", "vendor/shared/fonts/x-H.woff"),
    ],
)
def test_vendor_names(path: str, name: str) -> None:
    assert vendor_name(path) == name
