"""A Django project laid out as Tabbycat is: ``manage.py`` at the checkout's root, the project's
modules in ``tabbycat/`` (put on ``sys.path`` by the ``manage.py`` run there), its WSGI module
``tabbycat/wsgi.py`` a top-level module beside the settings package it names
(``DJANGO_SETTINGS_MODULE = "settings"``: ``tabbycat/settings/``), its apps top-level packages
there too (``draw`` is ``tabbycat/draw``), listed through a named tuple, and loaded by a
cached ``app_directories`` loader. ``init`` at the root found none of the apps, so their
templates were not built and the scripts they load stayed unhashed; built now."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import adopt_and_build, write_tree

SETTINGS = """\
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "test"
DEBUG = True
ROOT_URLCONF = "urls"
OWN_APPS = (
    "draw",
    "results",
)
INSTALLED_APPS = ("django.contrib.staticfiles",) + OWN_APPS + ("django.contrib.humanize",)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "OPTIONS": {
            "loaders": [
                ("django.template.loaders.cached.Loader", [
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ]),
            ],
        },
    },
]
STATIC_URL = "/static/"
STATICFILES_DIRS = (os.path.join(BASE_DIR, "static"),)
"""
WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

application = get_wsgi_application()
"""
BASE = """\
{% load static %}<!doctype html>
<html><head><link rel="stylesheet" href="{% static 'css/style.css' %}"></head>
<body>{% block content %}{% endblock %}</body></html>
"""
PAGE = """\
{% extends "base.html" %}{% load static %}
{% block content %}<p>Enter results</p>
<script src="{% static 'js/vendor/validate.js' %}"></script>{% endblock %}
"""


def test_apps_beside_a_top_level_wsgi_module_get_their_templates_built(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "manage.py": 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
            "tabbycat/manage.py": "import os\n",
            "tabbycat/wsgi.py": WSGI,
            "tabbycat/urls.py": "urlpatterns = []\n",
            "tabbycat/settings/__init__.py": SETTINGS,
            "tabbycat/templates/base.html": BASE,
            "tabbycat/static/css/style.css": "body { margin: 0; }\n",
            "tabbycat/static/js/vendor/validate.js": "window.validated = function () { return 1; };\n",
            "tabbycat/draw/__init__.py": "",
            "tabbycat/draw/templates/draw.html": '{% extends "base.html" %}\n',
            "tabbycat/results/__init__.py": "",
            "tabbycat/results/templates/enter_results.html": PAGE,
        },
    )
    adopt_and_build(tmp_path)
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "tabbycat/static"' in yaml, yaml
    assert '"tabbycat/draw/templates"' in yaml and '"tabbycat/results/templates"' in yaml, yaml
    page = (tmp_path / "dist/templates/enter_results.html").read_text()
    (name,) = re.findall(r"js/vendor/validate-[A-Z2-7]{8}\.js", page)
    assert (tmp_path / "dist/public" / name).is_file()
