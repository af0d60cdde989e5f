"""The images stage in tiny-site builds: srcset-ready manifest entries, no upscaling, identical
bytes across builds, the persistent cache (no-op rebuilds decode nothing and start no pool; one
option change redoes only what it affects), bad input and ``on_error: skip``."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image

from assetpipe.hashing import sri
from assetpipe.imaging import pool
from assetpipe.pipeline import sources
from tests.conftest import CORPUS, run_cli, tree_bytes, write_tree
from tests.images_helpers import (
    Maker,
    build_site,
    image_config,
    png_header_only,
    to_bytes,
    transparent_gif,
)

HERO = CORPUS / "samples" / "retina.jpg"  # 1411 x 1411
WIDE = CORPUS / "orientation" / "Landscape_6.jpg"  # stored 1200x1800, displayed 1800x1200


def _small_png() -> bytes:
    im = Image.new("RGB", (300, 200), (10, 120, 200))
    im.paste((250, 200, 0), (0, 0, 150, 100))
    return to_bytes(im, "PNG")


def _site(make_site: Maker, config: str | None = None) -> Path:
    root = make_site(config or image_config(), {"site/img/small.png": _small_png()})
    shutil.copyfile(HERO, root / "site/img/hero.jpg")
    shutil.copyfile(WIDE, root / "site/img/wide.jpg")
    return root


def test_manifest_entries_are_ready_for_srcset(make_site: Maker) -> None:
    root = _site(make_site)
    _, manifest = build_site(root)
    public = root / "dist" / "public"
    hero = manifest["img/hero.jpg"]
    assert (hero["width"], hero["height"]) == (1411, 1411)
    assert [(v["format"], v["width"], v["height"]) for v in hero["variants"]] == [
        ("webp", 480, 480),
        ("webp", 960, 960),
        ("webp", 1411, 1411),
        ("jpeg", 480, 480),
        ("jpeg", 960, 960),
        ("jpeg", 1411, 1411),
    ]
    # file = the largest width in the first format; size and integrity are of that file
    assert hero["file"] == hero["variants"][2]["file"]
    data = (public / hero["file"]).read_bytes()
    assert hero["size"] == len(data) and hero["integrity"] == sri(data)
    assert hero["src"] == "img/hero.jpg"
    for v in hero["variants"]:
        ext = {"webp": "webp", "jpeg": "jpg"}[v["format"]]
        assert re.fullmatch(rf"img/hero-{v['width']}w-[A-Z2-7]{{8}}\.{ext}", v["file"]), v
        with Image.open(public / v["file"]) as im:
            assert im.size == (v["width"], v["height"])
            assert im.format == v["format"].upper()
        assert (public / v["file"]).stat().st_size == v["size"]
    wide = manifest["img/wide.jpg"]
    assert (wide["width"], wide["height"]) == (1800, 1200)  # displayed, orientation applied
    # wider than 1600: its own width is a variant too, so `file` is the whole image (the WebP)
    assert [v["width"] for v in wide["variants"]] == [480, 960, 1600, 1800, 480, 960, 1600, 1800]
    assert wide["file"] == wide["variants"][3]["file"] and wide["file"].endswith(".webp")
    # never upscaled: a 300 px image gets its own width only
    small = manifest["img/small.png"]
    # (a flat two-colour PNG: its WebP is lossless, exactly its pixels, and smaller)
    assert [(v["format"], v["width"], v["height"]) for v in small["variants"]] == [
        ("webp", 300, 200),
        ("png", 300, 200),
    ]
    assert small["file"] == small["variants"][0]["file"]
    with Image.open(public / small["file"]) as webp:
        assert webp.convert("RGB").tobytes() == Image.open(io.BytesIO(_small_png())).tobytes()
    assert sorted(
        p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()
    ) == sorted(v["file"] for e in manifest.values() for v in e["variants"])


def test_two_builds_give_identical_bytes(make_site: Maker) -> None:
    root = _site(make_site, image_config(formats="[webp, original, avif]", widths="[200, 400]"))
    build_site(root)
    first = tree_bytes(root / "dist")
    build_site(root, clean=True)  # everything encoded again, not taken from the cache
    second = tree_bytes(root / "dist")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_noop_rebuild_decodes_nothing_and_starts_no_pool(
    make_site: Maker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _site(make_site)
    pool.shutdown()
    cold = pool.starts
    first, manifest = build_site(root)
    assert first.cache.per_stage["images"]["misses"] > 0
    assert pool.starts == cold + 1  # started once: prewarmed while planning, then used
    past = time.time() - 10  # touched, same bytes: still nothing to do
    os.utime(root / "site/img/hero.jpg", (past, past))
    pool.shutdown()  # the pool outlives a build: stop it, to see whether a no-op starts one
    starts = pool.starts
    second, again = build_site(root)
    assert second.cache.per_stage["images"]["misses"] == 0
    assert pool.starts == starts and pool._pool is None
    assert again == manifest

    def refuse(*args: object, **kw: object) -> None:
        raise AssertionError(f"a no-op rebuild read a source: {args}")

    # untouched now: no source is hashed again (stat memo) nor opened by Pillow
    monkeypatch.setattr(sources, "sha256_file", refuse)
    monkeypatch.setattr(Image, "open", refuse)
    monkeypatch.setattr(pool, "_get_pool", refuse)
    # the stages' no-op, not the reuse of the last build (test_build_reuse): no record
    (root / ".assetpipe/last-build.json").unlink(missing_ok=True)
    third, still = build_site(root)
    assert third.cache.per_stage["images"]["misses"] == 0 and still == manifest


def test_changing_one_option_redoes_only_what_it_affects(make_site: Maker) -> None:
    root = _site(make_site)
    _, before = build_site(root)
    config = root / "pipeline.yaml"
    config.write_text(config.read_text() + "  quality: {webp: 60}\n")
    result, after = build_site(root)
    # one webp group per image missed; the jpeg/png groups and the probes were hits
    assert result.cache.per_stage["images"]["misses"] == 3
    for key in before:
        old = {v["format"]: v for v in before[key]["variants"]}
        for v in after[key]["variants"]:
            # (small.png's WebP is lossless, a graphic's: the quality does not change it)
            if v["format"] == "webp" and key != "img/small.png":
                assert v["file"] != old["webp"]["file"] or v["width"] != old["webp"]["width"]
        assert [v for v in after[key]["variants"] if v["format"] != "webp"] == [
            v for v in before[key]["variants"] if v["format"] != "webp"
        ]
    assert (
        after["img/hero.jpg"]["variants"][0]["size"] < before["img/hero.jpg"]["variants"][0]["size"]
    )


def test_srcset_format_not_in_formats_is_a_config_error(make_site: Maker) -> None:
    root = _site(make_site, image_config(formats="[original]", templates="  srcset_format: webp\n"))
    result = run_cli("build", cwd=root)
    assert result.code == 2
    assert "pipeline.yaml:" in result.err and "templates.srcset_format" in result.err
    assert "'webp' is not one of images.formats" in result.err


def _truncated() -> bytes:
    data = HERO.read_bytes()
    return data[: len(data) // 3]


def _corrupt() -> bytes:
    data = bytearray(HERO.read_bytes())
    data[600:5000] = bytes(range(256)) * 17 + bytes(4400 - 256 * 17)
    return bytes(data)


def _cut_animation() -> bytes:
    """An animated GIF cut short in its last frame's data."""
    data = transparent_gif()
    return data[: len(data) - 12]


BAD = {
    "zero-byte": ("img/bad.jpg", b"", "cannot decode image: the file is empty"),
    "truncated-animation": ("img/bad.gif", _cut_animation(), "cannot decode image: truncated"),
    "unknown-format": ("img/bad.png", b"hello, not an image\n", "not a recognised image format"),
    "truncated": ("img/bad.jpg", _truncated(), "cannot decode image: image file is truncated"),
    "corrupt": ("img/bad.jpg", _corrupt(), "cannot decode image:"),
    "bomb": ("img/bad.png", png_header_only(30000, 30000), "over images.max_pixels"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_fails_naming_the_file_and_keeps_the_previous_output(
    make_site: Maker, case: str
) -> None:
    root = _site(make_site, image_config(widths="[120]"))
    assert run_cli("build", cwd=root).code == 0
    before = tree_bytes(root / "dist")
    rel, data, message = BAD[case]
    write_tree(root, {f"site/{rel}": data})
    result = run_cli("build", cwd=root)
    assert result.code == 1, result.err
    assert f"error: site/{rel}: " in result.err, result.err
    assert message in result.err, result.err
    assert "hint:" in result.err and "Traceback" not in result.err
    assert tree_bytes(root / "dist") == before


def test_on_error_skip_warns_and_builds_the_rest(make_site: Maker) -> None:
    root = _site(make_site, image_config(widths="[120]", extra="  on_error: skip\n"))
    write_tree(root, {"site/img/empty.jpg": b"", "site/img/cut.jpg": _truncated()})
    result = run_cli("build", "--json", cwd=root)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    warned = sorted(w["file"] for w in doc["warnings"])
    assert warned == ["site/img/cut.jpg", "site/img/empty.jpg"]
    assert any("truncated" in w["message"] for w in doc["warnings"])
    manifest = json.loads((root / "dist/manifest.json").read_text())
    assert sorted(manifest) == ["img/hero.jpg", "img/small.png", "img/wide.jpg"]
    assert run_cli("build", "--strict", cwd=root).code == 1


def test_max_pixels_applies_to_cached_images_too(make_site: Maker) -> None:
    root = _site(make_site, image_config(widths="[120]"))
    assert run_cli("build", cwd=root).code == 0
    config = root / "pipeline.yaml"
    config.write_text(config.read_text() + "  max_pixels: 1000000\n")
    result = run_cli("build", cwd=root)  # hero.jpg (1411x1411) is cached, and now too large
    assert result.code == 1
    assert (
        "error: site/img/hero.jpg: image is 1411x1411 (1,990,921 pixels), over "
        "images.max_pixels (1,000,000)"
    ) in result.err
