"""A still GIF is re-encoded as PNG, but its own bytes (comments and application extensions
removed) serve its width when the PNG is not smaller: a 1x1 spacer GIF came out as a bigger
PNG, with a warning on every build that made ``build --strict`` fail on a real app's theme."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from assetpipe.imaging.formats import variants_for, widest_original
from assetpipe.imaging.plain import plain_source, strip_gif
from assetpipe.imaging.select import SOURCE, select
from tests.conftest import run_cli
from tests.images_helpers import Maker, build_site, image_config, to_bytes

_XMP = b"\x21\xff\x0bXMP DataXMP" + b"\x05<x:x>" + b"\x00"
_ICC = b"\x21\xff\x0bICCRGBG1012" + b"\x03abc" + b"\x00"


def spacer_gif(comment: bytes = b"made by hand") -> bytes:
    """A 1x1 transparent still GIF, with a comment extension."""
    im = Image.new("P", (1, 1), 0)
    im.putpalette([0, 0, 0, 255, 255, 255] + [0] * (254 * 3))
    return to_bytes(im, "GIF", transparency=0, comment=comment)


def _with_extensions(gif: bytes, *extensions: bytes) -> bytes:
    """``gif`` with ``extensions`` inserted after its header and global colour table."""
    packed = gif[10]
    at = 13 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
    return gif[:at] + b"".join(extensions) + gif[at:]


def _rgba(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGBA")


def test_gif_comments_and_application_extensions_go_the_image_stays() -> None:
    source = _with_extensions(spacer_gif(b"secret note"), _XMP, _ICC) + b"trailing junk"
    plain = strip_gif(source)
    assert b"secret note" not in plain and b"XMP DataXMP" not in plain
    assert b"ICCRGBG1012" in plain  # colour stays, as a PNG's iCCP does
    assert plain.endswith(b"\x3b") and b"junk" not in plain
    assert ImageChops.difference(_rgba(plain), _rgba(source)).getbbox() is None
    assert Image.open(io.BytesIO(plain)).info["transparency"] == 0
    assert plain_source(source, "GIF", "P", 1) == plain
    # a truncated GIF is not served as is
    assert plain_source(source[:20], "GIF", "P", 1) is None


def test_the_plain_gif_keeps_its_format_among_png_variants() -> None:
    """At the widths where PNG wins it serves; at the GIF's own width its bytes do."""
    sel = select(
        ["png", "webp"],
        "png",
        600,
        300,
        {"png": [(480, 240, 900), (600, 300, 1300)], "webp": [(480, 240, 950), (600, 300, 1400)]},
        source_size=1250,
        plain_size=1200,
        source_format="gif",
    )
    assert [(v.format, v.width, v.origin) for v in sel.kept] == [
        ("png", 480, "encoded"),
        ("gif", 600, SOURCE),
    ]
    assert not sel.grown
    entry = {
        "src": "img/banner.gif",
        "variants": [
            {"file": f"{v.format}{v.width}", "format": v.format, "width": v.width} for v in sel.kept
        ],
    }
    assert [v["file"] for v in variants_for(entry, "original", ["webp", "original"])] == [
        "png480",
        "gif600",
    ]
    assert widest_original(entry, ["webp", "original"]) == "gif600"


def test_a_spacer_gif_serves_itself_and_strict_passes(make_site: Maker) -> None:
    source = spacer_gif()
    root = make_site(
        image_config(templates="  dirs: [templates]\n").replace("  dirs: []\n", ""),
        {
            "site/img/spacer.gif": source,
            "templates/page.html": (
                "<p>x</p>\n<img src=\"{{ url_for('static', filename='img/spacer.gif') }}\" alt=\"\">\n"
            ),
        },
    )
    result, manifest = build_site(root)
    entry = manifest["img/spacer.gif"]
    gif = {v["format"]: v for v in entry["variants"]}.pop("gif")
    assert sorted((v["format"], v["width"]) for v in entry["variants"]) <= [("gif", 1), ("webp", 1)]
    assert gif["file"].endswith(".gif") and gif["size"] < len(source)
    assert all(v["size"] < gif["size"] for v in entry["variants"] if v["format"] == "webp")
    assert (root / "dist/public" / gif["file"]).read_bytes() == strip_gif(source)
    assert not [w for w in result.warnings if w.stage == "images"], result.warnings
    page = (root / "dist/templates/page.html").read_text()
    assert f"filename='{entry['file']}'" in page
    assert run_cli("build", "--strict", cwd=root).code == 0
