"""A Django page whose photo grid is drawn by a tag that renders a template (django-oscar's
``{% render_product product %}`` in its catalogue's loop): ``init`` finds such tags in the
project and in its installed apps (``templates.partial_tags``), and the LCP rule follows them
like an include, so the grid's first card is eager and the others lazy in what Django renders.
Before, every card was lazy, the first one the page's LCP (oscar's catalogue at 1280 px).
Real ``init``, ``build`` and Django; the installed app is a package on ``PYTHONPATH`` outside
the project, as pip would put it in site-packages."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import pytest

from tests.conftest import edited, run_cli, write_tree
from tests.test_django_templates import _in_django, _project, pasted_and_built

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

#: an installed app's tags: a simple tag picking its template as oscar's does (a list in a
#: variable, an f-string first, the default last), one returning a template it does not
#: render, and an inclusion tag
TAGS = """\
from django import template
from django.template.loader import select_template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_card(context, item):
    names = [f"cardkit/card-{item}.html", "cardkit/card.html"]
    context = context.flatten()
    context["item"] = item
    return select_template(names).render(context)


@register.simple_tag
def header_template(item):
    # returns a template a page includes itself (BookWyrm's get_header_template): no partial
    return select_template([f"cardkit/header-{item}.html", "cardkit/card.html"])


@register.inclusion_tag("cardkit/badge.html", name="card_badge")
def badge(item):
    return {"item": item}
"""
GRID = """\
{% extends "base.html" %}{% load cardkit_tags %}
{% block content %}{% for i in items %}{% render_card i %}{% endfor %}{% card_badge 1 %}{% endblock %}
"""
#: the project's copy of the app's card, as oscar's sandbox forks oscar's templates
CARD = """\
{% load static %}<div class="card"><img class="img-thumbnail" src="{% static 'img/banner.png' %}" alt="{{ item }}"></div>
"""


def _grid(root: Path) -> tuple[str, list[tuple[str, bool]]]:
    """What Django renders of ``grid.html`` for three items, and each card's (alt, lazy)."""
    run = _in_django(
        root,
        "import json\nfrom django.template.loader import render_to_string\n"
        "print(json.dumps(render_to_string('grid.html', {'items': ['a', 'b', 'c']})))\n",
    )
    assert run.returncode == 0, run.stderr
    html = json.loads(run.stdout)
    imgs = re.findall(
        r'<img class="img-thumbnail" src="/static/img/banner[^"]*" alt="(\w)"([^>]*)>', html
    )
    return html, [(alt, "lazy" in rest) for alt, rest in imgs]


def test_a_tag_rendering_the_grid_card_keeps_its_first_pass_eager(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(
        site,
        {
            "cardkit/__init__.py": "",
            "cardkit/templatetags/__init__.py": "",
            "cardkit/templatetags/cardkit_tags.py": TAGS,
            "cardkit/templates/cardkit/badge.html": "<b>{{ item }}</b>\n",
            "cardkit/templates/cardkit/card.html": "<p>the app's own card</p>\n",
        },
    )
    root = tmp_path / "project"
    _project(root)
    settings = root / "shopsite/settings.py"
    edited(settings, '"shop.apps.ShopConfig"]', '"shop.apps.ShopConfig", "cardkit"]')
    settings.write_text(settings.read_text() + f"import sys\nsys.path.insert(0, {str(site)!r})\n")
    write_tree(
        root, {"shopsite/templates/grid.html": GRID, "shopsite/templates/cardkit/card.html": CARD}
    )
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    result = run_cli("init", cwd=root, env=env)
    assert result.code == 0, result.err
    yaml = (root / "pipeline.yaml").read_text()
    # the badge's template is the app's, which the build leaves to Django: not listed; nor is
    # the tag that returns a template
    assert '  partial_tags: {render_card: "cardkit/card.html"}\n' in yaml, yaml
    pasted_and_built(root, result.out, env)
    html, passes = _grid(root)
    assert passes == [("a", False), ("b", True), ("c", True)], html
    assert "<b>1</b>" in html


#: the project's own inclusion tag drawing the grid's card: Django renders its template with
#: only the dict the tag returns (``Context.new``), so the card never sees the page's
#: ``forloop``
OWN_TAGS = """\
from django import template

register = template.Library()


@register.inclusion_tag("card.html")
def product_card(item):
    return {"item": item}
"""
OWN_GRID = """\
{% extends "base.html" %}{% load shop_tags %}
{% block content %}{% for i in items %}{% product_card i %}{% endfor %}{% endblock %}
"""


def test_an_inclusion_tag_card_in_a_loop_stays_eager_on_every_pass(tmp_path: Path) -> None:
    """The card cannot tell the loop's first pass from the others: it keeps every pass eager,
    as a macro does and as before the build; lazy on every pass made the grid's first card,
    the page's LCP, lazy."""
    root = tmp_path / "project"
    _project(root)
    write_tree(
        root,
        {
            "shop/templatetags/__init__.py": "",
            "shop/templatetags/shop_tags.py": OWN_TAGS,
            "shopsite/templates/grid.html": OWN_GRID,
            "shopsite/templates/card.html": CARD,
        },
    )
    result = run_cli("init", cwd=root)
    assert result.code == 0, result.err
    assert '  partial_tags: {product_card: "card.html"}\n' in (root / "pipeline.yaml").read_text()
    pasted_and_built(root, result.out)
    html, passes = _grid(root)
    assert passes == [("a", False), ("b", False), ("c", False)], html
