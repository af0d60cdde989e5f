"""The small selector matcher (``assetpipe.rewrite.cssmatch``) gives BeautifulSoup + soupsieve's
answers: its copies of their constants are theirs, every selector it parses is valid for
soupsieve, and on real template sets (the corpus) and on hand-written edge cases every element
it matches is the one soupsieve matches, selector by selector."""

from __future__ import annotations

from pathlib import Path

import pytest
import soupsieve
from bs4.builder import HTMLTreeBuilder
from soupsieve import css_parser

from assetpipe.rewrite import cssmatch, select
from assetpipe.rewrite.lcp import ABOVE_FOLD
from assetpipe.rewrite.scanner import scan
from tests.test_rewrite_corpus import FILES

#: in the subset (answered by cssmatch)
SUBSET = (
    *ABOVE_FOLD,
    ".hero img",
    "img[fetchpriority=high]",
    "img",
    "*",
    "a",
    "div > img",
    "div>img",
    "body   div  img",
    ".navbar .logo img",
    "#main img",
    "img#top",
    "img.a.b",
    "[class]",
    '[class="a b"]',
    "[class~=a]",
    "[class|=nav]",
    "[class^=nav]",
    "[class$=bar]",
    "[class*=' ']",
    "[class='']",
    "[src$='.png' i]",
    "[src$='.PNG' s]",
    "[type=TEXT]",
    "[type=text s]",
    "[rel~=icon]",
    "[alt*=LOGO i]",
    "[id*=side]",
    "img:not([loading])",
    "img:not(.a, .b)",
    ":is(header, footer) > img",
    ":where(nav) img",
    ":matches(aside) img",
    "div:not(footer *) img",
    "img:not(:is(nav, header) img)",
    "link[rel=stylesheet]",
    "script[defer]",
    "img , iframe",
    "  .hero img  ",
)
#: outside the subset: soupsieve answers (valid or not)
OUTSIDE = (
    "img[[",
    "img:has(> a)",
    "a ~ img",
    "a + img",
    "img:first-child",
    "a\\:b",
    "[data-x!=y]",
    ":IS(nav) img",
    "img >",
    "> img",
    "",
    "img,",
    ":is() img",
    "#1a",
    "--x",
)


def test_the_constants_are_bs4s_and_soupsieves() -> None:
    assert set(cssmatch.VOID) == set(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ())
    assert {k: set(v) for k, v in cssmatch.LIST_ATTRS.items()} == {
        k: set(v) for k, v in HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES.items()
    }
    assert cssmatch.CASE_INSENSITIVE == css_parser.HTML_CASE_INSENSITIVE_ATTRIBUTES


@pytest.mark.parametrize("sel", SUBSET)
def test_a_selector_in_the_subset_is_parsed_and_valid(sel: str) -> None:
    assert cssmatch.parse(sel) is not None
    soupsieve.compile(sel)  # raises if it is not valid CSS
    assert select.check_selector(sel) is None


@pytest.mark.parametrize("sel", OUTSIDE)
def test_a_selector_outside_the_subset_is_left_to_soupsieve(sel: str) -> None:
    assert cssmatch.parse(sel) is None


def test_an_invalid_selector_is_reported_by_soupsieve() -> None:
    msg = select.check_selector("img[[")
    assert msg is not None and "Malformed attribute selector" in msg


def _compare(text: str, where: str) -> int:
    """Every tag of ``text``: cssmatch's answer == soupsieve's, for each selector; returns the
    number of (selector, element) matches seen."""
    sc = scan(text)
    names = tuple({t.name for t in sc.tags})
    by_pos = {}
    for t in sc.tags:
        line, col = sc.line_col(t.start)
        by_pos[(line, col - 1)] = t.start
    n = 0
    for sel in SUBSET:
        fast = select._match_fast(sc, (sel,), [cssmatch.parse(sel)], by_pos)
        slow = select._match_soupsieve(sc, (sel,), by_pos)
        assert fast == slow, (where, sel, sorted(set(fast) ^ set(slow))[:5])
        n += len(slow)
    assert names is not None
    return n


EDGE_CASES = {
    "void and self-closing": (
        '<div class="hero"><img src=a></img><img src=b/><br></br><div/>'
        '<img class="x"></div><img id=top src=c>'
    ),
    "void elements hold nothing": (
        "<div><br><img src=a><p><input><hr><img src=b></p><img src=c></img></div>"
        "<div><img src=d></img></div><img src=e>"
    ),
    "unclosed and stray end tags": (
        '<header><p><nav class=" navbar  main "><img src=a></span></header><img src=b>'
        "<aside><div></aside><img src=c></div></div><img src=d>"
    ),
    "template contents": (
        "<header><template><img class=logo src=a><nav><img src=b></nav></template>"
        "<img src=c></header><template><header><img src=d></header></template>"
    ),
    "case and whitespace": (
        '<HEADER><IMG SRC=a ALT="Our LOGO" class="A b"></HEADER><div CLASS="nav-bar">'
        '<img type=TEXT src=b class="a\tb"><link rel="Icon  stylesheet"><iframe src=c>'
        '</iframe></div><footer class=logo><img class="logo brand" src=d></footer>'
    ),
    "script and comments": (
        '<script>"<header><img src=a>"</script><!-- <nav><img src=b> --><nav>'
        '<style>img{}</style><img src=c alt=""></nav><textarea><img src=d></textarea>'
    ),
    "duplicate attributes": "<nav class=a class=logo><img class=x class=logo src=a></nav>",
    "jinja": (
        '{% block header %}<header class="{{ cls }}">{% if x %}<img src="{{ a }}">'
        "{% else %}<img src=b>{% endif %}</header>{% endblock %}"
    ),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_match_as_soupsieve_does(name: str) -> None:
    _compare(EDGE_CASES[name], name)


@pytest.mark.skipif(not FILES, reason="no template package installed (pip install -e .[test])")
def test_real_template_sets_match_as_soupsieve_does() -> None:
    seen = files = 0
    for pkg, root, path in FILES:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        seen += _compare(text, f"{pkg}: {Path(path).relative_to(root)}")
        files += 1
    assert files >= 80 and seen >= 1000, (files, seen)


def test_a_build_matches_without_importing_soupsieve() -> None:
    """The default selectors are in the subset: the fast path answers them."""
    sc = scan('<header><img src=a></header><div class="hero"><img src=b></div>')
    assert cssmatch.parse(ABOVE_FOLD[0]) is not None
    got = select.match_selectors(sc, (".hero img", "img[fetchpriority=high]", *ABOVE_FOLD))
    assert sorted(got.values()) == [".hero img", ABOVE_FOLD[0]]
