"""A Django project laid out as Apprise API is: ``manage.py`` puts ``apprise_api/`` on
``sys.path`` (its apps are ``apprise_api/api``...), its files are in ``apprise_api/static/``,
which no ``STATICFILES_DIRS`` and no app names (its Docker image copies them where nginx answers
``STATIC_URL``), ``STATIC_URL = f"{BASE_URL}/s/"``, and its layout links two stylesheets as ``{%
get_static_prefix %}css/materialize.min.css``. ``init`` said the project had no static folder
of its own and wrote no config; then the apps' templates were not found, the public path was
taken to be ``/static/``, and the two stylesheets were left unhashed ("built by an
expression"). Initialised, built and rendered by Django: every URL the page names is a hashed
file of the build under ``/s/``."""

from __future__ import annotations

import re
from pathlib import Path

from assetpipe.rewrite.refs import classify
from tests.conftest import run_cli, write_tree
from tests.test_django import SETTINGS_HEAD, startproject
from tests.test_django_layouts import dirs_pasted_and_built
from tests.test_django_templates import _render

SETTINGS = (
    SETTINGS_HEAD
    + """\
BASE_URL = ""
INSTALLED_APPS = ["django.contrib.staticfiles", "api"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [],
              "APP_DIRS": True}]
STATIC_URL = f"{BASE_URL}/s/"
"""
)
PAGE = """\
{% load static %}
<link rel="stylesheet" href="{% get_static_prefix %}css/materialize.min.css">
<link rel="stylesheet" href="{% static 'css/base.css' %}">
<script src="{% static 'js/app.js' %}"></script>
"""


def test_a_static_folder_named_only_by_the_templates_under_an_import_root(
    tmp_path: Path,
) -> None:
    files = {f"inner/{k}": v for k, v in startproject(SETTINGS).items() if k != "manage.py"}
    write_tree(
        tmp_path,
        {
            "manage.py": "import os, sys\n\nsys.path.insert(0, os.path.join("
            "os.path.dirname(os.path.abspath(__file__)), 'inner'))\n",
            "inner/__init__.py": "",
            **files,
            "inner/api/__init__.py": "",
            "inner/api/templates/api/page.html": PAGE,
            "inner/static/css/materialize.min.css": "a { color: #26a69a; }\n",
            "inner/static/css/base.css": "body { margin: 0; }\n",
            "inner/static/js/app.js": "document.body.dataset.ready = '1';\n",
            "inner/static/licenses/LICENSE.txt": "MIT\n",
        },
    )
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.err
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "inner/static"' in yaml, yaml
    assert 'public_path: "/s/"' in yaml, yaml
    assert '"inner/api/templates"' in yaml, yaml
    # the DIRS entry pasted where init said
    dirs_pasted_and_built(tmp_path, done.out, tmp_path / "inner/shopsite/settings.py")
    page = _render(tmp_path / "inner", ["api/page.html"])["api/page.html"]
    urls = re.findall(r"/s/[^\s\"']+", page)
    assert len(urls) == 3, page
    for url in urls:
        assert re.search(r"-[A-Z2-7]{8}\.\w+$", url), page
        assert (tmp_path / "dist/public" / url.removeprefix("/s/")).is_file(), url


def test_the_static_prefix_tag_and_variable_name_the_file_after_them() -> None:
    """``{% get_static_prefix %}K`` and ``{{ STATIC_URL }}K`` are K's URL; a computed K after
    them stays unknown."""
    for head in ("{% get_static_prefix %}", "{{ STATIC_URL }}", "{%get_static_prefix%}"):
        ref = classify(f"{head}css/site.css?v=2", "/static/")
        assert ref is not None and ref.kind == "prefixed" and ref.key == "css/site.css", head
        assert ref.head == head
    ref = classify("{% get_static_prefix %}css/theme-{{ theme }}.css", "/static/")
    assert ref is not None and ref.kind == "dynamic"


def test_a_django_projects_public_path_is_its_static_url_whatever_its_pages_link(
    tmp_path: Path,
) -> None:
    """OpenCiviWiki's landing page links ``./static/less/landing.css`` and four more files
    relative to the page: ``init`` took ``/./static/`` for the public path, where Django's
    ``{% static %}`` renders ``STATIC_URL``, ``/static/``."""
    settings = SETTINGS.replace('f"{BASE_URL}/s/"', '"/static/"')
    write_tree(
        tmp_path,
        {
            **startproject(settings + 'STATICFILES_DIRS = [os.path.join(BASE_DIR, "assets")]\n'),
            "api/__init__.py": "",
            "api/templates/landing.html": (
                '<link rel="stylesheet" href="./static/css/base.css">\n'
                '<link rel="icon" href="./static/img/icon.png">\n'
                '<script src="./static/js/app.js"></script>\n'
            ),
            "assets/css/base.css": "body { margin: 0; }\n",
            "assets/img/icon.png": b"\x89PNG\r\n\x1a\n",
            "assets/js/app.js": "document.body.dataset.ready = '1';\n",
        },
    )
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.err
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert 'public_path: "/static/"' in yaml, yaml
