"""A page whose Largest Contentful Paint is drawn by another template keeps it eager (real build,
real Flask with ``StrictUndefined``, real HTTP on 127.0.0.1, real Chromium).

Three shapes real apps have: a photo grid drawn by a macro from ``macros.html`` (Albumy's explore
and tag pages), a grid of ``{% include "card.html" %}`` in a loop after a navbar partial
(flask-shop's search results), and a hero partial included once. Before, each of these photos
was ``loading="lazy"`` like every image of a partial or a macro, so Chromium's LCP element
waited for layout. Now the macro's photo stays eager (a macro cannot see its caller's loop), the
included card is eager on the loop's first pass only, and the hero partial's photo is eager. The
same card included further down a page whose own hero comes first stays lazy there. A banner a
layout draws or includes before its pages' content is eager too.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template
from jinja2 import StrictUndefined
from PIL import Image

from assetpipe import build
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import wsgi_server

pytestmark = [pytest.mark.chromium]


def _url(key: str) -> str:
    return "{{ url_for('static', filename=" + key + ") }}"


LAYOUT = (
    "<!doctype html><html><head><title>Photos</title></head><body>\n"
    "{% block body %}{% endblock %}\n</body></html>\n"
)
MACROS = f"""\
{{% macro photo_card(p) %}}
<div class="card">
  <img class="avatar" src="{_url("'img/avatar.png'")}" alt="">
  <img src="{_url("p")}" alt="{{{{ p }}}}" style="width:100%">
</div>
{{% endmacro %}}
"""
CARD = f'<div class="card"><img src="{_url("p")}" alt="{{{{ p }}}}" style="width:100%"></div>\n'
LOGO, HERO_SRC = _url("'img/logo.png'"), _url("'img/hero.jpg'")
NAVBAR = f'<nav><a href="/"><img class="brand" src="{LOGO}" alt="Acme"></a></nav>\n'
HERO = f'<div><img src="{HERO_SRC}" alt="hero" style="width:100%"></div>\n'
EXPLORE = """\
{% extends "layout.html" %}
{% from "macros.html" import photo_card %}
{% block body %}
{% for p in photos %}{{ photo_card(p) }}{% endfor %}
{% endblock %}
"""
SEARCH = """\
{% extends "layout.html" %}
{% block body %}
{% include "navbar.html" %}
<div class="grid">
  {% for p in photos %}
  {% include "card.html" %}
  {% endfor %}
</div>
{% endblock %}
"""
HOME = """\
{% extends "layout.html" %}
{% block body %}
{% include "navbar.html" %}
{% include "hero.html" %}
{% endblock %}
"""
RELATED = f"""\
{{% extends "layout.html" %}}
{{% block body %}}
<img src="{HERO_SRC}" alt="hero" style="width:100%">
<div style="height:3000px"></div>
{{% for p in photos %}}{{% include "card.html" %}}{{% endfor %}}
{{% endblock %}}
"""
# two site-wide banners drawn before a layout's slot: a partial it includes, and its own markup;
# a card in the navbar's hidden cart dropdown, which must not take the banner's role
BANNER = f'<div class="banner"><img src="{HERO_SRC}" alt="banner" style="width:100%"></div>\n'
SHOP_LAYOUT = """\
<!doctype html><html><head><title>Shop</title><style>.d-none { display: none }</style></head><body>
{% include "navbar.html" %}
<div class="cart-dropdown d-none">{% with p = "img/c.jpg" %}{% include "card.html" %}{% endwith %}</div>
{% include "banner.html" %}
<main>{% block body %}{% endblock %}</main>
</body></html>
"""
OWN_LAYOUT = f"""\
<!doctype html><html><head><title>{{% block title %}}Shop{{% endblock %}}</title></head><body>
<div class="jumbotron"><img src="{HERO_SRC}" alt="banner" style="width:100%"></div>
{{% block body %}}{{% endblock %}}
<div style="height:3000px"></div><img src="{LOGO}" alt="footer">
</body></html>
"""
ABOUT = '{% extends "shop_layout.html" %}{% block body %}<p>About us.</p>{% endblock %}\n'
CONTACT = (
    '{% extends "own_layout.html" %}{% block title %}Contact{% endblock %}'
    "{% block body %}<p>Write to us.</p>{% endblock %}\n"
)
PHOTOS = ["img/a.jpg", "img/b.jpg", "img/c.jpg"]


def _image(w: int, h: int, fmt: str, tint: int = 90) -> bytes:
    im = Image.new("RGB", (w, h))
    px = im.load()
    assert px is not None
    for y in range(0, h, 4):  # a gradient, so the encoders have something to do
        for x in range(0, w, 4):
            px[x, y] = (x * 255 // w, y * 255 // h, tint)
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def built_app(
    root: Path, pages: list[str], files: dict[str, str | bytes], *, strict: bool = True
) -> tuple[Flask, Any]:
    """A Flask app in ``root/app`` whose templates and images are ``files``, built with
    ``pages`` as ``templates.pages`` (images at 480 and 960 px), ``AssetPipe`` on it (with
    ``StrictUndefined`` unless not ``strict``), and the build's result; the caller adds the
    routes."""
    write_tree(
        root,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n"
            f"templates: {{dirs: [app/templates], pages: [{', '.join(pages)}]}}\n"
            "images: {include: ['img/**'], widths: [480, 960]}\n",
            **files,
        },
    )
    result = build(root / "pipeline.yaml")
    app = Flask("app", root_path=str(root / "app"))
    if strict:
        app.jinja_env.undefined = StrictUndefined
    AssetPipe(app)
    return app, result


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Any]]:
    pages = ("explore", "search", "home", "related", "about", "contact")
    app, result = built_app(
        tmp_path_factory.mktemp("lcp-partials"),
        [f"{page}.html" for page in pages],
        {
            "app/templates/layout.html": LAYOUT,
            "app/templates/macros.html": MACROS,
            "app/templates/card.html": CARD,
            "app/templates/navbar.html": NAVBAR,
            "app/templates/hero.html": HERO,
            "app/templates/explore.html": EXPLORE,
            "app/templates/search.html": SEARCH,
            "app/templates/home.html": HOME,
            "app/templates/related.html": RELATED,
            "app/templates/banner.html": BANNER,
            "app/templates/shop_layout.html": SHOP_LAYOUT,
            "app/templates/own_layout.html": OWN_LAYOUT,
            "app/templates/about.html": ABOUT,
            "app/templates/contact.html": CONTACT,
            "app/static/img/logo.png": _image(160, 40, "PNG"),
            "app/static/img/avatar.png": _image(40, 40, "PNG"),
            "app/static/img/hero.jpg": _image(1200, 500, "JPEG"),
            **{f"app/static/{p}": _image(1200, 700, "JPEG", 40 * i) for i, p in enumerate(PHOTOS)},
        },
    )
    for page in pages:
        app.add_url_rule(
            f"/{page}", page, lambda page=page: render_template(f"{page}.html", photos=PHOTOS)
        )
    with wsgi_server(app) as port:
        yield port, result


def _load(browser: Any, port: int, path: str, lcp_alt: str) -> tuple[str, list[list[Any]]]:
    """The ``loading`` of Chromium's LCP element, once it is the image ``lcp_alt`` (a loaded
    machine reports the logo first and the photo a frame later), and every image's (alt,
    loading)."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script("""window.__lcp = [];
        new PerformanceObserver(l => window.__lcp.push(...l.getEntries()))
            .observe({type: 'largest-contentful-paint', buffered: true});""")
    try:
        failed: list[str] = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.goto(f"http://127.0.0.1:{port}{path}", wait_until="load")
        last = "(window.__lcp.at(-1) || {}).element"
        try:
            page.wait_for_function(f"({last} || {{}}).alt === {lcp_alt!r}", timeout=15_000)
        finally:
            seen = page.evaluate(f"() => [({last} || {{}}).alt, ({last} || {{}}).loading]")
        imgs = page.evaluate("() => [...document.images].map(i => [i.alt, i.loading])")
    finally:
        page.close()
    assert not failed, failed
    assert seen[0] == lcp_alt, seen
    return str(seen[1]), imgs


def test_a_macro_grid_keeps_its_photos_eager(browser: Any, site: tuple[int, Any]) -> None:
    loading, imgs = _load(browser, site[0], "/explore", "img/a.jpg")
    assert loading == "auto"
    # as before the build: a macro cannot tell its first call from the others
    assert [i for i in imgs if i[0]] == [[p, "auto"] for p in PHOTOS], imgs
    # the avatar before each photo stays lazy
    assert [i for i in imgs if not i[0]] == [["", "lazy"]] * 3, imgs


def test_an_included_card_is_eager_on_the_loop_first_pass(
    browser: Any, site: tuple[int, Any]
) -> None:
    loading, imgs = _load(browser, site[0], "/search", "img/a.jpg")
    assert loading == "auto"
    assert imgs == [
        ["Acme", "auto"],
        ["img/a.jpg", "auto"],
        ["img/b.jpg", "lazy"],
        ["img/c.jpg", "lazy"],
    ]


def test_a_hero_partial_included_once_is_eager(browser: Any, site: tuple[int, Any]) -> None:
    loading, imgs = _load(browser, site[0], "/home", "hero")
    assert loading == "auto"
    assert imgs == [["Acme", "auto"], ["hero", "auto"]], imgs


def test_the_card_below_a_page_own_hero_stays_lazy(browser: Any, site: tuple[int, Any]) -> None:
    loading, imgs = _load(browser, site[0], "/related", "hero")
    assert loading == "auto"
    assert imgs == [["hero", "auto"]] + [[p, "lazy"] for p in PHOTOS], imgs


def test_a_layout_banner_before_its_slot_is_eager(browser: Any, site: tuple[int, Any]) -> None:
    """A banner a layout includes before its pages' content, and one it draws itself: each is
    the page's LCP, eager (both were lazy like every layout's image); the hidden cart dropdown's
    card stays lazy, and the footer image after the slot too."""
    loading, imgs = _load(browser, site[0], "/about", "banner")
    assert loading == "auto"
    assert imgs == [["Acme", "auto"], ["img/c.jpg", "lazy"], ["banner", "auto"]], imgs
    loading, imgs = _load(browser, site[0], "/contact", "banner")
    assert loading == "auto"
    assert imgs == [["banner", "auto"], ["footer", "lazy"]], imgs
