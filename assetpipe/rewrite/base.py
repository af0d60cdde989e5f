"""The rewriter's core: options, result, and the helpers every rule uses (attribute insertion
that never duplicates, reference resolution per DESIGN §3.5, edits and report entries).

The rules themselves (the LCP rule, images, scripts, stylesheets) live in ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..imaging.formats import variants_for
from .edits import Edit
from .hints import Hint, ImageHint
from .refs import Ref, classify, replacement, srcset_items, style_refs
from .scanner import Scan, Tag, scan

#: attributes whose value is a URL (``srcset`` is handled per candidate)
URL_ATTRS = frozenset({"src", "href", "xlink:href", "poster", "data-src", "data", "content"})
#: attributes whose value is a candidate list (``imagesrcset`` on ``<link rel="preload">``,
#: and ``data-srcset`` (lazysizes and similar copy it into ``srcset``)
SRCSET_ATTRS = frozenset({"srcset", "imagesrcset", "data-srcset"})
#: tags whose URL attributes load an asset: an unresolved reference there is reported
ASSET_TAGS = frozenset(
    {"img", "script", "link", "source", "video", "audio", "embed", "object", "input", "track"}
)
FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}
IMAGE_MIME = {
    "avif": "image/avif",
    "webp": "image/webp",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
}
#: ``<link rel>`` values whose file keeps the source's format
KEEP_FORMAT_RELS = frozenset(
    {"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "manifest"}
)
#: Jinja whitespace control that would eat the space before an inserted attribute
_TRIM = ("-%}", "-}}", "-#}")


@dataclass(frozen=True)
class Options:
    """The effective options of one template's rewrite (they key its cache entry)."""

    public_path: str = "/static/"
    is_page: bool = False
    lazy_images: bool = True
    lazy_iframes: bool = True
    eager: tuple[str, ...] = ()
    #: ``sizes`` for an image no rule, hint or width attribute sizes (``None``: no srcset then)
    sizes: str | None = None
    #: ``(selector, sizes)`` rules, first match wins (``templates.sizes`` as a list)
    sizes_rules: tuple[tuple[str, str], ...] = ()
    #: ``always`` | ``auto`` (only where they cannot distort) | ``never``
    dimensions: str = "auto"
    #: ``auto`` (only where the displayed width is known) | ``never``
    srcset: str = "auto"
    picture: bool = False
    srcset_format: str = "webp"
    image_formats: tuple[str, ...] = ("webp", "original")
    integrity: bool = True
    preload_fonts: bool = True


@dataclass
class Result:
    """A rewritten template and what report.json says about it."""

    text: str
    edits: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    #: literal references to keys the manifest lacks: (line, col, key, attribute value)
    missing: list[tuple[int, int, str, str]] = field(default_factory=list)
    #: every manifest key looked up (found or not): the cache depends on these entries
    keys: set[str] = field(default_factory=set)
    hints_used: set[Hint] = field(default_factory=set)
    #: the hints file's image records that matched a tag (the others are stale)
    records_used: set[ImageHint] = field(default_factory=set)
    spans: list[tuple[int, int, Edit]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        return {
            "edits": self.edits,
            "unresolved": self.unresolved,
            "images": self.images,
            "skipped": self.skipped,
        }


class Base:
    """State and helpers of one template's rewrite."""

    def __init__(
        self,
        text: str,
        name: str,
        manifest: Mapping[str, Mapping[str, Any]],
        opts: Options,
        hints: list[Hint],
        images: list[ImageHint] | None = None,
    ) -> None:
        self.text = text
        self.name = name
        self.manifest = manifest
        self.o = opts
        self.hints = [h for h in hints if h.template == name]
        self.image_hints = [h for h in images or () if h.template == name]
        #: (start, end) of every attribute value whose references were handled
        self.handled: list[tuple[int, int]] = []
        self.sc: Scan = scan(text)
        self.edits: list[Edit] = []
        self.res = Result(text)
        self.nl = "\r\n" if "\r\n" in text else "\n"
        self.preloaded: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------
    def lookup(self, key: str) -> Mapping[str, Any] | None:
        self.res.keys.add(key)
        return self.manifest.get(key)

    def loc(self, offset: int) -> tuple[int, int]:
        return self.sc.line_col(offset)

    def edit(self, tag: Tag, start: int, end: int, new: str, kind: str) -> None:
        line, col = self.loc(tag.start)
        self.edits.append(Edit(start, end, new, kind, tag.name, line, col, len(self.edits)))

    def value(self, tag: Tag, name: str) -> str | None:
        """A literal, unconditional attribute value (``None`` if absent, conditional or Jinja)."""
        a = tag.get(name)
        if a is None or a.conditional:
            return None
        if a.value_start is None or a.value_end is None:
            return ""
        v = self.text[a.value_start : a.value_end]
        return None if "{{" in v or "{%" in v else v

    def enum(self, tag: Tag, name: str) -> str:
        """A literal keyword value, lower-cased and stripped (HTML compares these
        ASCII-case-insensitively: ``loading="LAZY"``); ``""`` if absent or not literal."""
        return (self.value(tag, name) or "").strip().lower()

    def tokens(self, tag: Tag) -> set[str]:
        """The per-tag switches of ``data-assetpipe`` (space-separated, any case)."""
        return set(self.enum(tag, "data-assetpipe").split())

    def add_attr(self, tag: Tag, name: str, value: str | None) -> bool:
        """Insert ``name="value"`` (``value=None``: a bare attribute) unless the tag has it."""
        present = [a for a in tag.attrs if a.name == name]
        if present:
            if all(a.conditional for a in present):
                self.skip(tag, f"'{name}' is set inside {{% if %}} within the tag: not added")
            return False
        quote = self._quote(tag)
        text = f" {name}" if value is None else f" {name}={quote}{value}{quote}"
        at = tag.insert_at
        if self.text.endswith(_TRIM, 0, at):
            # Jinja's '-%}' would eat the separating space: go right after the tag name instead
            at = tag.name_end
        self.edit(tag, at, at, text, "attr")
        return True

    @staticmethod
    def _quote(tag: Tag) -> str:
        """The quote the tag's author uses: ``'`` if every quoted attribute has it, else ``"``."""
        quotes = {a.quote for a in tag.attrs if a.quote}
        return "'" if quotes == {"'"} else '"'

    def skip(self, tag: Tag, reason: str) -> None:
        line, col = self.loc(tag.start)
        self.res.skipped.append({"line": line, "col": col, "tag": tag.name, "reason": reason})

    def url(self, file: str) -> str:
        return self.o.public_path + file

    # -- references ------------------------------------------------------------------------
    def refs(self, tag: Tag) -> dict[str, tuple[Ref, Mapping[str, Any] | None]]:
        """Rewrite every reference in ``tag``; returns attribute → (ref, entry) for the
        unconditional, single-valued ones."""
        out: dict[str, tuple[Ref, Mapping[str, Any] | None]] = {}
        counts: dict[str, int] = {}
        for a in tag.attrs:
            counts[a.name] = counts.get(a.name, 0) + 1
        for a in tag.attrs:
            if a.value_start is None or a.value_end is None:
                continue
            if a.name in SRCSET_ATTRS:
                self.handled.append((a.value_start, a.value_end))
                self.srcset(tag, a.value_start, a.value_end)
                continue
            if a.name == "style":
                self.handled.append((a.value_start, a.value_end))
                self.style(tag, a.value_start, a.value_end)
                continue
            if a.name not in URL_ATTRS:
                continue
            self.handled.append((a.value_start, a.value_end))
            val = self.text[a.value_start : a.value_end]
            ref = classify(val, self.o.public_path)
            if ref is None:
                continue
            entry = self.resolve(tag, a.name, val, ref, a.value_start)
            if not a.conditional and counts[a.name] == 1:
                out[a.name] = (ref, entry)
        return out

    def resolve(
        self, tag: Tag, attr: str, val: str, ref: Ref, base: int, width: int | None = None
    ) -> Mapping[str, Any] | None:
        if not ref.resolvable or ref.key is None:
            if (tag.name in ASSET_TAGS and (attr != "content")) or attr == "style":
                line, col = self.loc(tag.start)
                self.res.unresolved.append(
                    {
                        "line": line,
                        "col": col,
                        "tag": tag.name,
                        "attr": attr,
                        "value": val,
                        "reason": ref.kind,
                    }
                )
            return None
        entry = self.lookup(ref.key)
        if entry is None:
            if ref.kind == "asset_url":
                line, col = self.loc(tag.start)
                self.res.unresolved.append(
                    {
                        "line": line,
                        "col": col,
                        "tag": tag.name,
                        "attr": attr,
                        "value": val,
                        "reason": "asset_url",
                    }
                )
            else:
                line, col = self.loc(base)
                self.res.missing.append((line, col, ref.key, val))
            return None
        file = self.output_file(tag, entry, width)
        if file is None:
            line, col = self.loc(tag.start)
            self.res.unresolved.append(
                {
                    "line": line,
                    "col": col,
                    "tag": tag.name,
                    "attr": attr,
                    "value": val,
                    "reason": "type",
                }
            )
        elif ref.rewritable and file != ref.key:
            self.edit(tag, base + ref.start, base + ref.end, replacement(ref, file), "url")
        return entry

    def output_file(
        self, tag: Tag, entry: Mapping[str, Any], width: int | None = None
    ) -> str | None:
        """The file a reference in ``tag`` gets: the entry's ``file``, except that a ``type``
        attribute is never contradicted (the widest variant of that format; ``None`` when the
        entry has none), icons, manifests and ``og:image`` keep the source's format (the
        original-format output), and a srcset ``Nw`` candidate gets the variant of that width."""
        variants = entry.get("variants")
        if not variants:
            return str(entry["file"])
        mime = self.enum(tag, "type")
        if mime.startswith("image/"):
            fmt = next((f for f, m in IMAGE_MIME.items() if m == mime), None)
            vs = variants_for(entry, fmt, self.o.image_formats) if fmt else []
            vs = [v for v in vs if v["format"] == fmt]
        elif self.keeps_format(tag):
            vs = variants_for(entry, "original", self.o.image_formats)
        elif width is None:
            return str(entry["file"])
        else:
            return self.by_width(
                variants_for(entry, str(_fmt_of(entry)), self.o.image_formats), width
            ) or str(entry["file"])
        return self.by_width(vs, width)

    @staticmethod
    def by_width(vs: list[dict[str, Any]], width: int | None) -> str | None:
        """The variant of ``width`` (else the widest) among ``vs``."""
        if not vs:
            return None
        exact = [v for v in vs if width is not None and int(v["width"]) == width]
        return str((exact or vs)[-1]["file"])

    def keeps_format(self, tag: Tag) -> bool:
        """Icons, web app manifests and social cards: consumers that may not take WebP/AVIF."""
        if tag.name == "link":
            return bool(KEEP_FORMAT_RELS & set(self.enum(tag, "rel").split()))
        return tag.name == "meta"

    def srcset(self, tag: Tag, vs: int, ve: int) -> None:
        val = self.text[vs:ve]
        if "{{" in val or "{%" in val:
            self.resolve(tag, "srcset", val, Ref("dynamic"), vs)
            return
        for s, e, w in srcset_items(val):
            ref = classify(val[s:e], self.o.public_path)
            if ref is not None:
                self.resolve(tag, "srcset", val[s:e], ref, vs + s, w)

    def style(self, tag: Tag, vs: int, ve: int) -> None:
        """``url(...)`` references in an inline ``style``: literal ``public_path + K`` and
        ``{{ url_for('static', filename='K') }}``, quoted or not; anything else in a ``url()``
        that names no asset here is reported."""
        val = self.text[vs:ve]
        for s, e in style_refs(val):
            ref = classify(val[s:e], self.o.public_path)
            if ref is not None and ref.kind != "other":
                self.resolve(tag, "style", val[s:e], ref, vs + s)

    def _raw(self, tag: Tag, name: str) -> str | None:
        a = tag.get(name)
        if a is None or a.value_start is None or a.value_end is None:
            return None
        return self.text[a.value_start : a.value_end]

    def link_href(self, ref: Ref | None, key: str | None, file: str, quote: str) -> str:
        """An href for an inserted link, in the same form as the reference it follows."""
        inner = "'" if quote == '"' else '"'
        if ref is not None and ref.kind == "url_for":
            return f"{{{{ url_for({inner}static{inner}, filename={inner}{file}{inner}) }}}}"
        if ref is not None and ref.kind == "asset_url" and key is not None:
            return f"{{{{ asset_url({inner}{key}{inner}) }}}}"
        return self.url(file)

    def after(self, tag: Tag, offset: int, elements: list[str]) -> None:
        if not elements:
            return
        ls = self.sc.line_start(tag.start)
        indent = self.text[ls : tag.start]
        if indent.strip():
            indent = ""
        text = "".join(self.nl + indent + el for el in elements)
        self.edit(tag, offset, offset, text, "element")


def _fmt_of(entry: Mapping[str, Any]) -> str:
    """The format of an image entry's ``file`` (its first configured format)."""
    for v in entry.get("variants", ()):
        if v["file"] == entry["file"]:
            return str(v["format"])
    return "original"
