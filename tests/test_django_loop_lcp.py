"""A Django page whose first image is drawn by a loop, or by a partial it includes in a loop,
keeps that image eager on the loop's first pass, as Django itself renders the build.

The first-pass test the build wrote was Jinja's (``{% if loop is not defined or not loop.first
%}``): valid Django too (``is not`` is an operator there), but always true, since Django has no
``loop`` and no ``defined``: every pass went lazy, the page's LCP photo among them. A Django
template tests ``forloop.first`` now, which a template it includes sees as well."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree
from tests.test_django import _paste
from tests.test_django_templates import _in_django, _project

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

#: no markup only Django has: read as Django's because the project is one (``first_wins``)
GALLERY = """\
{% extends "base.html" %}
{% block content %}
{% for p in photos %}<div class="photo"><img src="{{ p }}" alt="{{ p }}"></div>{% endfor %}
{% endblock %}
"""
RESULTS = """\
{% extends "base.html" %}{% load static %}
{% block content %}
<img class="logo" src="{% static 'img/logo.png' %}" alt="logo">
{% for p in photos %}{% include "card.html" %}{% empty %}<p>nothing</p>{% endfor %}
{% endblock %}
"""
CARD = '<div class="card"><img src="{{ p }}" alt="{{ p }}"></div>\n'
PHOTOS = ["/media/a.jpg", "/media/b.jpg", "/media/c.jpg"]


def test_the_loop_first_pass_is_eager_in_django(tmp_path: Path) -> None:
    _project(tmp_path)
    write_tree(
        tmp_path / "shopsite/templates",
        {"gallery.html": GALLERY, "results.html": RESULTS, "card.html": CARD},
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    _paste(tmp_path, result.out)
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    code = (
        "import json\nfrom django.template.loader import render_to_string\n"
        f"print(json.dumps({{n: render_to_string(n, {{'photos': {PHOTOS!r}}})"
        " for n in ['gallery.html', 'results.html']}))\n"
    )
    run = _in_django(tmp_path, code)
    assert run.returncode == 0, run.stderr
    html = json.loads(run.stdout)
    for name in ("gallery.html", "results.html"):
        imgs = [
            (m.group(1), 'loading="lazy"' in m.group(0))
            for m in re.finditer(r'<img src="(/media/[^"]+)"[^>]*>', html[name])
        ]
        assert imgs == [(PHOTOS[0], False), (PHOTOS[1], True), (PHOTOS[2], True)], html[name]
