"""An image drawn *instead of* a page's first image, on another branch of an ``{% if %}``, is
the page's Largest Contentful Paint whenever that branch renders, and stays eager like the first.

BookWyrm's cover snippet draws a remote cover in one branch and the local one in the other; a
shop draws a product's photo or a "no photo" picture. Before, only the first image in the text
was eager: a page that took the other branch had its LCP ``loading="lazy"``, waiting for layout.
An image after the branches (further down the page) stays lazy; one after an ``{% if %}``
without ``{% else %}`` is lazy only where that ``{% if %}`` draws its image (healthchecks' setup
guides: the second screenshot comes first only where the first is not drawn; eager everywhere,
it would be fetched on every page that scrolls no further). Real build, real Flask with ``StrictUndefined``, real HTTP on 127.0.0.1, real
Chromium's LCP element."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import render_template

from tests.test_lcp_partials import LAYOUT, _image, _load, _url, built_app
from tests.test_serve_support import wsgi_server

pytestmark = [pytest.mark.chromium]

PRODUCT = f"""\
{{% extends "layout.html" %}}
{{% block body %}}
{{% if photo %}}
<img src="{_url("photo")}" alt="photo" style="width:100%">
{{% else %}}
<img src="{_url("'img/none.jpg'")}" alt="no photo" style="width:100%">
{{% endif %}}
<div style="height:3000px"></div>
<img src="{_url("'img/footer.jpg'")}" alt="footer" style="width:100%">
{{% endblock %}}
"""
# BookWyrm's snippets/book_cover.html, in short
COVER = f"""\
{{% if cover %}}
  {{% if external %}}
    <img class="book-cover" src="{{{{ cover }}}}" alt="remote cover" style="width:100%">
  {{% else %}}
    <img class="book-cover" src="{_url("cover")}" alt="cover" style="width:100%">
  {{% endif %}}
{{% endif %}}
{{% if not cover %}}
  <img class="book-cover" src="{_url("'img/none.jpg'")}" alt="no cover" style="width:100%">
{{% endif %}}
"""
GUIDE = f"""\
{{% extends "layout.html" %}}
{{% block body %}}
{{% if not connected %}}<img src="{_url("'img/a.jpg'")}" alt="step 0" style="width:100%">{{% endif %}}
<div style="height:3000px"></div>
<img src="{_url("'img/footer.jpg'")}" alt="step 1" style="width:100%">
{{% endblock %}}
"""
# an image after an ``{% if %}`` without ``{% else %}``: the first image where it draws none
BANNER = f"""\
{{% extends "layout.html" %}}
{{% block body %}}
{{% if banner %}}<img src="{_url("'img/a.jpg'")}" alt="banner" style="width:100%">{{% endif %}}
<img src="{_url("'img/none.jpg'")}" alt="photo" style="width:100%">
{{% endblock %}}
"""
BOOK = """\
{% extends "layout.html" %}
{% block body %}
{% include "cover.html" %}
{% endblock %}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    app, _ = built_app(
        tmp_path_factory.mktemp("lcp-branches"),
        ["product.html", "book.html", "guide.html", "banner.html"],
        {
            "app/templates/layout.html": LAYOUT,
            "app/templates/product.html": PRODUCT,
            "app/templates/cover.html": COVER,
            "app/templates/book.html": BOOK,
            "app/templates/guide.html": GUIDE,
            "app/templates/banner.html": BANNER,
            "app/static/img/a.jpg": _image(1200, 700, "JPEG"),
            "app/static/img/none.jpg": _image(1200, 700, "JPEG", 200),
            "app/static/img/footer.jpg": _image(1200, 300, "JPEG", 20),
        },
    )
    app.add_url_rule(
        "/product/<int:n>",
        "product",
        lambda n: render_template("product.html", photo="img/a.jpg" if n else None),
    )
    app.add_url_rule(
        "/book/<int:n>",
        "book",
        lambda n: render_template("book.html", cover="img/a.jpg" if n else None, external=False),
    )
    app.add_url_rule("/guide", "guide", lambda: render_template("guide.html", connected=False))
    app.add_url_rule(
        "/banner/<int:n>", "banner", lambda n: render_template("banner.html", banner=bool(n))
    )
    with wsgi_server(app) as port:
        yield port


@pytest.mark.parametrize(
    ("path", "lcp"),
    [
        ("/product/1", "photo"),
        ("/product/0", "no photo"),
        ("/book/1", "cover"),
        ("/guide", "step 0"),
        ("/banner/1", "banner"),
        ("/banner/0", "photo"),
    ],
)
def test_the_branch_that_renders_keeps_its_image_eager(
    browser: Any, site: int, path: str, lcp: str
) -> None:
    loading, imgs = _load(browser, site, path, lcp)
    assert loading == "auto"
    if path.startswith("/product"):
        assert ["footer", "lazy"] in imgs, imgs  # below the branches: lazy as before
    if path == "/guide":
        assert ["step 1", "lazy"] in imgs, imgs  # first only where step 0 is not drawn
    if path == "/banner/1":
        assert ["photo", "lazy"] in imgs, imgs  # lazy where the banner is drawn before it
