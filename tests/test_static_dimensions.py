"""A raster image the static stage copies (a logo at the static folder's root, which the images
stage leaves alone) has its width and height in the manifest, so the audit-then-build loop can
size it: the audit's ``images.unsized`` named Pyramid's cookiecutter logo
(``<img class="logo img-responsive" src="...pyramid.png">``, a layout shift on every page) and
recorded it ``dimensions_safe``, yet no build could write width/height, the entry having none.
Real build, real Pillow images; the hints file as ``assetpipe audit`` writes it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from assetpipe import build, load_config
from tests.conftest import write_tree

PAGE = (
    '<!doctype html><body><header><img class="logo" src="/static/logo.png" alt="Acme"></header>\n'
)
RECORD = {
    "template": "pages/index.html",
    "line": 1,
    "src": "logo.png",
    "profile": "mobile",
    "viewport": 412,
    "dpr": 1.75,
    "width": 100.0,
    "height": 40.0,
    "natural_width": 200,
    "natural_height": 80,
    "dimensions_safe": True,
}


def _png(w: int, h: int, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    im = Image.new("RGB", (w, h), (10, 80, 160))
    if orientation is None:
        im.save(out, "PNG")
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        im.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _site(root: Path, audited: bool) -> tuple[dict[str, dict[str, object]], str]:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static\noutput: dist\n"
            "templates: {dirs: [templates]}\n"
            "static: {include: [logo.png, turned.jpg, notes.txt]}\n",
            "static/logo.png": _png(200, 80),
            "static/turned.jpg": _png(300, 100, orientation=6),  # shown 100 x 300
            "static/notes.txt": "not an image\n",
            "templates/pages/index.html": PAGE,
        },
    )
    if audited:
        (root / "lcp-hints.json").write_text(
            json.dumps({"version": 2, "hints": [], "images": [RECORD]})
        )
    build(load_config(root / "pipeline.yaml"))
    manifest = json.loads((root / "dist/manifest.json").read_text())
    return manifest, (root / "dist/templates/pages/index.html").read_text()


def test_copied_images_have_their_displayed_size_in_the_manifest(tmp_path: Path) -> None:
    manifest, page = _site(tmp_path, audited=False)
    assert (manifest["logo.png"]["width"], manifest["logo.png"]["height"]) == (200, 80)
    # the EXIF orientation applied, as browsers draw it
    assert (manifest["turned.jpg"]["width"], manifest["turned.jpg"]["height"]) == (100, 300)
    assert "width" not in manifest["notes.txt"]
    # without an audit's word, a logo's intrinsic size could distort it: nothing written
    assert 'width="' not in page


def test_an_audited_unsized_logo_gets_width_and_height_on_the_next_build(tmp_path: Path) -> None:
    _, page = _site(tmp_path, audited=True)
    assert 'width="200" height="80"' in page, page
