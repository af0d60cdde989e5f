"""The rewriter on real apps' markup (issue 11 item 3, issue 12 items 1 and 3-6): every asset
reference rewritten or reported, width/height and srcset only where they cannot distort or
over-download, formats that match what the tag says, expression-built tags left alone, and the
LCP rule's size test. Exact output bytes, on hand-made manifests (tests/test_rewrite_cases.py)."""

from __future__ import annotations

from typing import Any

from assetpipe.rewrite.hints import ImageHint
from assetpipe.rewrite.rules import Options, Result, rewrite
from tests.test_rewrite_cases import MANIFEST, SRCSET_A, H

M: dict[str, dict[str, Any]] = {
    **MANIFEST,
    "img/fav.png": {
        "file": f"img/fav-64w-{H}.webp",
        "width": 64,
        "height": 64,
        "variants": [
            {"file": f"img/fav-64w-{H}.webp", "width": 64, "height": 64, "format": "webp"},
            {"file": "img/fav-64w-PPPPPPPP.png", "width": 64, "height": 64, "format": "png"},
        ],
    },
    "site.webmanifest": {"file": "site-MMMMMMMM.webmanifest"},
    "media/clip.svg": {"file": "media/clip-OOOOOOOO.svg"},
}
A = f"/static/img/a-800w-{H}.webp"
HERO = f"/static/img/hero-1600w-{H}.webp"
LAZY = ' loading="lazy" decoding="async"'
DEFAULT = Options()  # what a config without templates options gives
PAGE = Options(is_page=True)


def rw(
    text: str,
    opts: Options = DEFAULT,
    name: str = "partials/x.html",
    images: list[ImageHint] | None = None,
) -> Result:
    return rewrite(text, name, M, opts, None, images)


def rec(
    line: int,
    profile: str,
    vp: int,
    dpr: float,
    w: float,
    h: float,
    safe: bool = True,
    name: str = "partials/x.html",
    src: str | None = "img/hero.jpg",
) -> ImageHint:
    return ImageHint(name, line, src, profile, vp, dpr, w, h, 1600, 900, safe)


# -- issue 11 item 3: every reference rewritten or reported ---------------------------------


def test_inline_style_urls_literal_and_url_for_quoted_or_not() -> None:
    src = (
        "<div style=\"background-image: url('{{ url_for('static', filename='img/a.png') }}')"
        '"></div>\n'
        '<div style="background:url(/static/img/hero.jpg) no-repeat; x: url(img/rel.png)">'
        "</div>\n<div style='background: url(\"/static/img/a.png\")'></div>\n"
    )
    res = rw(src)
    assert res.text == (
        f"<div style=\"background-image: url('{{{{ url_for('static', "
        f"filename='img/a-800w-{H}.webp') }}}}')\"></div>\n"
        f'<div style="background:url({HERO}) no-repeat; x: url(img/rel.png)"></div>\n'
        f"<div style='background: url(\"{A}\")'></div>\n"
    )
    assert res.unresolved == [
        {
            "line": 2,
            "col": 1,
            "tag": "div",
            "attr": "style",
            "value": "img/rel.png",
            "reason": "relative",
        }
    ]


def test_icons_manifest_og_image_poster_object_and_hand_written_srcset() -> None:
    src = (
        '<link rel="icon" type="image/png" href="/static/img/fav.png">\n'
        '<link rel="apple-touch-icon" href="/static/img/fav.png">\n'
        '<link rel="apple-touch-startup-image" href="/static/img/fav.png">\n'
        '<link rel="manifest" href="/static/site.webmanifest">\n'
        '<meta property="og:image" content="/static/img/fav.png">\n'
        '<video poster="/static/img/hero.jpg"></video>\n'
        '<object data="/static/media/clip.svg" type="image/svg+xml"></object>\n'
        '<img srcset="/static/img/hero.jpg 480w, /static/img/hero.jpg 960w" alt="">\n'
    )
    res = rw(src)
    fav = "/static/img/fav-64w-PPPPPPPP.png"  # the original-format output: no WebP icons
    assert res.text == (
        f'<link rel="icon" type="image/png" href="{fav}">\n'
        f'<link rel="apple-touch-icon" href="{fav}">\n'
        f'<link rel="apple-touch-startup-image" href="{fav}">\n'
        '<link rel="manifest" href="/static/site-MMMMMMMM.webmanifest">\n'
        f'<meta property="og:image" content="{fav}">\n'
        f'<video poster="{HERO}"></video>\n'
        '<object data="/static/media/clip-OOOOOOOO.svg" type="image/svg+xml"></object>\n'
        f'<img srcset="/static/img/hero-480w-{H}.webp 480w, /static/img/hero-960w-{H}.webp 960w"'
        f' alt=""{LAZY}>\n'
    )
    assert res.unresolved == []


def test_a_type_attribute_is_never_contradicted() -> None:
    src = (
        '<link rel="preload" as="image" type="image/avif" href="/static/img/hero.jpg">\n'
        '<link rel="preload" as="image" type="image/gif" href="/static/img/hero.jpg">\n'
        '<picture><source type="image/jpeg" srcset="/static/img/hero.jpg 960w">'
        '<img src="/static/img/hero.jpg" alt=""></picture>\n'
    )
    res = rw(src)
    assert res.text.splitlines()[:2] == [
        f'<link rel="preload" as="image" type="image/avif" href="/static/img/hero-1600w-{H}.avif">',
        # no GIF output: left as written and reported
        '<link rel="preload" as="image" type="image/gif" href="/static/img/hero.jpg">',
    ]
    assert f'<source type="image/jpeg" srcset="/static/img/hero-960w-{H}.jpg 960w">' in res.text
    assert [(u["line"], u["reason"]) for u in res.unresolved] == [(2, "type")]


def test_references_left_as_written_are_reported_with_where() -> None:
    src = (
        '<noscript><img src="/static/img/a.png"></noscript>\n'
        '<div data-bg="/static/img/a.png"></div>\n'
        "<style>.x{background:url(/static/img/hero.jpg)}</style>\n"
        '{% raw %}<img src="/static/img/a.png">{% endraw %}\n'
        "<template><img src=\"{{ url_for('static', filename='img/a.png') }}\"></template>\n"
        '<script>var u = "/static/img/gone.png";</script>\n'
        '<!-- <img src="/static/img/a.png"> -->\n'
        '<a href="/static/icons/logo.svg">logo</a>\n'
    )
    res = rw(src)
    assert res.text == src.replace(
        "/static/icons/logo.svg", "/static/icons/logo-LLLLLLLL.svg"
    ).replace(
        "filename='img/a.png'",
        "filename='img/a-800w-HHHHHHHH.png'",  # a Jinja call: rewritten
    ).replace(
        "url(/static/img/hero.jpg)",
        "url(/static/img/hero-1600w-HHHHHHHH.jpg)",  # a <style> body's url(): rewritten
    )
    assert [(u["line"], u["value"], u["where"], u["in_build"]) for u in res.unresolved] == [
        (1, "/static/img/a.png", "<noscript> content, src attribute", True),
        (2, "/static/img/a.png", "data-bg attribute", True),
        (4, "/static/img/a.png", "{% raw %} block", True),
        (6, "/static/img/gone.png", "<script> content", False),
    ]
    assert {u["reason"] for u in res.unresolved} == {"not_rewritten"}


def test_a_literal_the_browser_shows_is_not_a_reference_left_as_written() -> None:
    """An Otter Wiki settings form hints at a path with ``placeholder="/static/img/logo.png"``;
    page text and ``title``/``alt``/``aria-*`` values are shown, never requested. Before, each
    was reported as an asset left unhashed, and ``build --strict`` failed on it."""
    src = (
        '<input name="site_logo" placeholder="/static/img/a.png">\n'
        '<abbr title="/static/img/a.png" aria-label="/static/img/a.png">logo</abbr>\n'
        "<p>Put your logo at /static/img/a.png and reload.</p>\n"
        '<div data-bg="/static/img/a.png"></div>\n'
    )
    res = rw(src)
    assert res.text == src
    assert [(u["line"], u["where"]) for u in res.unresolved] == [(4, "data-bg attribute")]


def test_url_for_calls_outside_attributes_are_rewritten_where_jinja_renders_them() -> None:
    """The Flask Mega-Tutorial's base.html builds a spinner in an inline script:
    ``'<img src="{{ url_for('static', filename='loading.gif') }}">'``. It is a Jinja call, so it
    renders a URL wherever it stands: its filename is rewritten (an image to its original-format
    output: the script's use of it is unknown). Before, it was left unhashed and warned about,
    and ``build --strict`` failed on it."""
    call = "{{ url_for('static', filename='%s') }}"
    src = (
        f"<script>var spinner = '<img src=\"{call % 'img/a.png'}\">';</script>\n"
        f'<div data-icon="{call % "icons/logo.svg"}"></div>\n'
        f"{{% set js = url_for('static', filename='js/app.js') %}}\n"
        f"{{% raw %}}{call % 'img/a.png'}{{% endraw %}}\n"
        f"<!-- {call % 'img/a.png'} -->\n"
        f"<script>var gone = '{call % 'img/gone.png'}';</script>\n"
    )
    res = rw(src)
    lines = res.text.splitlines()
    assert (
        lines[0]
        == f"<script>var spinner = '<img src=\"{call % 'img/a-800w-HHHHHHHH.png'}\">';</script>"
    )
    assert lines[1] == f'<div data-icon="{call % "icons/logo-LLLLLLLL.svg"}"></div>'
    assert lines[2] == "{% set js = url_for('static', filename='js/app-JJJJJJJJ.js') %}"
    assert lines[3:] == src.splitlines()[3:]
    assert [(u["line"], u["where"], u["in_build"]) for u in res.unresolved] == [
        (4, "{% raw %} block", True),
        (6, "<script> content", False),
    ]
    assert {"img/a.png", "icons/logo.svg", "js/app.js"} <= res.keys


# -- issue 12 items 1 and 3: no distortion, no over-download ---------------------------------


def test_defaults_add_no_width_height_and_no_blanket_sizes() -> None:
    """The 36-px avatar case: CSS sets only the width, so intrinsic width/height would stretch
    it, and a blanket sizes would download the 800w file."""
    src = '<img src="/static/img/a.png" class="avatar" alt="">\n'
    assert rw(src).text == f'<img src="{A}" class="avatar" alt=""{LAZY}>\n'
    assert (
        rw(src, Options(dimensions="always")).text
        == f'<img src="{A}" class="avatar" alt=""{LAZY} width="800" height="600">\n'
    )


def test_the_tags_own_width_gives_sizes_but_no_guessed_height() -> None:
    res = rw('<img src="/static/img/a.png" width="36" alt="">')
    assert res.text == (f'<img src="{A}" width="36" alt=""{LAZY} srcset="{SRCSET_A}" sizes="36px">')
    assert (res.images[0]["dimensions"], res.images[0]["sizes"]) == (None, "width attribute")
    assert (
        rw('<img src="/static/img/a.png" width="36">', Options(srcset="never")).text
        == f'<img src="{A}" width="36"{LAZY}>'
    )


def test_sizes_rules_first_match_then_default() -> None:
    opts = Options(
        sizes_rules=((".avatar", "36px"), (".card img", "(max-width: 600px) 100vw, 300px")),
        sizes="50vw",
    )
    src = (
        '<img class="avatar" src="/static/img/a.png">\n'
        '<div class="card"><img class="avatar" src="/static/img/a.png"></div>\n'
        '<img src="/static/img/a.png">\n'
    )
    res = rw(src, opts)
    assert [line.rsplit('sizes="', 1)[1] for line in res.text.splitlines()] == [
        '36px">',
        '36px"></div>',
        '50vw">',
    ]
    assert [i["sizes"] for i in res.images] == ["templates.sizes rule .avatar"] * 2 + [
        "templates.sizes default"
    ]


def test_audit_records_give_sizes_trim_widths_and_allow_dimensions() -> None:
    src = '<img src="/static/img/hero.jpg" alt="">\n'
    recs = [rec(1, "mobile", 412, 1.75, 36.0, 20.25), rec(1, "desktop", 1350, 1.0, 48.0, 27.0)]
    res = rw(src, images=recs)
    # 36 x 1.75 = 63 and 48 x 1 device px: the 480w variant is all any profile needs
    assert res.text == (
        f'<img src="{HERO}" alt=""{LAZY} width="1600" height="900"'
        f' srcset="/static/img/hero-480w-{H}.webp 480w"'
        ' sizes="(max-width: 412px) 36px, (max-width: 1349px) 9vw, 48px">\n'
    )
    assert (res.images[0]["dimensions"], res.images[0]["sizes"]) == (
        "audit: dimensions_safe",
        "audit",
    )
    # one profile where width/height would distort: none added; a full-width image is 100vw
    recs = [
        rec(1, "mobile", 412, 2.0, 412.0, 231.0, safe=False),
        rec(1, "desktop", 1350, 1.0, 1350.0, 759.0),
    ]
    assert rw(src, images=recs).text == (
        f'<img src="{HERO}" alt=""{LAZY} srcset="/static/img/hero-480w-{H}.webp 480w,'
        f' /static/img/hero-960w-{H}.webp 960w, {HERO} 1600w" sizes="100vw">\n'
    )
    # dimensions: never wins over the audit; records of another src or line do not apply
    assert 'width="1600"' not in rw(src, Options(dimensions="never"), images=recs[1:]).text
    other = [
        rec(1, "desktop", 1350, 1.0, 48.0, 27.0, src="img/a.png"),
        rec(2, "desktop", 1350, 1.0, 48.0, 27.0),
    ]
    assert rw(src, images=other).text == f'<img src="{HERO}" alt=""{LAZY}>\n'


def test_data_assetpipe_switches() -> None:
    opts = Options(dimensions="always", sizes="50vw")
    src = (
        '<img src="/static/img/a.png" data-assetpipe="skip">\n'
        '<img src="/static/img/a.png" data-assetpipe="No-Dimensions no-srcset">\n'
        '<img src="/static/img/a.png" data-assetpipe="no-srcset lazy">\n'
    )
    assert rw(src, opts).text == (
        f'<img src="{A}" data-assetpipe="skip">\n'
        f'<img src="{A}" data-assetpipe="No-Dimensions no-srcset"{LAZY}>\n'
        f'<img src="{A}" data-assetpipe="no-srcset lazy"{LAZY} width="800" height="600">\n'
    )
    assert (
        rw('<img src="/static/img/a.png" data-assetpipe="dimensions">').text
        == f'<img src="{A}" data-assetpipe="dimensions"{LAZY} width="800" height="600">'
    )


def test_picture_without_known_width_negotiates_the_format_only() -> None:
    res = rw('<img src="/static/img/hero.jpg" alt="">', Options(picture=True))
    assert res.text == (
        f'<picture><source type="image/avif" srcset="/static/img/hero-1600w-'
        f'{H}.avif"><img src="{HERO}" alt=""{LAZY}></picture>'
    )


# -- issue 12 item 5: expression-built tags, case-insensitive values ------------------------


def test_tags_with_expression_or_conditional_attributes_get_nothing_that_could_clash() -> None:
    opts = Options(dimensions="always", sizes="50vw")
    src = (
        '<img src="/static/img/a.png" {{ attrs|xmlattr }}>\n'
        '<img src="/static/img/a.png" {{ attrs|xmlattr -}}>\n'
        '<img src="/static/img/a.png" {{ lazy_attrs() }} alt="">\n'
        '<img src="/static/img/a.png" {% if big %}width="1200"{% endif %}>\n'
        '<script src="/static/js/app.js" {{ extra|xmlattr }}></script>\n'
    )
    res = rw(src, opts)
    assert res.text == (
        f'<img src="{A}" {{{{ attrs|xmlattr }}}}>\n'
        f'<img src="{A}" {{{{ attrs|xmlattr -}}}}>\n'
        f'<img src="{A}" {{{{ lazy_attrs() }}}} alt="">\n'
        f'<img src="{A}" {{% if big %}}width="1200"{{% endif %}}{LAZY}>\n'
        '<script src="/static/js/app-JJJJJJJJ.js" {{ extra|xmlattr }}></script>\n'
    )
    assert [(s["line"], s["reason"].split(" (")[0].split(":")[0]) for s in res.skipped] == [
        (1, "attributes come partly from an expression"),
        (2, "attributes come partly from an expression"),
        (3, "attributes come partly from an expression"),
        (4, "width set inside {% if %} within the tag"),
        (5, "attributes come partly from an expression"),
    ]


def test_attribute_values_compare_case_insensitively() -> None:
    src = (
        '<img src="/static/img/a.png" fetchpriority="High">\n'
        '<img src="/static/img/hero.jpg" loading="LAZY">\n'
        '<img src="/static/img/a.png" data-assetpipe="EAGER">\n'
        '<link rel="Icon" type="IMAGE/PNG" href="/static/img/fav.png">\n'
    )
    res = rw(src, PAGE, "pages/p.html")
    assert res.text == (
        f'<img src="{A}" fetchpriority="High">\n'
        f'<img src="{HERO}" loading="LAZY" decoding="async">\n'
        f'<img src="{A}" data-assetpipe="EAGER" fetchpriority="high">\n'
        '<link rel="Icon" type="IMAGE/PNG"'
        ' href="/static/img/fav-64w-PPPPPPPP.png">\n'
    )
    assert [i["loading"] for i in res.images] == ["eager", "lazy", "eager"]


# -- issue 12 item 6: the LCP rule -----------------------------------------------------------


def test_a_small_first_image_stays_eager_without_fetchpriority() -> None:
    # a small first image (a table cell's) is passed over: it stays eager, and the large image
    # after it is the LCP candidate (it was lazy, the page's Largest Contentful Paint among it)
    src = (
        '<table><tr><td><img src="/static/img/a.png" width="36" alt=""></td></tr></table>\n'
        '<img src="/static/img/hero.jpg" alt="">\n'
    )
    res = rw(src, PAGE, "pages/p.html")
    assert res.text.startswith(
        f'<table><tr><td><img src="{A}" width="36" alt="" srcset="{SRCSET_A}" sizes="36px">'
        f'</td></tr></table>\n<img src="{HERO}" alt="" fetchpriority="high"'
    )
    assert [i["why"] for i in res.images] == [
        "before the page's first large image (a header, logo or small image)",
        "first image of the page",
    ]
    # alone, it is the first image of the page, eager without fetchpriority
    alone = rw(src.split("\n")[0], PAGE, "pages/p.html")
    assert [i["why"] for i in alone.images] == [
        "first image of the page: too small to be the LCP, no fetchpriority"
    ]
    # the audit saw it at 36 px: same answer without a width attribute
    seen = [rec(1, "desktop", 1350, 1.0, 36.0, 27.0, name="pages/p.html", src=None)]
    res = rw('<img src="/static/img/a.png" alt="">', PAGE, "pages/p.html", images=seen)
    assert "fetchpriority" not in res.text and "loading" not in res.text
    # a large first image (by its natural size) is the LCP candidate
    assert (
        'fetchpriority="high"' in rw('<img src="/static/img/hero.jpg">', PAGE, "pages/p.html").text
    )


def test_layout_images_likely_above_the_fold_are_never_lazy_by_a_guess() -> None:
    src = (
        '<aside class="sidenav"><a class="navbar-brand" href="/">'
        '<img src="/static/img/a.png" class="navbar-brand-img h-100" alt="main_logo"></a>'
        '</aside>\n<header><img src="/static/icons/logo.svg" alt=""></header>\n'
        '<main><img src="/static/img/a.png" alt=""></main>\n'
        '<footer class="logo"><img src="/static/icons/logo.svg" alt=""></footer>\n'
    )
    res = rw(src, name="layouts/base.html")
    assert res.text == (
        '<aside class="sidenav"><a class="navbar-brand" href="/">'
        f'<img src="{A}" class="navbar-brand-img h-100" alt="main_logo"></a></aside>\n'
        '<header><img src="/static/icons/logo-LLLLLLLL.svg" alt=""></header>\n'
        f'<main><img src="{A}" alt=""{LAZY}></main>\n'
        f'<footer class="logo"><img src="/static/icons/logo-LLLLLLLL.svg" alt=""{LAZY}>'
        "</footer>\n"
    )
    assert [i["loading"] for i in res.images] == ["eager", "eager", "lazy", "lazy"]
    # a partial named for the sidebar: its first image, whatever its markup
    res = rw('<div><img src="/static/img/a.png" alt=""></div>', name="partials/sidebar.html")
    assert res.text == f'<div><img src="{A}" alt=""></div>'


def test_markup_that_says_small_is_never_the_lcp_guess() -> None:
    """An avatar or a table icon, first in the page, natural size 1600 px: eager, no priority."""
    for src in (
        '<img class="Avatar rounded" src="/static/img/hero.jpg">',
        '<table><tr><td><img src="/static/img/hero.jpg"></td></tr></table>',
    ):
        res = rw(src, PAGE, "pages/p.html")
        assert res.text == src.replace("/static/img/hero.jpg", HERO), src
        assert (
            res.images[0]["why"]
            == "first image of the page: too small to be the LCP, no fetchpriority"
        )
    # an audit hint (the LCP it saw) still wins
    from assetpipe.rewrite.hints import Hint

    res = rewrite(
        '<img class="avatar" src="/static/img/hero.jpg">',
        "pages/p.html",
        M,
        PAGE,
        [Hint("pages/p.html", 1)],
    )
    assert res.text == f'<img class="avatar" src="{HERO}" fetchpriority="high">'


def test_candidate_lists_and_svg_links() -> None:
    src = (
        '<link rel="preload" as="image" imagesrcset="/static/img/hero.jpg 960w">\n'
        '<img data-srcset="/static/img/a.png 480w" data-src="/static/img/a.png"'
        ' class="lazyload">\n<svg><use xlink:href="/static/icons/logo.svg#mark"></use></svg>\n'
    )
    res = rw(src)
    assert res.text == (
        f'<link rel="preload" as="image" imagesrcset="/static/img/hero-960w-{H}.webp 960w">\n'
        f'<img data-srcset="/static/img/a-480w-{H}.webp 480w" data-src="{A}" class="lazyload"'
        f'{LAZY}>\n<svg><use xlink:href="/static/icons/logo-LLLLLLLL.svg#mark"></use></svg>\n'
    )
    assert res.unresolved == []


def test_a_partial_named_like_a_header_but_not_canvas() -> None:
    src = '<div><img src="/static/img/a.png" alt=""></div>'
    assert "loading" not in rw(src, name="partials/_top-nav.html").text
    assert "loading" in rw(src, name="partials/canvas.html").text


def test_an_img_src_is_the_entrys_file_whatever_its_variants() -> None:
    """The images stage may serve the source itself (re-encoding was larger): ``file`` is then
    no variant of the first format, and the ``src`` still gets exactly ``file``."""
    man = {
        "img/s.png": {
            "file": "img/s-SSSSSSSS.png",
            "width": 400,
            "height": 300,
            "variants": [
                {"file": f"img/s-200w-{H}.webp", "width": 200, "height": 150, "format": "webp"}
            ],
        }
    }
    res = rewrite('<img src="/static/img/s.png">', "p.html", man, DEFAULT)
    assert res.text == f'<img src="/static/img/s-SSSSSSSS.png"{LAZY}>'


def test_an_icon_whose_type_names_a_format_the_file_never_had_gets_its_source_format() -> None:
    """``<link rel="shortcut icon" href="fav.png" type="image/x-icon">`` (a PNG declared as an
    .ico: browsers sniff and show it): the hashed PNG, as the page loaded the PNG before; a
    type the source has (``image/png``) or one for an unknown source is still never
    contradicted."""
    m = {
        **M,
        "img/fav.png": {**M["img/fav.png"], "src": "img/fav.png"},
        "img/n.png": M["img/fav.png"],
    }
    src = (
        '<link rel="shortcut icon" href="/static/img/fav.png" type="image/x-icon">\n'
        '<link rel="icon" type="image/avif" href="/static/img/fav.png">\n'
        '<link rel="icon" type="image/avif" href="/static/img/n.png">\n'
    )
    res = rewrite(src, "partials/x.html", m, DEFAULT, None, None)
    fav = "/static/img/fav-64w-PPPPPPPP.png"
    lines = res.text.splitlines()
    assert lines[0] == f'<link rel="shortcut icon" href="{fav}" type="image/x-icon">'
    assert lines[1] == f'<link rel="icon" type="image/avif" href="{fav}">'
    assert lines[2] == '<link rel="icon" type="image/avif" href="/static/img/n.png">'
    assert [u["reason"] for u in res.unresolved] == ["type"]
