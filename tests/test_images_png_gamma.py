"""A PNG's ``gAMA``/``cHRM`` chunks are colour information the variants must not lose.

BookWyrm's logos carry ``gAMA`` 0.45455 and ``cHRM`` (sRGB's primaries), as Photoshop writes
them; Chromium decodes such a PNG with a pure 2.2 curve, 9 levels darker in the shadows than
its sRGB reading. The re-encoded variants carried neither chunk, so every page's logo showed
other colours (19,622 px of the landing page differed at 1280 px). Now the pixels are converted
as the browser reads them, checked in real Chromium against the source."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageStat

from assetpipe import build
from assetpipe.imaging.pngcolour import png_profile
from tests.conftest import before_and_after

#: (wanted chunks) for each image: both (converted), a lone gAMA far from 1/2.2 (converted),
#: a lone gAMA of 1/2.2 and a lone cHRM (both shown as sRGB: left alone).
CHUNKS = {
    "both": (45455, True),
    "linear": (100000, False),
    "near": (45455, False),
    "chrm": (None, True),
}
PAGE = """\
<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<style>body{margin:0} img{display:block}</style></head>
<body>
<img src="/static/img/both.png" alt="">
<img src="/static/img/linear.png" alt="">
<img src="/static/img/near.png" alt="">
<img src="/static/img/chrm.png" alt="">
</body></html>
"""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def ramp_png(gamma: int | None, chrm: bool) -> bytes:
    """A 256 x 8 colour ramp, stored uncompressed (so the re-encoded PNG is the smaller one
    and is served), with the given ``gAMA`` (PNG's fixed point) and an sRGB-primaries
    ``cHRM``, as Photoshop writes them, after its header."""
    raw = b"".join(
        b"\x00" + bytes(v for x in range(256) for v in (x, x, 255 - x)) for _ in range(8)
    )
    extra = _chunk(b"gAMA", struct.pack(">I", gamma)) if gamma else b""
    if chrm:
        extra += _chunk(
            b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000)
        )
    head = struct.pack(">IIBBBBB", 256, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", head)
        + extra
        + _chunk(b"IDAT", zlib.compress(raw, 0))
        + _chunk(b"IEND", b"")
    )


def test_png_profile_follows_what_chromium_shows() -> None:
    assert png_profile(
        {"gamma": 0.45455, "chromaticity": (0.3127, 0.329, 0.64, 0.33, 0.3, 0.6, 0.15, 0.06)}
    )
    assert png_profile({"gamma": 1.0})
    assert png_profile({"gamma": 0.46}) is None  # within 5 % of 1/2.2: sRGB
    assert png_profile({"chromaticity": (0.3127, 0.329, 0.64, 0.33, 0.3, 0.6, 0.15, 0.06)}) is None
    assert png_profile({"gamma": 1.0, "srgb": 0}) is None  # an sRGB chunk wins
    assert png_profile({"gamma": 1.0, "icc_profile": b"x"}) is None  # so does a profile


def test_gama_and_chrm_pngs_look_the_same_in_chromium_after_the_build(
    make_site: Callable[..., Path], serve: Callable[[Path], str], browser: Any
) -> None:
    root = make_site(
        """\
source: site
output: dist
public_path: /static/
templates:
  dirs: ["templates"]
images:
  include: ["img/**/*"]
""",
        {
            **{f"site/img/{name}.png": ramp_png(*spec) for name, spec in CHUNKS.items()},
            "site/templates/index.html": PAGE,
        },
    )
    build(root / "pipeline.yaml")
    built = (root / "dist" / "templates" / "index.html").read_text()
    for name in CHUNKS:
        assert f"/static/img/{name}.png" not in built, built  # every image was re-encoded
    shots = {}
    for side, url in before_and_after(root, serve).items():
        page = browser.new_page(viewport={"width": 256, "height": 32})
        page.goto(url + "/index.html", wait_until="networkidle")
        path = root / f"{side}.png"
        page.screenshot(path=str(path))
        page.close()
        shots[side] = Image.open(path).convert("RGB")
    for i, name in enumerate(CHUNKS):
        box = (0, i * 8, 256, i * 8 + 8)
        diff = ImageChops.difference(shots["before"].crop(box), shots["after"].crop(box))
        worst = max(hi for _, hi in ImageStat.Stat(diff).extrema)
        assert worst <= 1, f"{name}: up to {worst}/255 off the source as Chromium shows it"
