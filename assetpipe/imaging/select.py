"""Images never grow: which encoded variants are emitted, and where the source serves instead.

``select`` is a pure function of sizes (no pixels), run on every build from the cached groups,
so the rule costs nothing on a rebuild and changing it needs no re-encode. For one source
(displayed ``width`` x ``height``, ``source_size`` bytes, ``plain_size`` the bytes of its
metadata-free copy when that can be served, see ``imaging.plain``):

1. **Original format, widest first.** A variant that is not smaller than the source's plain
   copy, or than the next wider variant already kept in its format, is dropped: a browser
   asking for fewer pixels must never get more bytes. When one is dropped for the source's
   sake, the plain copy serves the source's own width instead (an ``origin: source``
   variant in the original format): at full width, the original-format output *is* the
   source file (minus metadata) whenever re-encoding would not make it smaller.
2. **Modern formats (WebP, AVIF), widest first.** A variant not smaller than the
   original-format one at the same width (the plain copy included) is dropped; so is one not
   smaller than the next wider one kept in its format, or than the source.
3. Formats with no original-format output configured (``formats: [webp]``): when every variant
   at the source's width was dropped, the plain copy serves that width.

The plain copy keeps its own format (``source_format``): the original format, but ``gif`` for a
still GIF, whose original format is PNG.

When the source cannot be served as is (``plain_size`` is ``None``: an EXIF orientation, CMYK,
a GIF/BMP/TIFF source) and a variant at the source's own size is still larger than the source,
it is kept (there is nothing else to serve) and listed in ``grown`` so the stage can warn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

from ..records import dataclass

SOURCE = "source"
ENCODED = "encoded"


@dataclass(frozen=True)
class Variant:
    """One candidate output: its format, size in pixels and bytes, and where the bytes come
    from (``encoded`` by the worker, or the plain ``source`` copy)."""

    format: str
    width: int
    height: int
    size: int
    origin: str = ENCODED


@dataclass
class Selection:
    """What ``select`` decided: the variants to emit (config format order, narrowest first),
    those dropped (each with the variant that serves instead), those that grew anyway."""

    kept: list[Variant] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    grown: list[dict[str, Any]] = field(default_factory=list)

    @property
    def source_used(self) -> bool:
        return any(v.origin == SOURCE for v in self.kept)


def select(
    formats: Sequence[str],
    original: str,
    width: int,
    height: int,
    encoded: Mapping[str, Sequence[tuple[int, int, int]]],
    source_size: int,
    plain_size: int | None,
    source_format: str | None = None,
) -> Selection:
    """See the module docstring. ``encoded[fmt]`` = [(width, height, bytes)] per format;
    ``source_format``: the plain copy's format (``original`` when not given)."""
    sel = Selection()
    plain_fmt = source_format or original
    ceiling = plain_size if plain_size is not None else None
    kept: dict[str, dict[int, Variant]] = {fmt: {} for fmt in formats}
    need_source = False
    order = sorted(formats, key=lambda f: f != original)  # the original format first
    for fmt in order:
        top: Variant | None = None  # the narrowest kept so far (walking widest first)
        for w, h, size in sorted(encoded.get(fmt, ()), reverse=True):
            v = Variant(fmt, w, h, size)
            base = _reference(fmt, original, w, kept, top, ceiling, (plain_fmt, width, height))
            if base is not None and size >= base.size:
                sel.dropped.append(_drop(v, base))
                if base.origin == SOURCE and (fmt == original or original not in formats):
                    need_source = True
                continue
            kept[fmt][w] = v
            top = v
            if (w, h) == (width, height) and size > source_size:
                sel.grown.append(
                    {"format": fmt, "width": w, "size": size, "source_size": source_size}
                )
        if fmt == original and need_source and plain_size is not None:
            kept[fmt][width] = Variant(plain_fmt, width, height, plain_size, SOURCE)
            need_source = False
    if need_source and plain_size is not None and not any(width in k for k in kept.values()):
        kept.setdefault(original, {})[width] = Variant(plain_fmt, width, height, plain_size, SOURCE)
    for fmt in [*formats, *(f for f in kept if f not in formats)]:
        sel.kept += [kept[fmt][w] for w in sorted(kept[fmt])]
    sel.dropped.sort(key=lambda d: (d["format"], d["width"]))
    return sel


def _reference(
    fmt: str,
    original: str,
    w: int,
    kept: Mapping[str, Mapping[int, Variant]],
    top: Variant | None,
    ceiling: int | None,
    plain: tuple[str, int, int],
) -> Variant | None:
    """The smallest variant a candidate must beat: the original format at the same width (for
    a modern format), the next wider one kept in its format, or the plain source (``plain``: its
    format, width and height)."""
    refs: list[Variant] = []
    if fmt != original and w in kept.get(original, {}):
        refs.append(kept[original][w])
    if top is not None:
        refs.append(top)
    if ceiling is not None:
        refs.append(Variant(*plain, ceiling, SOURCE))
    return min(refs, key=lambda r: (r.size, r.origin != SOURCE)) if refs else None


def _drop(v: Variant, instead: Variant) -> dict[str, Any]:
    return {
        "format": v.format,
        "width": v.width,
        "size": v.size,
        "instead": {
            "format": instead.format,
            "width": instead.width,
            "size": instead.size,
            "origin": instead.origin,
        },
    }
