"""Variant planning and naming, and which variants a config format names (pure functions)."""

from __future__ import annotations

import re

import pytest

from assetpipe.imaging.formats import resolve, variants_for
from assetpipe.imaging.plan import plan_widths, variant_name


@pytest.mark.parametrize(
    ("size", "widths", "expected"),
    [
        ((1800, 1200), [480, 960, 1600], [(480, 320), (960, 640), (1600, 1067), (1800, 1200)]),
        ((1411, 1411), [480, 960, 1600], [(480, 480), (960, 960), (1411, 1411)]),
        ((300, 200), [480, 960, 1600], [(300, 200)]),  # never upscaled: own width only
        ((1600, 900), [1600, 480, 960, 960], [(480, 270), (960, 540), (1600, 900)]),
        ((3, 1000), [1, 2], [(1, 333), (2, 667), (3, 1000)]),
        ((1000, 1), [480], [(480, 1), (1000, 1)]),  # height never 0
    ],
)
def test_widths_never_upscale_and_always_add_own_width(
    size: tuple[int, int], widths: list[int], expected: list[tuple[int, int]]
) -> None:
    assert plan_widths(*size, widths) == expected


def test_variant_names_carry_width_hash_and_format_extension() -> None:
    digest = "ab" * 32
    name = variant_name("img/hero.jpg", 960, "webp", digest)
    assert re.fullmatch(r"img/hero-960w-[A-Z2-7]{8}\.webp", name)
    assert variant_name("img/a.b/photo.JPEG", 480, "jpeg", digest).startswith("img/a.b/photo-480w-")
    assert variant_name("img/hero.jpg", 960, "jpeg", "cd" * 32) != name.replace(".webp", ".jpg")


def test_original_resolves_to_the_source_format_once() -> None:
    assert resolve(["webp", "original"], "JPEG") == ["webp", "jpeg"]
    assert resolve(["webp", "original"], "WEBP") == ["webp"]
    assert resolve(["original", "avif"], "GIF") == ["png", "avif"]
    assert resolve(["original"], "AVIF") == ["avif"]


def test_variants_for_picks_the_token_format() -> None:
    entry = {
        "src": "img/a.jpg",
        "variants": [
            {"file": "a", "width": 960, "format": "webp"},
            {"file": "b", "width": 480, "format": "webp"},
            {"file": "c", "width": 480, "format": "jpeg"},
        ],
    }
    assert [v["file"] for v in variants_for(entry, "webp")] == ["b", "a"]
    assert [v["file"] for v in variants_for(entry, "original")] == ["c"]
    webp_src = {"src": "img/a.webp", "variants": [{"file": "w", "width": 9, "format": "webp"}]}
    assert [v["file"] for v in variants_for(webp_src, "original")] == ["w"]
    anim = {"src": "img/a.gif", "variants": [{"file": "g", "width": 9, "format": "gif"}]}
    assert [v["file"] for v in variants_for(anim, "webp")] == ["g"]


def test_tool_versions_are_what_pillow_features_says() -> None:
    """The cache key's codec versions, read from Pillow's modules directly, are the ones
    ``PIL.features.version`` gives; without AVIF, libavif's is left out."""
    import PIL
    from PIL import features

    from assetpipe.imaging.options import tool_versions

    every = tool_versions(avif=True)
    names = ("libjpeg_turbo", "webp", "avif", "zlib", "littlecms2")
    assert every == {"pillow": PIL.__version__, **{n: str(features.version(n)) for n in names}}
    assert tool_versions(avif=False) == {k: v for k, v in every.items() if k != "avif"}


def test_tool_versions_import_neither_pil_image_nor_libavif() -> None:
    """A no-op build keys its image cache without importing PIL.Image (and PIL.features) or
    loading libavif when no AVIF is involved: ~15 ms of every process."""
    import subprocess
    import sys

    from tests.conftest import REPO

    code = (
        "import sys\n"
        "from assetpipe.imaging.options import tool_versions\n"
        "v = tool_versions(avif=False)\n"
        "assert v['webp'] != 'None', v\n"
        "print(sorted(m for m in ('PIL.Image', 'PIL.features', 'PIL._avif') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
