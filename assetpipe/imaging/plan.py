"""Which variants a source gets, and what they are called.

Widths: every configured width that does not exceed the displayed width (never upscale); if the
displayed width is narrower than the largest configured width, the displayed width itself is
added (so the widest variant is the full image). Heights keep the aspect ratio, rounded, at
least 1. Names: ``img/hero.jpg`` at 960 px in WebP → ``img/hero-960w-HASH.webp`` (HASH: 8
characters of the variant's own SHA-256, ``hashing.short_hash``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from ..hashing import hashed_name
from .formats import EXTENSION


def plan_widths(width: int, height: int, widths: Iterable[int]) -> list[tuple[int, int]]:
    """The (width, height) of each variant for a ``width`` x ``height`` image, narrowest first."""
    configured = sorted(set(widths))
    chosen = [w for w in configured if w <= width]
    if not configured or width < configured[-1]:
        chosen.append(width)
    return [(w, max(1, round(height * w / width))) for w in sorted(set(chosen))]


def variant_name(rel: str, width: int, fmt: str, digest: str) -> str:
    """The public path of one variant (``digest`` is the hex SHA-256 of its bytes)."""
    base = str(PurePosixPath(rel).with_suffix(EXTENSION[fmt]))
    return hashed_name(base, digest, suffix=f"-{width}w")


def passthrough_name(rel: str, digest: str) -> str:
    """The public path of an animated image copied untouched (hash of its bytes)."""
    return hashed_name(rel, digest)
