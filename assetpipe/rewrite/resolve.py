"""References to assets in a tag's attributes: found, looked up in the manifest, rewritten.

Which attribute values are references and how each is rewritten is ``refs``' business; this
module applies it to a tag: every URL attribute, every srcset candidate and every inline-style
``url()``. A reference the manifest has is rewritten to the file the tag should get
(``output_file``); a literal one it lacks comes back in ``Result.missing`` (the stage decides
between error and warning); one that cannot be resolved here, in a tag that loads an asset, is
reported as unresolved with its reason. Every manifest key looked up is recorded in
``Result.keys`` (the template's cache entry depends on exactly those entries).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..imaging.formats import variants_for, widest_original
from .branches import REF, pieces, text_apart
from .document import Document
from .model import IMAGE_MIME, Options, Result
from .refs import (
    STATIC_TAG_ANY,
    Ref,
    names_static,
    replacement,
    route_check,
    url_for_re,
)
from .tags import Tag
from .urllists import srcset_items, style_refs
from .writer import Writer

#: attributes whose value is a URL (``srcset`` is handled per candidate)
URL_ATTRS = frozenset({"src", "href", "xlink:href", "poster", "data-src", "data", "content"})
#: attributes whose value is a candidate list (``imagesrcset`` on ``<link rel="preload">``,
#: and ``data-srcset`` (lazysizes and similar copy it into ``srcset``)
SRCSET_ATTRS = frozenset({"srcset", "imagesrcset", "data-srcset"})
#: tags whose URL attributes load an asset: an unresolved reference there is reported
ASSET_TAGS = frozenset(
    {"img", "script", "link", "source", "video", "audio", "embed", "object", "input", "track"}
)
#: ``<link rel>`` values whose file keeps the source's format
KEEP_FORMAT_RELS = frozenset(
    {
        "icon",
        "apple-touch-icon",
        "apple-touch-icon-precomposed",
        "apple-touch-startup-image",
        "mask-icon",
        "manifest",
    }
)

#: attribute → (the reference, its manifest entry or ``None``)
Found = dict[str, tuple[Ref, Mapping[str, Any] | None]]


class Resolver:
    """Reference resolution for one template against one manifest."""

    def __init__(
        self,
        doc: Document,
        writer: Writer,
        result: Result,
        manifest: Mapping[str, Mapping[str, Any]],
        opts: Options,
    ) -> None:
        self.doc = doc
        self.writer = writer
        self.result = result
        self.manifest = manifest
        self.opts = opts
        self.names_a_route = route_check(opts.public_path, manifest)
        #: (start, end) of every attribute value whose references were handled
        self.handled: list[tuple[int, int]] = []

    def lookup(self, key: str) -> Mapping[str, Any] | None:
        """The manifest entry of ``key``, recorded as a dependency whether found or not."""
        self.result.keys.add(key)
        return self.manifest.get(key)

    def url(self, file: str) -> str:
        return self.opts.public_path + file

    def refs(self, tag: Tag) -> Found:
        """Rewrite every reference in ``tag``; returns attribute → (ref, entry) for the
        unconditional, single-valued ones."""
        out: Found = {}
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
            val = self.doc.text[a.value_start : a.value_end]
            ref = self._classify(val)
            if ref is not None and ref.kind == "dynamic" and self._literal_refs_only(tag, val):
                continue  # their K is rewritten where it stands (``rules.url_for_elsewhere``)
            self.handled.append((a.value_start, a.value_end))
            if ref is None:
                continue
            entry = self.resolve(tag, a.name, val, ref, a.value_start)
            if not a.conditional and counts[a.name] == 1:
                out[a.name] = (ref, entry)
        return out

    def _literal_refs_only(self, tag: Tag, value: str) -> bool:
        """Whether a value built by an expression, not a script's (the build decides how a
        script is bundled from the tags that load it), names the static folder only through
        literal references, each a whole ``{% static 'K' %}`` or ``url_for('static',
        filename='K')``: a default in a conditional (BookWyrm's ``{% if site.logo %}{%
        get_media_prefix %}{{ site.logo }}{% else %}{% static "images/logo.png" %}{% endif
        %}``). Their K is rewritten to the file's hashed name (the source's format: the other
        branch may be any image, so nothing is added to the tag); before, the whole value was
        left as written, the default requested by its unhashed name and ``build --strict``
        failing on a template nobody could change. Literal text is allowed in a branch of its
        own only (``branches.text_apart``: Weblate's e-mail logo, ``{% if request %}{% static
        "email-logo.png" %}{% else %}cid:email-logo.png@cid.weblate.org{% endif %}``)."""
        o = self.opts
        if tag.name == "script":
            return False
        found = [
            m.span()
            for rx in (url_for_re(o.static_routes), STATIC_TAG_ANY)
            for m in rx.finditer(value)
        ]
        if not found:
            return False
        rest = value  # each reference marked: a call in its ``{{ }}``, a whole ``{% static %}``
        for a, b in sorted(found, reverse=True):
            rest = rest[:a] + REF + rest[b:]
        if not text_apart(rest):
            return False  # literal text joined to a reference (``https://cdn{% static 'K' %}``)
        return not any(
            names_static(p.replace(REF, ""), o.public_path, o.static_routes) for p in pieces(rest)
        )  # a branch building a static path (``/static/img/{{ n }}.png``)

    def leave(self, tag: Tag) -> None:
        """Leave ``tag``'s URL attributes as written: handled, so that no later pass rewrites
        or reports them (``rules.foreign_font``)."""
        for a in tag.attrs:
            if a.name in URL_ATTRS and a.value_start is not None and a.value_end is not None:
                self.handled.append((a.value_start, a.value_end))

    def preview(self, tag: Tag) -> str | None:
        """The file a literal ``href`` of ``tag`` names, without recording a dependency or
        rewriting anything (``None`` if it names no manifest entry)."""
        val = self.doc.value(tag, "href")
        ref = self._classify(val) if val else None
        if ref is None or ref.key is None or not ref.resolvable:
            return None
        e = self.manifest.get(ref.key)
        return None if e is None else str(e["file"])

    def _classify(self, value: str) -> Ref | None:
        """``refs.classify`` of an attribute value with this rewrite's options."""
        return self.opts.classify(value)

    def resolve(
        self, tag: Tag, attr: str, val: str, ref: Ref, base: int, width: int | None = None
    ) -> Mapping[str, Any] | None:
        """Look ``ref`` (at ``base`` in the text) up and rewrite it; the entry or ``None``."""
        if not ref.resolvable or ref.key is None:
            if (tag.name in ASSET_TAGS and (attr != "content")) or attr == "style":
                self._unresolved(tag, attr, val, ref.kind)
            return None
        entry = self.lookup(ref.key)
        if entry is None:
            if ref.kind == "unrooted":  # a relative URL the build has no file for
                if (tag.name in ASSET_TAGS and attr != "content") or attr == "style":
                    self._unresolved(tag, attr, val, "relative")
                return None
            if ref.kind == "literal" and self.names_a_route(ref.key):
                return None
            if ref.kind == "asset_url":
                self._unresolved(tag, attr, val, "asset_url")
            else:
                line, col = self.doc.loc(base)
                self.result.missing.append((line, col, ref.key, val))
            return None
        file = self.output_file(tag, entry, width, ref.key)
        if file is None:
            self._unresolved(tag, attr, val, "type")
        elif ref.rewritable and file != ref.key:
            text = replacement(ref, file)
            if text is None:
                self._unresolved(tag, attr, val, "prefix")
            else:
                self.writer.edit(tag, base + ref.start, base + ref.end, text, "url")
        return entry

    def _unresolved(self, tag: Tag, attr: str, val: str, reason: str) -> None:
        line, col = self.doc.loc(tag.start)
        self.result.unresolved.append(
            {
                "line": line,
                "col": col,
                "tag": tag.name,
                "attr": attr,
                "value": val,
                "reason": reason,
            }
        )

    def output_file(
        self, tag: Tag, entry: Mapping[str, Any], width: int | None = None, key: str = ""
    ) -> str | None:
        """The file a reference in ``tag`` gets: the entry's ``file``, except that a ``type``
        attribute is never contradicted (the widest variant of that format; ``None`` when the
        entry has none), icons, manifests and ``og:image`` keep the source's format (the
        original-format output), and a srcset ``Nw`` candidate gets the variant of that width."""
        variants = entry.get("variants")
        if not variants:
            return str(entry["file"])
        formats = self.opts.image_formats
        mime = self.doc.enum(tag, "type")
        if mime.startswith("image/"):
            fmt = next((f for f, m in IMAGE_MIME.items() if m == mime), None)
            vs = variants_for(entry, fmt, formats) if fmt else []
            vs = [v for v in vs if v["format"] == fmt]
            source_fmt = _fmt_of_source(entry)
            if not vs and self.keeps_format(tag) and source_fmt not in (None, fmt):
                # an icon whose type names a format the file never had (a PNG favicon declared
                # image/x-icon): the browser took the source's bytes before; it gets them hashed
                vs = variants_for(entry, "original", formats)
        elif self.keeps_format(tag) or self.shared_icon(tag, key):
            vs = variants_for(entry, "original", formats)
            if not vs and tag.name == "a":  # no original-format output: the default file
                return str(entry["file"])
        elif width is None:
            return str(entry["file"])
        else:
            return by_width(variants_for(entry, _fmt_of(entry), formats), width) or str(
                entry["file"]
            )
        return by_width(vs, width)

    def plain_file(self, entry: Mapping[str, Any]) -> str:
        """The file of a reference whose consumer is unknown (a URL in a ``<script>`` body):
        an image's original-format output (its widest), else the entry's ``file``."""
        return widest_original(entry, self.opts.image_formats) or str(entry["file"])

    def shared_icon(self, tag: Tag, key: str | None) -> bool:
        """An ``<img>`` of a key some template links as the pages' icon (``Options.icon_keys``):
        it gets the icon's file, the one download both share."""
        return tag.name == "img" and key is not None and key in self.opts.icon_keys

    def keeps_format(self, tag: Tag) -> bool:
        """Icons, web app manifests and social cards: consumers that may not take WebP/AVIF;
        and a download link (``<a download>``): the visitor saves the file in the format the
        page offered, not a WebP."""
        if tag.name == "link":
            return bool(KEEP_FORMAT_RELS & set(self.doc.enum(tag, "rel").split()))
        if tag.name == "a":
            return tag.get("download") is not None
        return tag.name == "meta"

    def srcset(self, tag: Tag, vs: int, ve: int) -> None:
        """Each candidate of the candidate list at ``text[vs:ve]``."""
        val = self.doc.text[vs:ve]
        items = srcset_items(val)
        if not items and ("{{" in val or "{%" in val):
            self.resolve(tag, "srcset", val, Ref("dynamic"), vs)
            return
        for s, e, w in items:
            ref = self._classify(val[s:e])
            if ref is not None:
                self.resolve(tag, "srcset", val[s:e], ref, vs + s, w)

    def style(self, tag: Tag, vs: int, ve: int) -> None:
        """``url(...)`` references in an inline ``style``: literal ``public_path + K`` and
        ``{{ url_for('static', filename='K') }}``, quoted or not; anything else in a ``url()``
        that names no asset here is reported."""
        val = self.doc.text[vs:ve]
        for s, e in style_refs(val):
            ref = self._classify(val[s:e])
            if ref is not None and ref.kind != "other":
                self.resolve(tag, "style", val[s:e], ref, vs + s)

    def link_href(self, ref: Ref | None, key: str | None, file: str, quote: str) -> str:
        """An href for an inserted link, in the same form as the reference it follows."""
        inner = "'" if quote == '"' else '"'
        if ref is not None and ref.kind == "url_for":
            name, param = ref.route, ref.param
            return f"{{{{ url_for({inner}{name}{inner}, {param}={inner}{file}{inner}) }}}}"
        if ref is not None and ref.kind == "call":
            return f"{{{{ {ref.route}({inner}{ref.head}{file}{inner}) }}}}"
        if ref is not None and ref.kind == "static_tag":
            return f"{{% {ref.route} {inner}{file}{inner} %}}"
        if ref is not None and ref.kind == "asset_url" and key is not None:
            return f"{{{{ asset_url({inner}{key}{inner}) }}}}"
        if ref is not None and ref.kind in ("prefixed", "versioned"):
            rel = replacement(ref, file)
            if rel is not None:
                return ref.head + rel
        if ref is not None and ref.kind == "unrooted":  # relative, as the reference is
            return self.url(file)[1:]
        return self.url(file)


def by_width(vs: list[dict[str, Any]], width: int | None) -> str | None:
    """The variant of ``width`` (else the widest) among ``vs``."""
    if not vs:
        return None
    exact = [v for v in vs if width is not None and int(v["width"]) == width]
    return str((exact or vs)[-1]["file"])


def _fmt_of_source(entry: Mapping[str, Any]) -> str | None:
    """The image format of an entry's source file, from its name (``None``: not one)."""
    ext = str(entry.get("src", "")).rsplit(".", 1)[-1].lower()
    return {"jpg": "jpeg"}.get(ext, ext) if ext in (*IMAGE_MIME, "jpg") else None


def _fmt_of(entry: Mapping[str, Any]) -> str:
    """The format of an image entry's ``file`` (its first configured format)."""
    for v in entry.get("variants", ()):
        if v["file"] == entry["file"]:
            return str(v["format"])
    return "original"
