"""An icon (at most ``ICON_SIDE`` px a side, at most 256 colours) gets a lossless WebP even when
the lossy one is smaller: MoinMoin's 16 px icons, named by its stylesheet, came out of lossy
WebP a few dozen bytes smaller and up to 187/255 off on every page that shows them. A larger
image of few colours still gets lossless only when that is not bigger."""

from __future__ import annotations

import io
import random

from PIL import Image

from assetpipe.imaging.encode import ICON_SIDE, encode
from tests.test_images_modes import _webp_options


def _icon(side: int) -> Image.Image:
    """A square of 192 colours scattered at random: lossless WebP codes it poorly."""
    rnd = random.Random(7)
    palette = [
        (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256), 255) for _ in range(192)
    ]
    im = Image.new("RGBA", (side, side))
    im.putdata([palette[rnd.randrange(192)] for _ in range(side * side)])
    return im


def _lossy(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "WEBP", quality=80, method=4)
    return buf.getvalue()


def test_an_icon_is_lossless_even_when_lossy_is_smaller() -> None:
    icon = _icon(16)
    data = encode(icon, "webp", _webp_options(), None)
    assert len(_lossy(icon)) < len(data)  # lossy would have won on bytes
    assert Image.open(io.BytesIO(data)).convert("RGBA").tobytes() == icon.tobytes()


def test_a_larger_image_of_few_colours_keeps_the_smaller_lossy_bytes() -> None:
    big = _icon(ICON_SIDE * 4)
    data = encode(big, "webp", _webp_options(), None)
    assert len(data) <= len(_lossy(big))
    assert Image.open(io.BytesIO(data)).convert("RGBA").tobytes() != big.tobytes()
