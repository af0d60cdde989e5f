"""Deterministic, metadata-free encoders (one per output format).

No EXIF, XMP, comments or timestamps are written; an ICC profile only when ``images.colour`` is
``keep``. JPEG: progressive, 4:2:0, the configured quality. WebP: method 4 (libwebp's default
effort), lossy at the configured quality, or lossless for an image of at most
``GRAPHIC_COLOURS`` colours when that is not bigger (tried only where it can win, see
``_lossless_worth_trying``) and always for an icon (``ICON_SIDE``). AVIF: the configured speed and quality,
4:2:0, and ``max_threads=1`` so the bytes do not depend on how many cores the machine has. PNG:
zlib level 6, written in each exact pixel mode ``pngreduce.candidates`` offers (palette,
greyscale, no alpha) and the smallest kept.
"""

from __future__ import annotations

import io
from typing import Any

from .options import ImageOptions
from .pngreduce import candidates

#: An image with at most this many colours (alpha included) may be a graphic (a tile, an icon,
#: a logo, a diagram): its WebP variant is encoded lossless too, and the lossless bytes are
#: kept when they are not bigger than the lossy ones. Lossy WebP rings at the sharp edges such
#: images are made of (a two-colour 32 px background tile came out up to 20/255 off on every
#: page behind it: lossless, 82 B against 104 B). A greyscale photo or a noise texture also has
#: at most 256 colours, but lossless costs it 4-100x the bytes: it stays lossy.
GRAPHIC_COLOURS = 256

#: An icon: both sides at most this many pixels, at most ``GRAPHIC_COLOURS`` colours. Its WebP
#: is lossless whatever the lossy bytes: MoinMoin's 16 px icons (the emoticons, the link-type
#: and admonition icons its stylesheet names) came out of lossy WebP a few dozen bytes smaller
#: and up to 187/255 off on the page, a change anyone comparing the pages sees; lossless costs
#: 117 B an icon on average there (48.9 kB for all 118 against 88.9 kB of PNG).
ICON_SIDE = 48

#: A fast lossless encode (method 0, effort 0) bigger than this many times the lossy bytes
#: means the full lossless encode cannot win: on the graphics and photos of real apps, the
#: fast encode of every image whose lossless bytes won was at most 2.7x the lossy ones, and
#: of the greyscale photos that lost, 3.6-135x.
PROBE_RATIO = 3.5


def encode(
    im: Any, fmt: str, opts: ImageOptions, icc: bytes | None, lossy_source: bool = False
) -> bytes:
    """Encode one variant. ``im`` is L, LA, RGB or RGBA without ``info`` metadata;
    ``lossy_source`` says its pixels were decoded from a lossy file (a JPEG)."""
    buf = io.BytesIO()
    extra: dict[str, Any] = {"icc_profile": icc} if icc else {}
    has_alpha = im.mode in ("LA", "RGBA")
    if fmt == "jpeg":
        if has_alpha:  # a JPEG source never has alpha; a defensive flatten
            im = im.convert("RGB" if im.mode == "RGBA" else "L")
        im.save(
            buf,
            "JPEG",
            quality=opts.quality_for("jpeg"),
            progressive=True,
            subsampling=2,
            exif=b"",
            **extra,
        )
    elif fmt == "png":
        return min((_png(c, extra) for c in candidates(im)), key=len)
    elif fmt == "webp":
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if has_alpha else "RGB")
        quality = opts.quality_for("webp")
        if not lossy_source and _icon(im):
            return _webp_lossless(im, 80, 4, extra)
        im.save(buf, "WEBP", quality=quality, method=4, exif=b"", xmp=b"", **extra)
        if not lossy_source and _lossless_worth_trying(im, buf.tell(), extra):
            exact = _webp_lossless(im, 80, 4, extra)
            if len(exact) <= buf.tell():
                return exact
    elif fmt == "avif":
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if has_alpha else "RGB")
        im.save(
            buf,
            "AVIF",
            quality=opts.quality_for("avif"),
            speed=opts.avif_speed,
            max_threads=1,
            subsampling="4:2:0",
            **extra,
        )
    else:
        raise ValueError(f"no encoder for {fmt!r}")
    return buf.getvalue()


def _icon(im: Any) -> bool:
    """Whether ``im`` is an icon (``ICON_SIDE``): small, and of few colours."""
    return max(im.size) <= ICON_SIDE and im.getcolors(GRAPHIC_COLOURS) is not None


def _lossless_worth_trying(im: Any, lossy_size: int, extra: dict[str, Any]) -> bool:
    """Whether a lossless WebP of ``im`` may be no bigger than its lossy one (``lossy_size``
    bytes): a graphic (lossy rings at its edges), judged by its colour count and a fast
    lossless encode (~1/7 the CPU of the full one). Not asked for the pixels of a JPEG: they
    carry its block noise, which lossless would keep exactly (a JPEG-sourced photo's lossless
    WebP was 2.3-3.4x its lossy one)."""
    if im.getcolors(GRAPHIC_COLOURS) is None:
        return False
    return len(_webp_lossless(im, 0, 0, extra)) <= PROBE_RATIO * lossy_size


def _webp_lossless(im: Any, effort: int, method: int, extra: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "WEBP", lossless=True, quality=effort, method=method, exif=b"", xmp=b"", **extra)
    return buf.getvalue()


def _png(im: Any, extra: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=6, **extra)
    return buf.getvalue()
