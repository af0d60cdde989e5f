"""Property test: generated HTML + Jinja documents through the rewriter.

For every document: (1) the output with the inserted or rewritten text taken back out equals the
input exactly; (2) every inserted text is an attribute, a known element (preload links,
``<picture>``) or a manifest file replacing its key; (3) the output still compiles with Jinja2;
(4) rendered with Jinja2 under several contexts and parsed by the standard library's
``html.parser``, no tag of the output has an attribute twice, and every tag of the rendered input
is there with every attribute and value (URL attributes may change value).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import jinja2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetpipe.rewrite.rules import Options, Result, rewrite
from tests.test_rewrite_cases import MANIFEST

#: every file the manifest lists: an entry's, and its image variants' (a URL in a ``<script>``
#: body is an image's original-format file)
FILES = {e["file"] for e in MANIFEST.values()} | {
    v["file"] for e in MANIFEST.values() for v in e.get("variants", ())
}
ATTR_RE = re.compile(r"""^ [a-z-]+(?:=(["'])[^"'<>]*\1)?$""")
URL_IN_JINJA = re.compile(
    r"""\{\{ (?:url_for\('static', filename='[^']+'\)|asset_url\('[^']+'\)) \}\}"""
)
#: attributes for every pass but the first of the loop around a page's first image
FIRST_PASS_RE = re.compile(
    r"""^ \{% if loop is not defined or not loop\.first %\}"""
    r"""[a-z-]+=(["'])[^"'<>]*\1(?: [a-z-]+=(["'])[^"'<>]*\2)*\{% endif %\}$"""
)
ELEMENT_RE = re.compile(
    r"""^(?:(?:\r?\n[ \t]*)<link rel="(?:modulepreload|preload)" href="[^"<>]+"[^<>]*>)+$"""
    r'|^<picture>(?:<source type="image/(?:avif|webp)" srcset="[^"<>]+"'
    r'(?: sizes="[^"<>]*")?>)+$'
    r"""|^</picture>$"""
)

SRCS = [
    "/static/img/a.png",
    "/static/img/hero.jpg",
    "/static/icons/logo.svg",
    "{{ url_for('static', filename='img/a.png') }}",
    "{{ asset_url('img/hero.jpg') }}",
    "{{ url_for('static', filename='img/' ~ name) }}",
    "img/rel.png",
    "{{ name }}",
    "https://cdn.example/x.png",
]
SEPS = st.sampled_from([" ", "  ", "\n  ", "\r\n\t", " {# c > #} "])
QUOTES = st.sampled_from(['"', "'"])


@st.composite
def attrs(draw: st.DrawFn, tag: str) -> str:
    pool: dict[str, list[str]] = {
        "src": SRCS,
        "alt": ["", "Caf&eacute; &amp; co", '{{ f("x") }}', "{{ _('a > b') }}"],
        "class": ["hero", "thumb", "{{ cls }}"],
        "loading": ["lazy", "eager"],
        "fetchpriority": ["high", "low"],
        "width": ["10"],
        "height": ["20"],
        "data-assetpipe": ["eager", "lazy"],
        "srcset": ["/static/img/a.png 1x"],
    }
    names = draw(st.lists(st.sampled_from(sorted(pool)), unique=True, max_size=5))
    out = []
    for n in names:
        v = draw(st.sampled_from(pool[n]))
        q = draw(QUOTES) if ("{{" not in v and "'" not in v and '"' not in v) else '"'
        if "'" in v and '"' not in v:
            q = '"'
        form = draw(st.sampled_from(["plain", "plain", "if", "bare"]))
        text = f"{n}={q}{v}{q}"
        if form == "if":
            text = f"{{% if a > b %}}{text}{{% endif %}}"
        elif form == "bare" and re.fullmatch(r"[\w./-]+", v):
            text = f"{n}={v}"
        out.append(draw(SEPS) + text)
    # whitespace control around the last attribute: '-%}' eats the space after it
    if out and draw(st.booleans()) is True:
        out[-1] = f" {{%- if b %}}{out[-1]}{{% endif -%}}"
    end = draw(st.sampled_from([">", "/>", " />", "\n>"]))
    if out and end == "/>" and not out[-1].endswith(("'", '"', "}")):
        end = " />"  # in HTML, <img src=a.png/> has the src "a.png/"
    return "".join(out) + end


@st.composite
def element(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["img", "img", "img", "iframe", "script", "link", "p", "hero"]))
    if kind in ("img", "iframe"):
        a = draw(attrs(kind))
        return f"<{kind}{a}" + ("</iframe>" if kind == "iframe" else "")
    if kind == "script":
        src = draw(
            st.sampled_from(["/static/js/app.js", "{{ url_for('static', filename='js/app.js') }}"])
        )
        typ = draw(st.sampled_from([' type="module"', ""]))
        return f'<script{typ} src="{src}"></script>'
    if kind == "link":
        return draw(
            st.sampled_from(
                [
                    '<link rel="stylesheet" href="/static/css/app.css">',
                    "<link rel=stylesheet href='/static/css/app.css?v=1'>",
                    '<link rel="icon" href="/static/icons/logo.svg">',
                ]
            )
        )
    if kind == "hero":
        return f'<div class="hero"><img{draw(attrs("img"))}</div>'
    return draw(st.sampled_from(["<p>text &amp; more</p>", "<br>", "<p class=x>{{ name }}</p>"]))


LEAVES = st.one_of(
    element(),
    st.sampled_from(
        [
            "",
            " ",
            "\n",
            "\r\n",
            "text",
            "a > b",
            "&#x25CF;",
            "{{ name }}",
            '{{ f("}}") }}',
            "{# <img src='/static/img/a.png'> #}",
            '{% raw %}<img src="/static/img/a.png">{% endraw %}',
            '<!-- <img src="/static/img/a.png"> -->',
            "<script>var s = '<img src=\"/static/img/a.png\">';</script>",
            '<template><img src="/static/img/a.png"></template>',
            '<noscript><img src="/static/img/hero.jpg"></noscript>',
            '{% if a %}<img src="/static/img/a.png" class="s" {% else %}'
            '<img src="/static/img/hero.jpg" {% endif %}alt="x">',
        ]
    ),
)


def _wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    body = st.lists(children, max_size=4).map("".join)
    return st.one_of(
        body.map(lambda b: "{% for i in items %}" + b + "{% endfor %}"),
        st.tuples(body, body).map(
            lambda t: "{% if c %}" + t[0] + "{% else %}" + t[1] + "{% endif %}"
        ),
        body.map(lambda b: '<section class="hero">' + b + "</section>"),
        body.map(lambda b: "<picture>" + b + "</picture>"),
    )


DOCS = st.lists(st.recursive(LEAVES, _wrap, max_leaves=12), min_size=1, max_size=8).map("".join)


class _Tags(HTMLParser):
    """Start tags with their attributes, as a browser-like tokenizer sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def dups(self) -> list[tuple[str, list[str]]]:
        out = []
        for tag, attrs in self.tags:
            names = [n for n, _ in attrs]
            if len(names) != len(set(names)):
                out.append((tag, names))
        return out

    def originals(self) -> list[tuple[str, list[tuple[str, str | None]]]]:
        """Tags minus those the rewriter may insert (preload links, <picture>, <source>)."""
        return [
            (t, a)
            for t, a in self.tags
            if t not in ("picture", "source")
            and not (t == "link" and dict(a).get("rel") in ("modulepreload", "preload"))
        ]


REWRITTEN = {"src", "href", "srcset"}


def _same_tags(before: _Tags, after: _Tags) -> None:
    """Every rendered tag of the input is there in the output, each attribute with its value
    (URL attributes may change value, never disappear)."""
    a, b = before.originals(), after.originals()
    assert [t for t, _ in a] == [t for t, _ in b]
    for (tag, attrs), (_, new) in zip(a, b, strict=True):
        got = dict(new)
        for name, value in attrs:
            assert name in got, (tag, name, new)
            assert name in REWRITTEN or got[name] == value, (tag, name, value, got[name])


def _url_for(endpoint: str, filename: str = "") -> str:
    return "/static/" + filename


CONTEXTS: list[dict[str, Any]] = [
    {"a": a, "b": 1, "c": c, "items": [1, 2], "name": "n", "cls": "k"}
    for a in (0, 2)
    for c in (True, False)
]
ENV = jinja2.Environment(extensions=["jinja2.ext.i18n"])
ENV.install_null_translations()  # type: ignore[attr-defined]
ENV.globals.update(f=lambda x: x, url_for=_url_for, asset_url=lambda k: "/static/" + k)


def check_edits(doc: str, res: Result, files: set[str], keys: set[str]) -> None:
    """(1) and (2) of the module docstring, for a rewrite of ``doc`` against a manifest whose
    keys and files are ``keys`` and ``files``."""
    out = res.text
    rebuilt, pos = [], 0
    for s, e, ed in res.spans:
        rebuilt.append(out[pos:s])
        rebuilt.append(doc[ed.start : ed.end])
        pos = e
        new = out[s:e]
        if ed.kind == "attr":
            assert ATTR_RE.match(new) or URL_IN_JINJA.search(new) or FIRST_PASS_RE.match(new), new
        elif ed.kind == "url":
            assert doc[ed.start : ed.end] in keys and new in files, (doc[ed.start : ed.end], new)
        else:
            assert ed.kind == "element" and ELEMENT_RE.match(URL_IN_JINJA.sub("/static/x", new)), (
                new
            )
    rebuilt.append(out[pos:])
    assert "".join(rebuilt) == doc


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCS, st.booleans(), st.booleans())
def test_rewrite_only_inserts_or_rewrites(doc: str, is_page: bool, picture: bool) -> None:
    opts = Options(is_page=is_page, picture=picture, eager=(".hero img",))
    res = rewrite(doc, "pages/x.html" if is_page else "x.html", MANIFEST, opts)
    # (1) + (2): take the output apart, check each inserted or rewritten text
    check_edits(doc, res, FILES, set(MANIFEST))
    assert not res.missing
    out = res.text
    # (3) still compiles
    ENV.parse(doc)
    tpl = ENV.from_string(out)
    # (4) rendered: no duplicated attribute; every original attribute kept with its value
    src_tpl = ENV.from_string(doc)
    for ctx in CONTEXTS:
        html = tpl.render(**ctx)
        after = _Tags(html)
        assert not after.dups(), (html, after.dups())
        _same_tags(_Tags(src_tpl.render(**ctx)), after)
