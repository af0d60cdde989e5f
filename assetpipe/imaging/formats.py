"""Format tokens, output formats and file extensions.

Config tokens (``images.formats``): ``webp``, ``avif`` and ``original`` — the source's own
format. Output formats (the ``format`` of a manifest variant) are real formats: ``jpeg``,
``png``, ``webp``, ``avif``, or ``gif`` for an animated GIF passed through. ``original`` maps a
JPEG to ``jpeg``, a PNG to ``png``, a WebP to ``webp``, an AVIF to ``avif`` and anything else
Pillow may read (a still GIF, BMP, TIFF) to ``png``. When ``original`` resolves to a format the
list already has (a WebP source with ``[webp, original]``), it is produced once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

ORIGINAL = "original"

#: Pillow format names this stage opens (anything else, e.g. EPS, is refused unopened).
READABLE = ("JPEG", "PNG", "WEBP", "GIF", "AVIF", "BMP", "TIFF")

#: Pillow format name → output format of ``original``.
ORIGINAL_OF = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}

#: the file endings of raster images (a static folder's image folders, its top images, the
#: copies that get width/height)
RASTER = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
EXTENSION = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "avif": ".avif", "gif": ".gif"}

#: Output formats whose encoder takes a quality (key in ``images.quality``).
QUALITY_KEY = {"jpeg": "jpeg", "webp": "webp", "avif": "avif"}

_EXT_FORMAT = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".webp": "webp",
    ".avif": "avif",
    ".gif": "gif",
}


def original_format(pillow_format: str) -> str:
    """The output format ``original`` means for a source Pillow identified as ``pillow_format``."""
    return ORIGINAL_OF.get(pillow_format, "png")


def plain_format(pillow_format: str) -> str:
    """The output format of the source's own bytes served as they are (``imaging.plain``): its
    ``original`` format, but ``gif`` for a still GIF (re-encoded as PNG, served as itself when
    that is not smaller)."""
    return "gif" if pillow_format == "GIF" else original_format(pillow_format)


def resolve(tokens: Iterable[str], pillow_format: str) -> list[str]:
    """Config tokens → output formats for one source, in config order, without duplicates."""
    out: list[str] = []
    for name in tokens:
        fmt = original_format(pillow_format) if name == ORIGINAL else name
        if fmt not in out:
            out.append(fmt)
    return out


def variants_for(
    entry: Mapping[str, Any],
    token: str,
    formats: Sequence[str] = ("webp", "original"),
    *,
    fill: bool = False,
) -> list[dict[str, Any]]:
    """The variants of a manifest image ``entry`` that config token ``token`` names, widest last.

    ``fill`` (for a srcset): at a width where ``token``'s variant was not emitted because it was
    not smaller than the original-format one (images never grow), the original-format variant
    is listed instead, so a srcset still offers every width, each at its smallest bytes.

    For ``webp``/``avif`` that is the variants of that format. For ``original`` it is the formats
    no other configured token explains (``jpeg`` for a JPEG with ``[webp, original]``; ``png``
    and, at the width its own bytes serve, ``gif`` for a still GIF); when
    ``original`` coincides with a listed format (a WebP source), the source's extension decides.
    An animated image passed through has one ``gif``/``webp``/... variant: for any token that
    names no variant of it, the passthrough copy is returned, since it is all there is.
    """
    variants: list[dict[str, Any]] = list(entry.get("variants", ()))
    present = [v["format"] for v in variants]
    if token == ORIGINAL:
        others = {t for t in formats if t != ORIGINAL}
        candidates = [f for f in dict.fromkeys(present) if f not in others]
        own = candidates[:1]
        if own == ["png"] and "gif" in candidates:  # a still GIF's own bytes at its width
            own.append("gif")
        if not own:
            ext = PurePosixPath(str(entry.get("src", ""))).suffix.lower()
            own = [_EXT_FORMAT.get(ext, present[0] if present else "")]
    else:
        own = [token]
    chosen = [v for v in variants if v["format"] in own]
    if not chosen and len(set(present)) == 1:
        chosen = variants  # an animated passthrough
    if fill and token != ORIGINAL:
        have = {int(v["width"]) for v in chosen}
        chosen += [v for v in variants_for(entry, ORIGINAL, formats) if int(v["width"]) not in have]
    return sorted(chosen, key=lambda v: int(v["width"]))


def widest_original(
    entry: Mapping[str, Any], formats: Sequence[str] = ("webp", "avif", ORIGINAL)
) -> str | None:
    """The file of an image entry's original-format variant of the largest width: what a
    reference whose consumer is unknown gets (the format its URL's extension promises, never a
    WebP or AVIF it may not take), and what the image's unhashed source path answers with.
    ``formats``: the config's tokens (the default names every token there is). ``None`` for an
    entry without variants (not an image) or without one in that format."""
    vs = variants_for(entry, ORIGINAL, formats) if entry.get("variants") else []
    return str(vs[-1]["file"]) if vs else None
