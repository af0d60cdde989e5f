"""Sourcemap VLQ for tests: decode and encode a segment's fields (base64 VLQ, as every
sourcemap v3 writes them), so tests read the maps builds write without the code under test."""

from __future__ import annotations

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def vlq(value: int) -> str:
    """One signed value as base64 VLQ."""
    v = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit, v = v & 31, v >> 5
        out += B64[digit | (32 if v else 0)]
        if not v:
            return out


def unvlq(seg: str) -> list[int]:
    """A segment's fields (relative values, as written)."""
    values: list[int] = []
    value = shift = 0
    for ch in seg:
        digit = B64.index(ch)
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
            continue
        values.append(-(value >> 1) if value & 1 else value >> 1)
        value = shift = 0
    return values
