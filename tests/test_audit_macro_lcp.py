"""``lcp.not_lazy`` on a photo grid drawn by a macro (Albumy's explore and tag pages: ``{% for
photo in photos %}{{ photo_card(photo) }}{% endfor %}``, the card's ``<img>`` in ``macros.html``,
its ``src`` a URL of the app's own upload view), after an image of the page's own that the
markup does not say is small: the build takes that one for the page's candidate and makes the
macro's ``<img>`` lazy, and the audit is what closes that: but the photo's URL is no file of the build and no template's text, so the check said
"placed at no one template line of the build, e.g. one a script makes: lcp-hints.json cannot
record it" and recorded nothing. The LCP ``<img>`` is now found by its tag and classes in the
page's family, as a shifted element is: the check names ``macros.html`` and its line, and the
next build makes that tag eager. Real Flask app, real build, real Chromium."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.config import load_config
from tests.conftest import require_chromium
from tests.test_audit_browser import PHOTO, audit, check_of, make_project, page_of

pytestmark = [pytest.mark.chromium, pytest.mark.timeout(240)]

GALLERY = """\
{% extends "base.html" %}
{% from "macros.html" import photo_card with context %}
{% block body %}
<h1>Explore</h1>
<img alt="" src="{{ url_for('upload', name='badge.png') }}" style="width:48px;height:48px">
{% for photo in photos %}{{ photo_card(photo) }}{% endfor %}
{% endblock %}
"""
MACROS = """\
{% macro photo_card(photo) %}
<div class="card">
  <img class="card-img-top portrait" alt="" width="640" height="640"
       src="{{ url_for('upload', name=photo) }}">
</div>
{% endmacro %}
"""


def upload_app(path: str, template: str) -> str:
    """The source of a Flask app whose page at ``path`` renders ``template`` with
    three photos, each served by the app's own ``/uploads/<name>`` view (a URL made at run
    time, no file of the build)."""
    return f"""\
from pathlib import Path

from flask import Flask, Response, render_template

from assetpipe.flask import AssetPipe

app = Flask(__name__, static_folder="site", template_folder="site/templates")
AssetPipe(app)
PHOTO = Path(app.root_path, "upload.png").read_bytes()


@app.get("{path}")
def page():
    return render_template("{template}", photos=["a.png", "b.png", "c.png"])


@app.get("/uploads/<name>")
def upload(name):
    return Response(PHOTO, mimetype="image/png")
"""


APP = upload_app("/gallery", "pages/gallery.html")


def test_a_macros_lazy_lcp_photo_is_named_and_recorded(tmp_path: Path) -> None:
    require_chromium()
    root = make_project(
        tmp_path,
        extra="  - {path: /gallery, template: pages/gallery.html}",
        files={
            "site/templates/pages/gallery.html": GALLERY,
            "site/templates/macros.html": MACROS,
            "macro_gallery_app.py": APP,
            "upload.png": PHOTO,
        },
    )
    built = (root / "dist/templates/macros.html").read_text()
    # the build alone takes the page's own image before the grid for its candidate (nothing in
    # the markup says it is drawn 48 px wide): the card's photo, the LCP, is lazy
    assert 'loading="lazy"' in built
    try:
        result = audit(root, app="macro_gallery_app:app", pages=("/gallery",), history=False)
    finally:
        sys.modules.pop("macro_gallery_app", None)
    page = page_of(result.doc, "/gallery")
    el = page["lcp_element"]
    assert el["tag"] == "img" and el["lazy"] and "/uploads/" in el["url"], el
    assert (el["template"], el["line"]) == ("macros.html", 3), el
    check = check_of(page, "lcp.not_lazy")
    assert not check["passed"] and "macros.html:3" in check["message"], check["message"]
    hints = json.loads((root / "lcp-hints.json").read_text())
    assert {"template": "macros.html", "line": 3} in [
        {k: h[k] for k in ("template", "line")} for h in hints["hints"]
    ], hints
    build(load_config(root / "pipeline.yaml"))
    rebuilt = (root / "dist/templates/macros.html").read_text()
    assert 'loading="lazy"' not in rebuilt and 'fetchpriority="high"' in rebuilt, rebuilt
