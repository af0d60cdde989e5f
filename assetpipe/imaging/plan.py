"""Which variants a source gets, and what they are called.

Widths: every configured width that does not exceed the displayed width (never upscale), and the
displayed width itself, so the widest variant is always the whole image: a 1411 px photo gets
480, 960 and 1411; a 1950 px one 480, 960, 1600 and 1950 (a reference that can name only one
file, a stylesheet's ``url()`` or a ``url_for`` computed at run time, shows it at its own size
and sharpness; ``imaging.select`` serves the source's own bytes there when an encode is not
smaller). Heights keep the aspect ratio, rounded, at least 1. Names: ``img/hero.jpg`` at 960 px in WebP → ``img/hero-960w-HASH.webp`` (HASH: 8
characters of the variant's own SHA-256, ``hashing.short_hash``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from ..hashing import hashed_name
from .formats import EXTENSION


def plan_widths(width: int, height: int, widths: Iterable[int]) -> list[tuple[int, int]]:
    """The (width, height) of each variant for a ``width`` x ``height`` image, narrowest first."""
    chosen = [w for w in set(widths) if w <= width]
    chosen.append(width)
    return [(w, max(1, round(height * w / width))) for w in sorted(set(chosen))]


def variant_name(rel: str, width: int, fmt: str, digest: str) -> str:
    """The public path of one variant (``digest`` is the hex SHA-256 of its bytes)."""
    base = str(PurePosixPath(rel).with_suffix(EXTENSION[fmt]))
    return hashed_name(base, digest, suffix=f"-{width}w")


def passthrough_name(rel: str, digest: str) -> str:
    """The public path of an animated image copied untouched (hash of its bytes)."""
    return hashed_name(rel, digest)
