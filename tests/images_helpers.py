"""Helpers for the image tests: tiny image sites, generated trap images, pixel comparisons."""

from __future__ import annotations

import io
import json
import random
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageStat

from assetpipe import build
from assetpipe.pipeline.result import BuildResult


def image_config(
    formats: str = "[webp, original]",
    widths: str = "[480, 960, 1600]",
    extra: str = "",
    templates: str = "",
) -> str:
    """A pipeline.yaml with only the images stage doing work (no templates, no static)."""
    return (
        f"source: site\noutput: dist\ntemplates:\n  dirs: []\n{templates}"
        f'images:\n  include: ["img/**/*"]\n  widths: {widths}\n  formats: {formats}\n'
        f"{extra}"
    )


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
    vs: list[dict[str, Any]] = [v for v in entry["variants"] if v["format"] == fmt]
    assert vs, f"no {fmt} variant in {entry}"
    if width is None:
        return max(vs, key=lambda v: v["width"])
    (v,) = [v for v in vs if v["width"] == width]
    return v


def frames(im: Image.Image) -> int:
    """How many frames an opened image has (a still image's plugin may not say: 1)."""
    n = getattr(im, "n_frames", 1)
    assert isinstance(n, int)
    return n


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
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


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
    return to_bytes(
        frames[0],
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=100,
        loop=0,
        transparency=0,
        disposal=2,
    )


def encoded(path: Path, fmt: str, size: tuple[int, int]) -> Image.Image:
    """What the worker encodes for ``path`` at ``size`` in ``fmt``, whether or not the build
    emits it (the never-bigger rule drops a WebP/AVIF of a tiny icon that is not smaller)."""
    from assetpipe.imaging.options import ImageOptions
    from assetpipe.imaging.worker import Job, run_job

    opts = ImageOptions(
        widths=(size[0],),
        tokens=(fmt,),
        quality=(),
        avif_speed=6,
        colour="srgb",
        max_pixels=50_000_000,
    )
    result = run_job(
        Job(key="x", path=path, orientation=1, sizes=(size,), formats=(fmt,), options=opts)
    )
    assert result.error is None, result.error
    im = Image.open(io.BytesIO(result.outputs[fmt][0][2]))
    im.load()
    return im


def palette_icon() -> bytes:
    """A 16-colour palette PNG with a transparent index (tRNS), 4.4 kB: like the issue's
    3,729 B icon, written back as RGBA it nearly doubles."""
    rnd = random.Random(7)
    im = Image.new("P", (256, 256), 0)
    im.putpalette([rnd.randrange(256) for _ in range(48)] + [0] * (768 - 48))
    draw = ImageDraw.Draw(im)
    for _ in range(60):
        x, y = rnd.randrange(226), rnd.randrange(226)
        draw.ellipse(
            (x, y, x + rnd.randrange(8, 60), y + rnd.randrange(8, 60)),
            fill=rnd.randrange(1, 16),
            outline=rnd.randrange(1, 16),
        )
    return to_bytes(im, "PNG", optimize=True, transparency=0)


def grey_png() -> bytes:
    """A greyscale (L) photo-like PNG: a crop of the corpus camera man would do, but a
    generated gradient with noise keeps the test self-contained."""
    im = Image.linear_gradient("L").resize((200, 120))
    noise = Image.effect_noise((200, 120), 20)
    return to_bytes(ImageChops.add(im, noise, scale=2.0), "PNG")


def tiny_jpeg() -> bytes:
    """A tiny JPEG already saved at a low quality with optimised tables, carrying EXIF (a GPS
    position) and a comment: re-encoding it at q80 makes it bigger."""
    rnd = random.Random(3)
    im = Image.new("RGB", (64, 48))
    im.putdata([(rnd.randrange(256), rnd.randrange(256), 128) for _ in range(64 * 48)])
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 51.0, 29.0)}  # GPSInfo: latitude
    exif[0x010F] = "Camera Maker"
    return to_bytes(
        im.resize((64, 48)),
        "JPEG",
        quality=30,
        optimize=True,
        exif=exif.tobytes(),
        comment=b"private note",
    )


Maker = Callable[..., Path]
