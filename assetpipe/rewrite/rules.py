"""The rewriting rules: from a scanned template and the manifest, the list of edits.

``rewrite(text, name, manifest, options, hints)`` is pure: it reads nothing but its arguments and
returns the new text with everything report.json says about the template. It never raises for a
missing asset: those come back in ``Result.missing`` and the stage decides (error or warning).

The LCP rule (which ``<img>`` stays eager), in order of precedence:

1. ``data-assetpipe="eager"`` or ``"lazy"`` on the tag decides;
2. an existing ``loading=`` or ``fetchpriority=`` is never overridden (``fetchpriority="high"``
   makes the tag eager; a written ``loading`` stays as written);
3. a tag matching a ``templates.eager`` selector, or an ``lcp-hints.json`` hint, is eager;
4. in a page template (``templates.pages``), the first ``<img>`` of the page's own markup that is
   not inside a ``{% for %}`` loop (or a macro or call block) is eager: the LCP candidate;
5. every other ``<img>`` and ``<iframe>`` is lazy (``templates.lazy``). Layouts and partials get no
   eager image unless a selector or hint says so.

Eager images get ``fetchpriority="high"``; lazy ones ``loading="lazy"`` and (``<img>``)
``decoding="async"``. No attribute is ever written twice: one already present, even only inside
an ``{% if %}`` within the tag, is left out (and report.json says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..imaging.formats import variants_for
from .base import FONT_TYPES, IMAGE_MIME, Base, Options, Result
from .edits import apply
from .hints import Hint
from .refs import Ref, classify
from .scanner import Tag
from .select import eager_matches

__all__ = ["Options", "Result", "rewrite"]


class _Rewriter(Base):
    """The rules, applied tag by tag."""

    # -- images ----------------------------------------------------------------------------
    def variants(self, entry: Mapping[str, Any], key: str, fmt: str) -> list[Mapping[str, Any]]:
        """The variants a config format token names (the images stage's own rule: ``original``
        is the source's output format, e.g. ``png`` for a still GIF), narrowest first."""
        return list(variants_for(entry, fmt, self.o.image_formats))

    def srcset_value(self, vs: list[Mapping[str, Any]], ref: Ref | None = None,
                     quote: str = '"') -> str:
        """A srcset listing ``vs``; after a ``url_for`` reference each URL is a ``url_for`` call
        too (so SCRIPT_NAME applies to every candidate, as to the ``src``)."""
        def one(file: str) -> str:
            return self.link_href(ref, None, file, quote) if ref is not None else self.url(file)
        return ", ".join(f"{one(v['file'])} {int(v['width'])}w" for v in vs)

    def decide(self, tag: Tag, first_img: Tag | None, selected: dict[int, str],
               key: str | None) -> tuple[str, str]:
        """(``eager`` | ``lazy`` | ``none``, why) for an ``<img>``/``<iframe>``."""
        override = self.value(tag, "data-assetpipe")
        if override in ("eager", "lazy"):
            return override, "data-assetpipe"
        if self.value(tag, "fetchpriority") == "high":
            return "eager", "fetchpriority attribute"
        if tag.start in selected:
            return "eager", f"selector {selected[tag.start]}"
        first, last = self.loc(tag.start)[0], self.loc(max(tag.end - 1, tag.start))[0]
        for h in self.hints:
            if first <= h.line <= last and (h.src is None or h.src == key
                                            or h.src == self.value(tag, "src")):
                self.res.hints_used.add(h)
                return "eager", "lcp-hints.json"
        if tag is first_img:
            return "eager", "first image of the page"
        lazy = self.o.lazy_images if tag.name == "img" else self.o.lazy_iframes
        return ("lazy", "default") if lazy else ("none", "templates.lazy is off")

    def image(self, tag: Tag, first_img: Tag | None, selected: dict[int, str]) -> None:
        found = self.refs(tag)
        ref, entry = found.get("src", (None, None))
        key = ref.key if ref is not None and entry is not None else None
        mode, why = self.decide(tag, first_img, selected, key)
        if mode == "eager" and tag.name == "img":
            if self.value(tag, "loading") != "lazy":
                self.add_attr(tag, "fetchpriority", "high")
        elif mode == "lazy":
            self.add_attr(tag, "loading", "lazy")
            if tag.name == "img":
                self.add_attr(tag, "decoding", "async")
        if tag.name != "img":
            return
        if entry is not None and key is not None:
            self.intrinsic(tag, entry)
            self.responsive(tag, entry, key, ref, lazy=mode == "lazy")
        self.report_image(tag, key, entry, mode, why)

    def report_image(self, tag: Tag, key: str | None, entry: Mapping[str, Any] | None,
                     mode: str, why: str) -> None:
        """report.json's ``images`` item: where the tag is, what it shows, how it loads."""
        files = [] if entry is None or key is None else \
            [entry["file"], *(v["file"] for v in entry.get("variants", ()))]
        line, col = self.loc(tag.start)
        written = self.value(tag, "loading")
        self.res.images.append({
            "line": line, "col": col, "asset": key, "src": self._raw(tag, "src"),
            "files": sorted(set(files)),
            "loading": written if written else ("lazy" if mode == "lazy" else "eager"),
            "why": "loading attribute" if written else why})

    def intrinsic(self, tag: Tag, entry: Mapping[str, Any]) -> None:
        w, h = entry.get("width"), entry.get("height")
        if not (isinstance(w, int) and isinstance(h, int)) or w <= 0 or h <= 0:
            return
        has_w, has_h = tag.get("width"), tag.get("height")
        if has_w is None and has_h is None:
            self.add_attr(tag, "width", str(w))
            self.add_attr(tag, "height", str(h))
            return
        if (has_w is not None and has_w.conditional) or (has_h is not None and has_h.conditional):
            self.skip(tag, "width/height set inside {% if %} within the tag: not added")
            return
        given = self.value(tag, "width" if has_w is not None else "height")
        if given is None or not given.strip().isdigit():
            return
        n = int(given)
        if has_h is None:
            self.add_attr(tag, "height", str(round(n * h / w)))
        elif has_w is None:
            self.add_attr(tag, "width", str(round(n * w / h)))

    def sizes_value(self, lazy: bool) -> str:
        sizes = self.o.sizes.strip()
        if not lazy and sizes.lower().startswith("auto"):
            rest = sizes[4:].lstrip(" ,")
            return rest or "100vw"
        return sizes

    def responsive(self, tag: Tag, entry: Mapping[str, Any], key: str, ref: Ref | None, *,
                   lazy: bool) -> None:
        vs = self.variants(entry, key, self.o.srcset_format)
        quote = self._quote(tag)
        if len(vs) >= 2 and tag.get("srcset") is None:
            self.add_attr(tag, "srcset", self.srcset_value(vs, ref, quote))
            self.add_attr(tag, "sizes", self.sizes_value(lazy))
        elif tag.get("srcset") is not None and tag.get("srcset").conditional:  # type: ignore[union-attr]
            self.skip(tag, "'srcset' is set inside {% if %} within the tag: not added")
        if not self.o.picture or tag.in_picture:
            return
        own = vs[0]["format"] if vs else None
        sources = []
        for fmt in ("avif", "webp"):
            fv = self.variants(entry, key, fmt)
            if fv and fmt != own:
                srcset = self.srcset_value(fv, ref)
                sources.append(f'<source type="{IMAGE_MIME[fmt]}" srcset="{srcset}"'
                               f' sizes="{self.sizes_value(lazy)}">')
        if sources:
            self.edit(tag, tag.start, tag.start, "<picture>" + "".join(sources), "element")
            self.edit(tag, tag.end, tag.end, "</picture>", "element")

    # -- scripts and stylesheets -----------------------------------------------------------
    def integrity(self, tag: Tag, entry: Mapping[str, Any]) -> None:
        if self.o.integrity and entry.get("integrity"):
            self.add_attr(tag, "integrity", str(entry["integrity"]))
            self.add_attr(tag, "crossorigin", "anonymous")

    def script(self, tag: Tag) -> None:
        found = self.refs(tag)
        ref, entry = found.get("src", (None, None))
        if ref is None or entry is None:
            return
        self.integrity(tag, entry)
        if (self.value(tag, "type") or "").strip().lower() != "module":
            return
        links = []
        for k in self.imports(ref.key or ""):
            e = self.lookup(k)
            if e is None or e["file"] in self.preloaded:
                continue
            self.preloaded.add(e["file"])
            extra = ""
            if self.o.integrity and e.get("integrity"):
                extra = f' integrity="{e["integrity"]}" crossorigin="anonymous"'
            href = self.link_href(ref, k, e["file"], '"')  # inserted links quote with "
            links.append(f'<link rel="modulepreload" href="{href}"{extra}>')
        self.after(tag, tag.element_end if tag.element_end is not None else tag.end, links)

    def imports(self, key: str) -> list[str]:
        """A module entry's static imports, transitively, in Vite's order (depth first)."""
        seen: list[str] = []

        def walk(k: str) -> None:
            e = self.lookup(k)
            for imp in (e or {}).get("imports", ()):
                if imp not in seen and imp != key:
                    seen.append(imp)
                    walk(imp)
        walk(key)
        return seen

    def link(self, tag: Tag) -> None:
        found = self.refs(tag)
        rel = (self.value(tag, "rel") or "").lower().split()
        ref, entry = found.get("href", (None, None))
        if ref is None or entry is None:
            return
        if "modulepreload" in rel:
            self.preloaded.add(entry["file"])
        if "stylesheet" in rel or "modulepreload" in rel:
            self.integrity(tag, entry)
        if "stylesheet" not in rel or not self.o.preload_fonts:
            return
        links = []
        for f in entry.get("assets", ()):
            ext = "." + str(f).rsplit(".", 1)[-1].lower()
            if ext in FONT_TYPES and f not in self.preloaded:
                self.preloaded.add(f)
                href = self.link_href(ref, None, f, '"')
                links.append(f'<link rel="preload" href="{href}"'
                             f' as="font" type="{FONT_TYPES[ext]}" crossorigin>')
        self.after(tag, tag.end, links)

    # -- the walk --------------------------------------------------------------------------
    def run(self) -> Result:
        tags = self.sc.tags
        for t in tags:
            if t.name == "link" and t.opaque is None and not t.split \
                    and "modulepreload" in (self.value(t, "rel") or "").lower().split():
                pre = self.refs_preview(t)
                if pre:
                    self.preloaded.add(pre)
        first_img = None
        if self.o.is_page:
            first_img = next((t for t in tags if t.name == "img" and t.opaque is None
                              and not t.split and not t.in_loop), None)
        selected: dict[int, str] = {}
        if self.o.eager and any(t.name in ("img", "iframe") for t in tags):
            selected = eager_matches(self.sc, self.o.eager)
        for t in tags:
            if t.opaque is not None:
                continue
            if "trans" in t.jinja:
                self.skip(t, "inside {% trans %}: the markup is a translation message id")
                continue
            if t.split:
                # a value rewrite changes no structure; attributes would land in one branch only
                self.skip(t, "the tag is split across {% if %} branches: left as it is")
                found = self.refs(t)
                if t.name == "img":
                    ref, entry = found.get("src", (None, None))
                    self.report_image(t, ref.key if ref and entry else None, entry,
                                      "eager", "split across {% if %} branches")
                continue
            if t.name in ("img", "iframe"):
                self.image(t, first_img, selected)
            elif t.name == "script":
                self.script(t)
            elif t.name == "link":
                self.link(t)
            else:
                self.refs(t)
        out, spans = apply(self.text, self.edits)
        self.res.text = out
        self.res.spans = spans
        self.res.edits = [e.to_json(self.text[e.start:e.end])
                          for _, _, e in spans]
        return self.res

    def refs_preview(self, tag: Tag) -> str | None:
        val = self.value(tag, "href")
        ref = classify(val, self.o.public_path) if val else None
        if ref is None or ref.key is None or not ref.resolvable:
            return None
        e = self.manifest.get(ref.key)
        return None if e is None else str(e["file"])


def rewrite(text: str, name: str, manifest: Mapping[str, Mapping[str, Any]],
            options: Options, hints: list[Hint] | None = None) -> Result:
    """Rewrite one template (its text, its name relative to its template dir) against
    ``manifest``. Raises ``ScanError`` when the Jinja structure cannot be followed."""
    return _Rewriter(text, name, manifest, options, hints or []).run()
