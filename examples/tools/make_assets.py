"""Regenerate the example's own binary assets: a small icon font (trend arrows and a status dot,
drawn here) and the Open Graph card. Run once by hand; the outputs are committed.

    python examples/tools/make_assets.py    (needs fonttools, brotli and Pillow)
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent.parent / "dashboard"


def _polygon(points: list[tuple[int, int]]) -> object:
    pen = TTGlyphPen(None)
    pen.moveTo(points[0])
    for p in points[1:]:
        pen.lineTo(p)
    pen.closePath()
    return pen.glyph()


def make_font(dest: Path) -> None:
    """Glyphs: U+25B2 up arrow, U+25BC down arrow, U+25CF status dot (octagon)."""
    up = _polygon([(100, 100), (500, 700), (900, 100)])
    down = _polygon([(100, 700), (900, 700), (500, 100)])
    dot = _polygon(
        [
            (350, 150),
            (650, 150),
            (850, 350),
            (850, 650),
            (650, 850),
            (350, 850),
            (150, 650),
            (150, 350),
        ]
    )
    notdef = _polygon([(100, 0), (100, 800), (900, 800), (900, 0)])
    names = [".notdef", "up", "down", "dot"]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({0x25B2: "up", 0x25BC: "down", 0x25CF: "dot"})
    fb.setupGlyf({".notdef": notdef, "up": up, "down": down, "dot": dot})
    fb.setupHorizontalMetrics(dict.fromkeys(names, (1000, 100)))
    fb.setupHorizontalHeader(ascent=900, descent=-100)
    fb.setupNameTable({"familyName": "Dash Icons", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=900, sTypoDescender=-100, usWinAscent=900, usWinDescent=100)
    fb.setupPost()
    fb.font.flavor = "woff2"
    dest.parent.mkdir(parents=True, exist_ok=True)
    fb.save(str(dest))


def make_og_card(dest: Path) -> None:
    img = Image.new("RGB", (1200, 630), (15, 23, 42))
    draw = ImageDraw.Draw(img)
    for i, h in enumerate([180, 260, 220, 340, 300, 420, 380]):
        x = 180 + i * 130
        draw.rectangle([x, 520 - h, x + 80, 520], fill=(56, 189, 248))
    draw.line([(140, 520), (1060, 520)], fill=(148, 163, 184), width=6)
    img.save(dest, optimize=True)


if __name__ == "__main__":
    make_font(HERE / "fonts" / "dash-icons.woff2")
    make_og_card(HERE / "img" / "og-card.png")
