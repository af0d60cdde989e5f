"""Walking a GIF's blocks without decoding a pixel.

A GIF is a header, an optional global colour table, then blocks: extensions (``0x21``, a label
and data sub-blocks), images (``0x2C``, a descriptor, an optional local colour table, the LZW
code size and data sub-blocks) and the trailer (``0x3B``). ``plain.strip_gif`` drops metadata
extensions by this walk; ``probe`` checks an animated GIF with it: a file cut short (a sub-block
running past its end) or holding a block of no known kind is refused, without decoding every
frame (wikmd's two screen-recording GIFs, 1,501 frames, took 7.7 s of a cold build to decode,
only to be passed through as they are).
"""

from __future__ import annotations

from collections.abc import Iterator

TRAILER = 0x3B
EXTENSION = 0x21
IMAGE = 0x2C


def header_end(data: bytes) -> int:
    """The offset past the header and the global colour table. Raises ``ValueError`` for a file
    that is no GIF or is cut short there."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise ValueError("no GIF signature")
    if len(data) < 13:
        raise ValueError("truncated GIF header")
    packed = data[10]
    end = 13 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
    if end > len(data):
        raise ValueError("truncated GIF colour table")
    return end


def gif_blocks(data: bytes) -> Iterator[tuple[int, int, int]]:
    """Each block of ``data`` after ``header_end``, as (kind, start, end) offsets, the trailer
    last, if there is one (a GIF whose last block ends at the file's end is read without one,
    as browsers and Pillow read it). Raises ``ValueError`` for a block cut short or of an
    unknown kind."""
    pos = header_end(data)
    while pos < len(data):
        kind = data[pos]
        if kind == TRAILER:
            yield kind, pos, pos + 1
            return
        if kind == EXTENSION:
            end = _sub_blocks_end(data, pos + 2)
        elif kind == IMAGE:
            if pos + 10 > len(data):
                raise ValueError("truncated GIF image descriptor")
            packed = data[pos + 9]
            table = 3 << ((packed & 7) + 1) if packed & 0x80 else 0
            end = _sub_blocks_end(data, pos + 10 + table + 1)
        else:
            raise ValueError(f"unknown GIF block {kind:#x} at {pos}")
        yield kind, pos, end
        pos = end


def _sub_blocks_end(data: bytes, pos: int) -> int:
    """The offset just past the data sub-blocks starting at ``pos`` (their 0 terminator)."""
    while True:
        if pos >= len(data):
            raise ValueError("truncated GIF sub-block")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos
