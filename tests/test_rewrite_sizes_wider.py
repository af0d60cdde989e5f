"""An audit that measured one viewport (``assetpipe audit``'s default: the mobile profile) says
nothing about wider screens. Albumy's login photo (``img-fluid`` in a Bootstrap column) measured
350 CSS px on the 412-px phone; the next build wrote ``sizes="350px"`` and trimmed the srcset to
what the phone needed, so a 1280-px desktop showing the photo 687 px wide downloaded the 480w
variant and upscaled it: blurrier than before the adoption. Beyond the one measured viewport
``sizes`` now gives the same share of the viewport and no variant is dropped. Real build, real
Jinja2 render, real Chromium at both sizes."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from PIL import Image

from assetpipe import build, load_config

pytestmark = [pytest.mark.chromium]

PAGE = """\
<!doctype html><html><head><meta name="viewport" content="width=device-width,initial-scale=1">
<style>body { margin: 0 } .col { width: 85% } .img-fluid { max-width: 100%; height: auto }</style>
</head><body><div class="col"><img id="photo" class="img-fluid" src="/static/img/photo.jpg"
 alt=""></div></body></html>
"""
#: the record `assetpipe audit` writes with its default (mobile) profile
MOBILE = {
    "template": "pages/index.html",
    "line": 3,
    "src": "img/photo.jpg",
    "profile": "mobile",
    "viewport": 412,
    "dpr": 1.75,
    "width": 350.0,
    "height": 262.5,
    "natural_width": 1000,
    "natural_height": 750,
    "dimensions_safe": True,
}


def _site(root: Path) -> Path:
    img = Image.new("RGB", (1000, 750))
    img.putdata([(x % 256, y % 256, (x * y) % 256) for y in range(750) for x in range(1000)])
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    (root / "site/img").mkdir(parents=True)
    (root / "site/templates/pages").mkdir(parents=True)
    (root / "site/img/photo.jpg").write_bytes(buf.getvalue())
    (root / "site/templates/pages/index.html").write_text(PAGE)
    (root / "pipeline.yaml").write_text(
        "source: site\noutput: dist\nimages: {widths: [480, 960], formats: [webp]}\n"
        'templates: {pages: ["pages/**"]}\n'
    )
    (root / "lcp-hints.json").write_text(
        json.dumps({"version": 2, "hints": [], "images": [MOBILE]})
    )
    build(load_config(root / "pipeline.yaml"))
    www = root / "www"
    www.mkdir()
    (www / "static").symlink_to((root / "dist/public").resolve())
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root / "dist/templates"))
    (www / "index.html").write_text(env.get_template("pages/index.html").render())
    return www


def _shown(browser: Any, url: str, width: int, dpr: float) -> tuple[float, int]:
    """(rendered CSS width x DPR, pixel width of the file Chromium chose) of the photo."""
    page = browser.new_page(viewport={"width": width, "height": 800}, device_scale_factor=dpr)
    try:
        page.goto(url + "/index.html", wait_until="load")
        page.wait_for_function("document.images[0].complete")
        shown, chosen = page.evaluate(
            """async () => { const i = document.images[0];
            const probe = new Image(); probe.src = i.currentSrc; await probe.decode();
            return [i.getBoundingClientRect().width * devicePixelRatio, probe.naturalWidth]; }"""
        )
        return float(shown), int(chosen)
    finally:
        page.close()


def test_one_measured_viewport_never_makes_a_wider_screen_blurrier(
    browser: Any, serve: Callable[[Path], str], tmp_path: Path
) -> None:
    url = serve(_site(tmp_path))
    shown, chosen = _shown(browser, url, 1280, 1)
    assert shown >= 1000 and chosen == 1000, (shown, chosen)  # the sharpest file there is
    html = (tmp_path / "www/index.html").read_text()
    assert 'sizes="(max-width: 412px) 350px, 85vw"' in html, html
    # the phone the audit measured still gets a smaller file than the original
    shown, chosen = _shown(browser, url, 412, 1.75)
    assert shown < 960 and chosen == 960, (shown, chosen)
