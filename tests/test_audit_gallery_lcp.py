"""``lcp.not_lazy`` on a product page whose photo is a carousel's first slide in an included
partial, as django-oscar's ``catalogue/partials/gallery.html`` draws it: a thumbnail URL made
at run time, ``class="img-fluid"`` on three ``<img>`` lines of the partial (the slides, the
indicator strip, the single-photo branch) and ``id="product_gallery"`` on both branches. After
an image of the page's own that the markup does not say is small (the build takes it for the
page's candidate), the build makes the slide lazy, the photo is the LCP, and the audit said
"placed at no one template line of the build" and recorded nothing: neither the URL nor the
tag's classes name one line. The element's path from its nearest ancestor with an id does:
the check names the partial's line and the next build makes that tag eager. Real Flask app,
real build, real Chromium."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.config import load_config
from tests.conftest import require_chromium
from tests.test_audit_browser import PHOTO, audit, check_of, make_project, page_of
from tests.test_audit_macro_lcp import upload_app

pytestmark = [pytest.mark.chromium, pytest.mark.timeout(240)]

DETAIL = """\
{% extends "base.html" %}
{% block body %}
<h1>Cryptonomicon</h1>
<img alt="" src="{{ url_for('upload', name='badge.png') }}" style="width:48px;height:48px">
{% include "partials/gallery.html" %}
<p>A novel.</p>
{% endblock %}
"""
#: oscar's gallery.html in Jinja: two branches, both ``#product_gallery``
GALLERY = """\
{% if photos|length > 1 %}
<div id="product_gallery" class="carousel slide">
  <div class="img-thumbnail mb-3">
    <div class="carousel-inner">
    {% for photo in photos %}
      <div class="carousel-item {% if loop.first %}active{% endif %}">
        <img src="{{ url_for('upload', name=photo) }}" class="img-fluid" alt="">
      </div>
    {% endfor %}
    </div>
  </div>
  <ol class="carousel-indicators img-thumbnail">
    {% for photo in photos %}
    <li><img src="{{ url_for('upload', name=photo) }}" class="img-fluid" alt="" width="65"></li>
    {% endfor %}
  </ol>
</div>
{% else %}
<div id="product_gallery" class="carousel">
  <div class="img-thumbnail">
    <div class="carousel-inner">
      <div class="carousel-item active">
        <img src="{{ url_for('upload', name=photos[0]) }}" class="img-fluid" alt="">
      </div>
    </div>
  </div>
</div>
{% endif %}
"""
APP = upload_app("/product", "pages/detail.html")
CSS = "<style>.carousel-item{display:none}.carousel-item.active{display:block}</style>\n"


def test_a_partials_lazy_carousel_photo_is_named_by_its_path_and_recorded(tmp_path: Path) -> None:
    require_chromium()
    root = make_project(
        tmp_path,
        extra="  - {path: /product, template: pages/detail.html}",
        files={
            "site/templates/pages/detail.html": DETAIL.replace("<h1>", CSS + "<h1>"),
            "site/templates/partials/gallery.html": GALLERY,
            "gallery_app.py": APP,
            "upload.png": PHOTO,
        },
    )
    line = GALLERY.splitlines().index(
        '        <img src="{{ url_for(\'upload\', name=photo) }}" class="img-fluid" alt="">'
    )
    built = (root / "dist/templates/partials/gallery.html").read_text().splitlines()
    assert 'loading="lazy"' in built[line]  # the build alone cannot tell the first slide
    try:
        result = audit(root, app="gallery_app:app", pages=("/product",), history=False)
    finally:
        sys.modules.pop("gallery_app", None)
    page = page_of(result.doc, "/product")
    el = page["lcp_element"]
    assert el["tag"] == "img" and el["lazy"] and "/uploads/a.png" in el["url"], el
    assert (el["template"], el["line"]) == ("partials/gallery.html", line + 1), el
    check = check_of(page, "lcp.not_lazy")
    assert f"partials/gallery.html:{line + 1}" in check["message"], check["message"]
    hints = json.loads((root / "lcp-hints.json").read_text())
    assert {"template": "partials/gallery.html", "line": line + 1} in [
        {k: h[k] for k in ("template", "line")} for h in hints["hints"]
    ], hints
    build(load_config(root / "pipeline.yaml"))
    rebuilt = (root / "dist/templates/partials/gallery.html").read_text().splitlines()
    # the hinted tag is in a loop: its first pass, the LCP, eager and fetched first; the
    # carousel's hidden slides lazy, without priority
    first_pass = (
        '{% if loop is not defined or not loop.first %}loading="lazy" decoding="async"'
        '{% else %}fetchpriority="high"{% endif %}'
    )
    assert first_pass in rebuilt[line], rebuilt[line]
