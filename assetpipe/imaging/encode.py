"""Deterministic, metadata-free encoders (one per output format).

No EXIF, XMP, comments or timestamps are written; an ICC profile only when ``images.colour`` is
``keep``. JPEG: progressive, 4:2:0, the configured quality. WebP: method 4 (libwebp's default
effort), lossy at the configured quality, or lossless for an image of at most
``GRAPHIC_COLOURS`` colours when that is not bigger. AVIF: the configured speed and quality,
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


def encode(im: Any, fmt: str, opts: ImageOptions, icc: bytes | None) -> bytes:
    """Encode one variant. ``im`` is L, LA, RGB or RGBA without ``info`` metadata."""
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
        im.save(buf, "WEBP", quality=quality, method=4, exif=b"", xmp=b"", **extra)
        if im.getcolors(GRAPHIC_COLOURS) is not None:  # a graphic: lossy rings at its edges
            exact = io.BytesIO()
            im.save(exact, "WEBP", lossless=True, quality=80, method=4, exif=b"", xmp=b"", **extra)
            if exact.tell() <= buf.tell():
                return exact.getvalue()
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


def _png(im: Any, extra: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=6, **extra)
    return buf.getvalue()
