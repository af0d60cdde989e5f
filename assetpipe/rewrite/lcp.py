"""What the LCP rule reads from the markup (the rule itself is in ``rules``): where an image is
likely above the fold, which markup says an image is small, and its best known displayed width.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .document import Document
from .hints import ImageHint
from .tags import Tag

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
CONFIRMED = ("data-assetpipe", "lcp-hints.json", "fetchpriority attribute")


def says_small(doc: Document, tag: Tag) -> bool:
    """The markup says the image is small: its class (``avatar``, ``icon``, ``thumb``...),
    or it sits in a table cell, a button or a label."""
    if _SMALL_CLASS.search(doc.value(tag, "class") or ""):
        return True
    depth = dict.fromkeys(("td", "th", "button", "label"), 0)
    for m in _SMALL_PARENTS.finditer(doc.text, 0, tag.start):
        name = m.group(2).lower()
        if name in ("tr", "table"):  # cells end with their row, even without </td>
            depth["td"] = depth["th"] = 0
        else:
            depth[name] = max(0, depth[name] + (-1 if m.group(1) else 1))
    return any(depth.values())


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


def first_image(tags: list[Tag]) -> Tag | None:
    """The first ``<img>`` of the template's own markup that is edited and rendered once (not
    opaque, not split, not in a loop, macro or call block)."""
    return next(
        (t for t in tags if t.name == "img" and t.opaque is None and not t.split and not t.in_loop),
        None,
    )


def first_in_loop(doc: Document, tags: list[Tag]) -> Tag | None:
    """The page's first ``<img>`` when it sits in one ``{% for %}`` loop (not two, no macro or
    call block around it) and its markup does not say it is small: a carousel's first slide, a
    product grid's first photo, which the loop's first pass puts at the top of the page. Only
    that pass stays eager (``Writer.add_after_first_pass``); ``None`` when the page's first
    ``<img>`` is outside a loop (``first_image`` has it) or is no such tag."""
    for t in tags:
        if t.name != "img" or t.opaque is not None or t.split:
            continue
        if not t.in_loop or t.jinja.count("for") != 1 or {"macro", "call"} & set(t.jinja):
            return None
        return None if says_small(doc, t) else t
    return None


def chrome_first(name: str, tags: list[Tag], selected: dict[int, str]) -> None:
    """In a partial named like a header/nav/sidebar (``name``: the template's), the first
    ``<img>`` outside a loop is likely above the fold too: marked in ``selected``."""
    if not _CHROME_NAME.search(name.rsplit("/", 1)[-1].lower()):
        return
    first = first_image(tags)
    if first is not None and first.start not in selected:
        selected[first.start] = ABOVE_FOLD[0]
