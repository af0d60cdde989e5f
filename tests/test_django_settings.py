"""``init`` reading a Django project's settings as NetBox writes them: a ``DIRS`` entry that is
a module-level name (``TEMPLATES_DIR = BASE_DIR + '/templates'``), several ``STATICFILES_DIRS``
folders (the first named ``dist``, a prebuilt bundle, one ``(prefix, path)`` pair), each read
as Django's finders and loaders read them, then built and rendered by Django itself."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from assetpipe.adopt.npmfinder import npm_finder_files
from assetpipe.config import Config, load_config
from tests.conftest import edited, run_cli, write_tree
from tests.test_django import SETTINGS_HEAD, startproject
from tests.test_django_templates import _hashed, _render, pasted_and_built

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

SETTINGS = (
    SETTINGS_HEAD
    + """\
INSTALLED_APPS = ["django.contrib.staticfiles"]
TEMPLATES_DIR = BASE_DIR + '/templates'
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES_DIR],
        "APP_DIRS": True,
    },
]
STATIC_URL = "/static/"
STATICFILES_DIRS = (
    os.path.join(BASE_DIR, 'project-static', 'dist'),
    os.path.join(BASE_DIR, 'project-static', 'img'),
    ('docs', os.path.join(BASE_DIR, 'project-static', 'docs')),
)
"""
)
#: the bundle from ``dist``, the logo from ``img``, a page from the ``docs`` prefix
PAGE = """\
{% load static %}<!doctype html>
<html><head><link rel="stylesheet" href="{% static 'netbox.css' %}"></head>
<body><img src="{% static 'logo.svg' %}" alt="NetBox" height="40">
<a href="{% static 'docs/index.html' %}">Docs</a></body></html>
"""
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"></svg>\n'


def _project(root: Path) -> None:
    write_tree(
        root,
        {
            **startproject(SETTINGS),
            "templates/page.html": PAGE,
            "project-static/dist/netbox.css": "body { margin: 0; color: #123; }\n",
            "project-static/img/logo.svg": LOGO,
            "project-static/docs/index.html": "<p>docs</p>\n",
        },
    )


def test_netbox_settings_name_the_folders_django_uses(tmp_path: Path) -> None:
    """``init`` took ``project-static/img`` for the static folder (its walk skips folders
    named ``dist``), built no template of ``DIRS`` (``[TEMPLATES_DIR]`` holds no string) and
    said the references to the other folders' files "404 today too". Now the source is
    ``STATICFILES_DIRS``' first folder, ``templates/`` is built, a later folder's files are
    built too (``static.folders``: the logo) and a prefixed folder's are left as written,
    Django's (``app_routes``): ``build --strict`` passes, and Django renders a hashed
    stylesheet and logo beside the docs' own URL."""
    _project(tmp_path)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "first in the DIRS list at line 13 of TEMPLATES" in result.out, result.out
    yaml = (tmp_path / "pipeline.yaml").read_text()
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == (tmp_path / "project-static/dist").resolve()
    assert 'dirs: ["templates"]' in yaml, yaml
    assert list(cfg.styles.entries) == ["netbox.css"]
    assert "404 today too" not in yaml and "missing_assets" not in yaml, yaml
    assert cfg.static.folders == ((tmp_path / "project-static/img").resolve(),), yaml
    assert set(cfg.templates.app_routes) == {"docs/index.html"}, yaml
    pasted_and_built(tmp_path, result.out)
    html = _render(tmp_path, ["page.html"])
    assert 'href="/static/docs/index.html"' in html["page.html"], html
    hashed = {"page.html": html["page.html"].split("<a ")[0]}
    _hashed(tmp_path, hashed, 2)


HELPERS = """\
from urllib.parse import urlencode

from django import template
from django.templatetags.static import static

register = template.Library()


@register.simple_tag
def static_with_params(path, **params):
    return static(path) + "?" + urlencode(params)


@register.simple_tag(takes_context=False)
def not_a_static_url(name):
    return name.upper()
"""
#: the bundle and stylesheet through the tag; the theme script in another folder
TAGGED = """\
{% load static helpers %}<!doctype html>
<html><head><script src="{% static_with_params 'setmode.js' v=version %}"></script>
<link rel="stylesheet" href="{% static_with_params 'netbox.css' v=version %}">
<script src="{% static_with_params "netbox.js" v='4.4.10' %}"></script></head>
<body><p>{% not_a_static_url 'netbox.css' %}</p></body></html>
"""


def test_a_tag_of_the_project_that_calls_static_is_hashed(tmp_path: Path) -> None:
    """NetBox links its stylesheet, bundle and theme script on every page with a simple tag
    of its own, ``{% static_with_params 'netbox.css' v=... %}``: the build left all three
    unhashed (the pages' largest files, revalidated on every visit). ``init`` now finds the
    tag by what it does (``static()`` of its first parameter) and lists it in
    ``templates.static_functions``; the build rewrites K alone, so Django still runs the tag,
    query and all. A tag that does something else is left as written."""
    _project(tmp_path)
    write_tree(
        tmp_path,
        {
            "shopsite/settings.py": SETTINGS.replace(
                '"django.contrib.staticfiles"]', '"django.contrib.staticfiles", "utilities"]'
            ),
            "utilities/__init__.py": "",
            "utilities/templatetags/__init__.py": "",
            "utilities/templatetags/helpers.py": HELPERS,
            "templates/page.html": TAGGED,
            "project-static/dist/netbox.js": "window.netbox = { version: 1 };\n",
            "project-static/js/setmode.js": "window.mode = 'light';\n",
        },
    )
    edited(
        tmp_path / "shopsite/settings.py",
        "'img'),\n",
        "'img'),\n    os.path.join(BASE_DIR, 'project-static', 'js'),\n",
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.templates.static_functions == ("static_with_params",)
    assert list(cfg.styles.entries) == ["netbox.css"] and list(cfg.scripts.entries) == ["netbox.js"]
    assert "setmode.js" not in cfg.templates.app_routes  # its folder is built too
    pasted_and_built(tmp_path, result.out)
    out = (tmp_path / "dist/templates/page.html").read_text()
    assert "{% not_a_static_url 'netbox.css' %}" in out
    assert re.search(r"\{% static_with_params 'setmode-[A-Z0-9]{8}\.js' v=version %\}", out)
    html = _render(tmp_path, ["page.html"])["page.html"]
    assert re.search(r'<script src="/static/setmode-[A-Z0-9]{8}\.js\?v="></script>', html), html
    assert "<p>NETBOX.CSS</p>" in html, html
    urls = re.findall(r'(/static/netbox[^"]*)\?v=[^"]*"', html)
    assert len(urls) == 2, html
    _hashed(tmp_path, {"page.html": " ".join(urls)}, 2)


PRETIX_SETTINGS = """\
import os

BASE_DIR = os.path.dirname(os.path.dirname(__file__))
SECRET_KEY = "test"
DEBUG = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "shopsite.urls"
INSTALLED_APPS = ["django.contrib.staticfiles", "shopsite.base", "shopsite.plugins.bank"]
template_loaders = (
    'django.template.loaders.filesystem.Loader',
    'shopsite.helpers.template_loaders.AppLoader',
)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [
            os.path.join(BASE_DIR, 'templates'),
        ],
        "OPTIONS": {"loaders": template_loaders},
    },
]
STATIC_URL = "/static/"
STATICFILES_DIRS = [
    os.path.join(BASE_DIR, 'shopsite/static')
] if os.path.exists(os.path.join(BASE_DIR, 'shopsite/static')) else []
"""
#: pretix's ``AppLoader``: Django's app directories loader, some folders left out
APP_LOADER = """\
from django.template.loaders.app_directories import Loader


class AppLoader(Loader):
    pass
"""


def _pretix_like(root: Path, form: str) -> None:
    """A project laid out as pretix is (``PRETIX_SETTINGS``), its bank plugin's template
    ``form``."""
    page = '{% load static %}<link rel="stylesheet" href="{% static \'css/site.css\' %}">\n'
    write_tree(
        root,
        {
            **startproject(PRETIX_SETTINGS),
            "shopsite/helpers/__init__.py": "",
            "shopsite/helpers/template_loaders.py": APP_LOADER,
            "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "shopsite/base/__init__.py": "",
            "shopsite/base/templates/base/page.html": page,
            "shopsite/plugins/__init__.py": "",
            "shopsite/plugins/bank/__init__.py": "",
            "shopsite/plugins/bank/static/bank/ui.css": "p { color: red; }\n",
            "shopsite/plugins/bank/templates/bank/form.html": page + form,
        },
    )


def test_pretix_settings_paths_are_read_as_python_evaluates_them(tmp_path: Path) -> None:
    """pretix's settings: ``init`` took the first app's ``static/`` (``STATICFILES_DIRS`` is a
    conditional expression) for the source, ``os.path.join(BASE_DIR, 'templates')`` (a folder
    that does not exist) for the first app's ``templates/``, and its apps' folders, found by
    a loader of its own that subclasses Django's app directories loader, went unread. Now the
    source is ``shopsite/static``, the template folders are the apps', and Django renders the
    apps' templates with the build's hashed stylesheet."""
    _pretix_like(tmp_path, "")
    result, yaml, cfg = _initialised(tmp_path)
    assert cfg.source == (tmp_path / "shopsite/static").resolve(), yaml
    assert '    - "shopsite/base/templates"\n    - "shopsite/plugins/bank/templates"\n' in yaml
    assert '"templates"' not in yaml, yaml
    pasted_and_built(tmp_path, result.out)
    _hashed(tmp_path, _render(tmp_path, ["base/page.html", "bank/form.html"]), 2)
    again = run_cli("init", "--force", cwd=tmp_path)  # adopted: the build's folder first in DIRS
    assert again.code == 0, again.err
    assert (tmp_path / "pipeline.yaml").read_text() == yaml


def test_a_file_of_an_installed_apps_static_folder_is_no_missing_file(tmp_path: Path) -> None:
    """pretix's ``{% static "js/jquery.formset.js" %}`` names a file of the installed
    ``djangoformsetjs``'s ``static/``, which Django's app directories finder serves: ``init``
    said it "404s today too" and wrote ``missing_assets: warn``. Now it is listed with that
    folder in ``app_routes``, left as written: ``build --strict`` passes and Django renders
    the URL that answers."""
    form = '<link rel="stylesheet" href="{% static \'admin/css/base.css\' %}">\n'
    _pretix_like(tmp_path, form)
    settings = tmp_path / "shopsite/settings.py"
    apps = '"django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", '
    edited(settings, "INSTALLED_APPS = [", f"INSTALLED_APPS = [{apps}")
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert 'app_routes: ["admin/css/base.css"]' in yaml, yaml
    assert "404 today too" not in yaml and "missing_assets" not in yaml, yaml
    pasted_and_built(tmp_path, result.out)
    html = _render(tmp_path, ["bank/form.html"])["bank/form.html"]
    assert 'href="/static/admin/css/base.css"' in html, html


PRETALX_SETTINGS = """\
from pathlib import Path

from shopsite.config import config

BASE_DIR = Path(config.get("filesystem", "base"))
SECRET_KEY = "test"
DEBUG = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "shopsite.urls"
DJANGO_APPS = ["django.contrib.staticfiles"]
LOCAL_APPS = ["shopsite.common", "shopsite.agenda"]
FALLBACK_APPS = ["django.forms"]
INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS + FALLBACK_APPS
template_loaders = (
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [
            BASE_DIR / "templates",
        ],
        "OPTIONS": {"loaders": template_loaders},
    }
]
STATIC_URL = "/static/"
static_path = BASE_DIR / "shopsite" / "static"
STATICFILES_DIRS = [static_path] if static_path.exists() else []
"""
#: pretalx's configuration: the base folder is known at run time only
CONFIG = """\
from pathlib import Path


class _Config:
    def get(self, section, key):
        return str(Path(__file__).parent.parent)


config = _Config()
"""


def test_pretalx_settings_named_by_run_time_values_and_lists_of_names(tmp_path: Path) -> None:
    """pretalx's settings: its folders hang off ``BASE_DIR = Path(config.get("filesystem",
    "base"))`` and ``INSTALLED_APPS`` adds up four lists by name. ``init`` read the call's
    arguments as folder names (no static folder: not taken for a Django project at all), took
    ``BASE_DIR / "templates"`` (missing) for an app's folder, and found no app: 15 of 205
    templates built. Now the source is ``shopsite/static``, the apps' folders are the
    template folders, in ``INSTALLED_APPS`` order (the common app's override of a
    ``django.forms`` widget template, which comes later, is not taken for a shadowed name),
    and Django renders both apps' pages with the build's hashed stylesheet."""
    page = '{% load static %}<link rel="stylesheet" href="{% static \'css/site.css\' %}">\n'
    write_tree(
        tmp_path,
        {
            **startproject(PRETALX_SETTINGS),
            "shopsite/config.py": CONFIG,
            "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "shopsite/common/__init__.py": "",
            "shopsite/common/templates/common/base.html": page,
            "shopsite/common/templates/django/forms/widgets/input_option.html": "<i></i>\n",
            "shopsite/agenda/__init__.py": "",
            "shopsite/agenda/templates/agenda/talk.html": page,
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "A Django project." in result.out, result.out
    yaml = (tmp_path / "pipeline.yaml").read_text()
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == (tmp_path / "shopsite/static").resolve(), yaml
    assert '    - "shopsite/common/templates"\n    - "shopsite/agenda/templates"\n' in yaml, yaml
    pasted_and_built(tmp_path, result.out)
    _hashed(tmp_path, _render(tmp_path, ["common/base.html", "agenda/talk.html"]), 2)


#: django-oscar's sandbox names its folders through a helper of its own
OSCAR_SETTINGS = """\
import os

location = lambda x: os.path.join(os.path.dirname(os.path.realpath(__file__)), x)
SECRET_KEY = "test"
ROOT_URLCONF = "shopsite.urls"
INSTALLED_APPS = ["django.contrib.staticfiles"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [location("templates"), location("themes")],
        "APP_DIRS": True,
    },
]
STATIC_URL = "/static/"
STATIC_ROOT = location("public/static")
STATICFILES_DIRS = (location("static/"),)
"""


def test_folders_named_through_a_lambda_of_the_settings(tmp_path: Path) -> None:
    """``location = lambda x: os.path.join(HERE, x)`` then ``location('static/')``: reading a
    call of an unknown function as a run-time value (pretalx's ``config.get(...)``), ``init``
    found neither folder of django-oscar's sandbox and took it for no Django project. The
    lambda is applied to its arguments now."""
    write_tree(
        tmp_path,
        {
            **startproject(OSCAR_SETTINGS),
            "shopsite/static/css/site.css": "body { color: #123; }\n",
            "shopsite/templates/page.html": "{% load static %}"
            '<link rel="stylesheet" href="{% static \'css/site.css\' %}">\n',
            "shopsite/themes/banner.html": "<p>a theme's</p>\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "A Django project." in result.out, result.out
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == (tmp_path / "shopsite/static").resolve()
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert '    - "shopsite/templates"\n    - "shopsite/themes"\n' in yaml, yaml
    assert cfg.templates.first_wins


def test_a_manifest_storage_set_in_a_module_that_star_imports_the_settings(
    tmp_path: Path,
) -> None:
    """Spirit's ``startproject`` sets ``ManifestStaticFilesStorage`` in ``settings/prod.py``,
    after ``from .base import *``; ``init`` read ``base.py`` alone (its ``TEMPLATES``), gave no
    note, and the adopted forum, run with those settings, failed every page (``Missing
    staticfiles manifest entry``). A module that star-imports the settings, directly or
    through another, is read too: the note names it, and ``django_manifest`` is written. A
    module that imports nothing of them names no storage of theirs."""
    from tests.test_django import _project as shop

    shop(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    storages = settings.read_text().split("STORAGES = {", 1)
    settings.write_text(storages[0])
    write_tree(
        tmp_path,
        {
            "shopsite/base_only.py": "from .settings import *  # noqa\n",
            "shopsite/prod.py": "from .base_only import *  # noqa\n\nSTORAGES = {" + storages[1],
            "shopsite/prod_local.py": "from shopsite.prod import *  # noqa\n",
            "docs/example_settings.py": 'from os import *\nS = "ManifestStaticFilesStorage"\n',
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "note: the settings use ManifestStaticFilesStorage (shopsite/prod.py)" in result.out
    assert "django_manifest: true" in (tmp_path / "pipeline.yaml").read_text()
    # without the production module, no note: the example names the storage, imports nothing
    (tmp_path / "shopsite/prod.py").unlink()
    result = run_cli("init", "--force", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "ManifestStaticFilesStorage" not in result.out, result.out


def test_a_manifest_storage_set_in_a_module_the_settings_star_import(tmp_path: Path) -> None:
    """django-helpdesk's demo settings end in ``try: from .local_settings import *``, where
    a deployment sets WhiteNoise's ``CompressedManifestStaticFilesStorage``; ``init`` read the
    settings alone, gave no note, and the adopted project with ``DEBUG`` off answered every
    page 500 (``Missing staticfiles manifest entry``). A module the settings star-import, and
    one that module star-imports, is read too; one not written yet adds nothing."""
    from tests.test_django import _project as shop

    shop(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    storages = settings.read_text().split("STORAGES = {", 1)
    settings.write_text(
        storages[0]
        + "\ntry:\n    from .local_settings import *  # noqa\nexcept ImportError:\n    pass\n"
    )
    whitenoise = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    write_tree(
        tmp_path,
        {
            "shopsite/local_settings.py": "from shopsite.deploy import *  # noqa\n",
            "shopsite/deploy.py": f'DEBUG = False\nSTORAGES = {{"staticfiles": {{"BACKEND": "{whitenoise}"}}}}\n',
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (
        "note: the settings use CompressedManifestStaticFilesStorage (shopsite/deploy.py)"
        in result.out
    ), result.out
    assert "assetpipe.djangowhitenoise.CompressedManifestStaticFilesStorage" in result.out
    assert "django_manifest: true" in (tmp_path / "pipeline.yaml").read_text()
    # switched to assetpipe's storage as the note says: no note again, still a manifest
    edited(
        tmp_path / "shopsite/deploy.py",
        whitenoise,
        "assetpipe.djangowhitenoise." + whitenoise.rsplit(".", 1)[1],
    )
    result = run_cli("init", "--force", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "note: the settings use" not in result.out, result.out
    assert "django_manifest: true" in (tmp_path / "pipeline.yaml").read_text()
    # no local settings yet: no note
    (tmp_path / "shopsite/local_settings.py").unlink()
    result = run_cli("init", "--force", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "ManifestStaticFilesStorage" not in result.out, result.out


def _initialised(root: Path) -> tuple[Any, str, Config]:
    """``assetpipe init`` in ``root``, which must pass: its result, the config's text and the
    config loaded."""
    result = run_cli("init", cwd=root)
    assert result.code == 0, result.err
    yaml = (root / "pipeline.yaml").read_text()
    return result, yaml, load_config(root / "pipeline.yaml")


#: Kiwi TCMS's settings: every folder is an ``os.path`` expression ending in ``.replace("\\", "/")``
KIWI_SETTINGS = """\
import os

TCMS_ROOT_PATH = os.path.abspath(os.path.join(os.path.dirname(__file__)).replace("\\\\", "/"))
SECRET_KEY = "test"
ROOT_URLCONF = "shopsite.urls"
INSTALLED_APPS = ["shopsite.management", "django.contrib.staticfiles"]
STATIC_URL = "/static/"
STATICFILES_DIRS = [
    os.path.join(TCMS_ROOT_PATH, "static").replace("\\\\", "/"),
    os.path.join(TCMS_ROOT_PATH, "node_modules").replace("\\\\", "/"),
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [
            os.path.join(TCMS_ROOT_PATH, "templates/").replace("\\\\", "/"),
        ],
        "OPTIONS": {"loaders": ["django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader"]},
    },
]
"""


def test_settings_paths_with_a_separator_replace_are_evaluated(tmp_path: Path) -> None:
    """Kiwi TCMS writes each folder as ``os.path.join(TCMS_ROOT_PATH,
    "static").replace("\\\\", "/")``: the call did not evaluate, so ``init`` took its first app's
    ``static/`` for the source and left out ``DIRS``, the folder of its layout and every page's
    stylesheets (22 of 45 templates built, nothing they load hashed). Evaluated now: the
    source is ``STATICFILES_DIRS``' first folder, ``DIRS`` the first template folder, and the
    second folder's files (``node_modules``, whole packages: not built) are Django's."""
    page = (
        '{% load static %}<link rel="stylesheet" href="{% static \'style/site.css\' %}">\n'
        "<script src=\"{% static 'jquery/dist/jquery.min.js' %}\"></script>\n"
    )
    write_tree(
        tmp_path,
        {
            **startproject(KIWI_SETTINGS),
            "shopsite/static/style/site.css": "body { margin: 0; color: #123; }\n",
            "shopsite/node_modules/jquery/dist/jquery.min.js": "window.jq = 1;\n",
            "shopsite/templates/base.html": page,
            "shopsite/management/__init__.py": "",
            "shopsite/management/static/management/js/admin.js": "window.a = 1;\n",
            "shopsite/management/templates/management/list.html": "<p>list</p>\n",
        },
    )
    result, yaml, cfg = _initialised(tmp_path)
    assert cfg.source == (tmp_path / "shopsite/static").resolve(), yaml
    assert '    - "shopsite/templates"\n    - "shopsite/management/templates"\n' in yaml, yaml
    assert "jquery/dist/jquery.min.js" in cfg.templates.app_routes, yaml
    pasted_and_built(tmp_path, result.out)
    html = _render(tmp_path, ["base.html"])["base.html"]
    css = re.findall(r"/static/style/site-[A-Z0-9]{8}\.css", html)
    assert css and (tmp_path / "dist/public" / css[0].removeprefix("/static/")).is_file(), html
    assert '<script src="/static/jquery/dist/jquery.min.js">' in html, html


#: Shynet's settings: django-npm's finder serves files of ``../node_modules`` at their paths there
NPM_SETTINGS = (
    SETTINGS_HEAD
    + """\
INSTALLED_APPS = ["django.contrib.staticfiles", "shopsite"]
TEMPLATES = [
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True},
]
STATIC_URL = "/static/"
STATICFILES_FINDERS = [
    "npm.finders.NpmFinder",
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
NPM_ROOT_PATH = "../"
NPM_FILE_PATTERNS = {
    "a17t": [os.path.join("dist", "a17t.css")],
    "apexcharts": [os.path.join("dist", "apexcharts.min.js")],
}
"""
)


def test_files_of_django_npms_finder_are_djangos_not_missing(tmp_path: Path) -> None:
    """Shynet loads a17t, ApexCharts and ten more through django-npm's ``NpmFinder`` (``{%
    static 'a17t/dist/a17t.css' %}``, from ``../node_modules``): ``init`` listed them as files
    that "404 today too" and wrote ``missing_assets: warn``. They are Django's now, left as
    written (``app_routes``); a file of ``node_modules`` that ``NPM_FILE_PATTERNS`` leaves out
    is not the finder's."""
    page = (
        '{% load static %}<link rel="stylesheet" href="{% static \'a17t/dist/a17t.css\' %}">\n'
        '<link rel="stylesheet" href="{% static \'css/site.css\' %}">\n'
        "<script src=\"{% static 'apexcharts/dist/apexcharts.min.js' %}\"></script>\n"
    )
    project = tmp_path / "shynet"
    write_tree(
        tmp_path,
        {
            **{f"shynet/{k}": v for k, v in startproject(NPM_SETTINGS).items()},
            "shynet/shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "shynet/shopsite/templates/page.html": page,
            "node_modules/a17t/dist/a17t.css": ".card { padding: 1rem; }\n",
            "node_modules/apexcharts/dist/apexcharts.min.js": "window.ApexCharts = 1;\n",
            "node_modules/apexcharts/src/apexcharts.js": "window.ApexCharts = 2;\n",
        },
    )
    result, yaml, cfg = _initialised(project)
    assert cfg.source == (project / "shopsite/static").resolve(), yaml
    routes = ["a17t/dist/a17t.css", "apexcharts/dist/apexcharts.min.js"]
    assert sorted(cfg.templates.app_routes) == routes, yaml
    assert "missing_assets" not in yaml, yaml
    pasted_and_built(project, result.out)
    html = _render(project, ["page.html"])["page.html"]
    assert re.search(r'href="/static/css/site-[A-Z0-9]{8}\.css"', html), html
    assert 'href="/static/a17t/dist/a17t.css"' in html, html
    # a file of node_modules that NPM_FILE_PATTERNS leaves out is no file of the finder's
    settings = project / "shopsite/settings.py"
    tree = ast.parse(settings.read_text())
    values = {
        t.id: n.value
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    keys = ["apexcharts/src/apexcharts.js", "apexcharts/dist/apexcharts.min.js"]
    assert list(npm_finder_files(project, settings, values, keys)) == keys[1:]


#: Django Girls' settings: the static folder picked by environment, in branches only; under
#: CI the source folder, else what its gulp build writes (absent in a checkout)
BRANCHED = (
    SETTINGS_HEAD
    + """\
DEBUG = True
INSTALLED_APPS = ["django.contrib.staticfiles"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
    },
]
STATIC_URL = "/static/"
if "GITHUB_ACTIONS" in os.environ:
    STATICFILES_DIRS = [os.path.join(BASE_DIR, "static/source")]
elif DEBUG:
    STATICFILES_DIRS = [os.path.join(BASE_DIR, "static/local")]
else:
    STATICFILES_DIRS = [os.path.join(BASE_DIR, "static/build")]
"""
)


def _css_project(root: Path, settings: str, templates: str, static: str) -> Any:
    """A project with ``settings``, a page in ``templates`` linking ``css/site.css`` of
    ``static``, initialised: ``_initialised``'s result."""
    write_tree(
        root,
        {
            **startproject(settings),
            f"{templates}/page.html": (
                "{% load static %}<link rel='stylesheet' href='{% static 'css/site.css' %}'>\n"
            ),
            f"{static}/css/site.css": "body { margin: 0; }\n",
        },
    )
    return _initialised(root)


def test_static_folders_set_in_branches_only_are_found_where_one_exists(tmp_path: Path) -> None:
    """``init`` read only top-level assignments and said the project had "no STATICFILES_DIRS
    folder": the branch whose folder the checkout holds is the source."""
    result, yaml, cfg = _css_project(tmp_path, BRANCHED, "templates", "static/source")
    assert cfg.source == (tmp_path / "static/source").resolve(), yaml
    pasted_and_built(tmp_path, result.out)
    _hashed(tmp_path, _render(tmp_path, ["page.html"]), 1)


#: django-react-boilerplate's settings: the static folder is webpack's output, which a checkout
#: lacks until ``npm run build``
BUNDLED = (
    SETTINGS_HEAD
    + """\
def base_dir_join(*args):
    return os.path.join(BASE_DIR, *args)


INSTALLED_APPS = ["django.contrib.staticfiles"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": []}]
STATIC_URL = "/static/"
STATICFILES_DIRS = (base_dir_join("../frontend", "webpack_bundles"),)
"""
)


def test_a_static_folder_a_bundler_writes_is_named_when_the_checkout_lacks_it(
    tmp_path: Path,
) -> None:
    """``init`` said "no STATICFILES_DIRS folder" of settings that name one: it names the
    folder the checkout lacks and says to build it first."""
    write_tree(tmp_path, {**startproject(BUNDLED), "frontend/js/index.js": "export {};\n"})
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 2, result.out
    assert "STATICFILES_DIRS names frontend/webpack_bundles, which this checkout lacks" in (
        result.err
    ), result.err
    assert "build the static files first" in result.err, result.err


#: django-configurations' settings: every setting an attribute of a class (Read the Docs'
#: ``class CommunityBaseSettings(Settings)``)
CLASSED = (
    SETTINGS_HEAD
    + """\
from configurations import Configuration


class Base(Configuration):
    SITE_ROOT = BASE_DIR
    INSTALLED_APPS = ["django.contrib.staticfiles"]
    TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [os.path.join(SITE_ROOT, "site", "templates")],
        },
    ]
    STATIC_URL = "/static/"
    STATICFILES_DIRS = [os.path.join(SITE_ROOT, "media")]


class Dev(Base):
    DEBUG = True
"""
)


def test_settings_written_as_a_settings_class_are_read(tmp_path: Path) -> None:
    """``init`` read only a settings module's top level: on Read the Docs it said there was
    "no static folder of the project's own". A class's upper-case attributes are read where
    the top level has none."""
    _result, yaml, cfg = _css_project(tmp_path, CLASSED, "site/templates", "media")
    assert cfg.source == (tmp_path / "media").resolve(), yaml
    assert [Path(d).name for d in cfg.templates.dirs] == ["templates"], yaml
