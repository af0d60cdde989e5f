"""Images never grow: a variant not smaller than the source (or than the original-format one at
its width, or than a wider one) is not emitted, the metadata-free source serves instead, palette
and greyscale PNGs keep their mode, and report.json / the build summary say what happened."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from PIL.PngImagePlugin import PngInfo

from assetpipe.imaging.formats import variants_for
from assetpipe.imaging.plain import plain_source, strip_jpeg, strip_png
from assetpipe.imaging.pngreduce import candidates
from assetpipe.imaging.select import SOURCE, select
from tests.conftest import CORPUS, run_cli
from tests.images_helpers import (
    Maker,
    build_site,
    grey_png,
    image_config,
    open_public,
    palette_icon,
    tiny_jpeg,
    to_bytes,
)


def _pixels(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    return im.convert("RGBA")


def _same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return (
        a.size == b.size
        and ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")).getbbox() is None
    )


# --- the rule, on sizes alone ------------------------------------------------------------------


def test_modern_format_not_smaller_than_the_original_is_dropped() -> None:
    sel = select(
        ["webp", "jpeg"],
        "jpeg",
        1000,
        500,
        {
            "webp": [(480, 240, 9000), (1000, 500, 30000)],
            "jpeg": [(480, 240, 10000), (1000, 500, 25000)],
        },
        source_size=60000,
        plain_size=59000,
    )
    assert [(v.format, v.width) for v in sel.kept] == [("webp", 480), ("jpeg", 480), ("jpeg", 1000)]
    assert sel.dropped == [
        {
            "format": "webp",
            "width": 1000,
            "size": 30000,
            "instead": {"format": "jpeg", "width": 1000, "size": 25000, "origin": "encoded"},
        }
    ]
    # a srcset in WebP still offers the full width: the JPEG serves it
    entry = {
        "src": "a.jpg",
        "variants": [
            {"file": f"{v.format}{v.width}", "format": v.format, "width": v.width} for v in sel.kept
        ],
    }
    assert [v["file"] for v in variants_for(entry, "webp", ["webp", "original"], fill=True)] == [
        "webp480",
        "jpeg1000",
    ]
    assert [v["file"] for v in variants_for(entry, "webp", ["webp", "original"])] == ["webp480"]


def test_original_not_smaller_than_the_source_serves_the_source() -> None:
    sel = select(
        ["webp", "jpeg"],
        "jpeg",
        64,
        48,
        {"webp": [(64, 48, 1500)], "jpeg": [(64, 48, 2100)]},
        source_size=1900,
        plain_size=1400,
    )
    assert [(v.format, v.width, v.size, v.origin) for v in sel.kept] == [
        ("jpeg", 64, 1400, SOURCE)
    ]  # the WebP (1500) is not smaller than the plain source
    assert {d["format"] for d in sel.dropped} == {"webp", "jpeg"}
    assert sel.source_used and not sel.grown


def test_narrower_variant_not_smaller_than_a_wider_one_is_dropped() -> None:
    sel = select(
        ["png"],
        "png",
        300,
        300,
        {"png": [(120, 120, 5000), (300, 300, 4000)]},
        source_size=4400,
        plain_size=4300,
    )
    assert [(v.width, v.size) for v in sel.kept] == [(300, 4000)]
    assert sel.dropped[0]["width"] == 120 and sel.dropped[0]["instead"]["width"] == 300


def test_without_the_original_format_the_source_still_serves_its_width() -> None:
    sel = select(
        ["webp"], "jpeg", 64, 48, {"webp": [(64, 48, 2500)]}, source_size=2000, plain_size=1900
    )
    assert [(v.format, v.origin) for v in sel.kept] == [("jpeg", SOURCE)]


def test_a_source_that_cannot_be_served_is_reported_as_grown() -> None:
    sel = select(
        ["jpeg"], "jpeg", 64, 48, {"jpeg": [(64, 48, 2500)]}, source_size=2000, plain_size=None
    )
    assert [(v.format, v.size) for v in sel.kept] == [("jpeg", 2500)]
    assert sel.grown == [{"format": "jpeg", "width": 64, "size": 2500, "source_size": 2000}]


# --- the source without its metadata ---------------------------------------------------------


def test_jpeg_metadata_is_stripped_losslessly() -> None:
    data = tiny_jpeg() + b"trailing bytes after EOI"
    icc = Image.open(io.BytesIO(data))
    assert icc.info.get("exif") and icc.info.get("comment")
    plain = strip_jpeg(data)
    with Image.open(io.BytesIO(plain)) as out:
        assert not out.info.get("exif") and not out.info.get("comment")
        assert _same_pixels(out, _pixels(data))
    assert b"private note" not in plain and b"Camera Maker" not in plain
    assert plain.endswith(b"\xff\xd9") and len(plain) < len(data)


def test_an_oriented_jpeg_keeps_only_its_orientation() -> None:
    source = (CORPUS / "orientation" / "Landscape_6.jpg").read_bytes()
    plain = plain_source(source, "JPEG", "RGB", 6)
    assert plain is not None and len(plain) < len(source)
    with Image.open(io.BytesIO(plain)) as out, Image.open(io.BytesIO(source)) as src:
        assert dict(out.getexif()) == {0x0112: 6}
        assert _same_pixels(out, src)


def test_png_metadata_is_stripped_and_colour_chunks_kept() -> None:
    im = Image.new("RGB", (20, 10), (10, 200, 30))
    info = PngInfo()
    info.add_text("Author", "someone")
    data = to_bytes(im, "PNG", pnginfo=info)
    plain = strip_png(data)
    assert b"someone" not in plain and _same_pixels(_pixels(plain), _pixels(data))
    # an orientation lives in the metadata: such a source is never served as is
    assert plain_source(data, "PNG", "RGB", 6) is None
    assert plain_source(data, "JPEG", "CMYK", 1) is None


def test_png_candidates_are_exact() -> None:
    icon = Image.open(io.BytesIO(palette_icon())).convert("RGBA")
    forms = candidates(icon)
    assert [f.mode for f in forms][-1] == "P"
    for form in forms:
        assert _same_pixels(form, icon)
    grey = Image.merge("RGB", [Image.open(io.BytesIO(grey_png()))] * 3)
    assert "L" in [f.mode for f in candidates(grey)]


# --- through a real build ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("never-bigger")
    (root / "site" / "img").mkdir(parents=True)
    for name, data in (
        ("icon.png", palette_icon()),
        ("grey.png", grey_png()),
        ("tiny.jpg", tiny_jpeg()),
    ):
        (root / "site" / "img" / name).write_bytes(data)
    (root / "pipeline.yaml").write_text(image_config(widths="[120, 4000]"))
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.err
    manifest = json.loads((root / "dist" / "manifest.json").read_text())
    return root, {
        "manifest": manifest,
        "out": result.err,
        "report": json.loads((root / "dist" / "report.json").read_text()),
    }


def test_palette_png_stays_a_palette_and_never_grows(
    generated: tuple[Path, dict[str, Any]],
) -> None:
    """The issue's case: a palette PNG (3,729 B) became a 10,931 B RGB PNG."""
    root, doc = generated
    source = (root / "site/img/icon.png").read_bytes()
    entry = doc["manifest"]["img/icon.png"]
    full = {v["format"]: v for v in entry["variants"] if v["width"] == 256}
    assert sorted(full) == ["png", "webp"]
    out = open_public(root, full["png"]["file"])
    assert out.mode == "P" and "transparency" in out.info
    assert _same_pixels(out, _pixels(source))
    assert full["png"]["size"] <= len(source)
    # a graphic's WebP is lossless: the same pixels, transparency included, and smaller
    assert _same_pixels(open_public(root, full["webp"]["file"]), _pixels(source))
    assert full["webp"]["size"] < full["png"]["size"]
    assert all(v["size"] <= len(source) for v in entry["variants"])


def test_greyscale_png_keeps_its_mode(generated: tuple[Path, dict[str, Any]]) -> None:
    root, doc = generated
    entry = doc["manifest"]["img/grey.png"]
    for v in entry["variants"]:
        if v["format"] == "png":
            assert open_public(root, v["file"]).mode in ("L", "P"), v
        assert v["size"] <= (root / "site/img/grey.png").stat().st_size


def test_tiny_optimal_jpeg_is_served_as_is_without_metadata(
    generated: tuple[Path, dict[str, Any]],
) -> None:
    root, doc = generated
    source = (root / "site/img/tiny.jpg").read_bytes()
    entry = doc["manifest"]["img/tiny.jpg"]
    assert [(v["format"], v["width"]) for v in entry["variants"]] == [("jpeg", 64)]
    served = (root / "dist" / "public" / entry["file"]).read_bytes()
    assert served == strip_jpeg(source) and entry["size"] == len(served) < len(source)
    assert b"Camera Maker" not in served
    notes = doc["report"]["images"]["never_bigger"]
    assert notes["img/tiny.jpg"]["source"] == {
        "format": "jpeg",
        "width": 64,
        "size": len(served),
        "source_size": len(source),
    }
    assert {d["format"] for d in notes["img/tiny.jpg"]["dropped"]} == {"webp", "jpeg"}
    assert "images: " in doc["out"] and "source file(s) served as is" in doc["out"]


def test_manifest_lists_only_emitted_files(generated: tuple[Path, dict[str, Any]]) -> None:
    root, doc = generated
    public = root / "dist" / "public"
    listed = {v["file"] for e in doc["manifest"].values() for v in e["variants"]}
    assert {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()} == listed
    for entry in doc["manifest"].values():
        assert entry["file"] in {v["file"] for v in entry["variants"]}
        for v in entry["variants"]:
            assert set(v) == {"file", "format", "width", "height", "size"}
            assert (public / v["file"]).stat().st_size == v["size"]


def test_a_cached_rebuild_makes_the_same_choice(make_site: Maker) -> None:
    root = make_site(image_config(widths="[4000]"), {"site/img/tiny.jpg": tiny_jpeg()})
    _, first = build_site(root)
    (root / "site/img/tiny.jpg").touch()  # a touched source: same bytes, same choice
    result, second = build_site(root)
    assert result.cache.per_stage["images"]["misses"] == 0 and second == first


def test_summary_line_counts_what_the_rule_did() -> None:
    from assetpipe.imaging.notes import summary

    assert summary({"never_bigger": {}}) is None
    line = summary(
        {
            "never_bigger": {
                "a.png": {"dropped": [{"format": "webp"}]},
                "b.jpg": {"dropped": [{"format": "webp"}, {"format": "jpeg"}], "source": {}},
                "c.tif": {"grown": [{"format": "png"}]},
            }
        }
    )
    assert line is not None
    assert "3 variant(s) not emitted" in line and "1 source file(s) served as is" in line
    assert "1 variant(s) larger than their source" in line


def test_a_source_with_metadata_that_cannot_be_stripped_warns_when_it_grows(
    make_site: Maker,
) -> None:
    """A WebP source carrying EXIF is never served as is (its metadata would go out with it):
    when its re-encode is still larger, the build keeps it and warns, naming the file."""
    rnd = random.Random(5)
    im = Image.new("RGB", (64, 48))
    im.putdata([(rnd.randrange(256), rnd.randrange(256), 90) for _ in range(64 * 48)])
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    data = to_bytes(im, "WEBP", quality=10, exif=exif.tobytes())
    root = make_site(
        image_config(
            formats="[original]", widths="[4000]", templates="  srcset_format: original\n"
        ),
        {"site/img/small.webp": data},
    )
    result, manifest = build_site(root)
    (v,) = manifest["img/small.webp"]["variants"]
    assert v["size"] > len(data)  # nothing smaller to serve: kept
    (warning,) = [w for w in result.warnings if w.stage == "images"]
    assert "img/small.webp" in str(warning) and "EXIF/XMP" in warning.message
    assert b"Camera Maker" not in (root / "dist" / "public" / v["file"]).read_bytes()


def test_a_subset_rebuild_keeps_the_other_images_notes() -> None:
    """watch rebuilds one changed image: report.json keeps what the rule did for the others,
    and forgets a removed image."""
    from assetpipe.dev.apply import _recount_images
    from assetpipe.manifest import Manifest

    before = {
        "images": {
            "images": 3,
            "variants": 4,
            "skipped": [],
            "never_bigger": {
                "a.png": {"dropped": [{"format": "webp"}]},
                "b.jpg": {"source": {"width": 64}},
                "gone.png": {"dropped": [{"format": "webp"}]},
            },
        }
    }
    sections = {"images": {"images": 1, "variants": 1, "skipped": [], "never_bigger": {}}}
    manifest = Manifest({"a.png": {"variants": [{}]}, "b.jpg": {"variants": [{}, {}]}})
    _recount_images(
        sections, before, manifest, {"a.png": "images", "b.jpg": "images"}, frozenset({"b.jpg"})
    )
    assert sections["images"]["never_bigger"] == {"a.png": {"dropped": [{"format": "webp"}]}}
    assert sections["images"]["variants"] == 3
