"""The template rewriter on nasty templates (Jinja inside tags and values, split tags, raw blocks,
comments, CRLF...), each with its exact expected output, and the LCP rule, references and
inserted elements on hand-made manifests."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

import jinja2
import pytest

from assetpipe.rewrite.hints import Hint
from assetpipe.rewrite.rules import Options, Result, rewrite
from assetpipe.rewrite.scanner import ScanError, scan

H = "HHHHHHHH"


def _variants(
    stem: str, w: int, h: int, fmts: tuple[str, ...], widths: tuple[int, ...]
) -> list[dict[str, Any]]:
    ext = {"webp": "webp", "jpeg": "jpg", "png": "png", "avif": "avif"}
    return [
        {
            "file": f"img/{stem}-{x}w-{H}.{ext[f]}",
            "width": x,
            "height": round(x * h / w),
            "format": f,
            "size": 100,
        }
        for f in fmts
        for x in widths
    ]


#: a manifest as the images, scripts, styles and static stages write it (docs/architecture.md)
MANIFEST: dict[str, dict[str, Any]] = {
    "img/hero.jpg": {
        "file": f"img/hero-1600w-{H}.webp",
        "width": 1600,
        "height": 900,
        "variants": _variants("hero", 1600, 900, ("webp", "jpeg", "avif"), (480, 960, 1600)),
        "integrity": "sha384-hero",
    },
    "img/a.png": {
        "file": f"img/a-800w-{H}.webp",
        "width": 800,
        "height": 600,
        "variants": _variants("a", 800, 600, ("webp", "png"), (480, 800)),
    },
    "icons/logo.svg": {"file": "icons/logo-LLLLLLLL.svg", "integrity": "sha384-logo"},
    "js/app.js": {
        "file": "js/app-JJJJJJJJ.js",
        "isEntry": True,
        "integrity": "sha384-app",
        "imports": ["_shared-SSSSSSSS.js"],
    },
    "_shared-SSSSSSSS.js": {
        "file": "js/chunks/shared-SSSSSSSS.js",
        "integrity": "sha384-sh",
        "imports": ["_util-UUUUUUUU.js"],
    },
    "_util-UUUUUUUU.js": {"file": "js/chunks/util-UUUUUUUU.js", "integrity": "sha384-ut"},
    "css/app.css": {
        "file": "css/app-CCCCCCCC.css",
        "integrity": "sha384-css",
        "assets": ["fonts/icons-FFFFFFFF.woff2", f"img/hero-1600w-{H}.webp"],
    },
}
SRCSET_HERO = (
    f"/static/img/hero-480w-{H}.webp 480w, /static/img/hero-960w-{H}.webp 960w, "
    f"/static/img/hero-1600w-{H}.webp 1600w"
)
SRCSET_A = f"/static/img/a-480w-{H}.webp 480w, /static/img/a-800w-{H}.webp 800w"
SIZES = "(max-width: 960px) 100vw, 960px"
A = f"/static/img/a-800w-{H}.webp"
LAZY = ' loading="lazy" decoding="async"'
A_SIZED = f' width="800" height="600" srcset="{SRCSET_A}" sizes="{SIZES}"'

#: the opt-ins that write width/height and a default sizes everywhere (``dimensions: always``,
#: ``sizes: "..."``): most cases here are about something else and show everything added
EAGER = (".hero img", "img[fetchpriority=high]")
PAGE = Options(is_page=True, eager=EAGER, dimensions="always", sizes=SIZES, integrity=True)
PARTIAL = Options(is_page=False, eager=EAGER, dimensions="always", sizes=SIZES, integrity=True)


def rw(
    text: str,
    opts: Options = PARTIAL,
    name: str = "partials/x.html",
    hints: list[Hint] | None = None,
) -> Result:
    return rewrite(text, name, MANIFEST, opts, hints)


def out(text: str, opts: Options = PARTIAL, **kw: Any) -> str:
    return rw(text, opts, **kw).text


# -- the nasty cases ------------------------------------------------------------------------


def test_img_split_across_if_branches_keeps_structure_and_only_rewrites_urls() -> None:
    src = (
        '{% if big %}<img src="/static/img/a.png" class="big" {% else %}'
        '<img src="/static/img/a.png" {% endif %}alt="x">\n'
    )
    res = rw(src)
    assert res.text == (
        f'{{% if big %}}<img src="{A}" class="big" {{% else %}}'
        f'<img src="{A}" {{% endif %}}alt="x">\n'
    )
    assert [s["reason"] for s in res.skipped] == [
        "the tag is split across {% if %} branches: left as it is"
    ] * 2


def test_attributes_in_if_branches_inside_one_tag() -> None:
    src = (
        '<img {% if big %}src="/static/img/hero.jpg"{% else %}src="/static/img/a.png"'
        '{% endif %} alt="">'
    )
    # both literals rewritten; the asset is ambiguous, so no size or srcset; lazy still added
    assert out(src) == (
        f'<img {{% if big %}}src="/static/img/hero-1600w-{H}.webp"'
        f'{{% else %}}src="{A}"{{% endif %}} alt=""{LAZY}>'
    )


def test_greater_than_inside_jinja_if_inside_a_tag() -> None:
    src = '<img src="/static/img/a.png" {% if a > b %}class="wide"{% endif %}>'
    res = rw(src)
    # a class set in one branch may change the box: no size, srcset or sizes is added
    assert res.text == f'<img src="{A}" {{% if a > b %}}class="wide"{{% endif %}}{LAZY}>'
    assert (
        res.skipped[0]["reason"]
        == "class set inside {% if %} within the tag: no size, srcset or sizes added"
    )


def test_an_end_tag_left_open_before_a_jinja_construct_does_not_swallow_the_next_tag() -> None:
    # archivy 1.7.7's dataobjs/show.html: `</form` with no `>`, then an include (whose markup
    # holds the `>` that ends it in the browser), an `{% if %}` and a real <link>
    src = (
        '</form\n{% include "parser.html" %}\n{% if not view_only %}\n'
        '<link rel="stylesheet" href="/static/css/app.css">\n{% endif %}'
    )
    assert '<link rel="stylesheet" href="/static/css/app-CCCCCCCC.css"' in out(src)
    tags = scan(src).tags
    assert [t.name for t in tags] == ["link"]
    assert tags[0].jinja == ("if",)  # the `{% if %}` after the end tag is on the stack
    # a plain end tag still ends at its `>`, and one left open at the end of the text is text
    assert [t.name for t in scan("</p >{{ x }}<img src=a>").tags] == ["img"]
    assert scan("<p>x</p").tags[0].name == "p"


def test_jinja_comment_inside_a_tag() -> None:
    src = '<img {# the logo, > and "quotes" #} src="/static/icons/logo.svg">'
    assert (
        out(src)
        == f'<img {{# the logo, > and "quotes" #}} src="/static/icons/logo-LLLLLLLL.svg"{LAZY}>'
    )


def test_double_quote_inside_jinja_call_inside_double_quoted_attribute() -> None:
    src = '<img alt="{{ _("Photo of \\"x\\" > y") }}" src="/static/img/a.png" >\n'
    assert (
        out(src) == f'<img alt="{{{{ _("Photo of \\"x\\" > y") }}}}" src="{A}"{LAZY}{A_SIZED} >\n'
    )


def test_crlf_and_no_final_newline_are_kept() -> None:
    src = (
        '<ul>\r\n  <li><img src="/static/img/a.png"></li>\r\n</ul>\r\n'
        '  <script type="module" src="/static/js/app.js"></script>'
    )
    assert out(src) == (
        f'<ul>\r\n  <li><img src="{A}"{LAZY}{A_SIZED}></li>\r\n</ul>\r\n'
        '  <script type="module" src="/static/js/app-JJJJJJJJ.js" integrity="sha384-app"'
        ' crossorigin="anonymous"></script>\r\n'
        '  <link rel="modulepreload" href="/static/js/chunks/shared-SSSSSSSS.js"'
        ' integrity="sha384-sh" crossorigin="anonymous">\r\n'
        '  <link rel="modulepreload" href="/static/js/chunks/util-UUUUUUUU.js"'
        ' integrity="sha384-ut" crossorigin="anonymous">'
    )


@pytest.mark.parametrize(
    "src",
    [
        '{% raw %}<img src="/static/img/a.png">{{ not jinja }}{% endraw %}\n',
        '{%- raw -%} <img src="/static/img/a.png"> {%- endraw %}',
        '<!-- <img src="/static/img/a.png"> -->\n',
        '<!--[if lt IE 9]><script src="/static/js/app.js"></script><![endif]-->\n',
        '<template id="row"><img src="/static/img/a.png"><script src="/static/js/app.js">'
        "</script></template>",
        '<noscript><img src="/static/img/a.png"><link rel="stylesheet" href="/static/css/app.css">'
        "</noscript>",
        '<template><template><img src="/static/img/a.png"></template><img src="x.png"></template>',
        "<p title=\"{{ '<img src=/static/img/a.png>' }}\">&amp; &#x25CF; &eacute; &nbsp;</p>\n",
        '{% trans %}See <img src="/static/img/a.png"> here{% endtrans %}',
        '{% blocktrans %}See <img src="/static/img/a.png"> here{% endblocktrans %}',
        '{% blocktranslate count n=3 %}<img src="/static/img/a.png">{% plural %}<img src="/static/img/a.png">'
        "{% endblocktranslate %}",
        '{{ "}}<img src=\'/static/img/a.png\'>" }}{{ {"a": {"b": 1}} }}',
    ],
)
def test_left_alone(src: str) -> None:
    assert out(src) == src


def test_a_whole_static_url_string_of_a_script_body_names_the_hashed_file() -> None:
    """A ``<script>`` body's string that is a whole static URL (the HTML5 Boilerplate's jQuery
    fallback written by ``document.write``), or a ``<style>`` body's ``url()`` (Flask's old
    website's ``h1 { background-image: url(/static/edit-snippet.png); }``), gets the file's
    hashed name, an image its
    original-format file (the consumer is unknown); a string with more than the URL, or an
    ES module's specifier, is left alone."""
    png = f"/static/img/a-800w-{H}.png"
    src = "<script>document.write('<img src=\"/static/img/a.png\">');</script>\n"
    assert out(src) == src.replace("/static/img/a.png", png)
    # a <style> body's url() too, not an <img> in its comment
    src = '<style>.x { background: url(/static/img/a.png) } /* <img src="/static/img/a.png"> */'
    assert out(src + "</style>") == src.replace("url(/static/img/a.png)", f"url({png})") + (
        "</style>"
    )
    for kept in (
        "<style>.x { background: url('/static/img/a.png?v=2') }</style>",
        "<script>var u = '/static/img/a.png?v=2';</script>",
        "<script>var u = '/static/img/' + name;</script>",
        '<script type="module">import {a} from "/static/js/app.js";</script>',
    ):
        assert out(kept) == kept


def test_djangos_trans_tag_is_no_block() -> None:
    """Django's ``{% trans "Toggle navigation" %}`` is one tag (Jinja's ``{% trans %}`` and
    Django's ``{% blocktrans %}`` are blocks): read as a block, it hid every tag after it,
    and Kiwi TCMS's navbar logo after it kept its PNG, unsized, skipped as "inside {% trans
    %}"."""
    src = '<span>{% trans "Toggle navigation" %}</span>\n<img src="/static/img/a.png" alt="x">\n'
    plain = '<span>Toggle navigation</span>\n<img src="/static/img/a.png" alt="x">\n'
    res = rw(src)
    assert not res.skipped, res.skipped
    expected = out(plain).replace(
        "<span>Toggle navigation</span>", '<span>{% trans "Toggle navigation" %}</span>'
    )
    assert res.text == expected
    assert A in res.text


def test_jinja_string_literals_are_never_rewritten_except_url_for_static() -> None:
    src = (
        "{% set hero = '/static/img/hero.jpg' %}<img src=\"{{ hero }}\">"
        "<a href=\"{{ url_for('static', filename='img/a.png') }}\">a</a>"
    )
    assert out(src) == (
        "{% set hero = '/static/img/hero.jpg' %}<img src=\"{{ hero }}\"" + LAZY + ">"
        f"<a href=\"{{{{ url_for('static', filename='img/a-800w-{H}.webp') }}}}\">a</a>"
    )


def test_entities_quoting_and_attribute_order_survive() -> None:
    src = "<img alt='Caf&eacute; &amp; bar' src='/static/img/a.png' data-x=1 class=thumb />"
    assert out(src) == (
        f"<img alt='Caf&eacute; &amp; bar' src='{A}' data-x=1 class=thumb"
        " loading='lazy' decoding='async' width='800' height='600'"
        f" srcset='{SRCSET_A}' sizes='{SIZES}' />"
    )
    # in HTML an unquoted value runs up to whitespace or '>': 'thumb/' keeps its slash
    assert out(
        "<img class=thumb/>"
    ) == "<img class=thumb/ loading='lazy' decoding='async'>".replace("'", '"')


def test_whitespace_control_never_eats_the_separating_space() -> None:
    src = "<img src='/static/icons/logo.svg' {%- if x %} alt=\"y\"{% endif -%}\n>"
    res = rw(src)
    assert res.text == (
        '<img loading="lazy" decoding="async"'
        " src='/static/icons/logo-LLLLLLLL.svg'"
        ' {%- if x %} alt="y"{% endif -%}\n>'
    )
    env = jinja2.Environment()
    for x in (True, False):
        html = env.from_string(res.text).render(x=x)
        assert html.startswith('<img loading="lazy" decoding="async" src='), html


def test_multiline_tag() -> None:
    src = '<img\n  class="x"\n  src="/static/icons/logo.svg"\n/>\n'
    assert out(src) == f'<img\n  class="x"\n  src="/static/icons/logo-LLLLLLLL.svg"{LAZY}\n/>\n'


def test_an_attribute_set_inside_if_in_the_tag_is_never_added_again() -> None:
    src = '<img src="/static/icons/logo.svg" {% if lazy %}loading="lazy"{% endif %}>'
    res = rw(src)
    assert res.text == (
        '<img src="/static/icons/logo-LLLLLLLL.svg" '
        '{% if lazy %}loading="lazy"{% endif %} decoding="async">'
    )
    assert res.skipped[0]["reason"] == "'loading' is set inside {% if %} within the tag: not added"


def test_unterminated_jinja_is_a_scan_error_with_offset() -> None:
    with pytest.raises(ScanError) as e:
        scan('<p>ok</p>\n<img src="{{ x ">')
    assert e.value.offset == 20


# -- the LCP rule ---------------------------------------------------------------------------


def test_first_image_of_a_page_is_eager_loop_images_lazy() -> None:
    """The hero, the first image outside a loop, is eager; the loop before it draws the page's
    first image, so its first pass is eager too and the later passes lazy."""
    src = (
        '{% extends "base.html" %}{% block content %}\n'
        '{% for p in photos %}<img src="{{ p.url }}">{% endfor %}\n'
        '<img src="/static/img/hero.jpg" alt="">\n'
        '<img src="/static/img/a.png" alt="">\n{% endblock %}\n'
    )
    res = rw(src, PAGE, name="pages/index.html")
    assert res.text == (
        '{% extends "base.html" %}{% block content %}\n'
        '{% for p in photos %}<img src="{{ p.url }}" {% if loop is not defined or not'
        f" loop.first %}}{LAZY.strip()}{{% endif %}}>{{% endfor %}}\n"
        f'<img src="/static/img/hero-1600w-{H}.webp" alt="" fetchpriority="high" width="1600"'
        f' height="900" srcset="{SRCSET_HERO}" sizes="{SIZES}">\n'
        f'<img src="{A}" alt=""{LAZY}{A_SIZED}>\n{{% endblock %}}\n'
    )
    imgs = res.images
    assert [(i["line"], i["loading"], i["why"], i["asset"]) for i in imgs] == [
        (2, "eager", "first image of the page, in a loop: eager on its first pass", None),
        (3, "eager", "first image of the page", "img/hero.jpg"),
        (4, "lazy", "default", "img/a.png"),
    ]
    assert f"img/hero-960w-{H}.webp" in imgs[1]["files"]
    assert res.unresolved == [
        {
            "line": 2,
            "col": 22,
            "tag": "img",
            "attr": "src",
            "value": "{{ p.url }}",
            "reason": "dynamic",
        }
    ]


def test_layouts_and_partials_get_no_eager_image() -> None:
    assert out('<img src="/static/img/a.png">') == f'<img src="{A}"{LAZY}{A_SIZED}>'


def test_eager_selector_and_fetchpriority_attribute() -> None:
    src = (
        '<div class="hero"><img src="/static/img/a.png"></div>'
        '<img src="/static/icons/logo.svg" fetchpriority="high">'
    )
    assert out(src) == (
        f'<div class="hero"><img src="{A}" fetchpriority="high"'
        f' width="800" height="600" srcset="{SRCSET_A}" sizes="{SIZES}"></div>'
        '<img src="/static/icons/logo-LLLLLLLL.svg" fetchpriority="high">'
    )


def test_data_assetpipe_overrides_and_existing_loading_wins() -> None:
    src = (
        '<img src="/static/icons/logo.svg" data-assetpipe="lazy">\n'
        '<img src="/static/icons/logo.svg" data-assetpipe="eager">\n'
        '<img src="/static/icons/logo.svg" loading="eager">\n'
        '<iframe src="https://example.com/embed"></iframe>\n'
        '<iframe src="https://example.com/embed" loading="eager"></iframe>\n'
    )
    L = "/static/icons/logo-LLLLLLLL.svg"
    res = rw(src, PAGE, name="pages/p.html")
    assert res.text == (
        f'<img src="{L}" data-assetpipe="lazy"{LAZY}>\n'
        f'<img src="{L}" data-assetpipe="eager" fetchpriority="high">\n'
        f'<img src="{L}" loading="eager" decoding="async">\n'
        '<iframe src="https://example.com/embed" loading="lazy"></iframe>\n'
        '<iframe src="https://example.com/embed" loading="eager"></iframe>\n'
    )
    assert [i["loading"] for i in res.images] == ["lazy", "eager", "eager"]


def test_lcp_hint_makes_an_image_eager_and_reports_use() -> None:
    src = '<p>x</p>\n<ul>{% for i in xs %}<li><img src="/static/img/a.png">{% endfor %}</ul>\n'
    hint = Hint("partials/x.html", 2, "img/a.png")
    res = rw(src, hints=[hint, Hint("partials/x.html", 2, "img/other.png")])
    # a hinted tag in a loop: the first pass is the LCP (eager, fetched first), the others lazy
    first_pass = (
        '{% if loop is not defined or not loop.first %}loading="lazy" decoding="async"'
        '{% else %}fetchpriority="high"{% endif %}'
    )
    assert res.text == (
        f'<p>x</p>\n<ul>{{% for i in xs %}}<li><img src="{A}" {first_pass}'
        f' width="800" height="600" srcset="{SRCSET_A}" sizes="{SIZES}">'
        "{% endfor %}</ul>\n"
    )
    assert res.hints_used == {hint}


def test_sizes_auto_only_with_lazy() -> None:
    opts = Options(is_page=True, sizes="auto, 50vw", dimensions="always")
    res = rw('<img src="/static/img/a.png"><img src="/static/img/a.png">', opts, "pages/a.html")
    assert 'fetchpriority="high" width="800" height="600" srcset' in res.text
    assert res.text.count('sizes="50vw"') == 1 and res.text.count('sizes="auto, 50vw"') == 1


def test_intrinsic_size_completes_a_half_given_pair() -> None:
    assert (
        out('<img src="/static/img/a.png" width="400" srcset="x.png 1x">')
        == f'<img src="{A}" width="400" srcset="x.png 1x"{LAZY} height="300">'
    )


def test_picture_wraps_with_avif_and_webp_sources() -> None:
    opts = Options(picture=True, srcset_format="original", sizes=SIZES, dimensions="always")
    res = rw('<p><img src="/static/img/hero.jpg" alt=""></p>', opts)
    jpg = ", ".join(f"/static/img/hero-{w}w-{H}.jpg {w}w" for w in (480, 960, 1600))
    avif = ", ".join(f"/static/img/hero-{w}w-{H}.avif {w}w" for w in (480, 960, 1600))
    assert res.text == (
        f'<p><picture><source type="image/avif" srcset="{avif}" sizes="{SIZES}">'
        f'<source type="image/webp" srcset="{SRCSET_HERO}" sizes="{SIZES}">'
        f'<img src="/static/img/hero-1600w-{H}.webp" alt=""{LAZY} width="1600" height="900"'
        f' srcset="{jpg}" sizes="{SIZES}"></picture></p>'
    )
    # already inside a <picture>: not wrapped twice
    inner = '<picture><img src="/static/img/hero.jpg"></picture>'
    assert "<picture><picture>" not in rw(inner, opts).text


# -- font preloads ---------------------------------------------------------------------------


def test_font_preloads_are_opt_in() -> None:
    """A stylesheet's fonts are preloaded only with ``preload.fonts``: a preload fetches a
    font on every page that links the stylesheet, used there or not."""
    link = '<link rel="stylesheet" href="/static/css/app.css">\n'
    assert 'rel="preload"' not in out(link)
    with_fonts = replace(PARTIAL, preload_fonts=True)
    assert out(link, with_fonts).splitlines()[1] == (
        '<link rel="preload" href="/static/fonts/icons-FFFFFFFF.woff2" as="font"'
        ' type="font/woff2" crossorigin>'
    )


def test_font_preloads_leave_out_fallback_formats() -> None:
    """WOFF2 only when a stylesheet has it: every browser that reads a preload reads WOFF2,
    so the ``woff``/``ttf`` beside it in a ``src`` list is never fetched without the preload."""
    entry = {
        "file": "css/app-CCCCCCCC.css",
        "assets": ["fonts/i-AAAAAAAA.woff2", "fonts/i-BBBBBBBB.woff", "fonts/i-CCCCCCCC.ttf"],
    }
    opts = replace(PARTIAL, preload_fonts=True)
    link = '<link rel="stylesheet" href="/static/css/app.css">\n'
    text = rewrite(link, "partials/x.html", {"css/app.css": entry}, opts, None).text
    assert [ln for ln in text.splitlines() if "preload" in ln] == [
        '<link rel="preload" href="/static/fonts/i-AAAAAAAA.woff2" as="font"'
        ' type="font/woff2" crossorigin>'
    ]
    only_woff = {**entry, "assets": ["fonts/i-BBBBBBBB.woff"]}
    text = rewrite(link, "partials/x.html", {"css/app.css": only_woff}, opts, None).text
    assert 'href="/static/fonts/i-BBBBBBBB.woff" as="font" type="font/woff"' in text


# -- references -----------------------------------------------------------------------------


def test_reference_forms() -> None:
    src = (
        '<link rel="stylesheet" href="/static/css/app.css?v=2#x">\n'
        "<img src=\"{{ asset_url('img/a.png') }}\">\n"
        "<img src=\"{{ url_for('static', filename='img/gallery/' ~ p.file) }}\">\n"
        '<img src="img/a.png"><img src="/media/a.png"><img src="https://cdn.example/a.png">\n'
        '<img src="data:image/png;base64,AAAA">\n'
        '<a href="/static/img/a.png" download>a</a><a href="/about">about</a>\n'
    )
    res = rw(src)
    assert res.text == (
        '<link rel="stylesheet" href="/static/css/app-CCCCCCCC.css?v=2#x"'
        ' integrity="sha384-css" crossorigin="anonymous">\n'
        f"<img src=\"{{{{ asset_url('img/a.png') }}}}\"{LAZY}{A_SIZED}>\n"
        "<img src=\"{{ url_for('static', filename='img/gallery/' ~ p.file) }}\"" + LAZY + ">\n"
        f'<img src="img/a.png"{LAZY}><img src="/media/a.png"{LAZY}>'
        f'<img src="https://cdn.example/a.png"{LAZY}>\n'
        f'<img src="data:image/png;base64,AAAA"{LAZY}>\n'
        f'<a href="/static/img/a-800w-{H}.png" download>a</a><a href="/about">about</a>\n'
    )
    assert [(u["line"], u["reason"]) for u in res.unresolved] == [
        (3, "dynamic"),
        (4, "relative"),
        (4, "other"),
        (4, "other"),
    ]


def _preloads(uf: str) -> str:
    """The two modulepreload links the rewrite adds after ``js/app.js``, named in ``uf``'s
    form (``url_for(...)`` with ``%s`` for the file)."""
    return (
        f'<link rel="modulepreload" href="{uf % "js/chunks/shared-SSSSSSSS.js"}"'
        ' integrity="sha384-sh" crossorigin="anonymous">\n'
        f'<link rel="modulepreload" href="{uf % "js/chunks/util-UUUUUUUU.js"}"'
        ' integrity="sha384-ut" crossorigin="anonymous">'
    )


def test_url_for_form_is_kept_in_inserted_links_and_srcset() -> None:
    src = (
        "<script type=\"module\" src=\"{{ url_for('static', filename='js/app.js') }}\">"
        "</script><img src=\"{{ url_for('static', filename='img/a.png') }}\">"
    )
    res = rw(src)
    uf = "{{ url_for('static', filename='%s') }}"
    assert res.text == (
        f'<script type="module" src="{uf % "js/app-JJJJJJJJ.js"}" integrity="sha384-app"'
        ' crossorigin="anonymous"></script>\n'
        + _preloads(uf)
        + f'<img src="{uf % f"img/a-800w-{H}.webp"}"{LAZY} width="800" height="600" srcset="'
        f'{uf % f"img/a-480w-{H}.webp"} 480w, {uf % f"img/a-800w-{H}.webp"} 800w"'
        f' sizes="{SIZES}">'
    )
    jinja2.Environment().parse(res.text)


def test_django_static_tag_is_rewritten_in_its_own_form() -> None:
    """A Django template names a static file ``{% static 'K' %}``: before, such a value was
    ``dynamic``, left unhashed without a warning (a Django project's build hashed nothing its
    pages load). Now K alone is rewritten, the tag kept (Django's ``STATIC_URL`` still
    applies), the links and srcset the rewrite adds use the tag too, and every other byte of
    the template stays: its filters with ``:`` arguments, ``{% url %}``. A ``{% static 'K' as
    name %}``, whose URL ``{{ name }}`` writes anywhere, was left unhashed: its K is the
    image's original-format output now (the consumer is unknown)."""
    st = "{%% static '%s' %%}"
    src = (
        '{% load static %}<link rel="stylesheet" href="{% static \'css/app.css\' %}">'
        '<script type="module" src="{% static \'js/app.js\' %}"></script>'
        "<img src=\"{% static 'img/a.png' %}\" alt=\"{{ page.title|default:'A' }}\">"
        "<a href=\"{% url 'home' %}\">{% static 'img/a.png' as a %}</a>"
    )
    res = rw(src)
    assert res.text == (
        f'{{% load static %}}<link rel="stylesheet" href="{st % "css/app-CCCCCCCC.css"}"'
        ' integrity="sha384-css" crossorigin="anonymous">'
        f'<script type="module" src="{st % "js/app-JJJJJJJJ.js"}" integrity="sha384-app"'
        ' crossorigin="anonymous"></script>\n'
        + _preloads(st)
        + f'<img src="{st % f"img/a-800w-{H}.webp"}" alt="{{{{ page.title|default:\'A\' }}}}"'
        f'{LAZY} width="800" height="600" srcset="{st % f"img/a-480w-{H}.webp"} 480w,'
        f' {st % f"img/a-800w-{H}.webp"} 800w" sizes="{SIZES}">'
        f"<a href=\"{{% url 'home' %}}\">{{% static 'img/a-800w-{H}.png' as a %}}</a>"
    )
    assert res.unresolved == []


@pytest.mark.parametrize("kw", ["path", "file_path"])
def test_starlette_url_for_path_is_rewritten_in_its_own_form(kw: str) -> None:
    """Starlette and FastAPI name a static file ``url_for('static', path='/K')`` (FastAPI's
    templates tutorial): before, such a reference was ``dynamic``, left unhashed without a
    warning (``build --strict`` passed with nothing hashed). Now K is rewritten like Flask's
    ``filename``, the slash before it kept, and the links and srcset the rewrite adds use
    ``path=`` too (``filename=`` raises ``NoMatchFound`` in Starlette). Litestar's static files
    router is named the same way with ``file_path=K``: it was ``dynamic`` too, every stylesheet
    and script of a Litestar app left unhashed."""
    src = (
        f"<link rel=\"stylesheet\" href=\"{{{{ url_for('static', {kw}='/css/app.css') }}}}\">"
        f"<script type=\"module\" src=\"{{{{ url_for('static', {kw}='js/app.js') }}}}\"></script>"
        f"<img src=\"{{{{ url_for('static', {kw}='/img/a.png') }}}}\">"
        f"<script>var logo = \"{{{{ url_for('static', {kw}='/icons/logo.svg') }}}}\";</script>"
    )
    res = rw(src)
    uf = f"{{{{ url_for('static', {kw}='%s') }}}}"
    assert res.text == (
        f'<link rel="stylesheet" href="{uf % "/css/app-CCCCCCCC.css"}" integrity="sha384-css"'
        ' crossorigin="anonymous">'
        f'<script type="module" src="{uf % "js/app-JJJJJJJJ.js"}" integrity="sha384-app"'
        ' crossorigin="anonymous"></script>\n'
        + _preloads(uf)
        + f'<img src="{uf % f"/img/a-800w-{H}.webp"}"{LAZY} width="800" height="600" srcset="'
        f'{uf % f"img/a-480w-{H}.webp"} 480w, {uf % f"img/a-800w-{H}.webp"} 800w"'
        f' sizes="{SIZES}">'
        f'<script>var logo = "{uf % "/icons/logo-LLLLLLLL.svg"}";</script>'
    )
    assert res.unresolved == []
    jinja2.Environment().parse(res.text)


def test_static_routes_names_another_mount_whose_url_for_is_rewritten() -> None:
    """sqladmin names its own files ``url_for('admin:statics', path='css/x.css')``: left as
    written (compressed, never hashed) until ``templates.static_routes`` names that route; then
    K is rewritten and the links the rewrite adds call the same route. Without it, the same
    text is untouched: a route the build does not know may serve another folder."""
    src = (
        "<link rel=\"stylesheet\" href=\"{{ url_for('admin:statics', path='css/app.css') }}\">"
        "<script type=\"module\" src=\"{{ url_for('admin:statics', path='/js/app.js') }}\">"
        "</script><script>var u = \"{{ url_for('admin:statics', path='icons/logo.svg') }}\";"
        "</script>"
    )
    assert rw(src).text == src
    opts = dataclasses.replace(PARTIAL, static_routes=("static", "admin:statics"))
    res = rw(src, opts)
    uf = "{{ url_for('admin:statics', path='%s') }}"
    assert res.text == (
        f'<link rel="stylesheet" href="{uf % "css/app-CCCCCCCC.css"}" integrity="sha384-css"'
        ' crossorigin="anonymous">'
        f'<script type="module" src="{uf % "/js/app-JJJJJJJJ.js"}" integrity="sha384-app"'
        ' crossorigin="anonymous"></script>\n'
        + _preloads(uf)
        + f'<script>var u = "{uf % "icons/logo-LLLLLLLL.svg"}";</script>'
    )
    assert res.unresolved == []
    jinja2.Environment().parse(res.text)


def test_url_for_with_more_arguments_is_rewritten_keeping_them() -> None:
    """Otter Wiki's ``og:image`` is ``url_for("static", filename=..., _external=True)``: before,
    any argument after ``filename`` hid the call, left unhashed and unreported."""
    src = (
        '<meta property="og:image" content="{{ url_for("static", '
        'filename="img/a.png", _external=True) }}">\n'
        "<img src=\"{{ url_for('static', filename='img/a.png', v=config.get('V')) }}\">\n"
    )
    res = rw(src)
    lines = res.text.splitlines()
    assert lines[0] == src.splitlines()[0].replace("img/a.png", "img/a-800w-HHHHHHHH.png")
    assert lines[1].startswith(
        f"<img src=\"{{{{ url_for('static', filename='img/a-800w-{H}.webp', v=config.get('V')) }}}}\""
    ), lines[1]
    # srcset candidates are plain calls: the URL is the hashed file's either way
    assert f"{{{{ url_for('static', filename='img/a-480w-{H}.webp') }}}} 480w" in lines[1]
    assert res.unresolved == []
    jinja2.Environment().parse(res.text)


def test_srcset_candidates_written_as_url_for_are_each_rewritten() -> None:
    """A hand-written srcset of ``url_for`` calls (a retina logo's ``1x, 2x``, a ``<source>``'s
    ``Nw``): the commas inside the calls do not split the list, each literal ``filename`` gets
    its file (a ``type`` kept, a width's variant for ``Nw``), and a computed one is reported
    alone while the literal candidates beside it are still rewritten."""
    uf = "{{ url_for('static', filename='%s') }}"
    src = (
        f'<img src="{uf % "img/a.png"}" srcset="{uf % "img/a.png"} 1x, {uf % "img/hero.jpg"} 2x"'
        ' alt="">\n'
        f'<picture><source type="image/jpeg" srcset="{uf % "img/hero.jpg"} 960w,'
        f'{uf % "img/hero.jpg"} 1600w"><img src="{uf % "img/hero.jpg"}" alt=""></picture>\n'
        f'<img src="{uf % "img/a.png"}" srcset="{uf % "img/a.png"} 1x, {{{{ user.avatar }}}} 2x"'
        ' alt="">\n'
    )
    res = rw(src)
    lines = res.text.splitlines()
    assert (
        f'srcset="{uf % f"img/a-800w-{H}.webp"} 1x, {uf % f"img/hero-1600w-{H}.webp"} 2x"'
        in lines[0]
    ), lines[0]
    assert (
        f'srcset="{uf % f"img/hero-960w-{H}.jpg"} 960w,{uf % f"img/hero-1600w-{H}.jpg"} 1600w"'
        in lines[1]
    ), lines[1]
    assert f'srcset="{uf % f"img/a-800w-{H}.webp"} 1x, {{{{ user.avatar }}}} 2x"' in lines[2]
    assert [(u["line"], u["attr"], u["value"]) for u in res.unresolved] == [
        (3, "srcset", "{{ user.avatar }}")
    ]
    jinja2.Environment().parse(res.text)


def test_a_download_link_gets_the_image_in_its_own_format() -> None:
    """``<a download>`` saves the file: the JPEG the page offered, not a WebP; a plain link
    (a lightbox's full-size view, shown in an ``<img>``) gets the default output."""
    src = '<a href="/static/img/hero.jpg" download>Save</a><a href="/static/img/hero.jpg">View</a>'
    assert out(src) == (
        f'<a href="/static/img/hero-1600w-{H}.jpg" download>Save</a>'
        f'<a href="/static/img/hero-1600w-{H}.webp">View</a>'
    )


def test_existing_preloads_and_integrity_are_not_duplicated() -> None:
    src = (
        '<link rel="modulepreload" href="/static/_shared-SSSSSSSS.js">\n'
        '<script type="module" src="/static/js/app.js" integrity="sha384-mine"></script>\n'
        '<link rel="stylesheet" href="/static/css/app.css">\n'
        '<link rel="stylesheet" href="/static/css/app.css" crossorigin="use-credentials">\n'
    )
    res = rw(src, replace(PARTIAL, preload_fonts=True))
    # the existing preload (its key rewritten to the file) is not repeated; util is added
    assert res.text.count("modulepreload") == 2
    assert res.text.count("util-UUUUUUUU.js") == 1
    # the integrity written for the source is the built file's (test_integrity_rebuilt)
    assert 'integrity="sha384-app" crossorigin="anonymous"' in res.text
    assert "sha384-mine" not in res.text
    assert res.text.count('rel="preload"') == 1
    assert 'crossorigin="use-credentials" integrity="sha384-css">' in res.text


def test_an_integrity_written_for_the_source_names_the_built_file() -> None:
    """django-allauth's example, a CDN's file made local with its ``integrity`` kept: the
    built file's value replaces it on a stylesheet, a script and a preload, whether
    ``templates.integrity`` is on or off; one holding template code stays as written."""
    src = (
        '<link rel="preload" as="style" href="/static/css/app.css" integrity="sha384-cdn">\n'
        '<link rel="stylesheet" href="/static/css/app.css" integrity="sha384-cdn">\n'
        '<script src="/static/js/app.js" integrity="{{ sri }}"></script>\n'
    )
    for integrity in (False, True):
        text = rw(src, replace(PARTIAL, integrity=integrity)).text
        assert "sha384-cdn" not in text and text.count('integrity="sha384-css"') == 2, text
        assert 'integrity="{{ sri }}"' in text
        assert ('crossorigin="anonymous"' in text) is integrity


def test_missing_literal_references_are_returned_not_raised() -> None:
    res = rw('<p>\n  <img src="/static/img/nope.png"><img src="{{ asset_url(\'img/gone.png\') }}">')
    assert res.missing == [(2, 13, "img/nope.png", "/static/img/nope.png")]
    assert res.unresolved[0]["reason"] == "asset_url"


def test_percent_encoded_literal() -> None:
    man = {"img/my photo.png": {"file": "img/my photo-XXXXXXXX.png"}}
    res = rewrite('<a href="/static/img/my%20photo.png">x</a>', "p.html", man, PARTIAL)
    assert res.text == '<a href="/static/img/my%20photo-XXXXXXXX.png">x</a>'


def test_cdn_public_path() -> None:
    opts = Options(public_path="https://cdn.example.com/assets/", integrity=True)
    res = rewrite(
        '<script src="https://cdn.example.com/assets/js/app.js"></script>', "p.html", MANIFEST, opts
    )
    assert res.text == (
        '<script src="https://cdn.example.com/assets/js/app-JJJJJJJJ.js"'
        ' integrity="sha384-app" crossorigin="anonymous"></script>'
    )


def test_selectors_map_to_tags_in_crlf_files_after_multiline_comments() -> None:
    src = (
        '<p>\r\n  x\r\n<div class="hero">\r\n   <img src="/static/icons/logo.svg" alt="{{ a }}">'
        '</div>\r\n<div class="hero"><!-- c\r\n --><img src="/static/icons/logo.svg"></div>'
        '<img src="/static/icons/logo.svg">'
    )
    res = rw(src)
    assert [(i["line"], i["col"], i["why"]) for i in res.images] == [
        (4, 4, "selector .hero img"),
        (6, 5, "selector .hero img"),
        (6, 45, "default"),
    ]


def test_custom_tags_keep_the_jinja_token_stream() -> None:
    """A template with an extension's tag does not compile in a plain environment; its lexer
    tokens (outside text and string literals) are what must survive."""
    src = (
        '{% assets "css_all" %}<link rel="stylesheet" href="/static/css/app.css">'
        '{% endassets %}\n<img src="/static/img/a.png" alt="{{ _(\'x\') }}">\n'
    )
    env = jinja2.Environment()
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.parse(src)
    res = rw(src)
    assert res.text != src

    def tokens(text: str) -> list[tuple[str, str]]:
        return [(t, v) for _, t, v in env.lex(text) if t not in ("data", "string")]

    assert tokens(res.text) == tokens(src)


def test_a_literal_default_in_a_conditional_value_is_hashed_and_nothing_else() -> None:
    """A static file named literally in one branch of a value built by ``{% if %}`` (an
    uploaded logo or the app's default, BookWyrm's favicon): its K is rewritten to the hashed
    file in the source's format (the other branch may be any image: no srcset, no WebP, no
    width/height); a value naming the static folder otherwise too (a computed file) and a
    script's are left as written and reported."""
    cond = "{% if u %}{{ u }}{% else %}{{ url_for('static', filename='img/a.png') }}{% endif %}"
    r = rw(f'<img src="{cond}" alt=""><link rel="icon" href="{cond}">')
    hashed = cond.replace("img/a.png", f"img/a-800w-{H}.png")
    assert r.text == f'<img src="{hashed}" alt=""{LAZY}><link rel="icon" href="{hashed}">'
    assert r.unresolved == []
    mixed = "{% if u %}/static/img/{{ u }}.png{% else %}{{ url_for('static', filename='img/a.png') }}{% endif %}"
    script = "{% if d %}{{ url_for('static', filename='js/app.js') }}{% endif %}"
    r = rw(f'<img src="{mixed}" alt=""><script src="{script}"></script>')
    assert mixed in r.text and f'"{script}"' in r.text
    assert [u["reason"] for u in r.unresolved] == ["dynamic", "dynamic"]


def test_a_literal_default_beside_another_branchs_whole_url_is_hashed() -> None:
    """Weblate's e-mail layout: ``<img src="{% if request %}{% static "email-logo.png" %}{%
    else %}cid:email-logo.png@cid.weblate.org{% endif %}">``. The other branch's literal text is
    a whole URL of its own, never joined to the reference: K is hashed (before, the value was
    left as written and reported, and ``build --strict`` failed on three such tags). Text that
    the branches share with the reference (before or after the ``{% if %}``, or in an
    enclosing branch) still joins it: left as written and reported."""
    cid = "{% else %}cid:a.png@cid.example.org{% endif %}"
    tag = "{% if r %}{% static 'img/a.png' %}" + cid
    r = rw(f'<img src="{tag}" alt="">')
    assert r.text == f'<img src="{tag.replace("img/a.png", f"img/a-800w-{H}.png")}" alt=""{LAZY}>'
    assert r.unresolved == []
    nested = "{% if a %}x{% else %}{% if r %}{% static 'img/a.png' %}" + cid + "{% endif %}"
    assert rw(f'<img src="{nested}" alt="">').unresolved == []
    joined = [
        "https://cdn.example.org" + tag,  # text before the {% if %}: every branch's prefix
        tag + "?v=2x",
        "{% if a %}/p{% if r %}{% static 'img/a.png' %}{% endif %}{% endif %}",
    ]
    for value in joined:
        r = rw(f'<img src="{value}" alt="">')
        assert f'src="{value}"' in r.text, value
        assert [u["reason"] for u in r.unresolved] == ["dynamic"], value
