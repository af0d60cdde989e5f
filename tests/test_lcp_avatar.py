"""A page whose byline avatar comes before its cover photo: the cover stays eager (a real
``assetpipe build`` of a Django project shaped as Wagtail CRX's, whose docs say to copy
``coderedcms/pages/article_page.html`` into the project to customise it)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli, write_tree

#: CRX's article template as shipped: the author's avatar in an ``{% if %}`` (its class says
#: nothing small, its ``src`` is CRX's ``{% avatar_url %}`` tag), then the cover photo, drawn
#: full width under the title: the page's Largest Contentful Paint
ARTICLE = """\
{% extends "coderedcms/pages/web_page.html" %}
{% load wagtailimages_tags coderedcms_tags %}
{% block content %}
<article class="crx-article">
  <div class="container my-4 text-center">
    <h1>{{ self.title }}</h1>
    <p>
      {% if self.author %}
      <img class="article-author-img rounded-circle me-2" src="{% avatar_url self.author %}">
      {% endif %}
      <span class="article-date">{{ self.seo_published_at|date }}</span>
    </p>
  </div>
  {% if self.cover_image %}
  <div class="container mb-5">
    {% image self.cover_image fill-1600x900 format-webp preserve-svg as cover_image %}
    <img src="{{cover_image.url}}" class="w-100">
  </div>
  {% endif %}
  {% for block in self.body %}{% include_block block %}{% endfor %}
  <img src="{{ self.footer_image.url }}" class="w-100">
</article>
{% endblock %}
"""
CONFIG = """\
source: website/static
public_path: /static/
templates:
  dirs: [website/templates]
  pages: ["coderedcms/pages/article_page.html"]
"""


def test_the_cover_after_a_byline_avatar_stays_eager(tmp_path: Path) -> None:
    """The avatar, first in the template, was taken for the page's LCP candidate (eager) and
    the cover photo got ``loading="lazy"``: Chromium's LCP element on every CRX article, with
    an author or without (then the cover is the page's first image). A ``src`` naming an
    avatar now says the image is small, so it is passed over as a byline's picture: eager,
    nothing added, and the cover is the candidate; an image after them is lazy as before."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": CONFIG,
            "website/templates/coderedcms/pages/article_page.html": ARTICLE,
            "website/static/website/css/custom.css": "body { margin: 0; }\n",
        },
    )
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    name = "coderedcms/pages/article_page.html"
    out = (tmp_path / "dist/templates" / name).read_text()
    assert '<img src="{{cover_image.url}}" class="w-100">' in out, out
    assert 'src="{% avatar_url self.author %}">' in out, out
    assert 'class="w-100" loading="lazy" decoding="async">' in out, out  # the footer image
    report = json.loads((tmp_path / "dist/report.json").read_text())
    loading = [(i["src"], i["loading"]) for i in report["templates"][name]["images"]]
    assert loading == [
        ("{% avatar_url self.author %}", "eager"),
        ("{{cover_image.url}}", "eager"),
        ("{{ self.footer_image.url }}", "lazy"),
    ], loading
