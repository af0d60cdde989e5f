"""Shift attribution names the template line of any element a template made (not only an
``<img>``): real Chromium on a built project whose banner, inserted by a timer above the
content, shifts a ``<div>`` of the page's template and one of the base template it extends."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.audit import AuditOptions, run_audit
from assetpipe.audit.locate import Locator, parse_selector
from assetpipe.config import load_config
from tests.conftest import require_chromium, write_tree

CONFIG = """\
source: site
output: dist
pages:
  - {path: /, template: pages/index.html}
audit: {profile: desktop, runs: 1}
"""
BASE = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>News</title></head>
<body>
<div id="top"></div>
<div id="notice">Opening hours changed</div>
{% block body %}{% endblock %}
</body></html>
"""
INDEX = """\
{% extends "base.html" %}
{% block body %}
<h1>News</h1>
<div
  class="promo card">Spring sale: everything must go</div>
<p>%s</p>
<script>
setTimeout(() => {
  const b = document.createElement('div');
  b.style.height = '300px';
  b.textContent = 'Cookie banner';
  document.getElementById('top').append(b);
}, 500);
</script>
{% endblock %}
""".replace("%s", "Lorem ipsum dolor sit amet. " * 200)
OTHER = """\
{% extends "base.html" %}
{% block body %}<div class="promo">Elsewhere</div><section class="card x">A</section>
<section class="card y">B</section>{% endblock %}
"""


def project(root: Path) -> Path:
    write_tree(
        root,
        {
            "pipeline.yaml": CONFIG,
            "site/templates/base.html": BASE,
            "site/templates/pages/index.html": INDEX,
            "site/templates/pages/other.html": OTHER,
        },
    )
    build(load_config(root / "pipeline.yaml"))
    return root


@pytest.mark.chromium
@pytest.mark.timeout(300)
def test_a_shifted_div_names_its_template_line(tmp_path: Path) -> None:
    """The timer's banner pushes down ``div#notice`` (base.html:5) and the multi-line
    ``<div class="promo card">`` (pages/index.html:4, its own template first, although
    other.html has a ``.promo`` too): both are in ``cls_elements`` with template:line; an
    element with neither id nor class (the ``<h1>``) gets no line rather than a guess; the HTML
    report shows them."""
    require_chromium()
    root = project(tmp_path)
    config = load_config(root / "pipeline.yaml")
    result = run_audit(config, AuditOptions(pages=("/",), hints=False, history=False))
    (page,) = result.doc["pages"]
    assert page["metrics"]["cls"] > 0.05, page["metrics"]
    moved = {m["selector"]: m for m in page["cls_elements"]}
    assert moved["div#notice"]["template"] == "base.html", moved
    assert moved["div#notice"]["line"] == 5
    promo = next(m for s, m in moved.items() if "div.promo.card:nth-of-type(" in s)
    assert (promo["template"], promo["line"]) == ("pages/index.html", 4), promo
    for sel, m in moved.items():
        if sel.endswith(("h1", "p")):
            assert m["template"] is None and m["line"] is None, m
    from assetpipe.audit.report import render

    html = render(result.doc, result.details, result.pictures)
    assert "<code>pages/index.html:4</code>" in html and "<code>base.html:5</code>" in html


def test_locate_element_by_id_or_unambiguous_classes(tmp_path: Path) -> None:
    """Without a browser: the lookup itself. An id wins at once; classes need one template line
    with a tag carrying all of them (two ``section.card`` lines are ambiguous: no line); the
    page's family (extends) is searched, other pages' templates only when the page's template
    is unknown; an ``<img>`` that the build does not know falls back to the same lookup."""
    root = project(tmp_path)
    loc = Locator(load_config(root / "pipeline.yaml"))
    index = "pages/index.html"
    assert loc.locate_element({"tag": "div", "selector": "div#notice"}, index) == ("base.html", 5)
    got = loc.locate_element({"tag": "div", "selector": "body > div.promo.card"}, index)
    assert got == (index, 4)
    assert loc.locate_element({"tag": "div", "selector": "div.promo"}, index) == (index, 4)
    assert loc.locate_element({"tag": "div", "selector": "div.promo"}, None) == (None, None)
    other = "pages/other.html"
    assert loc.locate_element({"tag": "section", "selector": "section.card"}, other) == (
        None,
        None,
    )
    assert loc.locate_element({"tag": "section", "selector": "section.card.y"}, other) == (
        other,
        3,
    )
    assert loc.locate_element({"tag": "h1", "selector": "h1"}, index) == (None, None)
    assert loc.locate_element({"tag": "div", "selector": "div#nope"}, index) == (None, None)
    assert parse_selector("main#c > div#\\31 23") == ("div", "123", ())
    assert parse_selector("div.a\\:b:nth-of-type(2)") == ("div", None, ("a:b",))
    assert parse_selector("::weird") is None


def test_an_image_two_templates_show_is_credited_to_the_page_family_or_to_none(
    tmp_path: Path,
) -> None:
    """The same photo on two pages: the page's own family names it (here a partial its base
    includes, although another page that sorts first shows it too); a page whose template is
    unknown, or whose family does not show it, gets no line rather than the first template in
    alphabetical order (a hint written there would change another page)."""
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 20)).save(buf, "PNG")
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\noutput: dist\nstatic:\n  include: ['img/**']\n",
            "site/img/team.png": buf.getvalue(),
            "site/templates/base.html": (
                "<!doctype html><html><body>\n{% include 'partials/hero.html' %}\n"
                "{% block body %}{% endblock %}</body></html>\n"
            ),
            "site/templates/partials/hero.html": (
                '<header>\n<img src="/static/img/team.png" alt="team">\n</header>\n'
            ),
            "site/templates/index.html": '{% extends "base.html" %}\n',
            "site/templates/about.html": (
                '<!doctype html><html><body>\n<p>About</p>\n<img src="/static/img/team.png"'
                ' alt="us">\n</body></html>\n'
            ),
            "site/templates/contact.html": "<!doctype html><html><body>Mail</body></html>\n",
        },
    )
    config = load_config(tmp_path / "pipeline.yaml")
    build(config)
    loc = Locator(config)
    img = {"tag": "img", "src": "/static/img/team.png"}
    assert loc.locate(img, "index.html")[:2] == ("partials/hero.html", 2)
    assert loc.locate(img, "about.html")[:2] == ("about.html", 3)
    assert loc.locate(img, None) == (None, None, "img/team.png")
    assert loc.locate(img, "contact.html") == (None, None, "img/team.png")
    assert loc.locate(img, "gone.html") == (None, None, "img/team.png")
