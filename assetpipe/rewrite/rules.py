"""The rewriting rules: from a scanned template and the manifest, the list of edits.

``rewrite(text, name, manifest, options, hints, images)`` is pure: it reads nothing but its
arguments and returns the new text with everything report.json says about the template. It never
raises for a missing asset: those come back in ``Result.missing`` and the stage decides (error or
warning). Width/height, srcset/sizes and ``<picture>`` are in ``sizing``; the references no rule
handled are found by ``leftovers``.

The LCP rule (which ``<img>`` stays eager), in order of precedence:

1. ``data-assetpipe="eager"`` or ``"lazy"`` on the tag decides;
2. an existing ``loading=`` or ``fetchpriority=`` is never overridden (``fetchpriority="high"``,
   any case, makes the tag eager; a written ``loading`` stays as written);
3. a tag matching a ``templates.eager`` selector, or an ``lcp-hints.json`` hint, is eager;
4. in a page template (``templates.pages``), the first ``<img>`` of the page's own markup that is
   not inside a ``{% for %}`` loop (or a macro or call block) is eager: the LCP candidate;
5. in a layout or partial, an image likely above the fold (``ABOVE_FOLD``: header, nav, sidebar,
   logo; the first image of a partial named like one) stays eager, with nothing added;
6. every other ``<img>`` and ``<iframe>`` is lazy (``templates.lazy``).

``fetchpriority="high"`` goes only on a plausible LCP: confirmed (a hint, ``data-assetpipe``), or
eager by rules 3-4 and not small (displayed width: the width attribute, else the audit's, else
the natural one, under ``LCP_MIN_WIDTH``; or markup that says small, ``says_small``). Lazy
images get ``loading="lazy"`` and (``<img>``) ``decoding="async"``. No attribute is ever written
twice: one already present, even only inside an ``{% if %}`` within the tag, is left out; a tag
with a ``{{ }}`` in attribute position gets nothing (report.json says so).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .base import FONT_TYPES, Options, Result
from .edits import apply
from .hints import Hint, ImageHint
from .leftovers import leftovers
from .refs import classify
from .scanner import Tag
from .select import match_selectors
from .sizing import SIZING_ATTRS, Sizing

__all__ = ["Options", "Result", "rewrite"]


#: where, in a layout or partial, an ``<img>`` is likely above the fold (a header, a navbar, a
#: sidebar, a logo): never lazy by default there
ABOVE_FOLD = (
    ":is(header, nav, aside, [class*=sidebar], [id*=sidebar], [class*=sidenav],"
    " [class*=navbar], [class*=brand], [class*=logo]) img:not(footer img)",
    "img:is([class*=logo], [class*=brand], [alt*=logo i]):not(footer img)",
)
#: a template named like this is a header/sidebar/nav partial: its first image is above the fold
_CHROME_NAME = re.compile(
    r"(?:^|[^a-z])(?:sidebar|sidenav|nav|navbar|navigation|header|topbar"
    r"|menu|brand)(?:[^a-z]|$)"
)
#: markup that says an image is small (an avatar, an icon, a thumbnail; a table cell's or a
#: button's picture): never a plausible LCP element, whatever its natural size. Checked on the
#: tag's own class and the open elements before it, without a parse
_SMALL_CLASS = re.compile(r"avatar|icon|thumb|badge|emoji|flag", re.IGNORECASE)
_SMALL_PARENTS = re.compile(r"<(/?)(td|th|button|label|tr|table)\b", re.IGNORECASE)
#: the displayed CSS width from which an image is a plausible LCP element
LCP_MIN_WIDTH = 300
#: explicit eager decisions that get fetchpriority whatever the image's size
_CONFIRMED = ("data-assetpipe", "lcp-hints.json", "fetchpriority attribute")


class _Rewriter(Sizing):
    """The rules, applied tag by tag."""

    # -- images ----------------------------------------------------------------------------
    def decide(
        self, tag: Tag, first_img: Tag | None, selected: dict[int, str], key: str | None
    ) -> tuple[str, str]:
        """(``eager`` | ``keep`` | ``lazy`` | ``none``, why) for an ``<img>``/``<iframe>``;
        ``keep`` is eager without ``fetchpriority`` (a likely, not a confirmed, LCP)."""
        toks = self.tokens(tag)
        for mode in ("eager", "lazy"):
            if mode in toks:
                return mode, "data-assetpipe"
        if self.enum(tag, "fetchpriority") == "high":
            return "eager", "fetchpriority attribute"
        if tag.start in selected and selected[tag.start] not in ABOVE_FOLD:
            return "eager", f"selector {selected[tag.start]}"
        first, last = self.loc(tag.start)[0], self.loc(max(tag.end - 1, tag.start))[0]
        for h in self.hints:
            if first <= h.line <= last and (
                h.src is None or h.src == key or h.src == self.value(tag, "src")
            ):
                self.res.hints_used.add(h)
                return "eager", "lcp-hints.json"
        if tag is first_img:
            return "eager", "first image of the page"
        if tag.start in selected and selected[tag.start] in ABOVE_FOLD:
            return "keep", "likely above the fold (header, nav, sidebar or logo)"
        lazy = self.o.lazy_images if tag.name == "img" else self.o.lazy_iframes
        return ("lazy", "default") if lazy else ("none", "templates.lazy is off")

    def says_small(self, tag: Tag) -> bool:
        """The markup says the image is small: its class (``avatar``, ``icon``, ``thumb``...),
        or it sits in a table cell, a button or a label."""
        if _SMALL_CLASS.search(self.value(tag, "class") or ""):
            return True
        depth = dict.fromkeys(("td", "th", "button", "label"), 0)
        for m in _SMALL_PARENTS.finditer(self.text, 0, tag.start):
            name = m.group(2).lower()
            if name in ("tr", "table"):  # cells end with their row, even without </td>
                depth["td"] = depth["th"] = 0
            else:
                depth[name] = max(0, depth[name] + (-1 if m.group(1) else 1))
        return any(depth.values())

    def shown_width(
        self, tag: Tag, entry: Mapping[str, Any] | None, recs: list[ImageHint]
    ) -> float | None:
        """The best known displayed CSS width: the width attribute, else the audit's widest
        rendering, else the natural width; ``None`` when nothing is known."""
        w = self.int_attr(tag, "width")
        if w is not None:
            return float(w)
        seen = [r.width for r in recs]
        if seen:
            return max(seen)
        nat = (entry or {}).get("width")
        return float(nat) if isinstance(nat, int) else None

    def image(self, tag: Tag, first_img: Tag | None, selected: dict[int, str]) -> None:
        found = self.refs(tag)
        ref, entry = found.get("src", (None, None))
        key = ref.key if ref is not None and entry is not None else None
        mode, why = self.decide(tag, first_img, selected, key)
        toks = self.tokens(tag)
        info: dict[str, Any] = {}
        recs = self.records(tag, key) if tag.name == "img" else []
        if tag.dynamic or "skip" in toks:
            if tag.dynamic:
                self.skip(
                    tag,
                    "attributes come partly from an expression ({{ }} inside the tag):"
                    " nothing added",
                )
            self.report_image(tag, key, entry, "none", "not changed", info)
            return
        loading = self.enum(tag, "loading")
        if mode == "eager" and tag.name == "img" and loading != "lazy":
            shown = self.shown_width(tag, entry, recs)
            small = (shown is not None and shown < LCP_MIN_WIDTH) or (
                not recs and self.int_attr(tag, "width") is None and self.says_small(tag)
            )
            if (
                why in _CONFIRMED
                or (why.startswith("selector") and not small)
                or (shown is not None and not small)
            ):
                self.add_attr(tag, "fetchpriority", "high")
            else:
                why += (
                    ": too small to be the LCP, no fetchpriority"
                    if small
                    else ": size unknown, no fetchpriority"
                )
        elif mode == "lazy":
            self.add_attr(tag, "loading", "lazy")
            if tag.name == "img":
                self.add_attr(tag, "decoding", "async")
        if tag.name != "img":
            return
        cond = sorted({a.name for a in tag.attrs if a.conditional} & SIZING_ATTRS)
        if cond and entry is not None:
            self.skip(
                tag,
                f"{', '.join(cond)} set inside {{% if %}} within the tag: no size,"
                " srcset or sizes added",
            )
        elif entry is not None and key is not None:
            info["dimensions"] = self.dimensions(tag, entry, recs, toks)
            info["sizes"] = self.responsive(tag, entry, key, ref, recs, toks, lazy=mode == "lazy")
        self.report_image(tag, key, entry, mode, why, info)

    def report_image(
        self,
        tag: Tag,
        key: str | None,
        entry: Mapping[str, Any] | None,
        mode: str,
        why: str,
        info: dict[str, Any] | None = None,
    ) -> None:
        """report.json's ``images`` item: where the tag is, what it shows, how it loads, and
        why width/height (``dimensions``) and srcset (``sizes``) were written (``null``: not)."""
        files = (
            []
            if entry is None or key is None
            else [entry["file"], *(v["file"] for v in entry.get("variants", ()))]
        )
        line, col = self.loc(tag.start)
        written = self.enum(tag, "loading")
        self.res.images.append(
            {
                "line": line,
                "col": col,
                "asset": key,
                "src": self._raw(tag, "src"),
                "files": sorted(set(files)),
                "loading": written if written else ("lazy" if mode == "lazy" else "eager"),
                "why": "loading attribute" if written else why,
                "dimensions": (info or {}).get("dimensions"),
                "sizes": (info or {}).get("sizes"),
            }
        )

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
        if self.enum(tag, "type") != "module":
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
        rel = self.enum(tag, "rel").split()
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
                links.append(
                    f'<link rel="preload" href="{href}"'
                    f' as="font" type="{FONT_TYPES[ext]}" crossorigin>'
                )
        self.after(tag, tag.end, links)

    # -- the walk --------------------------------------------------------------------------
    def run(self) -> Result:
        tags = self.sc.tags
        for t in tags:
            if (
                t.name == "link"
                and t.opaque is None
                and not t.split
                and "modulepreload" in self.enum(t, "rel").split()
            ):
                pre = self.refs_preview(t)
                if pre:
                    self.preloaded.add(pre)
        first_img = None
        if self.o.is_page:
            first_img = next(
                (
                    t
                    for t in tags
                    if t.name == "img" and t.opaque is None and not t.split and not t.in_loop
                ),
                None,
            )
        selected: dict[int, str] = {}
        self.size_rules = {}
        if any(t.name in ("img", "iframe") for t in tags):
            above = () if self.o.is_page else ABOVE_FOLD
            if self.o.eager or above:
                selected = match_selectors(self.sc, (*self.o.eager, *above))
            if not self.o.is_page:
                self.chrome_first(tags, selected)
            if self.o.sizes_rules:
                rules = dict(self.o.sizes_rules)
                self.size_rules = {
                    off: (sel, rules[sel])
                    for off, sel in match_selectors(self.sc, tuple(rules), ("img",)).items()
                }
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
                    self.report_image(
                        t,
                        ref.key if ref and entry else None,
                        entry,
                        "eager",
                        "split across {% if %} branches",
                    )
                continue
            if t.dynamic and t.name in ("script", "link"):
                self.skip(
                    t,
                    "attributes come partly from an expression ({{ }} inside the tag):"
                    " nothing added",
                )
                self.refs(t)
            elif t.name in ("img", "iframe"):
                self.image(t, first_img, selected)
            elif t.name == "script":
                self.script(t)
            elif t.name == "link":
                self.link(t)
            else:
                self.refs(t)
        self.res.unresolved.extend(
            leftovers(self.sc, self.handled, self.manifest, self.o.public_path)
        )
        self.res.unresolved.sort(key=lambda u: (u["line"], u["col"]))
        out, spans = apply(self.text, self.edits)
        self.res.text = out
        self.res.spans = spans
        self.res.edits = [e.to_json(self.text[e.start : e.end]) for _, _, e in spans]
        return self.res

    def chrome_first(self, tags: list[Tag], selected: dict[int, str]) -> None:
        """In a partial named like a header/nav/sidebar, the first ``<img>`` outside a loop is
        likely above the fold too."""
        if not _CHROME_NAME.search(self.name.rsplit("/", 1)[-1].lower()):
            return
        first = next(
            (
                t
                for t in tags
                if t.name == "img" and t.opaque is None and not t.split and not t.in_loop
            ),
            None,
        )
        if first is not None and first.start not in selected:
            selected[first.start] = ABOVE_FOLD[0]

    def refs_preview(self, tag: Tag) -> str | None:
        val = self.value(tag, "href")
        ref = classify(val, self.o.public_path) if val else None
        if ref is None or ref.key is None or not ref.resolvable:
            return None
        e = self.manifest.get(ref.key)
        return None if e is None else str(e["file"])


def rewrite(
    text: str,
    name: str,
    manifest: Mapping[str, Mapping[str, Any]],
    options: Options,
    hints: list[Hint] | None = None,
    images: list[ImageHint] | None = None,
) -> Result:
    """Rewrite one template (its text, its name relative to its template dir) against
    ``manifest``, with the hints file's LCP ``hints`` and render records ``images``. Raises
    ``ScanError`` when the Jinja structure cannot be followed."""
    return _Rewriter(text, name, manifest, options, hints or [], images).run()
