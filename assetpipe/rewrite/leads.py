"""A page's LCP candidate drawn by another template: a partial it ``{% include %}``s or a macro
it calls, before its own first large image.

The LCP rule reads one template at a time, so a photo grid drawn by ``{% for p in products
%}{% include "card.html" %}{% endfor %}`` (a shop's search results) or by
``{{ photo_card(p) }}`` from ``macros.html`` (Albumy's explore page) had its first photo, the
page's Largest Contentful Paint, lazy like every image of a partial. Here each template yields
a ``fact`` (a JSON value, memoised with its content), and ``roles`` reads every template's
facts to say which partial or macro holds a page's candidate:

- a partial included once, before the page's own candidate: its first large image stays eager
  (``once``: nothing added, as before the build);
- a partial included inside a ``{% for %}``: its first large image is eager on the loop's first
  pass only (``loop``). Django's included templates see the loop's ``forloop``; Jinja's see
  ``loop`` only when the loop body itself names it, so the page sets ``assetpipe_first`` to
  ``loop.first`` right before the include (``sites``) and the partial tests that;
- a macro (imported with ``from``/``import``, or the page's own): its first large image stays
  eager on every call (a macro cannot see its caller's loop), as before the build.

A partial that itself includes one (a list partial including a card) is followed, up to
``MAX_DEPTH`` templates deep. A partial named like a header or a nav (``lcp.chrome_first``), or
included inside a header, a nav, a dropdown or a hidden element (``lcp.tucked_away``), holds
no candidate.

A layout renders its own markup before its pages' content: a site-wide banner photo in
``base.html``, or a ``{% include "hero.html" %}`` there, comes before any page's own first image
and was lazy like every image of a layout. A layout's markup up to its ``slot`` (the first empty
``{% block %}`` after ``<body>``, where pages put their content) is read like a page's: its first
large image, or the partial or macro drawing one there, stays eager.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from ..lazyre import lazy
from ..records import dataclass
from .dialect import is_django, markup_dialect
from .document import Document
from .lcp import BODY, LAYOUT_TAG, chrome_named, page_candidates, standalone_page, tucked_away
from .tags import Tag

#: the variable a Jinja page sets before an include in a loop, and its partial tests
FIRST_VAR = "assetpipe_first"
#: how many templates deep an include chain is followed
MAX_DEPTH = 4

_INCLUDE = lazy(r"""\{%[-+]?\s*include\s+(["'])([^"']+)\1""")
#: ``{% include article.miniview_template %}``: a template named by a value (Wagtail CRX)
_COMPUTED = lazy(r"""\{%[-+]?\s*include\s+[A-Za-z_]""")
#: the target of a computed include's ``Site``
COMPUTED = "*"
_CALL = lazy(
    r"""(?:\{\{|\{%[-+]?\s*call\b(?:\s*\([^)]*\))?)[-+]?\s*(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)\s*\("""
)
_IMPORT = lazy(r"""\{%[-+]?\s*import\s+(["'])([^"']+)\1\s+as\s+([A-Za-z_]\w*)""")
_FROM = lazy(r"""\{%[-+]?\s*from\s+(["'])([^"']+)\1\s+import\s+(.+?)[-+]?%\}""", re.DOTALL)
_MACRO = lazy(r"\{%[-+]?\s*(macro|endmacro)\b\s*([A-Za-z_]\w*)?")
#: a statement (``{% render_product p %}``): a Django project's tag may render a template
_TAG = lazy(r"\{%[-+]?\s*([A-Za-z_]\w*)")
_BLOCK = lazy(r"\{%[-+]?\s*(block|endblock)\b")
_EXTENDS = lazy(r"\{%[-+]?\s*extends\b")


@dataclass(frozen=True)
class Site:
    """Where another template's markup renders: an include of ``target``, or a call of macro
    ``macro`` defined in ``target`` (``""``: this template)."""

    start: int
    target: str
    macro: str
    in_loop: bool


def _imports(text: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """``{% import 'X' as m %}`` aliases (m → X) and ``{% from 'X' import a as b %}`` names
    (b → (X, a))."""
    aliases = {m.group(3): m.group(2) for m in _IMPORT.finditer(text)}
    names: dict[str, tuple[str, str]] = {}
    for m in _FROM.finditer(text):
        listed = re.sub(r"\b(?:with|without)\s+context\b", "", m.group(3))
        for part in listed.split(","):
            words = part.split()
            if len(words) == 1 or (len(words) == 3 and words[1] == "as"):
                names[words[-1]] = (m.group(2), words[0])
    return aliases, names


def macro_spans(doc: Document) -> dict[str, tuple[int, int]]:
    """Each macro this template defines → (start, end) of its body."""
    spans: dict[str, tuple[int, int]] = {}
    open_: list[tuple[str, int]] = []
    for a, b in doc.scan.jinja_spans:
        m = _MACRO.match(doc.text, a, b)
        if m is None:
            continue
        if m.group(1) == "macro":
            open_.append((m.group(2) or "", b))
        elif open_:
            name, start = open_.pop()
            spans[name] = (start, a)
    return spans


def sites(doc: Document, own: Mapping[str, tuple[int, int]]) -> list[Site]:
    """The includes and macro calls of this template's own markup (not inside a macro it
    defines: that renders where the macro is called), in order; ``own``: its macros."""
    aliases, names = _imports(doc.text)
    out: list[Site] = []
    for start, end, blocks in doc.scan.calls:
        if "macro" in blocks:
            continue
        src, loop = doc.text[start:end], "for" in blocks
        inc = _INCLUDE.match(src)
        if inc is not None:
            out.append(Site(start, inc.group(2), "", loop))
            continue
        if _COMPUTED.match(src):
            out.append(Site(start, COMPUTED, "", loop))
            continue
        tag = _TAG.match(src)
        if tag is not None and tag.group(1) not in ("include", "call"):
            out.append(Site(start, "{% " + tag.group(1) + " %}", "", loop))
            continue
        call = _CALL.match(src)
        if call is None:
            continue
        alias, name = call.group(1), call.group(2)
        if alias is not None and alias in aliases:
            out.append(Site(start, aliases[alias], name, loop))
        elif alias is None and name in names:
            out.append(Site(start, *names[name], loop))
        elif alias is None and name in own:
            out.append(Site(start, "", name, loop))
    return out


def candidate(doc: Document, tags: list[Tag]) -> Tag | None:
    """The first of ``tags`` past their header, logo and small images that may be the LCP
    (``page_candidates``), or ``None``."""
    return page_candidates(doc, tags).big


def macro_tags(doc: Document, span: tuple[int, int]) -> list[Tag]:
    """The tags of a macro's body."""
    return [t for t in doc.scan.tags if span[0] <= t.start < span[1]]


def top_tags(doc: Document) -> list[Tag]:
    """The tags outside the template's macro definitions (the markup it renders itself)."""
    return [t for t in doc.scan.tags if "macro" not in t.jinja]


def slot(doc: Document) -> int | None:
    """Where a layout's pages put their content: the first empty ``{% block %}`` (``{% block
    content %}{% endblock %}``) after ``<body>``, else its first block there, else its end; in a
    template that extends another, the first empty block inside one of its blocks (a layout
    between the base and its pages). ``None``: no layout (no block; a template without
    ``<body>`` that extends none; one that extends and has no such block: a page)."""
    text = doc.text
    extends = _EXTENDS.search(text) is not None
    body = BODY.search(text)
    if LAYOUT_TAG.search(text) is None or (body is None and not extends):
        return None
    low = 0 if body is None else body.start()
    open_: list[int] = []
    first: int | None = None
    empty: int | None = None
    for a, b in doc.scan.jinja_spans:
        m = _BLOCK.match(text, a, b)
        if m is None:
            continue
        if m.group(1) == "block":
            open_.append(a)
            if a >= low and first is None:
                first = a
        elif open_:
            start = open_.pop()
            inner = text[text.find("%}", start) + 2 : a]
            nested = bool(open_) or not extends
            if start >= low and nested and not inner.strip() and (empty is None or start < empty):
                empty = start
    if extends and empty is None:
        return None  # a page of a layout: its blocks are its content
    return empty if empty is not None else first if first is not None else len(text)


def fact(doc: Document) -> dict[str, Any]:
    """What ``roles`` needs of one template: ``page`` (a whole document by itself), ``layout``
    (a layout: only its markup before its ``slot`` is read), ``at`` (its own candidate's
    offset), ``chrome`` (named like a header or nav), ``sites`` before ``at`` ([start,
    target, macro, in loop]), ``macros`` with a candidate, ``dialect``."""
    own = macro_spans(doc)
    end = slot(doc)
    tags = top_tags(doc)
    cand = candidate(doc, tags if end is None else [t for t in tags if t.start < end])
    at = None if cand is None else cand.start
    limit = at if at is not None else end
    found = [s for s in sites(doc, own) if limit is None or s.start < limit]
    tucked = tucked_away(doc, [s.start for s in found]) if found else set()
    return {
        "page": standalone_page(doc.text),
        "layout": end is not None,
        "at": at,
        "chrome": chrome_named(doc.name),
        "sites": [[s.start, s.target, s.macro, s.in_loop] for s in found if s.start not in tucked],
        "macros": sorted(n for n, span in own.items() if candidate(doc, macro_tags(doc, span))),
        "dialect": markup_dialect(doc.text),
        "named": sorted({m.group(2) for m in _INCLUDE.finditer(doc.text)}),
        "icons": icon_hrefs(doc, doc.scan.tags),
    }


def icon_hrefs(doc: Document, tags: list[Tag]) -> list[str]:
    """The ``href`` values, as written, of the template's ``<link rel="icon">`` tags (``shortcut
    icon`` too): what every page that renders them fetches (``Options.icon_keys``)."""
    out = set()
    for t in tags:
        a = t.get("href") if t.name == "link" else None
        if a is None or a.value_start is None or "icon" not in doc.enum(t, "rel").split():
            continue
        out.add(doc.text[a.value_start : a.value_end])  # a url_for() call too
    return sorted(out)


@dataclass
class Role:
    """What a template's rewrite does for a page's candidate it holds (``Options``)."""

    #: ``once`` (included before a page's own candidate), ``loop`` (in a loop there), both
    partial: set[str] = field(default_factory=set)
    #: its macros that draw a page's candidate
    macros: set[str] = field(default_factory=set)
    #: the starts of its includes in a loop before which it sets ``FIRST_VAR`` (Jinja)
    sites: set[int] = field(default_factory=set)
    #: a Django tag renders it in a loop (``templates.partial_tags``): it sees the page's
    #: ``forloop`` only if the tag passes the page's context (an ``inclusion_tag`` never does)
    tag_loop: bool = False


def roles(
    facts: Mapping[str, Mapping[str, Any]],
    pages: set[str],
    django_project: bool,
    tags: Mapping[str, str] | None = None,
) -> dict[str, Role]:
    """Template name → its ``Role``, from every template's ``fact``; ``pages``: the names of
    ``templates.pages`` (a whole document is one too); ``tags``: the project's Django tags
    that render a template (``templates.partial_tags``: tag name → template name), each
    followed like an include of it (a Django partial sees the page's ``forloop`` only when
    the tag renders it with the page's context, as django-oscar's ``{% render_product %}``
    does; an ``inclusion_tag``'s template never does, and stays eager on every pass, as a
    macro does: ``Role.tag_loop``)."""
    out: dict[str, Role] = {}
    tags = tags or {}
    unnamed = _unnamed(facts, pages, set(tags.values()))

    def role(name: str) -> Role:
        return out.setdefault(name, Role())

    def follow(name: str, depth: int) -> bool:
        """Whether a site of ``name`` before its own candidate holds the candidate (roles set)."""
        f = facts[name]
        for start, target, macro, in_loop in f["sites"]:
            tag = target.startswith("{%")
            where = tags.get(target[2:-2].strip(), "") if tag else target or name
            if target == COMPUTED:
                if in_loop and is_django(f["dialect"], django_project):
                    found = [n for n in unnamed if partial(n, True, depth + 1)]
                    if found:
                        return True
            elif macro:
                if where in facts and macro in facts[where]["macros"]:
                    role(where).macros.add(macro)
                    return True
            elif where in facts and depth < MAX_DEPTH and partial(where, in_loop, depth + 1):
                # Jinja's include sees the loop only through ``FIRST_VAR`` (Django's: forloop)
                if in_loop and not tag and not is_django(f["dialect"], django_project):
                    role(name).sites.add(start)
                if in_loop and tag:
                    role(where).tag_loop = True
                return True
        return False

    def partial(name: str, in_loop: bool, depth: int) -> bool:
        f = facts[name]
        if f["chrome"]:
            return False
        if follow(name, depth):
            return True
        if f["at"] is None:
            return False
        role(name).partial.add("loop" if in_loop else "once")
        return True

    for name, f in facts.items():
        if name in pages or f["page"]:
            follow(name, 0)
        elif f.get("layout") and not follow(name, 0) and f["at"] is not None:
            role(name).partial.add("once")  # its own first large image, before the pages'
    return out


def _unnamed(
    facts: Mapping[str, Mapping[str, Any]], pages: set[str], tagged: set[str]
) -> list[str]:
    """The partials that no template includes by name (nor a tag renders), with a candidate of
    their own: what a Django page's computed include in a loop may render (Wagtail CRX's
    ``{% include article.miniview_template %}`` renders ``article_page.mini.html``, whose
    first card, the article index's LCP, was lazy like every image of a partial). Each is
    eager on the loop's first pass only (``forloop.first``)."""
    named = {n for f in facts.values() for n in f.get("named", ())} | tagged
    return [
        n
        for n, f in facts.items()
        if n not in named
        and n not in pages
        and not (f["page"] or f.get("layout") or f["chrome"])
        and f["at"] is not None
    ]


def lead_tags(doc: Document, partial: str, macros: tuple[str, ...]) -> dict[int, str]:
    """The images of a partial (``partial``: its ``Options.lead_partial``) and of its
    ``macros`` that hold a page's candidate, by start → the LCP rule's mode: ``first-pass``
    (drawn by the partial's own loop), ``include-first-pass`` (included in a loop), ``keep``;
    an image drawn instead of the partial's on another ``{% if %}`` branch
    (``Candidates.drawn_instead``: django-oscar's product gallery, a carousel loop or, for one
    photo, a lone image, the product page's LCP) is ``keep``, ``include-first-pass`` in a
    partial included in a loop, unless the partial is included ``both`` once and in a loop."""
    out: dict[int, str] = {}
    if partial:
        tags = top_tags(doc)
        cands = page_candidates(doc, tags)
        t = cands.big
        if t is not None:
            own_loop = "for" in t.jinja
            out[t.start] = (
                "first-pass" if own_loop else "include-first-pass" if partial == "loop" else "keep"
            )
            # drawn instead of it (instead of its loop, outside one: eager on every pass of
            # the partial, or the including loop's first); not in a partial also included in
            # loops, which ``once`` keeps eager on every pass: a list of book covers would all
            # load at once
            if partial != "both":
                mode = "include-first-pass" if partial == "loop" else "keep"
                for alt in cands.drawn_instead(doc, with_first=True):
                    out.setdefault(alt.start, mode)
    spans = macro_spans(doc) if macros else {}
    for name in macros:
        t = candidate(doc, macro_tags(doc, spans[name])) if name in spans else None
        if t is not None:
            out[t.start] = "keep"
    return out
