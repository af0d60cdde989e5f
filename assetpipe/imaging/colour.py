"""Pixel modes and colour management.

``normalise_mode`` (before resizing) turns whatever Pillow decoded into one of L, LA, RGB, RGBA
or CMYK, keeping transparency and range:

- palette (``P``/``PA``) and RGB/L with a ``tRNS`` transparent colour → RGBA / LA (so WebP and
  AVIF keep the transparency too); ``1`` → L;
- 16-bit grayscale (``I;16*``, and ``I`` holding values above 255) is *scaled* to 8 bits
  (v / 257): mid-gray stays mid-gray, where a plain ``convert("L")`` clips it to white;
- CMYK stays CMYK until ``to_output`` (resizing 4 bands is as good and cheaper than converting
  the full-size image first).

``to_output`` (after the first resize, on the largest variant, so colour work is done on the
fewest pixels) applies ``images.colour``:

- ``srgb``: an embedded profile (or a PNG's ``gAMA``/``cHRM``, read as one by
  ``pngcolour.png_profile``) that is not sRGB is converted to sRGB with LittleCMS
  (perceptual intent) and dropped; an sRGB or grayscale profile is just dropped;
- ``keep``: the ICC profile is kept and written into every variant;
- CMYK always ends as RGB: through its embedded profile when it has one, else with the
  standard naive formula (what browsers do for an untagged CMYK JPEG); a CMYK profile is never
  attached to an RGB output.
"""

from __future__ import annotations

import io
from typing import Any

OUTPUT_MODES = ("L", "LA", "RGB", "RGBA")


def normalise_mode(im: Any) -> Any:
    """See the module docstring. Returns an image in L, LA, RGB, RGBA or CMYK."""
    mode = im.mode
    transparent = "transparency" in im.info
    if mode in ("L", "RGB"):
        return im.convert(mode + "A" if mode == "L" else "RGBA") if transparent else im
    if mode in ("LA", "RGBA", "CMYK"):
        return im
    if mode == "1":
        return im.convert("L")
    if mode in ("P", "PA"):
        return im.convert("RGBA" if transparent or mode == "PA" else "RGB")
    if mode.startswith("I;16") or mode == "I":
        wide = im.convert("I") if mode != "I" else im
        lo, hi = wide.getextrema()
        if mode == "I" and hi <= 255 and lo >= 0:
            return wide.convert("L")
        return wide.point(lambda v: v * (1 / 257)).convert("L")
    if mode == "La":
        return im.convert("LA")
    if mode in ("RGBa", "RGBX", "YCbCr", "HSV", "F"):
        return im.convert("RGBA" if mode == "RGBa" else ("L" if mode == "F" else "RGB"))
    raise ValueError(f"unsupported pixel mode {mode!r}")


def to_output(im: Any, icc: bytes | None, colour: str) -> tuple[Any, bytes | None]:
    """Apply ``images.colour``; returns the image (L/LA/RGB/RGBA) and the profile to embed."""
    if im.mode == "CMYK":
        if icc:
            return _transform(im, icc, "RGB"), None
        return im.convert("RGB"), None
    if not icc:
        return im, None
    if colour == "keep":
        return im, icc
    if im.mode in ("L", "LA") or is_srgb(icc):
        return im, None
    if im.mode == "RGBA":
        alpha = im.getchannel("A")
        rgb = _transform(im.convert("RGB"), icc, "RGB")
        rgb.putalpha(alpha)
        return rgb, None
    return _transform(im, icc, "RGB"), None


def is_srgb(icc: bytes) -> bool:
    """Whether an ICC profile describes sRGB (by its description, as browsers treat it)."""
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return "srgb" in ImageCms.getProfileDescription(profile).lower()
    except (OSError, ImageCms.PyCMSError):
        return False


def _transform(im: Any, icc: bytes, out_mode: str) -> Any:
    from PIL import ImageCms

    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (OSError, ImageCms.PyCMSError):
        # an unreadable profile: treat the pixels as sRGB rather than refuse the image
        return im.convert(out_mode)
    dst = ImageCms.createProfile("sRGB")
    out = ImageCms.profileToProfile(
        im, src, dst, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=out_mode
    )
    if out is None:  # pragma: no cover - only with inPlace=True
        raise ValueError("colour transform failed")
    return out
