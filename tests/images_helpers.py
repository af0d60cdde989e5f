"""Helpers for the image tests: tiny image sites, generated trap images, pixel comparisons."""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageStat

from assetpipe import build
from assetpipe.builder import BuildResult


def image_config(formats: str = "[webp, original]", widths: str = "[480, 960, 1600]",
                 extra: str = "", templates: str = "") -> str:
    """A pipeline.yaml with only the images stage doing work (no templates, no static)."""
    return (f"source: site\noutput: dist\ntemplates:\n  dirs: []\n{templates}"
            f"images:\n  include: [\"img/**/*\"]\n  widths: {widths}\n  formats: {formats}\n"
            f"{extra}")


def build_site(root: Path, **kw: Any) -> tuple[BuildResult, dict[str, Any]]:
    """Build in-process; returns the result and the manifest."""
    result = build(root / "pipeline.yaml", **kw)
    manifest = json.loads((root / "dist" / "manifest.json").read_text())
    return result, manifest


def open_public(root: Path, rel: str) -> Image.Image:
    im = Image.open(root / "dist" / "public" / rel)
    im.load()
    return im


def variant(entry: dict[str, Any], fmt: str, width: int | None = None) -> dict[str, Any]:
    """The variant of ``fmt`` at ``width`` (default: the widest)."""
    vs = [v for v in entry["variants"] if v["format"] == fmt]
    assert vs, f"no {fmt} variant in {entry}"
    if width is None:
        return max(vs, key=lambda v: v["width"])
    (v,) = [v for v in vs if v["width"] == width]
    return v


def mean_diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute per-channel difference (0..255) of two same-size RGB images."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff).mean) / 3


def to_bytes(im: Image.Image, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (a decompression bomb's shape) with a
    tiny IDAT: opening it is cheap, decoding it would not be."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def transparent_gif() -> bytes:
    """A 3-frame animated GIF whose composited frames really are partly transparent."""
    frames = []
    for i in range(3):
        im = Image.new("P", (40, 30), 0)
        im.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 12))
        for x in range(10 * i, 10 * i + 10):
            for y in range(30):
                im.putpixel((x, y), i + 1)
        frames.append(im)
    return to_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100,
                    loop=0, transparency=0, disposal=2)


Maker = Callable[..., Path]
