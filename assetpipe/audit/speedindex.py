"""Speed Index from the trace's screenshots, computed as Lighthouse's speedline does.

Each frame's visual progress is the histogram distance from a white frame at the navigation's
start (time 0) to it, relative to the last frame's: per colour channel and value, with white
pixels (all channels ≥ 249) left out, progress = Σ min(|frame - white|, |last - white|) /
Σ |last - white|, floored to a percent. Speed Index is the time to the first frame with any
progress plus, from there, each frame's interval times the part still incomplete at its
start. Frames are decoded at a quarter of their size (JPEG draft mode): the histograms are
ratios, so the scale hardly moves them, and a page's 100-odd frames decode in a few ms each.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from PIL import Image, ImageChops

WHITE = 249


def histogram(jpeg: bytes) -> list[int]:
    """The 768-value RGB histogram of a JPEG, white pixels left out."""
    img = Image.open(BytesIO(jpeg))
    rgb = img.convert("RGB")
    r, g, b = (c.point(lambda v: 255 if v >= WHITE else 0) for c in rgb.split())
    white = ImageChops.multiply(ImageChops.multiply(r, g), b)
    return rgb.histogram(ImageChops.invert(white))


def progress(frame: Sequence[int], last: Sequence[int]) -> int:
    """Visual progress (0-100) of ``frame`` towards ``last``, both against a white start."""
    total = sum(last)
    if total == 0:
        return 100
    return int(sum(min(f, t) for f, t in zip(frame, last, strict=True)) * 100 // total)


def speed_index(frames: Sequence[tuple[float, bytes]]) -> float | None:
    """Speed Index (ms) of ``(ms from the navigation's start, JPEG)`` frames; ``None`` without
    frames. Consecutive identical frames count once, as in speedline."""
    unique: list[tuple[float, bytes]] = []
    for t, data in sorted(frames, key=lambda f: f[0]):
        if not unique or data != unique[-1][1]:
            unique.append((t, data))
    if not unique:
        return None
    hists = [histogram(data) for _t, data in unique]
    points = [(0.0, 0)] + [
        (t, progress(h, hists[-1])) for (t, _d), h in zip(unique, hists, strict=True)
    ]
    first = next((t for t, p in points if p > 0), None)
    if first is None:
        return None
    si, prev_t, prev_p = first, points[0][0], 0
    for t, p in points:
        if t > first:
            si += (t - prev_t) * (1 - prev_p / 100)
        prev_t, prev_p = t, p
    return si


def screenshots(events: Sequence[dict[str, Any]], t0: float) -> list[tuple[float, bytes]]:
    """The trace's ``Screenshot`` frames from ``t0`` (µs) on, as (ms from ``t0``, JPEG)."""
    out = []
    for ev in events:
        if ev.get("name") == "Screenshot" and ev.get("ts", 0) >= t0:
            snap = (ev.get("args") or {}).get("snapshot")
            if snap:
                out.append(((float(ev["ts"]) - t0) / 1000.0, base64.b64decode(snap)))
    return out
