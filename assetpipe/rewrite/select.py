"""Matching CSS selectors (``templates.eager``, ``templates.sizes`` rules, the built-in
above-the-fold ones) against a template's tags.

BeautifulSoup (html.parser) parses the template with every Jinja construct blanked to spaces
(``Scan.masked``: same lines, same columns), soupsieve matches the selectors, and each matched
element's ``sourceline``/``sourcepos`` names the scanner's tag at that position. The scanner
stays the authority on offsets; the tree is only used to answer "does this selector match".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .scanner import Scan

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

CANDIDATES = ("img", "iframe")


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
    from bs4 import BeautifulSoup  # here, not at import: a build with no rewrite never loads it

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
    """``None`` if ``selector`` is valid CSS for soupsieve, else the parser's message."""
    import soupsieve

    try:
        soupsieve.compile(selector)
    except Exception as e:  # soupsieve raises SelectorSyntaxError and others
        return str(e).splitlines()[0]
    return None
