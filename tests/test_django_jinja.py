"""A Django project whose pages Django's Jinja2 backend renders (DMOJ: django-jinja's backend
first in ``TEMPLATES``, Django's own second for the admin, both ``DIRS`` naming
``templates/``). ``init`` put the build's folder in the second backend's ``DIRS``: Django asked
the Jinja2 backend first, which rendered the source templates, and no page linked a hashed
file. Now the first backend ``init`` reads (Django's own or a Jinja2 one) is the one whose
``DIRS`` gets the build's folder, and whose folders are built (an app's ``jinja2/``: Django's
Jinja2 backend's ``APP_DIRS``). Checked on what Django renders through its engines."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from assetpipe.adopt.settingsbase import app_dirname, backend
from tests.conftest import run_cli, write_tree
from tests.test_django import SETTINGS_HEAD, paste_entry, startproject
from tests.test_django_templates import _render

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

JINJA_BACKEND = """\
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [
            os.path.join(BASE_DIR, "shopsite", "jinja2"),
        ],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "shopsite.jinja2env.environment"},
    },
"""
DJANGO_BACKEND = """\
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
    },
"""
TAIL = """\
]
STATICFILES_DIRS = [os.path.join(BASE_DIR, "shopsite", "static")]
STATIC_URL = "/static/"
"""
APPS = 'INSTALLED_APPS = ["django.contrib.staticfiles", "shop"]\nTEMPLATES = [\n'
#: Django's docs' environment: ``static()`` and ``url()`` as globals
ENVIRONMENT = """\
from django.templatetags.static import static
from jinja2 import Environment


def environment(**options):
    env = Environment(**options)
    env.globals.update({"static": static})
    return env
"""
BASE = """\
<!doctype html>
<html><head><link rel="stylesheet" href="{{ static('css/site.css') }}"></head>
<body>{% block content %}{% endblock %}
<script src="{{ static('js/site.js') }}"></script></body></html>
"""
#: an app's page, in its ``jinja2/`` folder (Django's Jinja2 backend's ``APP_DIRS``)
ITEM = """\
{% extends "base.html" %}
{% block content %}<img alt="" src="{{ static('img/item.svg') }}">{% endblock %}
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>\n'


def _project(root: Path, backends: str) -> None:
    write_tree(
        root,
        {
            **startproject(SETTINGS_HEAD + APPS + backends + TAIL),
            "shopsite/jinja2env.py": ENVIRONMENT,
            "shopsite/jinja2/base.html": BASE,
            "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "shopsite/static/js/site.js": "document.body.dataset.ready = 'yes';\n",
            "shopsite/static/img/item.svg": SVG,
            "shop/__init__.py": "",
            "shop/jinja2/shop/item.html": ITEM,
            # Django's language, for the second backend: never built into the Jinja2 one's
            "shop/templates/shop/widget.html": "{% load static %}<b>{% static 'js/site.js' %}</b>\n",
        },
    )


def _paste(root: Path, out: str) -> int:
    """Paste the lines ``init`` printed where it said (the ``DIRS`` entry after the line it
    names, ``Path``'s import at the top); the ``DIRS`` line's number."""
    wsgi_part, dirs_part = out.split("Add these lines", 1)[1].split("and first in the DIRS", 1)
    paste_entry(root, wsgi_part)
    line = int(re.search(r"at line (\d+)", dirs_part).group(1))  # type: ignore[union-attr]
    entry = next(s.strip() for s in dirs_part.splitlines() if s.startswith("      "))
    settings = root / "shopsite/settings.py"
    lines = settings.read_text().splitlines()
    lines.insert(line, "            " + entry)
    settings.write_text("from pathlib import Path\n" + "\n".join(lines) + "\n")
    return line


@pytest.mark.parametrize("second", [DJANGO_BACKEND, ""], ids=["with-djangotemplates", "alone"])
def test_the_jinja2_backends_templates_are_built_and_rendered(tmp_path: Path, second: str) -> None:
    _project(tmp_path, JINJA_BACKEND + second)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err + result.out
    assert "django.template.backends.jinja2.Jinja2 backend" in result.out, result.out
    line = _paste(tmp_path, result.out)
    settings = (tmp_path / "shopsite/settings.py").read_text().splitlines()
    assert settings[line].strip() == '"DIRS": [', settings  # the Jinja2 backend's
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    assert not (tmp_path / "dist/templates/shop/widget.html").exists()
    html = _render(tmp_path, ["base.html", "shop/item.html"])
    urls = re.findall(r"/static/[^\s\"']+", "".join(html.values()))
    assert len(urls) == 5, html
    for url in urls:
        assert re.search(r"-[A-Z0-9]{8}\.\w+$", url), html
        assert (tmp_path / "dist/public" / url.removeprefix("/static/")).is_file(), url


def test_the_folder_of_an_app_each_backend_searches() -> None:
    """Django's own: ``templates``; Django's Jinja2 backend: ``jinja2``; django-jinja's:
    ``templates`` unless ``OPTIONS["app_dirname"]`` names another (Mozilla's standup:
    ``jinja2``); any other backend is not read."""
    settings = """
TEMPLATES = [
    {"BACKEND": "django_jinja.backend.Jinja2", "OPTIONS": {"app_dirname": "jinja2"}},
    {"BACKEND": "django_jinja.backend.Jinja2"},
    {"BACKEND": "django.template.backends.jinja2.Jinja2"},
    {"BACKEND": "django.template.backends.django.DjangoTemplates"},
    {"BACKEND": "mako.Backend"},
]
"""
    tree = ast.parse(settings)
    dicts = [n for n in ast.walk(tree) if isinstance(n, ast.Dict) and n.keys and n.keys[0]]
    named = [
        d for d in dicts if isinstance(d.keys[0], ast.Constant) and d.keys[0].value == "BACKEND"
    ]
    assert [app_dirname(d) for d in named] == ["jinja2", "templates", "jinja2", "templates", None]
    assert backend(tree) is named[0]


#: a page drawing its photos in a loop, with no markup only Jinja2 has
LIST = """\
{% extends "base.html" %}
{% block content %}{% for i in [1, 2] %}<img alt="" src="{{ static('img/item.svg') }}">{% endfor %}
{% endblock %}
"""


def test_a_loops_first_photo_stays_eager_in_a_jinja2_backends_page(tmp_path: Path) -> None:
    """The build took a Django project's templates for Django's language (``forloop.first``,
    undefined in Jinja2: every pass of the loop went lazy, the LCP photo with them). ``init``
    writes ``templates.jinja: true`` for a Jinja2 backend, and the first pass stays eager."""
    _project(tmp_path, JINJA_BACKEND + DJANGO_BACKEND)
    write_tree(tmp_path, {"shop/jinja2/shop/list.html": LIST})
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "  jinja: true" in (tmp_path / "pipeline.yaml").read_text()
    _paste(tmp_path, result.out)
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    html = _render(tmp_path, ["shop/list.html"])["shop/list.html"]
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 2, html
    assert "loading" not in imgs[0] and 'loading="lazy"' in imgs[1], html


#: django-debug-toolbar's example project: Django's Jinja2 backend first for one template in
#: ``templates/jinja2``, ``DjangoTemplates`` second for the pages in ``templates/``
FEW_JINJA = JINJA_BACKEND.replace('"shopsite", "jinja2"', '"shopsite", "templates", "jinja2"')
PAGES_DJANGO = DJANGO_BACKEND.replace(
    '"DIRS": []',
    '"DIRS": [\n            os.path.join(BASE_DIR, "shopsite", "templates"),\n        ]',
)
DJANGO_BASE = """\
{% load static %}<!doctype html>
<html><head><link rel="stylesheet" href="{% static 'css/site.css' %}"></head>
<body>{% block content %}{% endblock %}</body></html>
"""


def test_a_jinja2_backend_listed_first_for_one_template_leaves_djangos_pages_built(
    tmp_path: Path,
) -> None:
    """``init`` read the first backend: the Jinja2 one's single template was built, and the
    pages Django's own backend renders, after it, linked their unhashed files. The backend
    whose folders hold most of the project's templates is taken (``djangobackend``); the other
    is named, with its count, and its template renders as before."""
    write_tree(
        tmp_path,
        {
            **startproject(SETTINGS_HEAD + APPS + FEW_JINJA + PAGES_DJANGO + TAIL),
            "shopsite/jinja2env.py": ENVIRONMENT,
            "shopsite/templates/jinja2/index.jinja": BASE,
            "shopsite/templates/base.html": DJANGO_BASE,
            "shopsite/templates/page.html": '{% extends "base.html" %}{% load static %}'
            '{% block content %}<img alt="" src="{% static \'img/item.svg\' %}">{% endblock %}\n',
            "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "shopsite/static/js/site.js": "document.body.dataset.ready = 'yes';\n",
            "shopsite/static/img/item.svg": SVG,
            "shop/__init__.py": "",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err + result.out
    assert "django.template.backends.jinja2.Jinja2 backend of TEMPLATES renders 1" in result.out
    assert "jinja: true" not in (tmp_path / "pipeline.yaml").read_text()
    line = _paste(tmp_path, result.out)
    settings = (tmp_path / "shopsite/settings.py").read_text().splitlines()
    assert settings[line + 2].strip() == 'os.path.join(BASE_DIR, "shopsite", "templates"),'
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    html = _render(tmp_path, ["page.html", "index.jinja"])
    urls = re.findall(r"/static/[^\s\"']+", html["page.html"])
    assert len(urls) == 2, html
    for url in urls:
        assert re.search(r"-[A-Z0-9]{8}\.\w+$", url), html
        assert (tmp_path / "dist/public" / url.removeprefix("/static/")).is_file(), url
    assert "/static/css/site.css" in html["index.jinja"], html  # the Jinja2 one's, as written
