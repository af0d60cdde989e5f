"""Exact, smaller pixel modes for PNG output: a palette or greyscale source stays one.

The worker decodes a palette PNG to RGB(A) so it can be resized with a real filter; written
back as RGB, a 3.7 kB icon became 10.9 kB. ``candidates(im)`` gives the exact (lossless)
representations of an image, cheapest checks first:

- an alpha channel that is opaque everywhere is dropped (RGBA → RGB, LA → L);
- RGB(A) whose three channels are equal becomes L(A);
- at most 256 distinct colours (alpha included) become a palette image (``P``, with a
  ``tRNS`` entry per colour when there is transparency), which libpng writes at 1, 2, 4 or 8
  bits per pixel as the palette size allows.

Every palette is checked by converting it back: a candidate is only offered when it decodes to
exactly the same pixels. The encoder writes each candidate and keeps the smallest bytes, so a
quantised image is used only when it is smaller *and* exact. Resized variants usually have
more than 256 colours (the filter blends them) and stay RGB(A)/L(A).
"""

from __future__ import annotations

from typing import Any


def candidates(im: Any) -> list[Any]:
    """``im`` (L, LA, RGB or RGBA) and its exact smaller-mode forms, the most reduced last."""
    from PIL import ImageChops

    out = [im]
    if im.mode in ("LA", "RGBA") and im.getchannel("A").getextrema() == (255, 255):
        im = im.convert(im.mode[:-1])
        out.append(im)
    if im.mode in ("RGB", "RGBA"):
        r, g, b = im.getchannel("R"), im.getchannel("G"), im.getchannel("B")
        if (
            ImageChops.difference(r, g).getbbox() is None
            and ImageChops.difference(g, b).getbbox() is None
        ):
            im = im.convert("LA" if im.mode == "RGBA" else "L")
            out.append(im)
    palette = _exact_palette(im)
    if palette is not None:
        out.append(palette)
    return out


def _exact_palette(im: Any) -> Any | None:
    """A ``P`` image with exactly ``im``'s pixels, or ``None`` (over 256 colours)."""
    from PIL import Image, ImageChops

    if im.getcolors(256) is None:
        return None
    alpha = im.getchannel("A") if im.mode in ("LA", "RGBA") else None
    rgb = im.convert("RGB")
    # Median cut keeps every colour when there are no more than the palette holds.
    by_rgb = rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    if alpha is None:
        out = by_rgb
    else:
        # One colour may appear with several alphas: index the (rgb index, alpha) pairs.
        rgb_palette = by_rgb.getpalette() or []
        indices = Image.frombytes("L", im.size, by_rgb.tobytes())
        pairs = Image.merge("RGB", (indices, alpha, Image.new("L", im.size, 0)))
        out = pairs.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        pair_palette = out.getpalette() or []
        palette: list[int] = []
        alphas = bytearray()
        for i in range(0, len(pair_palette), 3):
            index, a = pair_palette[i], pair_palette[i + 1]
            palette += rgb_palette[3 * index : 3 * index + 3] or [0, 0, 0]
            alphas.append(a)
        out.putpalette(palette)
        out.info["transparency"] = bytes(alphas)
    back = out.convert(im.mode)
    if ImageChops.difference(back, im).getbbox() is not None:
        return None
    return out
