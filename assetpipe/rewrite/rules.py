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
4. in a page template (``templates.pages``, or a whole document: ``standalone_page``), its
   first ``<img>`` outside a loop, macro or call block is eager (the LCP candidate), and so are
   those drawn first instead on another ``{% if %}`` branch (``paths``); the first in one loop is
   eager on its first pass; the first after its ``{% if %}`` without ``{% else %}`` lazy only
   under that ``{% if %}``'s tests. Header, logo or small images before it are passed over;
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

from collections.abc import Mapping
from typing import Any

from .document import Document
from .edits import Edit, apply
from .foreign import app_font, foreign_stylesheets
from .hints import Hint, ImageHint
from .imagereport import image_item
from .lcp import (
    ABOVE_FOLD,
    CONFIRMED,
    LCP_MIN_WIDTH,
    SOME_PAGES,
    chrome_first,
    page_candidates,
    says_small,
    shown_width,
    standalone_page,
)
from .leads import FIRST_VAR, lead_tags
from .leftovers import leftovers, url_for_elsewhere
from .model import FONT_TYPES, Options, Result, font_ext, font_preloads
from .refs import Ref
from .resolve import Resolver
from .select import match_selectors
from .sizing import SIZING_ATTRS, Sizing
from .tags import Tag
from .writer import Writer

__all__ = ["Options", "Result", "rewrite"]


class _Rewriter:
    """The rules, applied tag by tag, to one template: reading it through ``doc``, resolving
    references with ``resolver``, sizing images with ``sizing``, changing it only through
    ``writer``."""

    def __init__(
        self,
        text: str,
        name: str,
        manifest: Mapping[str, Mapping[str, Any]],
        opts: Options,
        hints: list[Hint],
        images: list[ImageHint] | None = None,
        doc: Document | None = None,
    ) -> None:
        self.opts = opts
        self.hints = [h for h in hints if h.template == name]
        self.doc = doc if doc and doc.source == text else Document(text, name, opts.syntax)
        self.result = Result(text)
        self.writer = Writer(self.doc, self.result, django_project=opts.django)
        self.resolver = Resolver(self.doc, self.writer, self.result, manifest, opts)
        own_images = [h for h in images or () if h.template == name]
        self.sizing = Sizing(self.doc, self.writer, self.resolver, self.result, opts, own_images)
        #: files a modulepreload link of the template already loads (never preloaded twice)
        self.preloaded: set[str] = set()
        #: script entries' stylesheets the template already links (linked once)
        self.linked_css: set[str] = set()
        #: the template's stylesheets come from ``{% assets %}``: its font preloads stay
        self.foreign_css = foreign_stylesheets(text)
        #: a page's first ``<img>`` when it is in a loop: eager on the loop's first pass only
        self.loop_first: Tag | None = None
        #: a page's header, logo or small images before its LCP candidate: eager, nothing added
        self.lead: set[int] = set()
        #: the images of this partial or its macros that hold a page's candidate → their mode
        self.leads: dict[int, str] = {}
        #: images drawn first where the candidate's ``{% if %}`` draws none → its tests
        self.lazy_if: dict[int, list[str]] = {}

    # -- images ----------------------------------------------------------------------------
    def decide(
        self, tag: Tag, first_img: Tag | None, selected: dict[int, str], key: str | None
    ) -> tuple[str, str]:
        """(``eager`` | ``keep`` | ``lazy`` | ``none``, why) for an ``<img>``/``<iframe>``;
        ``keep`` is eager without ``fetchpriority`` (a likely, not a confirmed, LCP)."""
        toks = self.doc.tokens(tag)
        for mode in ("eager", "lazy"):
            if mode in toks:
                return mode, "data-assetpipe"
        if self.doc.enum(tag, "fetchpriority") == "high":
            return "eager", "fetchpriority attribute"
        if tag.start in selected and selected[tag.start] not in ABOVE_FOLD:
            return "eager", f"selector {selected[tag.start]}"
        first, last = self.doc.lines(tag)
        for h in self.hints:
            if first <= h.line <= last and (
                h.src is None or h.src == key or h.src == self.doc.value(tag, "src")
            ):
                self.result.hints_used.add(h)  # in one loop: its first pass is the LCP
                one = tag.jinja.count("for") == 1 and not {"macro", "call"} & set(tag.jinja)
                # the LCP of some pages only: eager there, not raised above the others' LCP
                high, why = ("", SOME_PAGES) if h.some_pages else ("-high", "lcp-hints.json")
                if not tag.in_loop and self.opts.lead_partial == "loop":  # a page's loop's
                    return "include-first-pass" + high, why + ", included in a loop"
                return ("first-pass" + high if one else "eager" if high else "keep"), why
        if tag is first_img:
            return "eager", "first image of the page"
        if tag is self.loop_first:
            return "first-pass", "first image of the page, in a loop: eager on its first pass"
        if tag.start in self.leads:
            return self.leads[tag.start], "a page's first large image, drawn by this template"
        if tag.start in self.lead:
            return "keep", "before the page's first large image (a header, logo or small image)"
        if tag.start in self.lazy_if:
            return "lazy-if", "first where the {% if %} of the page's first image draws none"
        if tag.start in selected and selected[tag.start] in ABOVE_FOLD:
            return "keep", "likely above the fold (header, nav, sidebar or logo)"
        lazy = self.opts.lazy_images if tag.name == "img" else self.opts.lazy_iframes
        return ("lazy", "default") if lazy else ("none", "templates.lazy is off")

    def image(self, tag: Tag, first_img: Tag | None, selected: dict[int, str]) -> None:
        found = self.resolver.refs(tag)
        ref, entry = found.get("src", (None, None))
        key = ref.key if ref is not None and entry is not None else None
        mode, why = self.decide(tag, first_img, selected, key)
        toks = self.doc.tokens(tag)
        info: dict[str, Any] = {}
        recs = self.sizing.records(tag, key) if tag.name == "img" else []
        if tag.dynamic or "skip" in toks:
            if tag.dynamic:
                self.writer.skip(
                    tag,
                    "attributes come partly from an expression ({{ }} inside the tag):"
                    " nothing added",
                )
            self.report_image(tag, key, entry, "none", "not changed", info)
            return
        loading = self.doc.enum(tag, "loading")
        if mode == "eager" and tag.name == "img" and loading != "lazy":
            shown = shown_width(self.doc, tag, entry, recs)
            small = (shown is not None and shown < LCP_MIN_WIDTH) or (
                not recs and self.doc.int_attr(tag, "width") is None and says_small(self.doc, tag)
            )
            if (
                why in CONFIRMED
                or (why.startswith("selector") and not small)
                or (shown is not None and not small)
            ):
                self.writer.add_attr(tag, "fetchpriority", "high")
            else:
                why += (
                    ": too small to be the LCP, no fetchpriority"
                    if small
                    else ": size unknown, no fetchpriority"
                )
        elif mode == "lazy":
            self.writer.add_attr(tag, "loading", "lazy")
            if tag.name == "img":
                self.writer.add_attr(tag, "decoding", "async")
        elif mode == "lazy-if":
            self.writer.add_lazy_if(tag, self.lazy_if[tag.start])
        elif mode.startswith(("first-pass", "include-first-pass")):
            var = FIRST_VAR if mode.startswith("include") else None
            unseen = self.opts.lead_tag_loop and var is not None
            self.writer.add_after_first_pass(tag, var, mode.endswith("-high"), unseen)
        if tag.name != "img":
            return
        cond = sorted({a.name for a in tag.attrs if a.conditional} & SIZING_ATTRS)
        if cond and entry is not None:
            self.writer.skip(
                tag,
                f"{', '.join(cond)} set inside {{% if %}} within the tag: no size,"
                " srcset or sizes added",
            )
        elif entry is not None and key is not None:
            info["dimensions"] = self.sizing.dimensions(tag, entry, recs, toks)
            if not self.resolver.shared_icon(tag, key):  # else the icon's one file, no srcset
                info["sizes"] = self.sizing.responsive(
                    tag, entry, key, ref, recs, toks, lazy=mode == "lazy"
                )
        self.report_image(tag, key, entry, mode, why, info)

    def report_image(self, tag: Tag, key: str | None, *args: Any, **kw: Any) -> None:
        """Add report.json's ``images`` item for ``tag`` (``imagereport.image_item``)."""
        self.result.images.append(image_item(self.doc, tag, key, *args, **kw))

    # -- scripts and stylesheets -----------------------------------------------------------
    def integrity(self, tag: Tag, entry: Mapping[str, Any], add: bool = True) -> None:
        """The built file's SRI: added with ``templates.integrity`` (and ``add``); an
        ``integrity`` the tag has, written for the source (django-allauth's example, its CDN's
        Bootstrap made a local file; a preload's too), is the built file's now: esbuild's bytes
        failed it, the page unstyled."""
        sri = str(entry.get("integrity") or "")
        if not sri:
            return
        self.writer.replace_value(tag, "integrity", sri)
        if add and self.opts.integrity:
            self.writer.add_attr(tag, "integrity", sri)
            self.writer.add_attr(tag, "crossorigin", "anonymous")

    def script(self, tag: Tag) -> None:
        found = self.resolver.refs(tag)
        ref, entry = found.get("src", (None, None))
        if ref is None or entry is None:
            return
        self.integrity(tag, entry)
        self.script_css(tag, ref, entry)
        if self.doc.enum(tag, "type") != "module":
            return
        links = []
        for k in self.imports(ref.key or ""):
            e = self.resolver.lookup(k)
            if e is None or e["file"] in self.preloaded:
                continue
            self.preloaded.add(e["file"])
            extra = ""
            if self.opts.integrity and e.get("integrity"):
                extra = f' integrity="{e["integrity"]}" crossorigin="anonymous"'
            href = self.resolver.link_href(ref, k, e["file"], '"')  # inserted links quote with "
            links.append(f'<link rel="modulepreload" href="{href}"{extra}>')
        self.writer.after(tag, tag.element_end if tag.element_end is not None else tag.end, links)

    def script_css(self, tag: Tag, ref: Ref, entry: Mapping[str, Any]) -> None:
        """The stylesheets a script entry imports (esbuild writes them beside the script, and
        Vite's manifest lists them in its ``css``) get a ``<link rel="stylesheet">`` right
        before the ``<script>``: without it the page would lose those styles. A script waits
        for the stylesheets before it, so the script still sees them applied."""
        links = []
        for f in entry.get("css", ()):
            if f in self.linked_css:
                continue
            self.linked_css.add(f)
            extra = ""
            sri = entry.get("cssIntegrity", {}).get(f)
            if self.opts.integrity and sri:
                extra = f' integrity="{sri}" crossorigin="anonymous"'
            href = self.resolver.link_href(ref, None, str(f), '"')
            links.append(f'<link rel="stylesheet" href="{href}"{extra}>')
        self.writer.before(tag, links)

    def imports(self, key: str) -> list[str]:
        """A module entry's static imports, transitively, in Vite's order (depth first)."""
        seen: list[str] = []

        def walk(k: str) -> None:
            e = self.resolver.lookup(k)
            for imp in (e or {}).get("imports", ()):
                if imp not in seen and imp != key:
                    seen.append(imp)
                    walk(imp)

        walk(key)
        return seen

    def foreign_font(self, tag: Tag) -> bool:
        """Whether ``tag`` preloads a font for a stylesheet the build does not serve: one of
        ``{% assets %}`` (``foreign``), or one the app serves itself (``foreign.app_font``)."""
        if "preload" not in self.doc.enum(tag, "rel").split() or self.doc.enum(tag, "as") != "font":
            return False
        href, keys = self.doc.raw(tag, "href"), self.resolver.manifest
        return self.foreign_css or app_font(href, self.doc.source, self.opts, keys)

    def link(self, tag: Tag) -> None:
        found = self.resolver.refs(tag)
        rel = self.doc.enum(tag, "rel").split()
        ref, entry = found.get("href", (None, None))
        if ref is None or entry is None:
            return
        if "modulepreload" in rel:
            self.preloaded.add(entry["file"])
        self.integrity(tag, entry, add="stylesheet" in rel or "modulepreload" in rel)
        if "stylesheet" not in rel or not self.opts.preload_fonts:
            return
        links = []
        for f in font_preloads(entry.get("assets", ())):
            ext = font_ext(f)
            if f not in self.preloaded:
                self.preloaded.add(f)
                href = self.resolver.link_href(ref, None, f, '"')
                links.append(
                    f'<link rel="preload" href="{href}"'
                    f' as="font" type="{FONT_TYPES[ext]}" crossorigin>'
                )
        self.writer.after(tag, tag.end, links)

    # -- the walk --------------------------------------------------------------------------
    def run(self) -> Result:
        tags = self.doc.scan.tags
        for t in tags:
            if (
                t.name == "link"
                and t.opaque is None
                and not t.split
                and "modulepreload" in self.doc.enum(t, "rel").split()
            ):
                pre = self.resolver.preview(t)
                if pre:
                    self.preloaded.add(pre)
        for at in self.opts.lead_sites:  # Jinja includers only (``leads.roles``)
            self.writer.set_loop_first(at, FIRST_VAR)
        first_img = None
        page = self.opts.is_page or standalone_page(self.doc.text)
        selected: dict[int, str] = {}
        self.sizing.size_rules = {}
        if any(t.name in ("img", "iframe") for t in tags):
            if self.opts.eager or not page:
                above = () if page else ABOVE_FOLD
                selected = match_selectors(self.doc.scan, (*self.opts.eager, *above))
            self.leads = lead_tags(self.doc, self.opts.lead_partial, self.opts.lead_macros)
            if page:
                cands = page_candidates(self.doc, tags)
                first_img, self.loop_first = cands.first, cands.loop_first
                self.lead = {t.start for t in cands.lead}
                self.leads.update((t.start, "keep") for t in cands.drawn_instead(self.doc))
                after, tests = cands.drawn_after(self.doc)
                self.lazy_if = {t.start: tests for t in after}
            else:
                chrome_first(self.doc.name, tags, selected)
            if self.opts.sizes_rules:
                rules = dict(self.opts.sizes_rules)
                self.sizing.size_rules = {
                    off: (sel, rules[sel])
                    for off, sel in match_selectors(self.doc.scan, tuple(rules), ("img",)).items()
                }
        for t in tags:
            if t.opaque is not None:
                continue
            if t.in_translation:
                self.writer.skip(t, "inside {% trans %}: the markup is a translation message id")
                continue
            if "compress" in t.jinja:
                # django-compressor reads these files by their source names (its offline manifest
                # is keyed by the block's text): a hashed one failed manage.py compress
                self.resolver.leave(t)
                self.writer.skip(t, "inside {% compress %}: django-compressor's to combine")
                continue
            if t.split:
                # a value rewrite changes no structure; attributes would land in one branch only
                self.writer.skip(t, "the tag is split across {% if %} branches: left as it is")
                found = self.resolver.refs(t)
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
                self.writer.skip(
                    t,
                    "attributes come partly from an expression ({{ }} inside the tag):"
                    " nothing added",
                )
                self.resolver.refs(t)
            elif t.name in ("img", "iframe"):
                self.image(t, first_img, selected)
            elif t.name == "script":
                self.script(t)
            elif t.name == "link" and self.foreign_font(t):
                self.resolver.leave(t)
                self.writer.skip(
                    t,
                    "a font preload beside stylesheets the build does not serve ({% assets %}, the"
                    " app's own), which name the font by its source name: left as written",
                )
            elif t.name == "link":
                self.link(t)
            else:
                self.resolver.refs(t)
        self.url_for_elsewhere()
        self.result.unresolved.extend(
            leftovers(
                self.doc.scan,
                self.resolver.handled,
                self.resolver.manifest,
                self.opts.public_path,
                self.opts.static_routes,
            )
        )
        self.result.unresolved.sort(key=lambda u: (u["line"], u["col"]))
        source, edits, std = self.doc.source, self.writer.edits, self.doc.standard
        if std is not None:  # the edits, and what report.json quotes, as the template is written
            edits = std.back(edits, self.result.unresolved, self.result.images)
        out, spans = apply(source, edits)
        self.result.text = out
        self.result.spans = spans
        self.result.edits = [e.to_json(source[e.start : e.end]) for _, _, e in spans]
        return self.result

    def url_for_elsewhere(self) -> None:
        """Rewrite the K of each ``url_for('static', filename='K')`` and Django ``{% static 'K'
        %}`` no rule handled (in a ``<script>`` body, a ``data-*`` attribute, ``{% static 'K' as
        name %}``: ``leftovers.url_for_elsewhere``)."""
        man = self.resolver.manifest
        routes = self.opts.static_routes
        for start, end, ks, ke, key in url_for_elsewhere(
            self.doc.scan, self.resolver.handled, man, routes, self.opts.public_path
        ):
            entry = self.resolver.lookup(key)
            if entry is None:
                continue
            line, col = self.doc.loc(start)
            new = self.resolver.plain_file(entry)
            self.writer.edits.append(
                Edit(ks, ke, new, "url", "", line, col, len(self.writer.edits))
            )
            self.resolver.handled.append((start, end))


def rewrite(
    text: str,
    name: str,
    manifest: Mapping[str, Mapping[str, Any]],
    options: Options,
    hints: list[Hint] | None = None,
    images: list[ImageHint] | None = None,
    doc: Document | None = None,
) -> Result:
    """Rewrite one template (its text, its name relative to its template dir) against ``manifest``,
    with the hints file's LCP ``hints`` and render records ``images``; ``doc``: the text already
    scanned (``leads.fact`` read it), or ``None``. Raises ``ScanError`` on broken Jinja."""
    return _Rewriter(text, name, manifest, options, hints or [], images, doc).run()
