"""Generated trap images through a real build: CMYK, 16-bit gray, palette + tRNS, LA, gray +
tRNS, a truly transparent animated GIF, and the colour rule (srgb converts, keep keeps)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageCms

from tests.conftest import CORPUS, write_tree
from tests.images_helpers import (
    Maker,
    build_site,
    encoded,
    frames,
    image_config,
    mean_diff,
    open_public,
    to_bytes,
    transparent_gif,
    variant,
)


def _cmyk_jpeg() -> bytes:
    im = Image.new("CMYK", (64, 32), (0, 0, 0, 0))  # white
    im.paste((0, 255, 255, 0), (0, 0, 32, 32))  # red patch
    im.paste((0, 0, 0, 128), (32, 0, 64, 32))  # 50 % black
    return to_bytes(im, "JPEG", quality=95)


def _gray16_png() -> bytes:
    im = Image.new("I;16", (60, 20), 0)
    im.paste(Image.new("I;16", (20, 20), 32768), (20, 0))  # mid-gray
    im.paste(Image.new("I;16", (20, 20), 65535), (40, 0))  # white
    return to_bytes(im, "PNG")


def _palette_trns_png() -> bytes:
    im = Image.new("P", (40, 40), 0)
    im.putpalette([255, 255, 255, 0, 0, 255] + [0] * (254 * 3))
    im.paste(1, (10, 10, 30, 30))  # a blue square
    return to_bytes(im, "PNG", transparency=0)  # index 0 transparent


def _la_png() -> bytes:
    gray = Image.new("L", (40, 40), 60)
    alpha = Image.new("L", (40, 40), 0)
    alpha.paste(255, (0, 0, 20, 40))  # left half opaque
    return to_bytes(Image.merge("LA", (gray, alpha)), "PNG")


def _animated_webp() -> bytes:
    frames = [
        Image.new("RGBA", (30, 20), (255 * (i == 0), 255 * (i == 1), 0, 128 + i)) for i in range(2)
    ]
    return to_bytes(
        frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=80, lossless=True
    )


def _rotated_png() -> bytes:
    """A PNG stored 64x32 (left half blue) with EXIF orientation 6: displayed 32x64, blue on top."""
    im = Image.new("RGB", (64, 32), (200, 0, 0))
    im.paste((0, 0, 200), (0, 0, 32, 32))
    exif = Image.Exif()
    exif[0x0112] = 6
    return to_bytes(im, "PNG", exif=exif)


def _gray_trns_png() -> bytes:
    im = Image.new("L", (40, 40), 0)
    im.paste(200, (0, 0, 20, 40))
    return to_bytes(im, "PNG", transparency=0)  # black = transparent


@pytest.fixture(scope="module")
def modes_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("modes")
    write_tree(
        root,
        {
            "pipeline.yaml": image_config(formats="[webp, original, avif]", widths="[480]"),
            "site/img/cmyk.jpg": _cmyk_jpeg(),
            "site/img/gray16.png": _gray16_png(),
            "site/img/palette.png": _palette_trns_png(),
            "site/img/la.png": _la_png(),
            "site/img/graytrns.png": _gray_trns_png(),
            "site/img/anim.gif": transparent_gif(),
            "site/img/anim.webp": _animated_webp(),
            "site/img/rotated.png": _rotated_png(),
        },
    )
    return root, build_site(root)[1]


def _px(im: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = im.convert("RGBA").getpixel(xy)
    assert isinstance(value, tuple)
    return value


def _close(a: tuple[int, ...], b: tuple[int, ...], tol: int) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def test_cmyk_jpeg_becomes_rgb_with_faithful_colour(
    modes_build: tuple[Path, dict[str, Any]],
) -> None:
    root, manifest = modes_build
    entry = manifest["img/cmyk.jpg"]
    assert (entry["width"], entry["height"]) == (64, 32)
    for fmt in ("jpeg", "webp", "avif"):
        out = open_public(root, variant(entry, fmt)["file"])
        assert out.mode == "RGB", fmt
        assert _close(_px(out, (12, 16)), (255, 0, 0, 255), 24), (fmt, _px(out, (12, 16)))
        assert _close(_px(out, (52, 16)), (127, 127, 127, 255), 12), (fmt, _px(out, (52, 16)))


def test_sixteen_bit_gray_is_scaled_not_clipped(modes_build: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = modes_build
    entry = manifest["img/gray16.png"]
    # the trap: Pillow's plain conversion clips 16-bit mid-gray to white
    assert Image.open(io.BytesIO(_gray16_png())).convert("L").getpixel((30, 10)) == 255
    png = open_public(root, variant(entry, "png")["file"])
    assert png.mode in ("L", "P")  # greyscale stays greyscale (a grey palette when smaller)
    assert [png.convert("L").getpixel((x, 10)) for x in (5, 30, 55)] == [0, 127, 255]
    for fmt in ("webp", "avif"):  # the encoder's output, emitted or not (never bigger)
        out = encoded(root / "site/img/gray16.png", fmt, (60, 20)).convert("L")
        values = [out.getpixel((x, 10)) for x in (5, 30, 55)]
        assert all(isinstance(v, int) for v in values)
        assert _close(tuple(values), (0, 127, 255), 6), (fmt, values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "clear_xy", "solid_xy", "solid"),
    [
        ("img/palette.png", (2, 2), (20, 20), (0, 0, 255)),
        ("img/la.png", (35, 20), (5, 20), (60, 60, 60)),
        ("img/graytrns.png", (35, 20), (5, 20), (200, 200, 200)),
    ],
)
def test_transparency_survives_in_every_format(
    modes_build: tuple[Path, dict[str, Any]],
    key: str,
    clear_xy: tuple[int, int],
    solid_xy: tuple[int, int],
    solid: tuple[int, int, int],
) -> None:
    root, manifest = modes_build
    entry = manifest[key]
    emitted = [open_public(root, v["file"]) for v in entry["variants"]]
    # tiny icons: WebP/AVIF are not smaller than the PNG, so only the PNG is emitted; the
    # encoders' own outputs must keep the transparency all the same
    encodes = [encoded(root / "site" / key, fmt, (40, 40)) for fmt in ("png", "webp", "avif")]
    for out in [*emitted, *encodes]:
        assert "A" in out.mode or "transparency" in out.info, (key, out.format, out.mode)
        assert _px(out, clear_xy)[3] <= 3, (key, out.format)  # AVIF alpha is lossy
        assert _close(_px(out, solid_xy), (*solid, 255), 8), (key, out.format, _px(out, solid_xy))


def test_transparent_animated_gif_keeps_every_frame(
    modes_build: tuple[Path, dict[str, Any]],
) -> None:
    root, manifest = modes_build
    entry = manifest["img/anim.gif"]
    assert (root / "dist/public" / entry["file"]).read_bytes() == transparent_gif()
    assert [v["format"] for v in entry["variants"]] == ["gif"]
    with Image.open(root / "dist/public" / entry["file"]) as out:
        assert frames(out) == 3
        for i in range(3):
            out.seek(i)
            frame = out.convert("RGBA")
            assert _px(frame, (10 * i + 5, 15))[3] == 255
            assert _px(frame, ((10 * i + 25) % 40, 15))[3] == 0  # truly transparent elsewhere


@pytest.mark.parametrize("colour", ["srgb", "keep"])
def test_colour_rule_for_an_adobe_rgb_jpeg(make_site: Maker, colour: str) -> None:
    root = make_site(
        image_config(formats="[original, webp]", widths="[320]", extra=f"  colour: {colour}\n")
    )
    (root / "site/img").mkdir(parents=True)
    shutil.copyfile(CORPUS / "samples" / "rocket.jpg", root / "site/img/rocket.jpg")
    _, manifest = build_site(root)
    src = Image.open(CORPUS / "samples" / "rocket.jpg")
    icc = src.info["icc_profile"]
    assert "Adobe RGB" in ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    plain = src.convert("RGB").resize((320, 213), Image.Resampling.LANCZOS)
    to_srgb = ImageCms.profileToProfile(
        plain,
        ImageCms.ImageCmsProfile(io.BytesIO(icc)),
        ImageCms.createProfile("sRGB"),
        outputMode="RGB",
    )
    assert to_srgb is not None
    assert mean_diff(plain, to_srgb) > 3  # the conversion visibly changes this photo
    for fmt in ("jpeg", "webp"):
        # at 320 px: encoded (the full-size 640 px copy is the source's own bytes, its
        # profile kept, as a plain copy always is)
        out = open_public(root, variant(manifest["img/rocket.jpg"], fmt, 320)["file"])
        if colour == "keep":
            assert out.info.get("icc_profile") == icc, fmt
            assert mean_diff(out, plain) < mean_diff(out, to_srgb)
        else:
            assert not out.info.get("icc_profile"), fmt
            assert mean_diff(out, to_srgb) < mean_diff(out, plain)


def test_animated_webp_passes_through_untouched(modes_build: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = modes_build
    entry = manifest["img/anim.webp"]
    assert entry["file"].endswith(".webp") and entry["file"] != "img/anim.webp"
    assert entry["variants"] == [
        {
            "file": entry["file"],
            "width": 30,
            "height": 20,
            "format": "webp",
            "size": len(_animated_webp()),
        }
    ]
    assert (root / "dist/public" / entry["file"]).read_bytes() == _animated_webp()
    with Image.open(root / "dist/public" / entry["file"]) as out:
        assert frames(out) == 2


def test_png_exif_orientation_is_applied(modes_build: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = modes_build
    entry = manifest["img/rotated.png"]
    assert (entry["width"], entry["height"]) == (32, 64)
    for v in entry["variants"]:
        out = open_public(root, v["file"])
        assert out.size == (32, 64)
        assert not out.getexif()
        assert _close(_px(out, (16, 10)), (0, 0, 200, 255), 16), v["format"]
        assert _close(_px(out, (16, 54)), (200, 0, 0, 255), 16), v["format"]


def _webp_options() -> Any:
    """What the images stage passes the encoder for ``formats: [webp]`` at quality 80."""
    from assetpipe.imaging.options import ImageOptions

    return ImageOptions(
        widths=(480,),
        tokens=("webp",),
        quality=(("webp", 80),),
        avif_speed=6,
        colour="srgb",
        max_pixels=10**8,
    )


def test_a_graphic_becomes_lossless_webp_and_a_photo_stays_lossy() -> None:
    """A WebP variant of an image of few colours (a background tile, an icon, a logo) is
    lossless, its pixels exactly the source's, when that is not bigger: lossy WebP rang at a
    two-colour tile's edges, up to 20/255 off on every page behind it. A photo, greyscale
    included, stays lossy at the configured quality."""
    from assetpipe.imaging.encode import encode

    opts = _webp_options()
    tile = Image.new("RGB", (32, 32), (240, 240, 250))
    for x in range(0, 32, 4):
        tile.paste((30, 60, 200), (x, 0, x + 1, 32))  # thin dark lines: edges lossy rings at
    back = Image.open(io.BytesIO(encode(tile, "webp", opts, None))).convert("RGB")
    assert back.tobytes() == tile.tobytes()
    with Image.open(CORPUS / "samples" / "rocket.jpg") as src:
        photo = src.convert("RGB").resize((320, 240))
    # a greyscale photo has at most 256 colours too, but lossless would be several times the
    # bytes: it stays lossy, as a colour photo does
    for image in (photo, photo.convert("L").convert("RGB")):
        data = encode(image, "webp", opts, None)
        assert Image.open(io.BytesIO(data)).convert("RGB").tobytes() != image.tobytes()
        assert 2 * len(data) < len(to_bytes(image, "WEBP", lossless=True))


def test_the_lossless_trial_runs_only_where_it_can_win(monkeypatch: pytest.MonkeyPatch) -> None:
    """The full lossless WebP encode (several times the CPU of the lossy one) is not run for
    the pixels of a JPEG, nor for a greyscale photo whose fast lossless encode is already far
    bigger than its lossy bytes; a graphic still gets it, and its bytes do not change."""
    from assetpipe.imaging.encode import encode

    opts = _webp_options()
    full: list[tuple[int, int]] = []  # (quality, method) of each lossless save
    save = Image.Image.save

    def spy(self: Image.Image, fp: Any, format: str | None = None, **params: Any) -> None:
        if params.get("lossless"):
            full.append((params["quality"], params["method"]))
        save(self, fp, format, **params)

    monkeypatch.setattr(Image.Image, "save", spy)
    tile = Image.new("RGB", (32, 32), (240, 240, 250))
    for x in range(0, 32, 4):
        tile.paste((30, 60, 200), (x, 0, x + 1, 32))
    exact = encode(tile, "webp", opts, None)
    assert Image.open(io.BytesIO(exact)).convert("RGB").tobytes() == tile.tobytes()
    assert (80, 4) in full
    # the same pixels decoded from a JPEG: no lossless trial, lossy bytes
    full.clear()
    assert encode(tile, "webp", opts, None, lossy_source=True) != exact
    assert full == []
    with Image.open(CORPUS / "samples" / "rocket.jpg") as src:
        grey = src.convert("L").resize((320, 240)).convert("RGB")
    full.clear()
    encode(grey, "webp", opts, None)
    assert full == [(0, 0)]  # the fast probe only
