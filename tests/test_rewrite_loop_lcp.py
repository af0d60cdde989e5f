"""A page whose first image is drawn by a ``{% for %}`` loop (a product page's carousel: the
first slide is the Largest Contentful Paint; a shop's product grid) kept that image eager only
on the loop's first pass. Before, every pass got ``loading="lazy"`` (rule 4 looked only at
images outside loops, and named one in the ``{% else %}`` branch that never rendered), so the
LCP image waited for layout. A small picture (an avatar) in a loop stays lazy on every pass, and
so does an image in two nested loops. A feed whose every card starts with its author's avatar
(Albumy's home page: ``avatar-s``, then the photo) keeps the first card's photo eager: the
avatar before it was taken for the page's first image, so every photo was lazy, the LCP among
them. Real build, real Flask (with ``StrictUndefined``), real HTTP."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask, render_template
from jinja2 import StrictUndefined
from PIL import Image

from assetpipe import build
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server

pytestmark = pytest.mark.node

BASE = "<!doctype html><title>shop</title>\n{% block content %}{% endblock %}\n"
PRODUCT = """\
{% extends "base.html" %}
{% block content %}
{% if photos %}
<div class="carousel">
  {% for p in photos %}
  <div class="carousel-item{% if loop.first %} active{% endif %}">
    <img class="d-block img-fluid" alt="" src="{{ url_for('static', filename=p) }}" width=255 />
  </div>
  {% endfor %}
</div>
{% else %}
<img alt="" class="img-fluid">
{% endif %}
{% for p in photos %}<img class="avatar" src="{{ url_for('static', filename=p) }}" alt="">{% endfor %}
{% endblock %}
"""
PEOPLE = """\
{% extends "base.html" %}
{% block content %}
{% for p in photos %}<img class="avatar" src="{{ url_for('static', filename=p) }}" alt="">{% endfor %}
{% for row in [photos] %}{% for p in row %}<img src="{{ url_for('static', filename=p) }}" alt="">{% endfor %}{% endfor %}
{% endblock %}
"""
FEED = """\
{% extends "base.html" %}
{% block content %}
{% if photos %}
  {% for p in photos %}
  <div class="card">
    <div class="card-header"><img class="rounded avatar-s" src="{{ url_for('static', filename=p) }}"></div>
    <div class="card-body"><img class="img-fluid" src="{{ url_for('static', filename=p) }}"></div>
  </div>
  {% endfor %}
{% else %}
  <img src="{{ url_for('static', filename='img/c.jpg') }}" class="rounded img-fluid">
{% endif %}
{% endblock %}
"""


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 600), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def _app(root: Path) -> Flask:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n"
            "templates: {dirs: [app/templates], pages: [product.html, people.html, feed.html]}\n"
            "images: {include: ['img/**']}\n",
            "app/templates/base.html": BASE,
            "app/templates/product.html": PRODUCT,
            "app/templates/people.html": PEOPLE,
            "app/templates/feed.html": FEED,
            "app/static/img/a.jpg": _jpeg((200, 30, 30)),
            "app/static/img/b.jpg": _jpeg((30, 200, 30)),
            "app/static/img/c.jpg": _jpeg((30, 30, 200)),
        },
    )
    build(root / "pipeline.yaml")
    app = Flask("app", root_path=str(root / "app"))
    app.jinja_env.undefined = StrictUndefined
    AssetPipe(app)
    photos = ["img/a.jpg", "img/b.jpg", "img/c.jpg"]

    @app.route("/product")
    def product() -> str:
        return render_template("product.html", photos=photos)

    @app.route("/people")
    def people() -> str:
        return render_template("people.html", photos=photos)

    @app.route("/feed")
    def feed() -> str:
        return render_template("feed.html", photos=photos)

    @app.route("/welcome")
    def welcome() -> str:
        return render_template("feed.html", photos=[])

    @app.route("/empty")
    def empty() -> str:
        return render_template("product.html", photos=[])

    return app


def _imgs(body: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", body)


def test_the_first_pass_of_the_loop_that_draws_the_page_first_image_stays_eager(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path)
    with wsgi_server(app) as port:
        r = request(port, "/product")
        assert r.status == 200, r.body[:500]
        slides, avatars = _imgs(r.body.decode())[:3], _imgs(r.body.decode())[3:]
        assert len(slides) == 3 and len(avatars) == 3
        assert "loading" not in slides[0] and "decoding" not in slides[0], slides[0]
        for tag in slides[1:]:
            assert 'loading="lazy"' in tag and 'decoding="async"' in tag, tag
        for tag in avatars:  # not the page's first image: lazy on every pass, as before
            assert 'loading="lazy"' in tag, tag
        # the hashed photo is served
        src = re.search(r'src="([^"]+)"', slides[0])
        assert src and re.search(r"-[A-Z0-9]{8}\.", src.group(1)), slides[0]
        assert request(port, src.group(1)).status == 200
        # the {% else %} branch renders under StrictUndefined
        assert request(port, "/empty").status == 200


def test_a_small_first_image_or_one_in_nested_loops_stays_lazy(tmp_path: Path) -> None:
    app = _app(tmp_path)
    with wsgi_server(app) as port:
        r = request(port, "/people")
        assert r.status == 200
        tags = _imgs(r.body.decode())
        assert len(tags) == 6
        for tag in tags:
            assert 'loading="lazy"' in tag, tag


def test_a_feed_keeps_its_first_photo_eager_past_the_avatar_before_it(tmp_path: Path) -> None:
    app = _app(tmp_path)
    with wsgi_server(app) as port:
        r = request(port, "/feed")
        assert r.status == 200, r.body[:500]
        tags = _imgs(r.body.decode())
        avatars, photos = tags[0::2], tags[1::2]
        assert len(avatars) == 3 and all("avatar-s" in t for t in avatars)
        assert "loading" not in photos[0] and "decoding" not in photos[0], photos[0]
        for tag in [*photos[1:], *avatars]:
            assert 'loading="lazy"' in tag and 'decoding="async"' in tag, tag
        # the {% else %} branch's picture, the page's first outside a loop, stays eager too
        (hero,) = _imgs(request(port, "/welcome").body.decode())
        assert "loading" not in hero and 'fetchpriority="high"' in hero, hero
