"""Matching CSS selectors (``templates.eager``, ``templates.sizes`` rules, the built-in
above-the-fold ones) against a template's tags.

The template is parsed with every Jinja construct blanked to spaces (``Scan.masked``: same lines,
same columns), the selectors are matched, and each matched element's line and column name the
scanner's tag at that position. The scanner stays the authority on offsets; the tree is only
used to answer "does this selector match".

Selectors in the common subset ``cssmatch`` handles are matched by it, on a tree built the way
BeautifulSoup's ``html.parser`` builder builds it, without importing bs4 or soupsieve (~0.1 s a
process); any other selector list is matched by BeautifulSoup (html.parser) + soupsieve, whose
results ``cssmatch`` reproduces exactly.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from . import cssmatch
from .scanner import Scan

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

CANDIDATES = ("img", "iframe")


@functools.lru_cache(maxsize=256)
def _fast(selector: str) -> cssmatch.Matcher | None:
    return cssmatch.parse(selector)


def fast_selector(selector: str) -> bool:
    """``selector`` is matched without bs4/soupsieve (it is in ``cssmatch``'s subset)."""
    return _fast(selector) is not None


def match_selectors(
    sc: Scan, selectors: tuple[str, ...], candidates: tuple[str, ...] = CANDIDATES
) -> dict[int, str]:
    """Offset of each ``candidates`` tag (``<img>``/``<iframe>``) matched by a selector → the
    first selector that matched it."""
    by_pos: dict[tuple[int, int], int] = {}
    for t in sc.tags:
        if t.name in candidates:
            line, col = sc.line_col(t.start)
            by_pos[(line, col - 1)] = t.start
    if not by_pos or not selectors:
        return {}
    fast = [_fast(sel) for sel in selectors]
    if all(m is not None for m in fast):
        return _match_fast(sc, selectors, fast, by_pos)
    return _match_soupsieve(sc, selectors, by_pos)


def _match_fast(
    sc: Scan,
    selectors: tuple[str, ...],
    matchers: list[cssmatch.Matcher | None],
    by_pos: dict[tuple[int, int], int],
) -> dict[int, str]:
    at = sc.memo.get("elements")
    if at is None:  # the LCP lead and the rewrite both match on the same scan
        at = sc.memo["elements"] = cssmatch.elements(sc.masked())
    found = sorted(
        (off, at[pos]) for pos, off in by_pos.items() if pos in at and not at[pos].in_template
    )
    out: dict[int, str] = {}
    for sel, m in zip(selectors, matchers, strict=True):
        assert m is not None
        for off, el in found:
            if off not in out and m(el):
                out[off] = sel
    return out


def _match_soupsieve(
    sc: Scan, selectors: tuple[str, ...], by_pos: dict[tuple[int, int], int]
) -> dict[int, str]:
    from bs4 import BeautifulSoup  # here, not at import: most builds never load it

    soup: BeautifulSoup = BeautifulSoup(sc.masked(), "html.parser")
    out: dict[int, str] = {}
    for sel in selectors:
        for el in soup.select(sel):
            if el.sourceline is None or el.sourcepos is None:
                continue
            off = by_pos.get((el.sourceline, el.sourcepos))
            if off is not None and off not in out:
                out[off] = sel
    return out


def check_selector(selector: str) -> str | None:
    """``None`` if ``selector`` is valid CSS (for soupsieve), else the parser's message. A selector
    ``cssmatch`` parses is valid without asking soupsieve (its subset is valid CSS)."""
    if _fast(selector) is not None:
        return None
    import soupsieve

    try:
        soupsieve.compile(selector)
    except Exception as e:  # soupsieve raises SelectorSyntaxError and others
        return str(e).splitlines()[0]
    return None
