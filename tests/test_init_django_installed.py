"""``init`` on a Django project whose pages are an installed package's (django-oscar's sandbox:
every template and static file is the ``oscar`` package's) wrote a config that built nothing
and said only "No templates folder found". It now names the packages whose templates Django
renders and what to do to build them. The package is a real one on ``PYTHONPATH``, found
without importing it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import edited, run_cli, write_tree

SETTINGS = """\
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALLED_APPS = ["django.contrib.staticfiles", "shopkit.apps.ShopkitConfig"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
    },
]
STATICFILES_DIRS = [os.path.join(BASE_DIR, "static")]
STATIC_URL = "/static/"
"""
WSGI = """\
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
"""


def _init(tmp_path: Path, own_template: bool) -> str:
    write_tree(
        tmp_path / "site",
        {
            "shopkit/__init__.py": "",
            "shopkit/apps.py": "",
            "shopkit/templates/shopkit/base.html": "<!doctype html>{% block body %}{% endblock %}",
            "shopkit/templates/shopkit/product.html": '{% extends "shopkit/base.html" %}',
        },
    )
    project = tmp_path / "project"
    files: dict[str, str | bytes] = {
        "manage.py": "import sys\n",
        "shop/__init__.py": "",
        "shop/settings.py": SETTINGS,
        "shop/wsgi.py": WSGI,
        "static/robots.txt": "User-agent: *\n",
    }
    if own_template:
        files["templates/shopkit/base.html"] = (
            "<!doctype html><p>ours</p>{% block body %}{% endblock %}"
        )
    write_tree(project, files)
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    result = run_cli("init", cwd=project, env={"PYTHONPATH": path})
    assert result.code == 0, result.err
    return result.out


def test_init_names_the_installed_package_whose_templates_are_the_pages(tmp_path: Path) -> None:
    out = _init(tmp_path, own_template=False)
    assert "0 template(s)" in out
    assert "Django renders its pages from the templates of installed packages (shopkit: 2)" in out
    assert "copy the templates into a DIRS folder" in out


def test_no_note_when_the_project_has_templates_of_its_own(tmp_path: Path) -> None:
    out = _init(tmp_path, own_template=True)
    assert "1 template(s)" in out and "installed packages" not in out


def test_a_file_of_a_project_apps_static_folder_is_not_called_missing(tmp_path: Path) -> None:
    """``wagtail start``'s project links ``{% static 'css/welcome_page.css' %}`` from its
    ``home`` app's ``static/`` folder (Django's ``AppDirectoriesFinder`` serves it): ``init``
    said it 404s "today too" and to fix it, and ``build --strict`` failed on the new project.
    It is named as the app's file and left as written (``app_routes``); now the app's folder
    is built too (``static.folders``), and the page links the file's hashed name."""
    settings = SETTINGS.replace('"shopkit.apps.ShopkitConfig"', '"home"')
    settings = settings.replace('os.path.join(BASE_DIR, "templates")', '"shop/templates"')
    write_tree(
        tmp_path,
        {
            "manage.py": "import sys\n",
            "shop/__init__.py": "",
            "shop/settings.py": settings,
            "shop/wsgi.py": WSGI,
            "shop/static/css/site.css": "body{margin:0}\n",
            "shop/templates/base.html": (
                "{% load static %}<!doctype html>"
                "<link rel=stylesheet href=\"{% static 'css/site.css' %}\">"
                "{% block content %}{% endblock %}"
            ),
            "home/__init__.py": "",
            "home/static/css/welcome_page.css": "h1{color:teal}\n",
            "home/templates/home/home_page.html": (
                '{% extends "base.html" %}{% load static %}{% block content %}'
                "<link rel=stylesheet href=\"{% static 'css/welcome_page.css' %}\">"
                "{% endblock %}"
            ),
        },
    )
    settings_file = tmp_path / "shop/settings.py"
    edited(
        settings_file,
        'STATICFILES_DIRS = [os.path.join(BASE_DIR, "static")]',
        'STATICFILES_DIRS = [os.path.join(BASE_DIR, "shop", "static")]',
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    text = (tmp_path / "pipeline.yaml").read_text()
    assert "404 today too" not in text and "missing_assets" not in text, text
    assert 'folders: ["home/static"]' in text and "app_routes" not in text, text
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    page = (tmp_path / "dist/templates/home/home_page.html").read_text()
    assert re.search(r"\{% static 'css/welcome_page-[A-Z0-9]{8}\.css' %\}", page), page


def test_an_installed_package_whose_apps_are_subpackages_is_named(tmp_path: Path) -> None:
    """Spirit's apps are subpackages (``spirit.core``, ``spirit.topic``, ...), each with its
    own ``templates/``; the package has none at its top. The note counted top-level folders
    only and named the two one-template packages beside it (``djconfig: 1, haystack: 1``),
    not the forum. An app's folder counts for its package; one not listed does not."""
    write_tree(
        tmp_path / "site",
        {
            "forum/__init__.py": "",
            "forum/core/__init__.py": "",
            "forum/core/templates/forum/_base.html": "<!doctype html>{% block c %}{% endblock %}",
            "forum/topic/__init__.py": "",
            "forum/topic/templates/forum/topic/detail.html": '{% extends "forum/_base.html" %}',
            "forum/topic/templates/forum/topic/index.html": '{% extends "forum/_base.html" %}',
            "forum/poll/__init__.py": "",  # not in INSTALLED_APPS
            "forum/poll/templates/forum/poll/vote.html": '{% extends "forum/_base.html" %}',
            "cfgkit/__init__.py": "",
            "cfgkit/templates/cfgkit/config.html": "<p>config</p>",
        },
    )
    apps = '"forum.core", "forum.topic.apps.TopicConfig", "cfgkit"'
    project = tmp_path / "project"
    write_tree(
        project,
        {
            "manage.py": "import sys\n",
            "shop/__init__.py": "",
            "shop/settings.py": SETTINGS.replace('"shopkit.apps.ShopkitConfig"', apps),
            "shop/wsgi.py": WSGI,
            "static/robots.txt": "User-agent: *\n",
        },
    )
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    result = run_cli("init", cwd=project, env={"PYTHONPATH": path})
    assert result.code == 0, result.err
    assert "templates of installed packages (forum: 3, cfgkit: 1)" in result.out, result.out


@pytest.mark.parametrize("collected", [False, True])
def test_a_project_with_no_static_folder_of_its_own_is_named_as_django(
    tmp_path: Path, collected: bool
) -> None:
    """django-wiki's ``testproject``: no ``STATICFILES_DIRS``, no app of the project, every
    page rendered from the installed ``wiki`` package and its plugins' apps. ``init`` said "no
    Flask app with a static folder found" (look for ``Flask(__name__)``), and after
    ``collectstatic`` took ``STATIC_ROOT``'s copies for the source. It now names the settings
    and the packages, and writes no config."""
    write_tree(
        tmp_path / "site",
        {
            "shopkit/__init__.py": "",
            "shopkit/apps.py": "",
            "shopkit/templates/shopkit/base.html": "<!doctype html>{% block body %}{% endblock %}",
            "shopkit/plugins/__init__.py": "",
            "shopkit/plugins/images/__init__.py": "",
            "shopkit/plugins/images/apps.py": "",
            "shopkit/plugins/images/templates/shopkit/images.html": "{% block body %}{% endblock %}",
        },
    )
    settings = SETTINGS.replace(
        '"shopkit.apps.ShopkitConfig"',
        '"shopkit.apps.ShopkitConfig", "shopkit.plugins.images.apps.ImagesConfig"',
    )
    files: dict[str, str | bytes] = {
        "manage.py": "import sys\n",
        "shop/__init__.py": "",
        "shop/settings.py": settings,
        "shop/wsgi.py": WSGI,
        "templates/404.html": "<!doctype html><p>Not found</p>",
    }
    if collected:  # collectstatic's copies, the admin's among them
        files["static/admin/css/base.css"] = "body{margin:0}\n"
        files["static/shopkit/site.css"] = "p{color:red}\n"
    write_tree(tmp_path / "project", files)
    edited(
        tmp_path / "project/shop/settings.py",
        'STATICFILES_DIRS = [os.path.join(BASE_DIR, "static")]',
        'STATIC_ROOT = os.path.join(BASE_DIR, "static")',
    )
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    result = run_cli("init", cwd=tmp_path / "project", env={"PYTHONPATH": path})
    assert result.code == 2, result.out
    assert "shop/settings.py is a Django project's settings with no static folder" in result.err
    assert "STATIC_ROOT holds collectstatic's copies, never a source" in result.err
    assert "installed packages (shopkit: " in result.err
    assert "copy the templates into a DIRS folder" in result.err
    assert "Flask" not in result.err
    assert not (tmp_path / "project/pipeline.yaml").exists()
    assert "other sites'" not in result.err


def test_the_other_sites_files_the_projects_templates_link_are_named(tmp_path: Path) -> None:
    """django-allauth's example project: 29 templates of its own in its ``DIRS`` folder,
    Bootstrap linked from a CDN, no static folder. The error said only that its pages were
    the installed package's, to be copied; it names the CDN's files and how to make them the
    project's own."""
    files: dict[str, str | bytes] = {
        "manage.py": "import sys\n",
        "shop/__init__.py": "",
        "shop/settings.py": SETTINGS,
        "shop/wsgi.py": WSGI,
        "templates/base.html": (
            '<!doctype html><link href="https://cdn.example.org/b.min.css" rel="stylesheet">\n'
            "{% block body %}{% endblock %}\n"
            '<script src="https://cdn.example.org/b.bundle.min.js"></script>\n'
        ),
        "templates/index.html": '{% extends "base.html" %}',
    }
    write_tree(tmp_path / "project", files)
    result = run_cli("init", cwd=tmp_path / "project")
    assert result.code == 2, result.out
    assert "shop/settings.py is a Django project's settings with no static folder" in result.err
    assert (
        "the project's templates (templates: 2) link other sites' scripts and stylesheets"
        " (https://cdn.example.org/b.min.css, and 1 more), which the build leaves as they are"
    ) in " ".join(result.err.split())
    assert "link them with {% static %}" in result.err
    assert not (tmp_path / "project/pipeline.yaml").exists()
