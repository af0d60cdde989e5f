"""A Django page drawing its cards with a computed ``{% include %}`` in a loop (Wagtail CRX's
article index: ``{% include article.miniview_template %}``): the first card, the page's LCP,
stays eager (a real ``assetpipe build``, then Django rendering the built templates)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

BASE = """\
<!doctype html>
<html><head><title>Articles</title></head>
<body>{% block content %}{% endblock %}</body></html>
"""
#: CRX's ``article_index_page.html``: no image of its own, a card per article by a value
INDEX = """\
{% extends "base.html" %}
{% block content %}
{% for article in articles %}
  {% include article.miniview_template with page=article %}
{% endfor %}
{% endblock %}
"""
#: CRX's ``article_page.mini.html``: no template names it
MINI = """\
<div class="card">
  <img class="card-img-top w-100" src="{{ page.cover }}" alt="">
  <a href="{{ page.url }}">{{ page.title }}</a>
</div>
"""
#: a page with a hero of its own, then cards a named partial draws: lazy, as before
NEWS = """\
{% extends "base.html" %}
{% block content %}
<img src="{{ hero }}" class="w-100" alt="">
{% for item in items %}{% include "card.html" %}{% endfor %}
{% endblock %}
"""
CARD = '<div><img src="{{ item.photo }}" class="w-100" alt=""></div>\n'
CONFIG = """\
source: static
public_path: /static/
templates:
  dirs: [templates]
  pages: [index.html, news.html]
  first_wins: true  # as init writes it for a Django project: its loops are forloop
"""


def _render(root: Path, name: str, context: dict[str, object]) -> str:
    """What Django renders of the built template ``name`` (in a process of its own: Django's
    settings are configured once per process)."""
    code = (
        "import json, sys\n"
        "from django.conf import settings\n"
        "settings.configure(TEMPLATES=[{'BACKEND': 'django.template.backends.django.DjangoTemplates',"
        f" 'DIRS': [{str(root / 'dist/templates')!r}]}}])\n"
        "import django\n"
        "django.setup()\n"
        "from django.template.loader import render_to_string\n"
        f"print(render_to_string({name!r}, json.loads(sys.stdin.read())))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(context), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_a_computed_include_in_a_loop_keeps_its_first_card_eager(tmp_path: Path) -> None:
    """Every image of ``mini.html`` was ``loading="lazy"``, as a partial's: the article index's
    first card, Chromium's LCP element, with it. The computed include in the page's loop is now
    followed to the partials no template names (``mini.html``, not ``card.html``): eager on the
    loop's first pass only, as a named include in a loop is."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": CONFIG,
            "templates/base.html": BASE,
            "templates/index.html": INDEX,
            "templates/mini.html": MINI,
            "templates/news.html": NEWS,
            "templates/card.html": CARD,
            "static/css/site.css": "body { margin: 0; }\n",
        },
    )
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    mini = (tmp_path / "dist/templates/mini.html").read_text()
    assert "{% if not forloop or not forloop.first %}loading=" in mini, mini
    card = (tmp_path / "dist/templates/card.html").read_text()
    assert 'alt="" loading="lazy" decoding="async">' in card, card
    report = json.loads((tmp_path / "dist/report.json").read_text())
    assert report["templates"]["mini.html"]["images"][0]["loading"] != "lazy", report
    articles = [
        {"miniview_template": "mini.html", "cover": f"/media/{i}.webp", "url": "/", "title": i}
        for i in range(3)
    ]
    html = _render(tmp_path, "index.html", {"articles": articles})
    imgs = [line.strip() for line in html.splitlines() if "<img" in line]
    assert imgs[0].endswith('alt="" >'), imgs
    assert all('loading="lazy"' in i for i in imgs[1:]) and len(imgs) == 3, imgs
