"""A page's hero, its Largest Contentful Paint, is never made lazy by the header logo drawn before
it (real build, real Flask, real HTTP on 127.0.0.1, real Chromium).

Two layouts a Flask app often has: a single ``index.html`` that is a whole document (no
``{% extends %}``, no blocks), and a page that extends a layout but draws its own header with a
logo before the hero. Before, the first got every image but the logo ``loading="lazy"`` (it was
no page template: the first-image clause did not apply) and the second kept its logo eager as
"the first image of the page" and made the hero after it lazy: in both, Chromium's LCP element
was lazy and waited for layout. Now the logo is passed over and stays eager, the hero is eager
with ``fetchpriority="high"``, and the images further down stay lazy. (The hero here has no
``hero`` class: ``templates.eager``'s default ``.hero img`` would keep it eager by name.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import render_template

from tests.test_lcp_partials import _image, built_app
from tests.test_serve_support import wsgi_server

pytestmark = [pytest.mark.chromium]

HEADER = """\
<header class="site-header"><a href="/"><img src="{{ url_for('static', filename='img/logo.png') }}" alt="Acme"></a></header>
<main><img src="{{ url_for('static', filename='img/hero.jpg') }}" alt="Our shop" style="width:100%"></main>
<div style="height:3000px"></div>
<img id="below" src="{{ url_for('static', filename='img/below.jpg') }}" alt="">
"""
STANDALONE = (
    f"<!doctype html>\n<html><head><title>Acme</title></head><body>\n{HEADER}</body></html>\n"
)
LAYOUT = "<!doctype html><html><head><title>Acme</title></head><body>\n{% block body %}{% endblock %}\n</body></html>\n"
PAGE = f'{{% extends "layout.html" %}}\n{{% block body %}}\n{HEADER}{{% endblock %}}\n'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    app, _ = built_app(
        tmp_path_factory.mktemp("own-header"),
        ["page.html"],
        {
            "app/templates/index.html": STANDALONE,
            "app/templates/layout.html": LAYOUT,
            "app/templates/page.html": PAGE,
            "app/static/img/logo.png": _image(160, 40, "PNG"),
            "app/static/img/hero.jpg": _image(1200, 500, "JPEG"),
            "app/static/img/below.jpg": _image(800, 600, "JPEG"),
        },
        strict=False,
    )
    app.add_url_rule("/", "index", lambda: render_template("index.html"))
    app.add_url_rule("/page", "page", lambda: render_template("page.html"))
    with wsgi_server(app) as port:
        yield port


#: every Largest Contentful Paint entry of a page, in ``window.__lcp`` (an init script)
LCP_LOG = """window.__lcp = [];
    new PerformanceObserver(l => window.__lcp.push(...l.getEntries()))
        .observe({type: 'largest-contentful-paint', buffered: true});"""


@pytest.mark.parametrize("path", ["/", "/page"])
def test_the_hero_after_the_page_own_header_logo_is_eager(
    browser: Any, site: int, path: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(LCP_LOG)
    try:
        failed: list[str] = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.goto(f"http://127.0.0.1:{site}{path}", wait_until="load")
        # the last LCP entry, once it is the hero: a loaded machine reports the logo first and
        # the hero a frame later (CI once read the logo's entry); a lazy hero still becomes it
        last = "(window.__lcp.at(-1) || {}).element || {}"
        try:
            page.wait_for_function(f"({last}).alt === 'Our shop'", timeout=15_000)
        finally:
            lcp = page.evaluate(f"""() => {{ const e = {last};
                return {{alt: e.alt, loading: e.loading,
                         priority: e.getAttribute ? e.getAttribute('fetchpriority') : null}}; }}""")
        imgs = page.evaluate(
            "() => [...document.images].map(i => [i.alt || i.id, i.loading, i.complete])"
        )
        html = page.content()
    finally:
        page.close()
    assert not failed, failed
    # the hero is Chromium's LCP element, eager and fetched first
    assert lcp == {"alt": "Our shop", "loading": "auto", "priority": "high"}, lcp
    # the logo before it stays eager with nothing added; the image 3000 px down stays lazy
    assert [(alt, loading) for alt, loading, _ in imgs] == [
        ("Acme", "auto"),
        ("Our shop", "auto"),
        ("below", "lazy"),
    ]
    assert re.search(r'<img src="[^"]*logo-[^"]*"[^>]*alt="Acme">', html), html
