"""A PNG's ``gAMA``/``cHRM`` chunks as the ICC profile a browser reads them as.

The encoders write no ``gAMA`` or ``cHRM`` (WebP and AVIF have no such chunks), so the pixels of
a PNG that carries them must be converted to sRGB as a browser shows them, or the variants show
other colours. Chromium (measured with Debian's Chromium 156, headless, on a 256-level ramp):

- an ``sRGB`` chunk or an ``iCCP`` profile wins over both (``colour.to_output`` handles those);
- ``gAMA`` with ``cHRM``: the pixels are decoded with the pure power curve ``1/gamma`` and the
  chunk's primaries and white (Bradford-adapted to D50, as ICC profiles are) and shown in sRGB:
  BookWyrm's logos (``gAMA`` 0.45455 and ``cHRM`` of sRGB's primaries, written by Photoshop)
  are shown up to 9 levels darker in the shadows than their plain values, so their re-encoded
  variants, which dropped the chunks, showed lighter on every page (19,622 px of the landing
  page differed at 1280 px);
- ``gAMA`` alone: the sRGB primaries with that curve, unless the gamma is within libpng's 5 %
  of 1/2.2 (0.45 and 0.46 shown as sRGB, 0.40 and 0.50 converted);
- ``cHRM`` alone: ignored (no curve to decode with).

``png_profile`` builds that reading as a small ICC v2 matrix/TRC profile (a ``para`` curve for
the exact gamma), which ``colour.to_output`` then converts to sRGB like any embedded profile
(or keeps, with ``images.colour: keep``). Deterministic: no date, no ID.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

#: Chromium (libpng's threshold) shows a lone ``gAMA`` this close to 1/2.2 as sRGB.
SRGB_GAMMA_TOLERANCE = 0.05

#: sRGB's primaries and white (x, y), in the order of Pillow's ``info["chromaticity"]``:
#: white, red, green, blue.
SRGB_CHROMATICITY = (0.3127, 0.3290, 0.64, 0.33, 0.30, 0.60, 0.15, 0.06)

#: The ICC profile connection space's white (D50), as ICC stores it.
D50 = (0.9642, 1.0, 0.8249)

_BRADFORD = ((0.8951, 0.2664, -0.1614), (-0.7502, 1.7135, 0.0367), (0.0389, -0.0685, 1.0296))

Matrix = tuple[tuple[float, ...], ...]


def png_profile(info: Mapping[Any, Any]) -> bytes | None:
    """The profile a browser reads a PNG's ``gAMA``/``cHRM`` as (see the module docstring), or
    ``None`` when they leave its pixels as sRGB. ``info`` is the opened PNG's ``Image.info``."""
    gamma = info.get("gamma")
    if "icc_profile" in info or "srgb" in info or not gamma or gamma <= 0:
        return None
    chrm = info.get("chromaticity")
    if chrm is None and abs(gamma * 2.2 - 1) <= SRGB_GAMMA_TOLERANCE:
        return None
    matrix = (_to_xyz_d50(chrm) if chrm is not None else None) or _to_xyz_d50(SRGB_CHROMATICITY)
    assert matrix is not None  # sRGB's primaries always describe a gamut
    return _icc(1 / gamma, matrix)


def _to_xyz_d50(chrm: Sequence[float]) -> Matrix | None:
    """RGB → XYZ (D50) for the primaries and white of a ``cHRM`` chunk; ``None`` when they
    describe no gamut (a zero y, a singular matrix: the browser then takes sRGB's)."""
    wx, wy, rx, ry, gx, gy, bx, by = (float(v) for v in chrm)
    if min(wy, ry, gy, by) <= 0:
        return None
    prim = _transpose(tuple(_xyz(x, y) for x, y in ((rx, ry), (gx, gy), (bx, by))))
    inv = _inverse(prim)
    if inv is None:
        return None
    white = _xyz(wx, wy)
    scale = _apply(inv, white)
    rgb = tuple(tuple(row[i] * scale[i] for i in range(3)) for row in prim)
    cone_src, cone_dst = _apply(_BRADFORD, white), _apply(_BRADFORD, D50)
    brad_inv = _inverse(_BRADFORD)
    assert brad_inv is not None
    adapt = _mul(
        brad_inv, _mul(_diag([d / s for d, s in zip(cone_dst, cone_src, strict=True)]), _BRADFORD)
    )
    return _mul(adapt, rgb)


def _icc(curve_gamma: float, to_xyz: Matrix) -> bytes:
    """An ICC v2 RGB display profile: the matrix's columns as the colorants, one ``para`` curve
    of ``curve_gamma`` for the three channels."""
    desc_text = b"PNG gAMA/cHRM\x00"
    desc = (
        b"desc" + bytes(4) + struct.pack(">I", len(desc_text)) + desc_text + bytes(4 + 4 + 3 + 67)
    )
    curve = b"para" + bytes(4) + struct.pack(">HH", 0, 0) + _s15(curve_gamma)
    tags: list[tuple[bytes, bytes]] = [
        (b"desc", desc),
        (b"wtpt", _xyz_tag(D50)),
        (b"rXYZ", _xyz_tag(tuple(row[0] for row in to_xyz))),
        (b"gXYZ", _xyz_tag(tuple(row[1] for row in to_xyz))),
        (b"bXYZ", _xyz_tag(tuple(row[2] for row in to_xyz))),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text" + bytes(4) + b"none\x00"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(4 + 4 + 4 + 4 + 8 + 4)
        + _xyz_values(D50)
        + bytes(4 + 16 + 28)
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz_values(xyz: Sequence[float]) -> bytes:
    return b"".join(_s15(v) for v in xyz)


def _xyz_tag(xyz: Sequence[float]) -> bytes:
    return b"XYZ " + bytes(4) + _xyz_values(xyz)


def _xyz(x: float, y: float) -> tuple[float, float, float]:
    return (x / y, 1.0, (1 - x - y) / y)


def _transpose(m: Sequence[Sequence[float]]) -> Matrix:
    return tuple(tuple(m[j][i] for j in range(3)) for i in range(3))


def _diag(v: Sequence[float]) -> Matrix:
    return tuple(tuple(v[i] if i == j else 0.0 for j in range(3)) for i in range(3))


def _mul(a: Matrix, b: Matrix) -> Matrix:
    return tuple(
        tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3)
    )


def _apply(m: Matrix, v: Sequence[float]) -> tuple[float, float, float]:
    r0, r1, r2 = (sum(m[i][k] * v[k] for k in range(3)) for i in range(3))
    return (r0, r1, r2)


def _inverse(m: Matrix) -> Matrix | None:
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    if abs(det) < 1e-12:
        return None
    cof = (
        (e * i - f * h, c * h - b * i, b * f - c * e),
        (f * g - d * i, a * i - c * g, c * d - a * f),
        (d * h - e * g, b * g - a * h, a * e - b * d),
    )
    return tuple(tuple(v / det for v in row) for row in cof)
