"""A header-level look at a source image, and every refusal that needs no pixel decode.

``probe(path, max_pixels)`` opens the file with Pillow (only the formats in
``formats.READABLE``: never EPS/PDF or other formats that run external programs), reads the
EXIF orientation (values outside 1..8, such as 0, are treated as 1), computes the displayed size,
and tells whether the image is animated. An animated image is checked here, since it is passed
through untouched and this is the only place it is: a GIF by its blocks (``gifblocks``: cut
short, or of an unknown kind), its first frame decoded; other formats frame by frame.

Raises ``ImageInputError`` for a zero-byte file, an unknown format, a corrupt header, an image
over ``max_pixels`` (checked before any pixel is decoded: a decompression bomb costs nothing).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..records import dataclass
from .formats import READABLE
from .gifblocks import gif_blocks

ORIENTATION_TAG = 0x0112


class ImageInputError(Exception):
    """A source image that cannot be used; ``message`` says why, ``hint`` what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Probe:
    """What the stage knows about a source without decoding its pixels."""

    format: str  # Pillow's format name (JPEG, PNG, ...)
    mode: str  # Pillow's pixel mode as stored (RGB, P, L, I;16, CMYK, ...)
    stored_width: int
    stored_height: int
    orientation: int  # 1..8
    width: int  # displayed (orientation applied)
    height: int
    animated: bool
    frames: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Probe:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def displayed_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """Stored size → displayed size (orientations 5..8 swap the axes)."""
    return (height, width) if orientation >= 5 else (width, height)


def check_pixels(width: int, height: int, max_pixels: int) -> None:
    """Refuse an image over ``max_pixels`` (a decompression bomb, or a camera raw too large)."""
    if width * height > max_pixels:
        raise ImageInputError(
            f"image is {width}x{height} ({width * height:,} pixels), over images.max_pixels "
            f"({max_pixels:,}); refused without decoding (a decompression bomb?)",
            hint="raise images.max_pixels in pipeline.yaml if this image is meant to be that "
            "large, or resize it",
        )


def probe(path: Path, max_pixels: int) -> Probe:
    """See the module docstring."""
    from PIL import Image, UnidentifiedImageError

    try:
        if path.stat().st_size == 0:
            raise ImageInputError("cannot decode image: the file is empty (0 bytes)")
    except OSError as exc:
        raise ImageInputError(f"cannot read image: {exc.strerror or exc}") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=READABLE) as im:
                w, h = im.size
                check_pixels(w, h, max_pixels)
                orientation = read_orientation(im)
                frames = int(getattr(im, "n_frames", 1))
                if frames > 1:
                    _check_frames(im, frames, path)
                fmt = str(im.format)
                mode = str(im.mode)
    except ImageInputError:
        raise
    except Image.DecompressionBombError as exc:
        raise bomb_error(exc, max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise ImageInputError(
            f"cannot decode image: not a recognised image format (readable: {', '.join(READABLE)})",
            hint="check the file is a real image, or exclude it from images.include",
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        raise ImageInputError(
            f"cannot decode image: {_reason(exc)}",
            hint="the file is corrupt or truncated: re-export it",
        ) from exc
    dw, dh = displayed_size(w, h, orientation)
    return Probe(
        format=fmt,
        mode=mode,
        stored_width=w,
        stored_height=h,
        orientation=orientation,
        width=dw,
        height=dh,
        animated=frames > 1,
        frames=frames,
    )


def bomb_error(exc: Exception, max_pixels: int) -> ImageInputError:
    """Pillow refused to open an image as a decompression bomb (over twice its own limit,
    before ``check_pixels`` could look): say it as ``check_pixels`` would."""
    from PIL import Image

    found = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
    limit = min(max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or 0) or max_pixels)
    return ImageInputError(
        f"image has {pixels}, over images.max_pixels ({limit:,}); refused without decoding "
        "(a decompression bomb?)",
        hint="resize the image; images.max_pixels cannot go past Pillow's own limit "
        f"({2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels)",
    )


def read_orientation(im: Any) -> int:
    """The EXIF orientation, 1 when absent or invalid (0, 9, garbage). A PNG's ``eXIf`` chunk
    counts only before the pixel data (as browsers read it): Pillow would decode the whole image
    to look for a later one."""
    if im.format == "PNG" and "exif" not in im.info:
        return 1
    try:
        value = im.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block is not a broken image: ignore it
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _check_frames(im: Any, frames: int, path: Path) -> None:
    """Every frame of an animated image is there. A GIF's blocks are walked
    (``gifblocks``), its first frame decoded: decoding every frame cost seconds on a long
    screen recording, passed through as it is anyway. Other formats are decoded frame by
    frame."""
    if im.format == "GIF":
        im.load()
        for _ in gif_blocks(path.read_bytes()):
            pass
        return
    for i in range(frames):
        im.seek(i)
        im.load()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:1].lower() + text[1:]
