"""How big an ``<img>`` shows: intrinsic ``width``/``height``, ``srcset``/``sizes`` and
``<picture>``, written only where they cannot distort the image or make it download more.

``width``/``height`` (``templates.dimensions``):

- ``always``: the image's intrinsic size when both are missing; one given, the other in
  proportion (the behaviour of earlier versions);
- ``auto`` (the default): only where they cannot change the rendered box: an audit measured it
  (every ``images`` record of the tag in the hints file says ``dimensions_safe``), or the tag's own
  inline ``style`` already fixes both ``width`` and ``height``. CSS that sets only a width
  (Bootstrap's ``w-25``, ``.logo{height:40px}``) turns an added attribute into a stretched image,
  so nothing is guessed;
- ``never``.

``srcset`` + ``sizes`` (``templates.srcset: auto``) only when the displayed width is known, first
of: the tag's own ``sizes`` attribute; a ``templates.sizes`` rule whose selector matches the tag;
the audit's rendered widths per profile (which also drop the variants wider than any profile
needs: rendered width x DPR, when the width beyond the widest measured viewport is bounded);
the tag's own ``width`` attribute (``NNpx``); the
``templates.sizes`` default. Otherwise the tag keeps its single ``src``: a ``srcset`` without a
true ``sizes`` makes the browser assume ``100vw`` and download the widest variant for a 36-px
avatar.

Per tag, ``data-assetpipe`` takes space-separated switches: ``skip`` (no attribute added; URLs are
still rewritten), ``no-dimensions`` / ``dimensions`` (never / always add width and height),
``no-srcset``, ``no-picture``, and ``eager`` / ``lazy`` (the LCP rule, in ``rules``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..imaging.formats import variants_for
from ..lazyre import lazy
from .document import Document
from .hints import ImageHint
from .model import IMAGE_MIME, Options, Result
from .refs import Ref
from .resolve import Resolver
from .tags import Tag
from .writer import Writer

#: attributes that decide an image's box or candidates: set inside ``{% if %}`` in the tag,
#: nothing size-related is added (the other branch would show the wrong size)
SIZING_ATTRS = frozenset({"src", "width", "height", "srcset", "sizes", "class", "style"})
_LENGTH = r"\s*:\s*[0-9.]+(?:px|em|rem)\s*(?:;|$)"
_STYLE_W = lazy(r"(?:^|;)\s*width" + _LENGTH, re.IGNORECASE)
_STYLE_H = lazy(r"(?:^|;)\s*height" + _LENGTH, re.IGNORECASE)


class Sizing:
    """Width/height, srcset/sizes and ``<picture>`` for the ``<img>`` tags of one template."""

    def __init__(
        self,
        doc: Document,
        writer: Writer,
        resolver: Resolver,
        result: Result,
        opts: Options,
        image_hints: list[ImageHint],
    ) -> None:
        self.doc = doc
        self.writer = writer
        self.resolver = resolver
        self.result = result
        self.opts = opts
        #: the hints file's render records of this template
        self.image_hints = image_hints
        #: tag offset → (selector, sizes), from ``templates.sizes`` rules (filled by the walk)
        self.size_rules: dict[int, tuple[str, str]] = {}

    def records(self, tag: Tag, key: str | None) -> list[ImageHint]:
        """The hints file's render records of ``tag`` (same matching as LCP hints)."""
        first, last = self.doc.lines(tag)
        src = self.doc.value(tag, "src")
        found = [
            h
            for h in self.image_hints
            if first <= h.line <= last and (h.src is None or h.src in (key, src))
        ]
        self.result.records_used.update(found)
        return found

    # -- width / height --------------------------------------------------------------------
    def dimensions(
        self, tag: Tag, entry: Mapping[str, Any], recs: list[ImageHint], toks: set[str]
    ) -> str | None:
        """Add width/height where allowed; returns why they were added (``None``: not)."""
        w, h = entry.get("width"), entry.get("height")
        if not (isinstance(w, int) and isinstance(h, int)) or w <= 0 or h <= 0:
            return None
        mode = (
            "never"
            if "no-dimensions" in toks
            else "always"
            if "dimensions" in toks
            else self.opts.dimensions
        )
        if mode == "never":
            return None
        has_w, has_h = tag.get("width"), tag.get("height")
        if has_w is not None and has_h is not None:
            return None
        why = "templates.dimensions: always" if mode == "always" else self.safe(tag, recs)
        if why is None:
            return None
        if has_w is None and has_h is None:
            self.writer.add_attr(tag, "width", str(w))
            self.writer.add_attr(tag, "height", str(h))
            return why
        n = self.doc.int_attr(tag, "width" if has_w is not None else "height")
        if n is None:
            return None
        if has_h is None:
            self.writer.add_attr(tag, "height", str(round(n * h / w)))
        else:
            self.writer.add_attr(tag, "width", str(round(n * w / h)))
        return why

    def safe(self, tag: Tag, recs: list[ImageHint]) -> str | None:
        """Why intrinsic width/height cannot distort this tag (``None``: they might)."""
        if recs and all(r.dimensions_safe for r in recs):
            return "audit: dimensions_safe"
        style = self.doc.value(tag, "style") or ""
        if _STYLE_W.search(style) and _STYLE_H.search(style):
            return "style sets width and height"
        return None

    # -- srcset / sizes --------------------------------------------------------------------
    def sizes_for(self, tag: Tag, recs: list[ImageHint]) -> tuple[str | None, str] | None:
        """(``sizes`` to add or ``None`` when the tag has its own, where it comes from), or
        ``None`` when the displayed width is unknown."""
        own = self.doc.value(tag, "sizes")
        if own is not None and own.strip():
            return None, "sizes attribute"
        rule = self.size_rules.get(tag.start)
        if rule is not None:
            return rule[1], f"templates.sizes rule {rule[0]}"
        measured = measured_sizes(recs)
        if measured is not None:
            return measured, "audit"
        w = self.doc.int_attr(tag, "width")
        if w is not None:
            return f"{w}px", "width attribute"
        if self.opts.sizes:
            return self.opts.sizes, "templates.sizes default"
        return None

    def sizes_value(self, sizes: str, lazy: bool) -> str:
        sizes = sizes.strip()
        if not lazy and sizes.lower().startswith("auto"):
            rest = sizes[4:].lstrip(" ,")
            return rest or "100vw"
        return sizes

    def srcset_value(
        self, vs: Sequence[Mapping[str, Any]], ref: Ref | None = None, quote: str = '"'
    ) -> str:
        """A srcset listing ``vs``; after a ``url_for`` reference each URL is a ``url_for`` call
        too (so SCRIPT_NAME applies to every candidate, as to the ``src``)."""

        def one(file: str) -> str:
            return (
                self.resolver.link_href(ref, None, file, quote)
                if ref is not None
                else self.resolver.url(file)
            )

        return ", ".join(f"{one(v['file'])} {int(v['width'])}w" for v in vs)

    def responsive(
        self,
        tag: Tag,
        entry: Mapping[str, Any],
        key: str,
        ref: Ref | None,
        recs: list[ImageHint],
        toks: set[str],
        *,
        lazy: bool,
    ) -> str | None:
        """Add srcset/sizes (and ``<picture>``) where allowed; returns where ``sizes`` came
        from (``None``: no srcset written)."""
        fmts = self.opts.image_formats
        # fill: a width whose srcset-format variant was not emitted (not smaller: images never
        # grow) is served by the original-format one
        vs = trim(variants_for(entry, self.opts.srcset_format, fmts, fill=True), recs)
        known = (
            None
            if self.opts.srcset == "never" or "no-srcset" in toks
            else self.sizes_for(tag, recs)
        )
        quote = self.doc.quote(tag)
        written = None
        srcset_attr = tag.get("srcset")
        if srcset_attr is not None:
            if srcset_attr.conditional:
                self.writer.skip(tag, "'srcset' is set inside {% if %} within the tag: not added")
        elif known is not None and (len(vs) >= 2 or (vs and vs[0]["file"] != entry["file"])):
            self.writer.add_attr(tag, "srcset", self.srcset_value(vs, ref, quote))
            if known[0] is not None:
                self.writer.add_attr(tag, "sizes", self.sizes_value(known[0], lazy))
            written = known[1]
        if not self.opts.picture or tag.in_picture or "no-picture" in toks:
            return written
        own = next((v["format"] for v in variants_for(entry, self.opts.srcset_format, fmts)), None)
        sources = []
        for fmt in ("avif", "webp"):
            fv = trim(variants_for(entry, fmt, fmts), recs)
            if not fv or fmt == own or fv[0]["format"] != fmt:
                continue
            if known is None:  # displayed width unknown: the format alone, at the src's width
                href = self.resolver.link_href(ref, None, fv[-1]["file"], '"')
                sources.append(f'<source type="{IMAGE_MIME[fmt]}" srcset="{href}">')
                continue
            sizes = (
                self.sizes_value(known[0], lazy)
                if known[0] is not None
                else self.doc.value(tag, "sizes") or ""
            )
            sources.append(
                f'<source type="{IMAGE_MIME[fmt]}" '
                f'srcset="{self.srcset_value(fv, ref)}" sizes="{sizes}">'
            )
        if sources:
            self.writer.edit(tag, tag.start, tag.start, "<picture>" + "".join(sources), "element")
            self.writer.edit(tag, tag.end, tag.end, "</picture>", "element")
        return written


def _widest(recs: list[ImageHint]) -> list[tuple[int, float]]:
    """(viewport, widest rendered CSS width) per measured viewport, narrowest first."""
    widest: dict[int, float] = {}
    for r in recs:
        if r.width > 0:
            widest[r.viewport] = max(widest.get(r.viewport, 0.0), r.width)
    return sorted(widest.items())


def _fills(vp: int, w: float) -> bool:
    return w >= vp * 0.98


def measured_sizes(recs: list[ImageHint]) -> str | None:
    """A ``sizes`` value from the audit's rendered widths: the length each profile measured at
    its viewport width (``(max-width: VIEWPORTpx) LENGTH``; a width that fills the viewport is
    ``100vw``), the widest profile's length beyond. Between two measured viewports the width was
    not seen, so the larger of the two as a share of the viewport is used (``NNvw``): layouts
    give an image a smaller share as the viewport grows, so that errs on the sharp side. One
    measured viewport says nothing about wider ones (a fluid photo measured 350 px on a phone
    shows 687 px on a desktop: Albumy's login page), so beyond it the same share is used.
    ``None`` without a visible record."""
    items = _widest(recs)
    if not items:
        return None

    def length(vp: int, w: float) -> str:
        return "100vw" if _fills(vp, w) else f"{math.ceil(w)}px"

    def share(vp: int, w: float, nvp: int, nw: float) -> str:
        return f"{min(100, math.ceil(max(w / vp, nw / nvp) * 100))}vw"

    lengths = [length(vp, w) for vp, w in items]
    if len(set(lengths)) == 1 and (len(items) > 1 or lengths[0] == "100vw"):
        return lengths[0]
    if len(items) == 1:
        (vp, w), n = items[0], lengths[0]
        return f"(max-width: {vp}px) {n}, {share(vp, w, vp, w)}"
    parts = []
    for i, ((vp, w), n) in enumerate(zip(items[:-1], lengths[:-1], strict=True)):
        parts.append(f"(max-width: {vp}px) {n}")
        nvp, nw = items[i + 1]
        if nvp > vp + 1:
            parts.append(f"(max-width: {nvp - 1}px) {share(vp, w, nvp, nw)}")
    return ", ".join([*parts, lengths[-1]])


def trim(vs: list[dict[str, Any]], recs: list[ImageHint]) -> list[dict[str, Any]]:
    """Drop the variants wider than the narrowest one that covers every rendered width x DPR
    the audit recorded (no page needs them); all of them without records, and all when the
    width beyond the widest measured viewport is not bounded (``measured_sizes`` gives it as a
    share of the viewport: one viewport measured, or the image fills the widest): a wider
    screen may need them."""
    items = _widest(recs)
    if len(items) < 2 or _fills(*items[-1]):
        return vs
    need = max(r.width * r.dpr for r in recs if r.width > 0)
    for i, v in enumerate(vs):
        if int(v["width"]) >= need:
            return vs[: i + 1]
    return vs
