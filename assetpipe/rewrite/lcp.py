"""What the LCP rule reads from the markup (the rule itself is in ``rules``): where an image is
likely above the fold, which markup says an image is small, and its best known displayed width.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..lazyre import lazy
from ..records import dataclass
from .cssmatch import VOID
from .document import Document
from .hints import ImageHint
from .paths import alternatives, drawn_after
from .select import match_selectors
from .tags import Tag

#: where, in a layout or partial, an ``<img>`` is likely above the fold (a header, a navbar, a
#: sidebar, a logo): never lazy by default there
ABOVE_FOLD = (
    ":is(header, nav, aside, [class*=sidebar], [id*=sidebar], [class*=sidenav],"
    " [class*=navbar], [class*=brand], [class*=logo]) img:not(footer img)",
    "img:is([class*=logo], [class*=brand], [alt*=logo i]):not(footer img)",
)
#: a template named like this is a header/sidebar/nav partial: its first image is above the fold
_CHROME_NAME = lazy(
    r"(?:^|[^a-z])(?:sidebar|sidenav|nav|navbar|navigation|header|topbar"
    r"|menu|brand)(?:[^a-z]|$)"
)
#: markup that says an image is small (an avatar, an icon, a thumbnail; a table cell's or a
#: button's picture): never a plausible LCP element, whatever its natural size. Checked on the
#: tag's own class and the open elements before it, without a parse
_SMALL_CLASS = lazy(r"avatar|icon|(?<!img-)thumb|badge|emoji|flag", re.IGNORECASE)
#: a ``src`` that names an avatar, literal or computed (Wagtail CRX's byline ``{% avatar_url
#: self.author %}``, Flasky's ``{{ user.gravatar(size=40) }}``, a ``/avatars/`` path): a user's
#: picture, drawn small
_SMALL_SRC = lazy(r"avatar", re.IGNORECASE)
_SMALL_PARENTS = lazy(r"<(/?)(td|th|button|label|tr|table)\b", re.IGNORECASE)
#: an element whose content is chrome (a header, a nav, a sidebar, a logo or brand) or hidden
#: until the user acts (a dropdown's menu, a modal, a collapsed panel not shown, ``hidden``,
#: ``display: none``): a partial included there holds no page's LCP candidate
_TUCKED_NAME = frozenset({"header", "nav", "aside", "template", "noscript"})
_HIDDEN_ATTR = lazy(
    r"""\shidden(?=[\s/>=]|$)|\sstyle\s*=\s*(["'])[^"'>]*display\s*:\s*none""", re.IGNORECASE
)
_CLASS_OR_ID = lazy(r"""\s(class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_CHROME_WORD = lazy(r"sidebar|sidenav|navbar|brand|logo", re.IGNORECASE)
_HIDDEN_CLASS = frozenset(
    [
        "dropdown-menu",
        "dropdown-content",
        "modal",
        "offcanvas",
        "collapse",
        "d-none",
        "hidden",
        "is-hidden",
    ]
)
_SHOWN_CLASS = frozenset(["show", "active", "is-active", "open", "in"])
_ELEMENT = lazy(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
#: the displayed CSS width from which an image is a plausible LCP element
LCP_MIN_WIDTH = 300
#: explicit eager decisions that get fetchpriority whatever the image's size
CONFIRMED = ("data-assetpipe", "lcp-hints.json", "fetchpriority attribute")
#: why a hint marked ``some_pages`` keeps its image eager without ``fetchpriority``
SOME_PAGES = "lcp-hints.json: the LCP of some of the audited pages that render it, not all"


def says_small(doc: Document, tag: Tag) -> bool:
    """The markup says the image is small: its class (``avatar``, ``icon``, ``thumb``...), its
    ``src`` naming an avatar (``_SMALL_SRC``), or it sits in a table cell, a button or a label."""
    if _SMALL_CLASS.search(doc.value(tag, "class") or ""):
        return True
    src = tag.get("src")
    start, end = (src.value_start, src.value_end) if src is not None else (None, None)
    if start is not None and end is not None and _SMALL_SRC.search(doc.text, start, end):
        return True
    depth = dict.fromkeys(("td", "th", "button", "label"), 0)
    for m in _SMALL_PARENTS.finditer(doc.text, 0, tag.start):
        name = m.group(2).lower()
        if name in ("tr", "table"):  # cells end with their row, even without </td>
            depth["td"] = depth["th"] = 0
        else:
            depth[name] = max(0, depth[name] + (-1 if m.group(1) else 1))
    return any(depth.values())


def tucked_away(doc: Document, offsets: list[int]) -> set[int]:
    """Those of ``offsets`` (in document order) inside an element whose content is chrome or
    hidden (``_tucked``): the open elements are followed over the text
    with Jinja blanked, as the tree builder would (void elements close at once, an end tag
    closes up to the latest open element of its name, a raw-text body is skipped)."""
    text, out = doc.scan.masked(), set()
    stack: list[tuple[str, bool]] = []
    pos, todo = 0, iter(offsets)
    nxt = next(todo, None)
    while nxt is not None:
        m = _ELEMENT.search(text, pos)
        while nxt is not None and (m is None or m.start() >= nxt):
            if any(tucked for _, tucked in stack):
                out.add(nxt)
            nxt = next(todo, None)
        if m is None:
            break
        pos, name = m.end(), m.group(2).lower()
        if m.group(1):
            at = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == name), None)
            if at is not None:
                del stack[at:]
        elif name in ("script", "style", "textarea", "title"):
            close = text.lower().find(f"</{name}", pos)
            pos = len(text) if close < 0 else close
        elif name not in VOID and not m.group(3).rstrip().endswith("/"):
            stack.append((name, _tucked(name, m.group(3))))
    return out


def _tucked(name: str, attrs: str) -> bool:
    """Whether an element's content is chrome or hidden (``tucked_away``)."""
    if name in _TUCKED_NAME or _HIDDEN_ATTR.search(attrs):
        return True
    for m in _CLASS_OR_ID.finditer(attrs):
        value = m.group(2) or m.group(3) or m.group(4) or ""
        if _CHROME_WORD.search(value):
            return True
        words = set(value.lower().split())
        if m.group(1).lower() == "class" and words & _HIDDEN_CLASS and not words & _SHOWN_CLASS:
            return True
    return False


def shown_width(
    doc: Document, tag: Tag, entry: Mapping[str, Any] | None, recs: list[ImageHint]
) -> float | None:
    """The best known displayed CSS width: the width attribute, else the audit's widest
    rendering, else the natural width; ``None`` when nothing is known."""
    w = doc.int_attr(tag, "width")
    if w is not None:
        return float(w)
    seen = [r.width for r in recs]
    if seen:
        return max(seen)
    nat = (entry or {}).get("width")
    return float(nat) if isinstance(nat, int) else None


#: a full HTML document (``<body>``), as a page template is once rendered
BODY = lazy(r"<body[\s>]", re.IGNORECASE)
#: ``{% extends %}`` or ``{% block %}`` (Jinja2 and Django alike): a layout or a page of one
LAYOUT_TAG = lazy(r"\{%-?\s*(?:extends|block)\b")
#: at most this many small or chrome images passed over before a page's LCP candidate: a header's
#: logo and a flag or two; a page starting with more (a grid of thumbnails) keeps its first image
MAX_LEAD = 3


def standalone_page(text: str) -> bool:
    """A template that is a whole page by itself: a full document (``<body>``) that neither
    extends a layout nor has blocks to fill (a layout has them), as a Flask app's single
    ``index.html`` or an error page is. The first-image clause applies to it as to a page of
    ``templates.pages``: before, its hero was lazy like every image of a layout."""
    return BODY.search(text) is not None and LAYOUT_TAG.search(text) is None


@dataclass
class Candidates:
    """A page's LCP candidates: ``first`` (its first ``<img>`` outside a loop), ``loop_first``
    (its first ``<img>`` when that is drawn by one ``{% for %}`` loop: eager on the first pass
    only), and ``lead``: the images passed over before them that stay eager with nothing added
    (the first, and a header's or a logo: above the fold, and none of them the LCP)."""

    first: Tag | None = None
    loop_first: Tag | None = None
    lead: tuple[Tag, ...] = ()
    #: where the first image past the lead starts, when it may be the LCP (not small, not
    #: chrome): a partial or macro rendered before it may hold the LCP instead (``leads``)
    at: int | None = None
    #: the images past the lead, in order (``drawn_instead`` looks among them)
    rest: tuple[Tag, ...] = ()

    @property
    def big(self) -> Tag | None:
        """The image at ``at``: the candidate a partial or macro before it may stand for."""
        return next((t for t in self.rest if t.start == self.at), None)

    def large(self, doc: Document) -> list[Tag]:
        """The images past the lead that may be the LCP (not small, not chrome)."""
        chrome = chrome_images(doc)
        return [t for t in self.rest if not (says_small(doc, t) or t.start in chrome)]

    def drawn_after(self, doc: Document) -> tuple[list[Tag], list[str]]:
        """The large images drawn first where the candidate's ``{% if %}`` draws nothing, and
        that ``{% if %}``'s tests (``paths.drawn_after``): lazy only where one holds."""
        big = self.big
        return ([], []) if big is None else drawn_after(doc, big, self.large(doc))

    def drawn_instead(self, doc: Document, with_first: bool = False) -> tuple[Tag, ...]:
        """The large images outside loops drawn instead of the candidate on another branch of
        its ``{% if %}`` chain (``paths.alternatives``): eager too, with nothing added. ``first``
        among them only ``with_first`` (a page keeps it eager by itself, a partial does not).
        Looked for only where a rewrite asks, not for every template's lead fact."""
        big, images = self.big, self.large(doc)
        if big is None:  # only chrome or small images: the first is the candidate (pretix's
            big, images = self.first, list(self.rest)  # event logo, large or small by branch)
        if big is None:
            return ()
        return tuple(
            t
            for t in alternatives(doc, big, images)
            if (with_first or t is not self.first) and t is not self.loop_first and not t.in_loop
        )


def chrome_images(doc: Document) -> dict[int, str]:
    """The ``<img>``s ``ABOVE_FOLD`` matches (start → selector), matched once per document."""
    found = doc.memo.get("chrome")
    if found is None:
        found = doc.memo["chrome"] = match_selectors(doc.scan, ABOVE_FOLD, ("img",))
    return found


def page_candidates(doc: Document, tags: list[Tag]) -> Candidates:
    """The LCP candidates of a page template. Its own first images that are chrome (where the
    ``ABOVE_FOLD`` selectors match: a header's or a navbar's logo) or that the
    markup says are small (``says_small``; not a ``width`` attribute, which CSS often overrides:
    a carousel's ``width=255`` photo is drawn full width) are passed over, at most
    ``MAX_LEAD`` of them, when a larger image follows: a page that draws its own header logo
    before its hero had the logo eager and the hero, its Largest Contentful Paint, lazy."""
    imgs = [t for t in tags if t.name == "img" and t.opaque is None and not t.split]
    chrome = chrome_images(doc) if imgs else {}
    lead: list[Tag] = []
    for t in imgs[:MAX_LEAD]:
        if not (t.start in chrome or says_small(doc, t)):
            break
        lead.append(t)
    rest = imgs[len(lead) :]
    if not rest or says_small(doc, rest[0]) or rest[0].start in chrome:
        lead, rest = [], imgs  # only chrome or small images, or too many: the first is it
    first = next((t for t in rest if not t.in_loop), None)
    # passed over, each image keeps the loading it had as a page's image: the first one (outside
    # a loop) eager, a header's or logo's eager too; a small one after them, or one drawn by a
    # loop (a list of avatars), lazy as before
    kept = tuple(t for i, t in enumerate(lead) if not t.in_loop and (i == 0 or t.start in chrome))
    big = rest[0] if rest and not (says_small(doc, rest[0]) or rest[0].start in chrome) else None
    at = None if big is None else big.start
    return Candidates(first, _loop_first(doc, rest), kept, at, tuple(rest))


def _loop_first(doc: Document, imgs: list[Tag]) -> Tag | None:
    """The first of ``imgs`` when it sits in one ``{% for %}`` loop (not two, no macro or call
    block around it) and its markup does not say it is small: a carousel's first slide, a
    product grid's first photo, which the loop's first pass puts at the top of the page. Only
    that pass stays eager (``Writer.add_after_first_pass``); ``None`` when it is outside a loop
    (``Candidates.first`` has it) or is no such tag."""
    if not imgs:
        return None
    t = imgs[0]
    if not t.in_loop or t.jinja.count("for") != 1 or {"macro", "call"} & set(t.jinja):
        return None
    return None if says_small(doc, t) else t


def first_image(tags: list[Tag]) -> Tag | None:
    """The first ``<img>`` of the template's own markup that is edited and rendered once (not
    opaque, not split, not in a loop, macro or call block)."""
    return next(
        (t for t in tags if t.name == "img" and t.opaque is None and not t.split and not t.in_loop),
        None,
    )


def chrome_named(name: str) -> bool:
    """Whether template ``name`` is named like a header/nav/sidebar partial."""
    return _CHROME_NAME.search(name.rsplit("/", 1)[-1].lower()) is not None


def chrome_first(name: str, tags: list[Tag], selected: dict[int, str]) -> None:
    """In a partial named like a header/nav/sidebar (``name``: the template's), the first
    ``<img>`` outside a loop is likely above the fold too: marked in ``selected``."""
    if not chrome_named(name):
        return
    first = first_image(tags)
    if first is not None and first.start not in selected:
        selected[first.start] = ABOVE_FOLD[0]
