"""A source wider than the largest configured width keeps its own width in the build's widest
output (flask-shop: its category photos are 1950 x 550, the home page's hero 1892 x 840). The
widest output was the 1600 px variant, and every reference that names one file got it: the
dashboard's category page, whose ``<img>`` has no CSS width, drew the photo at 1600 x 451
instead of 1950 x 550 (the page 99 px shorter), and the stylesheet's and the run-time
``url_for``'s backgrounds lost 9-18 % of their sharpness at DPR 2 and 3. Now every source gets
its own width as a variant, encoded like the others: the WebP there is what a rewritten ``<img>``
names, and in the original format the encode or, when that is not smaller, the source's own bytes
(metadata stripped). Real build, real Flask, real HTTP.
"""

from __future__ import annotations

import io
import posixpath
import re
from pathlib import Path

import pytest
from flask import Flask, render_template, url_for
from PIL import Image

from assetpipe import build
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server

pytestmark = pytest.mark.node

PAGE = """\
<!doctype html><title>x</title>
<link rel="stylesheet" href="{{ url_for('static', filename='css/app.css') }}">
<img src="{{ url_for('static', filename='img/wide.jpg') }}" alt="">
<div style="background-image: url('{{ photo_url() }}')"></div>
"""


def _wide_jpeg() -> bytes:
    img = Image.new("RGB", (2000, 500))
    px = img.load()
    assert px is not None
    for x in range(0, 2000, 7):  # detail that a downscale would lose
        for y in range(0, 500, 5):
            px[x, y] = (255, (x * 3) % 256, (y * 5) % 256)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95)
    return out.getvalue()


def _size(port: int, url: str) -> tuple[int, int]:
    r = request(port, url)
    assert r.status == 200, url
    return Image.open(io.BytesIO(r.body)).size


def test_the_widest_output_of_a_wide_source_is_its_own_width(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n"
            "templates: {dirs: [app/templates]}\n"
            "images: {include: ['img/**'], widths: [480, 960, 1600]}\n"
            "styles: {entries: [css/app.css]}\n",
            "app/templates/page.html": PAGE,
            "app/static/css/app.css": ".hero { background: url(../img/wide.jpg) no-repeat; }\n",
            "app/static/img/wide.jpg": _wide_jpeg(),
        },
    )
    build(tmp_path / "pipeline.yaml")
    app = Flask("app", root_path=str(tmp_path / "app"))
    AssetPipe(app)

    @app.route("/")
    def page() -> str:
        # a model's property calling url_for while the template renders (flask-shop's)
        return render_template(
            "page.html", photo_url=lambda: url_for("static", filename="img/wide.jpg")
        )

    source_bytes = len(_wide_jpeg())
    with wsgi_server(app) as port:
        body = request(port, "/").body.decode()
        img = re.search(r'<img src="([^"]+)"', body)
        assert img, body
        assert _size(port, img.group(1)) == (2000, 500)
        # the whole image at fewer bytes than the source: a WebP, not the source's copy
        assert img.group(1).endswith(".webp"), body
        assert len(request(port, img.group(1)).body) < source_bytes
        # a srcset, when written, may offer the narrower variants; the src is the whole image
        computed = re.search(r"url\('([^']+)'\)", body)
        assert computed and re.search(r"-[A-Z0-9]{8}\.jpg$", computed.group(1)), body
        assert _size(port, computed.group(1)) == (2000, 500)
        css = re.search(r'href="([^"]+\.css)"', body)
        assert css
        sheet = request(port, css.group(1)).body.decode()
        bg = re.search(r"url\(([^)]+)\)", sheet)
        assert bg, sheet
        css_dir = css.group(1).rsplit("/", 1)[0]
        assert _size(port, posixpath.normpath(f"{css_dir}/{bg.group(1)}")) == (2000, 500)
        # the narrower variants are still there for a srcset
        manifest = (tmp_path / "dist" / "manifest.json").read_text()
        assert "wide-1600w-" in manifest and "wide-480w-" in manifest


def test_a_source_that_cannot_be_served_as_is_gets_its_own_width_encoded(tmp_path: Path) -> None:
    """A wide photo with an EXIF orientation (no plain copy can be served: its pixels must be
    turned) was capped at the largest configured width; it gets its own width now too."""
    img = Image.new("RGB", (500, 2000), (40, 90, 160))  # stored portrait, displayed landscape
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95, exif=exif.tobytes())
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: static\noutput: dist\n"
            "images: {include: ['img/**'], widths: [480, 1600]}\n",
            "static/img/turned.jpg": out.getvalue(),
        },
    )
    result = build(tmp_path / "pipeline.yaml")
    entry = result.manifest.entries["img/turned.jpg"]
    widths = sorted({(int(v["width"]), int(v["height"])) for v in entry["variants"]})
    assert widths == [(480, 120), (1600, 400), (2000, 500)]
    assert (int(entry["width"]), int(entry["height"])) == (2000, 500)
