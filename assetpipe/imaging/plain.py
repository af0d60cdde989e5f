"""The source file itself as a variant: its bytes, minus metadata, when a browser can use them.

When re-encoding does not make an image smaller (``imaging.select``), the stage serves the
source's own bytes at its own size instead. Those bytes must show the same picture without the
metadata the encoders never write (EXIF with GPS, XMP, IPTC, comments, timestamps), so
``plain_source`` removes it without touching the pixel data:

- JPEG: every APPn and COM segment is dropped except APP0 (JFIF), APP2 ``ICC_PROFILE`` and
  APP14 (Adobe: the colour transform); anything after the end-of-image marker (an MPF
  preview, a trailer) is dropped too. The scan data is copied byte for byte.
- PNG: the critical chunks and the ancillary ones that change how pixels look (``tRNS``,
  ``iCCP``, ``sRGB``, ``gAMA``, ``cHRM``, ``cICP``, ``sBIT``, ``pHYs``, ``bKGD``, HDR
  metadata) are kept; text, time, ``eXIf`` and unknown chunks are dropped.
- GIF (a still: an animated one is passed through whole): comment and application extensions
  (XMP, a loop count) go, except an ICC profile's (``ICCRGBG1``); the graphic control
  extension (the transparent colour) and the image data stay. A still GIF is re-encoded as PNG
  (``formats.original_format``), but its own bytes serve when that is not smaller: a spacer or
  a tiny icon, 43-byte GIFs that a PNG cannot beat.
- WebP and AVIF are used as they are when they carry no EXIF/XMP, else not at all.

A JPEG with an EXIF orientation other than 1 keeps exactly one piece of metadata: a minimal
EXIF block holding only that orientation (browsers apply it to images by default, as the
manifest's displayed ``width``/``height`` assume). ``None`` means "not usable as is": a PNG,
WebP or AVIF with an orientation (no dependable way to keep only it), CMYK (browsers differ on
it), a format browsers do not all show (BMP, TIFF are converted to PNG instead), or a file that
does not parse.
"""

from __future__ import annotations

import hashlib
import io
import struct
from pathlib import Path
from typing import Any

from ..hashing import sri
from .formats import ORIGINAL_OF
from .gifblocks import EXTENSION, TRAILER, gif_blocks, header_end
from .probe import Probe

#: JPEG markers kept besides the non-APP ones: APP0 (JFIF), APP14 (Adobe).
_JPEG_KEEP_APP = {0xE0, 0xEE}
_PNG_KEEP = {
    b"tRNS",
    b"iCCP",
    b"sRGB",
    b"gAMA",
    b"cHRM",
    b"cICP",
    b"sBIT",
    b"pHYs",
    b"bKGD",
    b"mDCV",
    b"cLLI",
}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def plain_facts(path: Path, info: Probe) -> dict[str, Any] | None:
    """Size, SHA-256 and SRI of the metadata-free copy of the source at ``path`` (what the
    images stage's probe records), or ``None`` when it cannot serve (animated, or
    ``plain_source`` says no)."""
    if info.animated:
        return None
    plain = plain_source(path.read_bytes(), info.format, info.mode, info.orientation)
    if plain is None:
        return None
    return {
        "size": len(plain),
        "sha256": hashlib.sha256(plain).hexdigest(),
        "integrity": sri(plain),
    }


def plain_source(data: bytes, pillow_format: str, mode: str, orientation: int) -> bytes | None:
    """The source's bytes without metadata, or ``None`` (see the module docstring)."""
    if (pillow_format not in ORIGINAL_OF and pillow_format != "GIF") or mode == "CMYK":
        return None
    if orientation != 1 and pillow_format != "JPEG":
        return None
    try:
        if pillow_format == "JPEG":
            return strip_jpeg(data, orientation)
        if pillow_format == "PNG":
            return strip_png(data)
        if pillow_format == "GIF":
            return strip_gif(data)
        return data if not _has_metadata(data) else None
    except (ValueError, IndexError, struct.error):
        return None


def strip_jpeg(data: bytes, orientation: int = 1) -> bytes:
    """``data`` without metadata segments (see the module docstring), with a minimal EXIF
    block when ``orientation`` is not 1. Raises ``ValueError`` for a malformed JPEG."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("no SOI marker")
    out = bytearray(b"\xff\xd8")
    pos = 2
    if data[2:4] == b"\xff\xe0":  # JFIF's APP0 stays first
        (length,) = struct.unpack(">H", data[4:6])
        out += data[2 : 4 + length]
        pos = 4 + length
    if orientation != 1:
        exif = _orientation_exif(orientation)
        out += b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    while pos < len(data):
        if data[pos] != 0xFF:
            raise ValueError(f"no marker at {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI: nothing after it is part of the image
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out += data[pos : pos + 2]
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if end > len(data) or length < 2:
            raise ValueError("truncated segment")
        segment = data[pos:end]
        if marker == 0xDA:  # SOS: header, then entropy-coded data up to the next marker
            out += segment
            scan = end
            while True:
                nxt = data.index(b"\xff", scan)
                follower = data[nxt + 1]
                if follower == 0x00 or 0xD0 <= follower <= 0xD7:
                    scan = nxt + 2
                    continue
                if follower == 0xFF:
                    scan = nxt + 1
                    continue
                break
            out += data[end:nxt]
            pos = nxt
            continue
        if _keep_jpeg_segment(marker, segment):
            out += segment
        pos = end
    raise ValueError("no EOI marker")


def _orientation_exif(orientation: int) -> bytes:
    """An EXIF block (``Exif\\0\\0`` + TIFF) holding only the orientation tag."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def _keep_jpeg_segment(marker: int, segment: bytes) -> bool:
    if marker == 0xFE:  # COM
        return False
    if 0xE0 <= marker <= 0xEF:
        return marker in _JPEG_KEEP_APP or (marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\x00")
    return True


def strip_png(data: bytes) -> bytes:
    """``data`` without metadata chunks (see the module docstring)."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("no PNG signature")
    out = bytearray(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("truncated chunk")
        if kind[:1].isupper() or kind in _PNG_KEEP:
            out += data[pos:end]
        if kind == b"IEND":
            return bytes(out)
        pos = end
    raise ValueError("no IEND chunk")


def strip_gif(data: bytes) -> bytes:
    """``data`` without comment and application extensions but an ICC profile's (see the module
    docstring), ending at the trailer. Raises ``ValueError`` for a malformed GIF."""
    out = bytearray(data[: header_end(data)])
    for kind, start, end in gif_blocks(data):
        if kind == TRAILER:  # nothing after it is part of the image
            return bytes(out + b"\x3b")
        label = data[start + 1]
        if kind == EXTENSION and (
            label == 0xFE or (label == 0xFF and data[start + 3 : start + 11] != b"ICCRGBG1")
        ):
            continue
        out += data[start:end]
    raise ValueError("no GIF trailer")


def _has_metadata(data: bytes) -> bool:
    """Whether a WebP/AVIF file carries EXIF or XMP (as Pillow reads it)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return bool(im.info.get("exif") or im.info.get("xmp"))
