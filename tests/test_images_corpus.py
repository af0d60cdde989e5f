"""Every file of ../shared/corpus/images through a real build: orientation, displayed sizes,
transparency, the animated GIF rule, metadata stripped, progressive JPEG."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import CORPUS
from tests.images_helpers import (
    build_site,
    frames,
    grey_png,
    image_config,
    mean_diff,
    open_public,
    palette_icon,
    tiny_jpeg,
    variant,
)

if not CORPUS.is_dir():  # pragma: no cover
    if os.environ.get("CI"):
        raise RuntimeError(
            f"the image corpus is not at {CORPUS} (CI needs shared/ beside the checkout)"
        )
    pytest.skip(f"the image corpus is not at {CORPUS}", allow_module_level=True)

GENERATED = {"icon.png": palette_icon, "grey.png": grey_png, "tiny.jpg": tiny_jpeg}
IMAGES = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in {".jpg", ".png", ".gif"})


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("corpus")
    for path in IMAGES:
        dest = root / "site" / "img" / path.parent.name / path.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    for name, make in GENERATED.items():
        (root / "site" / "img" / "generated" / name).parent.mkdir(exist_ok=True)
        (root / "site" / "img" / "generated" / name).write_bytes(make())
    # 4000: wider than any source, so every image also gets a variant at its own size
    (root / "pipeline.yaml").write_text(image_config(widths="[240, 480, 4000]"))
    _, manifest = build_site(root)
    return root, manifest


def test_every_corpus_image_is_in_the_manifest(corpus_build: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus_build
    assert len(IMAGES) >= 25
    for path in IMAGES:
        key = f"img/{path.parent.name}/{path.name}"
        entry = manifest[key]
        assert entry["src"] == key
        data = (root / "dist" / "public" / entry["file"]).read_bytes()
        assert entry["size"] == len(data)
        for v in entry["variants"]:
            assert (root / "dist" / "public" / v["file"]).stat().st_size == v["size"]
            assert v["width"] <= entry["width"] and v["height"] <= entry["height"]


@pytest.mark.parametrize("kind", ["Landscape", "Portrait"])
def test_orientation_set_comes_out_the_right_way_up(
    corpus_build: tuple[Path, dict[str, Any]], kind: str
) -> None:
    root, manifest = corpus_build
    size = (1800, 1200) if kind == "Landscape" else (1200, 1800)
    ref_entry = manifest[f"img/orientation/{kind}_1.jpg"]
    refs = {
        fmt: open_public(root, variant(ref_entry, fmt, 240)["file"]) for fmt in ("jpeg", "webp")
    }
    upside_down = refs["jpeg"].transpose(Image.Transpose.ROTATE_180)
    mirrored = refs["jpeg"].transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    # the comparison can fail: a wrong orientation is far from the reference
    assert mean_diff(refs["jpeg"], upside_down) > 25
    assert mean_diff(refs["jpeg"], mirrored) > 25
    for n in range(9):  # 0 is an invalid value: treated as 1
        entry = manifest[f"img/orientation/{kind}_{n}.jpg"]
        assert (entry["width"], entry["height"]) == size, n
        for fmt in ("jpeg", "webp"):
            v = variant(entry, fmt, 240)
            assert (v["width"], v["height"]) == (240, round(240 * size[1] / size[0]))
            out = open_public(root, v["file"])
            assert out.size == (v["width"], v["height"])
            assert mean_diff(out, refs[fmt]) < 6, (n, fmt)


def test_metadata_is_stripped_and_jpeg_is_progressive(
    corpus_build: tuple[Path, dict[str, Any]],
) -> None:
    root, manifest = corpus_build
    for key in (
        "img/orientation/Landscape_6.jpg",
        "img/samples/hubble_deep_field.jpg",
        "img/samples/chelsea.png",
    ):
        for v in manifest[key]["variants"]:
            im = open_public(root, v["file"])
            if _served_as_is(root, key, v):  # never bigger: the source, minus its metadata
                with Image.open(root / "site" / key) as source:
                    orientation = source.getexif().get(0x0112, 1)
                assert dict(im.getexif()) == ({} if orientation == 1 else {0x0112: orientation})
                assert not (set(im.info) & {"xmp", "comment", "photoshop"}), (key, im.info)
                continue
            assert not im.getexif(), (key, v)
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(im.info)
            if v["format"] == "jpeg":
                assert im.info.get("progressive") or im.info.get("progression")


def _served_as_is(root: Path, key: str, v: dict[str, Any]) -> bool:
    """Whether variant ``v`` of ``key`` is the source's own (metadata-free) bytes."""
    report = json.loads((root / "dist" / "report.json").read_text())
    served = report["images"]["never_bigger"].get(key, {}).get("source")
    return bool(served) and (served["format"], served["width"]) == (v["format"], v["width"])


def test_transparency_is_kept_in_every_format(corpus_build: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus_build
    entry = manifest["img/samples/horse.png"]
    assert (entry["width"], entry["height"]) == (400, 328)
    src_alpha = Image.open(CORPUS / "samples" / "horse.png").getchannel("A")
    # nearly opaque: 12 translucent pixels (alpha 110) in the corners; the generated images of
    # test_images_modes.py cover large transparent areas
    assert src_alpha.getextrema() == (110, 255)
    for fmt in ("png", "webp"):
        out = open_public(root, variant(entry, fmt)["file"])
        # RGBA, or an exact palette with per-entry alpha when that is smaller
        assert out.mode in ("RGBA", "P") and out.size == (400, 328)
        alpha = out.convert("RGBA").getchannel("A")
        low, _high = alpha.getextrema()
        assert isinstance(low, (int, float)) and low < 200, fmt
        assert mean_diff(alpha, src_alpha) < 1


def test_animated_gif_passes_through_untouched(corpus_build: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus_build
    entry = manifest["img/samples/no_time_for_that_tiny.gif"]
    src = (CORPUS / "samples" / "no_time_for_that_tiny.gif").read_bytes()
    assert entry["variants"] == [
        {"file": entry["file"], "width": 14, "height": 25, "format": "gif", "size": len(src)}
    ]
    assert (entry["width"], entry["height"]) == (14, 25)
    assert (root / "dist" / "public" / entry["file"]).read_bytes() == src
    # a copy, not a hard link to the source: saving the source in place must not change it
    published = (root / "dist" / "public" / entry["file"]).stat()
    assert published.st_ino != (root / "site/img/samples/no_time_for_that_tiny.gif").stat().st_ino
    with Image.open(root / "dist" / "public" / entry["file"]) as out:
        assert frames(out) == 24


def test_sixteen_bit_png_and_grayscale_samples(corpus_build: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus_build
    chess = open_public(root, variant(manifest["img/samples/chessboard_RGB.png"], "png")["file"])
    src = Image.open(CORPUS / "samples" / "chessboard_RGB.png").convert("RGB")
    assert mean_diff(chess, src) < 2
    camera = open_public(root, variant(manifest["img/samples/camera.png"], "png", 480)["file"])
    assert camera.mode == "L"
    ref = Image.open(CORPUS / "samples" / "camera.png").resize((480, 480), Image.Resampling.LANCZOS)
    assert mean_diff(camera, ref) < 3


def test_no_emitted_file_is_larger_than_its_source(
    corpus_build: tuple[Path, dict[str, Any]],
) -> None:
    """Images never grow, over every corpus image and the generated traps (a palette PNG with
    tRNS, a greyscale PNG, a tiny already-optimal JPEG): no variant is larger than its source
    at the same size (nor at any smaller size), and no WebP is larger than the original-format
    variant at its width."""
    root, manifest = corpus_build
    keys = [f"img/{p.parent.name}/{p.name}" for p in IMAGES] + [
        f"img/generated/{name}" for name in GENERATED
    ]
    for key in keys:
        entry = manifest[key]
        source = (root / "site" / key).stat().st_size
        by_width: dict[tuple[str, int], int] = {
            (v["format"], v["width"]): v["size"] for v in entry["variants"]
        }
        assert any(v["width"] == entry["width"] for v in entry["variants"]), key
        for v in entry["variants"]:
            assert v["size"] <= source, (key, v)
            if v["format"] == "webp" and entry["src"].endswith((".jpg", ".png")):
                original = "jpeg" if key.endswith(".jpg") else "png"
                if (original, v["width"]) in by_width:
                    assert v["size"] < by_width[(original, v["width"])], (key, v)
