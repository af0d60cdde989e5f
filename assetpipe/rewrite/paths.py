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
<img>``) can come second as well as first. ``drawn_after`` finds it with the chain's tests, so
it is lazy only where the chain draws its image (eager everywhere, it would be fetched even
where it is not the first image).
"""

from __future__ import annotations

from dataclasses import field

from ..lazyre import lazy
from ..records import dataclass
from .document import Document
from .tags import Tag

#: a statement's keyword: ``{% if x %}``, ``{%- elif y -%}``, ``{% empty %}``
_KEYWORD = lazy(r"\{%[-+]?\s*(\w+)")
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
    #: each branch's test (``{% if A %}``/``{% elif B %}``), ``None`` for an ``{% else %}``
    tests: list[str | None] = field(default_factory=list)


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
            stack.append((_Chain(word, a, tests=[_test(doc.text[m.end() : b])]), b))
        elif stack and word in ("elif", "else", "empty"):
            chain, opened = stack[-1]
            if word == "elif" and chain.kind != "if":
                continue
            chain.branches.append((opened, a))
            chain.tests.append(_test(doc.text[m.end() : b]) if word == "elif" else None)
            stack[-1] = (chain, b)
        elif stack and word == _END[stack[-1][0].kind]:
            chain, opened = stack.pop()
            chain.branches.append((opened, a))
            chain.end = b
            if chain.kind in _OPEN:  # not the others: their images count as the markup around
                done.append(chain)
    return sorted(done, key=lambda c: c.start)


def _test(inner: str) -> str:
    """A statement's test from the text after its keyword (``" a.b -%}"`` → ``"a.b"``)."""
    return inner.removesuffix("}").removesuffix("%").rstrip("-+").strip()


def _memo_chains(doc: Document) -> list[_Chain]:
    memo = doc.memo.get("chains")
    chains: list[_Chain] = memo if memo is not None else _chains(doc)
    doc.memo["chains"] = chains
    return chains


def _firsts(lo: int, hi: int, within: list[_Chain], images: list[Tag]) -> list[Tag]:
    """The first of ``images`` in ``[lo, hi)``: itself, or the first chain's branches' firsts
    (``within``: the chains to look in)."""
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
        found = [t for a, b in element.branches for t in _firsts(a, b, inner, images)]
        if found:
            return found
    return []


def alternatives(doc: Document, first: Tag, images: list[Tag]) -> list[Tag]:
    """Of ``images`` (the template's possible LCP candidates, in order), those other than
    ``first`` drawn instead of it on another branch (module docstring), at most
    ``MAX_ALTERNATIVES``."""
    found = _firsts(0, len(doc.text), _memo_chains(doc), images)
    if not any(t is first for t in found):  # ``first`` is not where the page starts
        return []
    return [t for t in found if t is not first][:MAX_ALTERNATIVES]


#: a test that cannot be joined with ``or`` as written: Jinja's inline ``if``/``else``
_UNJOINABLE = lazy(r"[{}]|\bif\b|\belse\b")


def drawn_after(doc: Document, first: Tag, images: list[Tag]) -> tuple[list[Tag], list[str]]:
    """Of ``images`` (in order), those drawn first where ``first``'s ``{% if %}`` draws
    nothing, and the tests under which it draws ``first`` or another image (``([], [])``:
    none). ``{% if not connected %}<img step0>{% endif %} ... <img step1>``: step 1 is the
    page's first image where step 0 is not drawn, and lazy was right only where it is.

    Only where the chain is a top-level ``{% if %}`` (within no other chain or loop) without an
    ``{% else %}``, each branch draws an image of its own before any other (not inside a chain
    of the branch, which may not render), one of them ``first``, and each test can be joined
    with ``or`` as written; the images are the first after the chain (``alternatives``' walk
    from its end: a later chain's branches' firsts) in the chain's own scope (the same blocks,
    no loop, macro or ``{% with %}`` more: the tests are read again there), with only ``{% if
    %}`` blocks and quiet statements between (``_nothing_between``), at most
    ``MAX_ALTERNATIVES``."""
    chains = _memo_chains(doc)
    holder = next((c for c in chains if c.start < first.start < c.end), None)
    if (
        holder is None
        or holder.kind != "if"
        or None in holder.tests
        or any(o is not holder and o.start < holder.start < o.end for o in chains)
        or any(_UNJOINABLE.search(t or "") for t in holder.tests)
    ):
        return [], []
    for a, b in holder.branches:
        own = next((t for t in images if a <= t.start < b), None)
        if own is None or any(a <= c.start < own.start < c.end for c in chains):
            return [], []
    # the test is read again at the later image: in the same block, ``{% with %}``, scope
    base = first.jinja[:-1]
    if first.jinja[-1:] != ("if",) or {"macro", "call"} & set(base):
        return [], []
    found = _firsts(holder.end, len(doc.text), chains, images)
    firsts = [
        t
        for t in found
        if t.jinja[: len(base)] == base
        and set(t.jinja[len(base) :]) <= {"if"}
        and _nothing_between(doc, holder.end, t.start)
    ][:MAX_ALTERNATIVES]
    return (firsts, [t for t in holder.tests if t]) if firsts else ([], [])


#: statements that draw nothing of their own between an ``{% if %}`` and a later image
_QUIET = frozenset(
    {"load", "static", "url", "trans", "translate", "csrf_token", "now", "set", "else", "elif"}
)


def _nothing_between(doc: Document, lo: int, hi: int) -> bool:
    """Whether between offsets ``lo`` and ``hi`` only ``{% if %}`` blocks and statements that
    draw nothing (``_QUIET``) stand: no loop, include or tag (Wagtail CRX's body blocks,
    ``{% for block in self.body %}{% include_block block %}``, may draw the page's first image
    instead), and no construct open at ``lo`` closes (``{% endblock %}{% block other %}``:
    another block, where a ``{% set %}`` of the first is not seen)."""
    depth = 0
    for a, b in sorted(doc.scan.jinja_spans):
        if a < lo or a >= hi or not doc.text.startswith("{%", a):
            continue
        m = _KEYWORD.match(doc.text, a, b)
        word = m.group(1) if m else ""
        if word == "if":
            depth += 1
        elif word == "endif" and depth:
            depth -= 1
        elif word not in _QUIET:
            return False
    return True
