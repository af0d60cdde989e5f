"""Which partial or macro holds a page's LCP candidate (``rewrite.leads``), on the template
shapes real apps have, and what the rewrite writes for it (what a page renders of it is checked
in real Flask and Django by tests/test_lcp_partials.py and tests/test_django_loop_lcp.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from jinja2 import DictLoader, Environment, StrictUndefined

from assetpipe.rewrite.document import Document
from assetpipe.rewrite.leads import fact, roles
from assetpipe.rewrite.rules import Options, rewrite
from assetpipe.stages.templatelead import role_options
from tests.conftest import write_tree
from tests.test_layout import _wait_for

PHOTO = '<img src="{{ p }}" alt="{{ p }}">'


def _built(
    templates: dict[str, str],
    pages: set[str],
    django: bool = False,
    tags: dict[str, str] | None = None,
) -> dict[str, str]:
    facts = {n: fact(Document(t, n)) for n, t in templates.items()}
    rl = roles(facts, pages, django, tags)
    return {
        n: rewrite(
            t, n, {}, Options(is_page=n in pages, django=django, **role_options(rl.get(n)))
        ).text
        for n, t in templates.items()
    }


def _render(templates: dict[str, str], name: str, **ctx: object) -> str:
    env = Environment(loader=DictLoader(templates), undefined=StrictUndefined)
    return env.get_template(name).render(**ctx)


def test_a_card_included_by_a_list_partial_in_a_loop_is_eager_on_the_first_pass() -> None:
    """Two levels (a page including a list partial whose loop includes a card), the loop's
    whitespace control kept (``{%-``), the page's own image after the list lazy."""
    built = _built(
        {
            "page.html": '{% include "list.html" %}\n<img src="/after.png" alt="after">',
            "list.html": '{% for p in ps %}\n  {%- include "card.html" %}\n{% endfor %}',
            "card.html": PHOTO,
        },
        {"page.html"},
    )
    assert "{%- set assetpipe_first = loop.first %}{%- include" in built["list.html"]
    html = _render(built, "page.html", ps=["a", "b"])
    assert html.count("loading") == 1, html
    assert '<img src="a" alt="a" >' in html and '<img src="b" alt="b" loading="lazy"' in html


def test_a_partial_included_once_anywhere_stays_eager_everywhere() -> None:
    built = _built(
        {
            "grid.html": '{% for p in ps %}{% include "card.html" %}{% endfor %}',
            "hero.html": '{% with p = "hero" %}{% include "card.html" %}{% endwith %}',
            "card.html": PHOTO,
        },
        {"grid.html", "hero.html"},
    )
    assert built["card.html"] == PHOTO


def test_macros_imported_under_another_name_or_defined_by_the_page() -> None:
    """``from 'm.html' import card as c``, ``import 'm.html' as m``, the page's own macro; a
    macro the page calls after its own large image stays lazy."""
    macros = "{% macro card(p) %}" + PHOTO + "{% endmacro %}{% macro late(p) %}" + PHOTO
    macros += "{% endmacro %}"
    built = _built(
        {
            "m.html": macros,
            "a.html": "{% from 'm.html' import card as c with context %}{{ c(1) }}",
            "b.html": "{% import 'm.html' as m %}<img src='/big.png' alt=''>{{ m.late(1) }}",
            "c.html": "{% macro own(p) %}" + PHOTO + "{% endmacro %}{{ own(2) }}",
        },
        {"a.html", "b.html", "c.html"},
    )
    card, late = built["m.html"].split("{% macro late")
    assert "loading" not in card and 'loading="lazy"' in late
    assert "loading" not in built["c.html"]


def test_a_nav_partial_holds_no_candidate_and_django_sets_nothing() -> None:
    """A navbar partial's logo is passed over for the card grid after it; a Django page gets no
    ``{% set %}`` (its partial sees ``forloop``)."""
    built = _built(
        {
            "page.html": '{% load static %}{% include "navbar.html" %}'
            '{% for p in ps %}{% include "card.html" %}{% endfor %}',
            "navbar.html": '<img src="/logo.png" alt="logo">',
            "card.html": PHOTO,
        },
        {"page.html"},
        django=True,
    )
    assert "set" not in built["page.html"]
    assert "{% if not forloop or not forloop.first %}" in built["card.html"]
    assert "forloop" not in built["navbar.html"]


def test_a_jinja_template_taken_for_djangos_renders_without_an_error() -> None:
    """A Django project rendering some templates with Jinja2 (``first_wins`` set by ``init``):
    a template with no markup only one language has is read as Django's, and its loop test is
    written so that Jinja renders it too (every pass lazy) rather than raising on
    ``forloop.first``."""
    page = "{% for p in ps %}" + PHOTO + "{% endfor %}"
    built = _built({"page.html": page}, {"page.html"}, django=True)
    html = Environment(loader=DictLoader(built)).get_template("page.html").render(ps=["a", "b"])
    assert html.count('loading="lazy"') == 2, html


def test_a_django_tag_that_renders_a_partial_is_followed_like_an_include() -> None:
    """``templates.partial_tags`` names the template a project's tag renders: its first large
    image holds the page's candidate (first pass in a loop; Bootstrap's ``img-thumbnail`` is a
    border, not a size; every pass where the tag gives it no ``forloop``, as an
    ``inclusion_tag`` does); a tag it does not name is not followed."""
    page = "{% load shop %}{% for p in ps %}{% render_card p %}{% endfor %}"
    card = '<img class="img-thumbnail" src="{{ p }}" alt="">'
    templates = {"page.html": page, "card.html": card}
    built = _built(templates, {"page.html"}, django=True, tags={"render_card": "card.html"})
    first = '{% if forloop and not forloop.first %}loading="lazy" decoding="async"{% endif %}'
    assert built["card.html"] == card.replace('alt="">', f'alt="" {first}>')
    for tags in ({}, {"other": "card.html"}):
        built = _built(templates, {"page.html"}, django=True, tags=tags)
        assert 'alt="" loading="lazy"' in built["card.html"]


BASE = "<html><head><title>{% block title %}{% endblock %}</title></head><body>\n"


def test_a_layout_between_the_base_and_its_pages_keeps_its_banner_eager() -> None:
    """A layout that extends the base and draws a banner before the block its pages fill keeps
    it eager; a page's title block with text is no slot (its macro grid still holds the LCP);
    an image after the slot stays lazy."""
    built = _built(
        {
            "base.html": BASE + "{% block body %}{% endblock %}</body></html>",
            "shop.html": '{% extends "base.html" %}{% block body %}'
            '<div class="hero"><img src="/banner.jpg" alt="banner"></div>'
            "{% block content %}{% endblock %}<img src='/foot.jpg' alt='foot'>{% endblock %}",
            "m.html": "{% macro card(p) %}" + PHOTO + "{% endmacro %}",
            "page.html": '{% extends "base.html" %}{% from "m.html" import card %}'
            "{% block title %}Explore{% endblock %}"
            "{% block body %}{% for p in ps %}{{ card(p) }}{% endfor %}{% endblock %}",
        },
        {"page.html"},
    )
    shop = built["shop.html"]
    assert '<img src="/banner.jpg" alt="banner">' in shop, shop
    assert "<img src='/foot.jpg' alt='foot' loading='lazy'" in shop, shop
    assert "loading" not in built["m.html"]


def test_a_partial_in_a_nav_a_dropdown_or_a_closed_modal_holds_no_candidate() -> None:
    """A layout's partials included in a ``<nav>``, a dropdown menu or a modal not shown stay
    lazy; one in a modal the server renders open (``modal active``) holds the candidate."""
    layout = (
        BASE + '<nav>{% include "a.html" %}</nav>'
        '<ul class="dropdown-menu">{% include "b.html" %}</ul>'
        '<div class="modal fade">{% include "c.html" %}</div>'
        '<div hidden>{% include "a.html" %}</div>'
        '<div class="modal active">{% include "d.html" %}</div>'
        "{% block content %}{% endblock %}</body></html>"
    )
    parts = {n: PHOTO.replace("{{ p }}", n) for n in ("a.html", "b.html", "c.html", "d.html")}
    built = _built({"layout.html": layout, **parts}, set())
    assert [n for n in parts if "loading" not in built[n]] == ["d.html"], built


def test_watch_rebuilds_the_partial_a_saved_page_gives_the_candidate(tmp_path: Path) -> None:
    """``assetpipe watch`` rebuilds a saved template alone: a page saved to draw its grid with
    ``{% include "card.html" %}`` would leave the card as the last build wrote it (lazy on every
    pass). The partial whose role the save gave is rebuilt with it, and so is one whose role a
    save takes away (it stayed eager until the next full build)."""
    from assetpipe.dev.watch import Watcher

    write_tree(
        tmp_path,
        {
            "app/templates/card.html": PHOTO,
            "app/templates/pages/grid.html": "{% for p in ps %}<p>{{ p }}</p>{% endfor %}\n",
            "app/static/css/site.css": "body { color: rgb(1, 2, 3); }\n",
            "pipeline.yaml": "source: app/static\noutput: dist\ntemplates: {dirs: [app/templates]}\n",
        },
    )
    w = Watcher(tmp_path / "pipeline.yaml", port=0, serve=False, on_line=lambda *a: None)
    w.start()
    try:
        card = tmp_path / "dist/templates/card.html"
        _wait_for(card.exists, "the first build")
        assert 'loading="lazy"' in card.read_text()
        grid = tmp_path / "app/templates/pages/grid.html"
        grid.write_text('{% for p in ps %}{% include "card.html" %}{% endfor %}\n')
        _wait_for(lambda: "assetpipe_first" in card.read_text(), "the card's rebuild")
        html = _render(
            {
                n: (tmp_path / "dist/templates" / n).read_text()
                for n in ("card.html", "pages/grid.html")
            },
            "pages/grid.html",
            ps=["a", "b"],
        )
        assert html.count("loading") == 1 and '<img src="b" alt="b" loading="lazy"' in html, html
        # saved back: the role is taken away, and the card is lazy on every pass again
        grid.write_text("{% for p in ps %}<p>{{ p }}</p>{% endfor %}\n")
        _wait_for(lambda: "assetpipe_first" not in card.read_text(), "the card's second rebuild")
        assert 'loading="lazy"' in card.read_text()
    finally:
        w.close()


def test_alternatives_are_the_branches_of_one_chain() -> None:
    """The images drawn instead of a page's first one: the other branches of its ``{% if %}``
    (an ``{% ifchanged %}``'s ``{% else %}`` inside it is not one of them), not an image after
    an ``{% if %}`` without ``{% else %}``."""
    from assetpipe.rewrite.document import Document
    from assetpipe.rewrite.lcp import page_candidates

    text = (
        '{% if a %}<img src="/a.jpg" alt="a">'
        '{% ifchanged x %}<p>{{ x }}</p>{% else %}<img src="/x.jpg" alt="x">{% endifchanged %}'
        '{% elif b %}<img src="/b.jpg" alt="b">'
        '{% else %}<p>none</p>{% endif %}<img src="/c.jpg" alt="c">'
        '{% if d %}<img src="/d.jpg" alt="d">{% endif %}<img src="/e.jpg" alt="e">'
    )
    doc = Document(text, "page.html")
    cands = page_candidates(doc, doc.scan.tags)
    assert cands.first is not None and doc.value(cands.first, "alt") == "a"
    assert [doc.value(t, "alt") for t in cands.drawn_instead(doc)] == ["b"]


def _after(text: str) -> tuple[list[str | None], list[str]]:
    from assetpipe.rewrite.lcp import page_candidates

    doc = Document(text, "page.html")
    after, tests = page_candidates(doc, doc.scan.tags).drawn_after(doc)
    return [doc.value(t, "alt") for t in after], tests


def test_an_image_after_an_if_without_else_is_lazy_only_where_the_if_draws() -> None:
    """healthchecks' setup guides: ``{% if not connected %}<img step0>{% endif %}`` then step 1,
    the page's first image where step 0 is not drawn. Lazy only under the ``{% if %}``'s tests
    (joined with ``or``, in parentheses in Jinja); in Jinja, rendered both ways."""
    text = (
        '{% block body %}{% if not connected %}<img src="/0.jpg" alt="0">'
        '{% elif guide == "x" %}<img src="/x.jpg" alt="x">{% endif %}'
        '<p>Then</p><img src="/1.jpg" alt="1"><img src="/2.jpg" alt="2">{% endblock %}'
    )
    assert _after(text) == (["1"], ["not connected", 'guide == "x"'])
    built = rewrite(text, "page.html", {}, Options(is_page=True)).text
    assert '<img src="/1.jpg" alt="1" {% if (not connected) or (guide == "x") %}' in built
    env = Environment(undefined=StrictUndefined)
    shown = env.from_string(built).render(connected=True, guide="y")
    assert '<img src="/1.jpg" alt="1" >' in shown  # the first image drawn: eager
    assert '<img src="/2.jpg" alt="2" loading="lazy"' in shown
    hidden = env.from_string(built).render(connected=False, guide="y")
    assert '<img src="/1.jpg" alt="1" loading="lazy" decoding="async">' in hidden
    # Django's {% if %} has no parentheses: joined bare (``or`` binds loosest there too)
    django = rewrite(text, "page.html", {}, Options(is_page=True, django=True)).text
    assert '{% if not connected or guide == "x" %}loading="lazy"' in django
    if importlib.util.find_spec("django") is not None:
        from django.template import Context, Engine

        def in_django(**ctx: object) -> str:
            return str(Engine().from_string(django).render(Context(ctx)))

        assert '<img src="/1.jpg" alt="1" >' in in_django(connected=True, guide="y")
        assert 'alt="1" loading="lazy"' in in_django(connected=True, guide="x")
        assert 'alt="1" loading="lazy"' in in_django(connected=False, guide="y")


def test_an_image_after_an_if_is_left_lazy_where_its_test_could_not_be_read_again() -> None:
    """Not after an ``{% if %}`` with an ``{% else %}`` (never nothing drawn), nested in
    another chain or a loop, nor for an image in a loop, a macro, or another block (its test is
    read again where the image is: a ``{% set %}`` in one block is not seen in another), nor
    past a loop or an include, which may draw the page's first image."""
    img = '<img src="/{0}.jpg" alt="{0}">'
    a, b = img.format("a"), img.format("b")
    assert _after(f"{{% if x %}}{a}{{% endif %}}{{% if y %}}{b}{{% endif %}}") == (["b"], ["x"])
    assert _after(f"{{% if x %}}{a}{{% else %}}<p>no</p>{{% endif %}}{b}") == ([], [])
    assert _after(f"{{% if y %}}{{% if x %}}{a}{{% endif %}}{b}{{% endif %}}") == ([], [])
    assert _after(f"{{% if x %}}{a}{{% endif %}}{{% for i in s %}}{b}{{% endfor %}}") == ([], [])
    blocks = f"{{% block one %}}{{% if x %}}{a}{{% endif %}}{{% endblock %}}{{% block two %}}{b}"
    assert _after(blocks + "{% endblock %}") == ([], [])
    assert _after(f"{{% if x if y else z %}}{a}{{% endif %}}{b}") == ([], [])
    # a loop or an include between may draw the first image instead (Wagtail CRX's body)
    body = "{% for block in body %}{% include_block block %}{% endfor %}"
    assert _after(f"{{% if x %}}{a}{{% endif %}}{body}{b}") == ([], [])
    assert _after(f'{{% if x %}}{a}{{% endif %}}{{% include "p.html" %}}{b}') == ([], [])
    assert _after(f"{{% if x %}}{a}{{% endif %}}{{% if y %}}<p>y</p>{{% endif %}}{b}") == (
        ["b"],
        ["x"],
    )


def test_a_hint_on_a_partial_included_in_a_loop_is_high_on_the_first_pass_only() -> None:
    """An ``lcp-hints.json`` hint on a card partial that a page includes in a loop (Wagtail
    CRX's article index, after ``assetpipe audit``) put ``fetchpriority="high"`` on every
    card: eager and high on the loop's first pass now, lazy after, in Jinja and in Django."""
    from assetpipe.rewrite.hints import Hint

    card = '<img src="{{ p }}" alt="{{ p }}">'
    for django, page in (
        (False, '{% for p in ps %}{% include "card.html" %}{% endfor %}'),
        (True, '{% for p in ps %}{% include "card.html" %}{% endfor %}'),
    ):
        templates = {"page.html": page, "card.html": card}
        facts = {n: fact(Document(t, n)) for n, t in templates.items()}
        rl = roles(facts, {"page.html"}, django)
        built = {
            n: rewrite(
                t,
                n,
                {},
                Options(is_page=n == "page.html", django=django, **role_options(rl.get(n))),
                hints=[Hint("card.html", 1, None)],
            ).text
            for n, t in templates.items()
        }
        if django:
            if importlib.util.find_spec("django") is None:
                continue
            from django.template import Context, Engine

            engine = Engine(loaders=[("django.template.loaders.locmem.Loader", built)])
            html = str(engine.get_template("page.html").render(Context({"ps": ["a", "b"]})))
        else:
            html = _render(built, "page.html", ps=["a", "b"])
        assert '<img src="a" alt="a" fetchpriority="high">' in html, (django, html)
        assert '<img src="b" alt="b" loading="lazy" decoding="async">' in html, (django, html)


def test_a_lone_image_on_the_other_branch_of_a_partials_carousel_stays_eager() -> None:
    """django-oscar's product gallery: ``{% if images|length > 1 %}`` a carousel loop ``{% else
    %}`` one image, the product page's LCP for a product with one photo: it was lazy (the
    candidate was the loop's first slide, and the image drawn instead of a loop was not kept),
    seen once the gallery's ``{% trans "Previous" %}`` no longer hid its end (the rewrite of
    ``{% trans %}``: tests/test_rewrite_cases.py). Rendered by Django's engine, both ways."""
    gallery = (
        "{% if images|length > 1 %}<div>{% for p in images %}" + PHOTO + "{% endfor %}</div>"
        "<span>Previous</span>"
        '{% else %}<img src="{{ one }}" alt="one">{% endif %}'
    )
    built = _built(
        {
            "detail.html": '{% extends "base.html" %}{% block c %}{% include "gallery.html" %}'
            "{% endblock %}",
            "base.html": "{% block c %}{% endblock %}",
            "gallery.html": gallery,
        },
        {"detail.html"},
        django=True,
    )
    assert '<img src="{{ one }}" alt="one">' in built["gallery.html"], built["gallery.html"]
    if importlib.util.find_spec("django") is None:
        return
    from django.conf import settings
    from django.template import Context, Engine

    if not settings.configured:
        settings.configure(USE_I18N=False)
    engine = Engine(loaders=[("django.template.loaders.locmem.Loader", built)], libraries={})

    def page(**ctx: object) -> str:
        return str(engine.get_template("detail.html").render(Context(ctx)))

    html = page(images=["a", "b"], one="x")
    assert html.count("loading") == 1 and '<img src="a" alt="a" >' in html, html
    assert page(images=["a"], one="x") == '<img src="x" alt="one">', page(images=["a"])


def test_the_logo_on_the_other_branch_of_a_page_with_only_logos_stays_eager() -> None:
    """pretix's event page header: the large logo or, on the ``{% else %}`` branch, the small
    one, and no other image: the first is the candidate, and the one drawn instead of it was
    lazy."""
    text = (
        '{% if large %}<img src="/l.png" alt="l" class="event-logo">'
        '{% else %}<img src="/s.png" alt="s" class="event-logo">{% endif %}'
    )
    built = _built({"page.html": text}, {"page.html"})
    assert built["page.html"] == text, built["page.html"]
