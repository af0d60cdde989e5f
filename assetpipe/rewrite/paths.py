"""The images that may come first on a page instead of its first one: on another branch of an
``{% if %}``.

The LCP rule keeps a page's first large image eager (``lcp.page_candidates``), and a partial's
when it draws a page's (``leads.lead_tags``). "First" was the first in the text; but an image
in one branch of ``{% if %}`` has alternatives that render instead of it:
``{% if book.cover %}<img src="{{ book.cover }}">{% else %}<img src="no_cover.jpg">{% endif %}``
draws one of the two, and whichever does is the page's first image. Each but the first in the
text went lazy, so a page that took another branch had its Largest Contentful Paint lazy
(Baby Buddy's child photo or its placeholder; BookWyrm's cover snippet, a remote cover in one
branch and the local one in the other).

``alternatives`` walks the template's ``{% if %}``/``{% elif %}``/``{% else %}`` chains and
``{% for %}`` loops (Jinja's and Django's alike, a loop's ``{% else %}``/``{% empty %}`` a
branch too) in order: the first image on each branch of the first chain holding any is kept,
each branch read the same way. Only branches of one chain, which never render together: an
image after a chain whose branch without an image may render (``{% if a %}<img>{% endif %}
<img>``) can come second as well as first, and stays lazy, as before (eager, it would be
fetched even where it is not the first image).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .document import Document
from .tags import Tag

#: a statement's keyword: ``{% if x %}``, ``{%- elif y -%}``, ``{% empty %}``
_KEYWORD = re.compile(r"\{%[-+]?\s*(\w+)")
_OPEN = {"if": "endif", "for": "endfor"}
#: Django's other blocks with an ``{% else %}``: theirs, not an enclosing chain's
_OTHER = {"ifchanged": "endifchanged", "ifequal": "endifequal", "ifnotequal": "endifnotequal"}
_END = {**_OPEN, **_OTHER}
#: at most this many images besides the first are kept eager as its alternatives
MAX_ALTERNATIVES = 3


@dataclass
class _Chain:
    """An ``{% if %}`` chain or a ``{% for %}`` loop: its branches' (start, end) offsets."""

    kind: str
    start: int
    branches: list[tuple[int, int]] = field(default_factory=list)
    end: int = -1


def _chains(doc: Document) -> list[_Chain]:
    """Every chain and loop of the template, in order of their start (unclosed ones left out:
    the scanner reports those)."""
    done: list[_Chain] = []
    stack: list[tuple[_Chain, int]] = []  # (chain, start of its open branch)
    for a, b in sorted(doc.scan.jinja_spans):
        m = _KEYWORD.match(doc.text, a, b)
        if m is None:
            continue
        word = m.group(1)
        if word in _END:
            stack.append((_Chain(word, a), b))
        elif stack and word in ("elif", "else", "empty"):
            chain, opened = stack[-1]
            if word == "elif" and chain.kind != "if":
                continue
            chain.branches.append((opened, a))
            stack[-1] = (chain, b)
        elif stack and word == _END[stack[-1][0].kind]:
            chain, opened = stack.pop()
            chain.branches.append((opened, a))
            chain.end = b
            if chain.kind in _OPEN:  # not the others: their images count as the markup around
                done.append(chain)
    return sorted(done, key=lambda c: c.start)


def alternatives(doc: Document, first: Tag, images: list[Tag]) -> list[Tag]:
    """Of ``images`` (the template's possible LCP candidates, in order), those other than
    ``first`` drawn instead of it on another branch (module docstring), at most
    ``MAX_ALTERNATIVES``."""
    memo = doc.memo.get("chains")
    chains: list[_Chain] = memo if memo is not None else _chains(doc)
    doc.memo["chains"] = chains

    def walk(lo: int, hi: int, within: list[_Chain]) -> list[Tag]:
        """The first image of ``[lo, hi)``: itself, or the first chain's branches' firsts."""
        inner = [c for c in within if lo <= c.start and c.end <= hi]
        top = [c for c in inner if not any(o is not c and o.start < c.start < o.end for o in inner)]
        elements: list[tuple[int, Tag | _Chain]] = [(c.start, c) for c in top]
        elements += [
            (t.start, t)
            for t in images
            if lo <= t.start < hi and not any(c.start <= t.start < c.end for c in top)
        ]
        for _, element in sorted(elements, key=lambda e: e[0]):
            if isinstance(element, Tag):
                return [element]
            found = [t for a, b in element.branches for t in walk(a, b, inner)]
            if found:
                return found
        return []

    found = walk(0, len(doc.text), chains)
    if not any(t is first for t in found):  # ``first`` is not where the page starts
        return []
    return [t for t in found if t is not first][:MAX_ALTERNATIVES]
