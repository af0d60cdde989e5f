"""A Django project's templates as Django finds them: every ``DIRS`` folder, then its own apps'
``templates/`` (``APP_DIRS``), a name in two folders the first's; ``{% static 'K' as name %}``
and ``{% static %}`` tags in a ``srcset`` hashed; a ``{% static EXPR %}`` warned about. Each is
checked on what Django itself renders from the build's ``templates`` folder."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

import pytest

from assetpipe.config import load_config
from tests.conftest import edited, run_cli, write_tree
from tests.test_django import SETTINGS_HEAD, _paste, _png, startproject

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

SETTINGS = (
    SETTINGS_HEAD
    + """\
INSTALLED_APPS = ["django.contrib.staticfiles", "shop.apps.ShopConfig"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [
            os.path.join(BASE_DIR, "shopsite", "templates"),
            os.path.join(BASE_DIR, "shopsite", "themes"),
        ],
        "APP_DIRS": True,
    },
]
STATICFILES_DIRS = [os.path.join(BASE_DIR, "shopsite", "static")]
STATIC_URL = "/static/"
"""
)
#: ``{% static 'K' as name %}``, its URL written as ``{{ name }}`` in a tag
BASE = """\
{% load static %}{% static 'css/site.css' as site_css %}<!doctype html>
<html><head><link rel="stylesheet" href="{{ site_css }}"></head>
<body>{% block content %}{% endblock %}</body></html>
"""
PAGE = """\
{% extends "base.html" %}{% load static %}
{% block content %}<p id="from-dirs">DIRS' page</p>{% include "banner.html" %}{% endblock %}
"""
#: in the second ``DIRS`` folder
BANNER = """{% load static %}<img alt="" src="{% static 'img/banner.png' %}">\n"""
#: a srcset of ``{% static %}`` tags (healthchecks' Slack button)
FOOTER = """\
{% load static %}<img alt="" src="{% static 'img/logo.png' %}"
  srcset="{% static 'img/logo.png' %} 1x, {% static 'img/logo@2x.png' %} 2x">
"""
#: an app's own template (``APP_DIRS``)
ITEM = """\
{% extends "base.html" %}{% load static %}
{% block content %}<script src="{% static 'js/item.js' %}"></script>{% endblock %}
"""


def _project(root: Path) -> None:
    write_tree(
        root,
        {
            **startproject(SETTINGS),
            "shopsite/templates/base.html": BASE,
            "shopsite/templates/page.html": PAGE,
            "shopsite/templates/footer.html": FOOTER,
            "shopsite/themes/banner.html": BANNER,
            "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "shopsite/static/js/item.js": "window.item = 1;\n",
            # named by a ModelAdmin's Media in Python, by no template
            "shopsite/static/css/admin.css": "th { color: red; }\n",
            "shop/__init__.py": "",
            "shop/apps.py": "from django.apps import AppConfig\n\n\n"
            "class ShopConfig(AppConfig):\n    name = 'shop'\n",
            "shop/templates/shop/item.html": ITEM,
            # shadowed by DIRS' page.html: Django never renders it
            "shop/templates/page.html": "<p>the app's page</p>\n",
        },
    )
    for name in ("img/logo.png", "img/logo@2x.png", "img/banner.png"):
        (root / "shopsite/static" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "shopsite/static" / name).write_bytes(_png())


def pasted_and_built(root: Path, init_out: str, env: dict[str, str] | None = None) -> None:
    """The lines ``init`` printed (``init_out``) pasted where it said, then ``assetpipe build
    --strict``, which must pass."""
    _paste(root, init_out)
    built = run_cli("build", "--strict", cwd=root, env=env)
    assert built.code == 0, built.err + built.out


def _render(root: Path, names: list[str]) -> dict[str, str]:
    """What Django renders of each template, with the settings as pasted (the build's
    ``templates`` folder first in ``DIRS``)."""
    code = (
        "import json, os, sys\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'shopsite.settings'\n"
        "import django\n"
        "django.setup()\n"
        "from django.template.loader import render_to_string\n"
        f"print(json.dumps({{n: render_to_string(n) for n in {names!r}}}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    rendered: dict[str, str] = json.loads(out.stdout)
    return rendered


def _hashed(root: Path, html: dict[str, str], count: int) -> None:
    """``html`` names ``count`` static URLs, each a hashed file of the build."""
    urls = [u for page in html.values() for u in re.findall(r"/static/[^\s\"']+", page)]
    assert len(urls) == count, html
    for url in urls:
        assert re.search(r"-[A-Z0-9]{8}\.\w+$", url), html
        assert (root / "dist/public" / unquote(url.removeprefix("/static/"))).is_file(), url


def test_static_as_name_and_a_srcset_of_static_tags_are_hashed(tmp_path: Path) -> None:
    """``{% static 'css/site.css' as site_css %}`` then ``href="{{ site_css }}"``, and a
    ``srcset`` of ``{% static %}`` tags, were left as written: Django rendered the unhashed
    URLs. Now K is rewritten in both (the ``as`` one to its plain output: the consumer of
    ``{{ site_css }}`` is unknown)."""
    _project(tmp_path)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    pasted_and_built(tmp_path, result.out)
    html = _render(tmp_path, ["base.html", "footer.html"])
    _hashed(tmp_path, html, 4)  # the stylesheet, the logo three times
    assert "{% static 'css/site-" in (tmp_path / "dist/templates/base.html").read_text()


def test_every_template_folder_django_searches_is_built(tmp_path: Path) -> None:
    """The build saw only the first ``DIRS`` folder: the second's ``banner.html`` and the
    app's ``shop/item.html`` were rendered from their sources, unhashed. Now ``init`` lists
    every folder in Django's order with ``first_wins`` (the app's ``page.html``, which Django
    never renders, is not built over ``DIRS``' one), and every URL Django renders is a hashed
    file of the build."""
    _project(tmp_path)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    # its note on the files no tag loads named url_for alone, which a Django project never calls
    # (site.css, linked by {{ site_css }}, and admin.css)
    assert "2 stylesheet(s) that no <script src>" in result.out
    assert "a {% static 'K' %} that names one is given its hashed name" in result.out
    assert "url_for" not in result.out
    yaml = (tmp_path / "pipeline.yaml").read_text()
    dirs = '  dirs:\n    - "shopsite/templates"\n    - "shopsite/themes"\n    - "shop/templates"\n'
    assert dirs in yaml, yaml
    assert load_config(tmp_path / "pipeline.yaml").templates.first_wins
    pasted_and_built(tmp_path, result.out)
    html = _render(tmp_path, ["page.html", "shop/item.html"])
    assert 'id="from-dirs"' in html["page.html"] and "the app's page" not in html["page.html"]
    _hashed(tmp_path, html, 4)  # the stylesheet twice, the banner, the script


def test_a_static_tag_built_by_an_expression_is_warned_about(tmp_path: Path) -> None:
    """``{% static ch.icon_path %}`` (healthchecks' integrations list) is left as written and
    requests the unhashed file; nothing in Django names its hashed file at run time, and the
    build said nothing (``build --strict`` passed). Now a warning names its file and line."""
    _project(tmp_path)
    write_tree(
        tmp_path,
        {"shopsite/themes/icons.html": '{% load static %}\n<img src="{% static icon %}" alt="">\n'},
    )
    assert run_cli("init", cwd=tmp_path).code == 0
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code != 0
    assert "shopsite/themes/icons.html:2:1: '{% static icon %}' left as written" in built.err


def test_a_static_tag_built_by_an_expression_under_a_manifest_storage_is_quiet(
    tmp_path: Path,
) -> None:
    """With Django's ``ManifestStaticFilesStorage`` (kept as ``assetpipe.django``'s, as
    ``init`` says), ``{% static EXPR %}`` gets collectstatic's hashed name at run time, as
    before adoption: the warning was untrue and ``build --strict`` failed on pretix and
    pretalx, whose templates only their authors can change. ``init`` writes
    ``templates.django_manifest``; the reference stays in report.json; a literal static path
    built around an expression in the same value is still warned about."""
    _project(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    settings.write_text(
        settings.read_text() + 'STORAGES = {"staticfiles": {"BACKEND":'
        ' "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}\n'
    )
    icons = '{% load static %}\n<img src="{% static icon %}" alt="">\n'
    write_tree(tmp_path, {"shopsite/themes/icons.html": icons})
    assert run_cli("init", cwd=tmp_path).code == 0
    assert "  django_manifest: true\n" in (tmp_path / "pipeline.yaml").read_text()
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    report = json.loads((tmp_path / "dist/report.json").read_text())["templates"]
    assert [u["value"] for u in report["icons.html"]["unresolved"]] == ["{% static icon %}"]
    mixed = (
        '<img src="{% if a %}/static/img/{{ a }}.png{% else %}{% static icon %}{% endif %}" alt="">'
    )
    write_tree(tmp_path, {"shopsite/themes/icons.html": icons + mixed + "\n"})
    assert run_cli("build", "--strict", cwd=tmp_path).code != 0


#: a cache-busting query after the tag (linkding's ``head.html``), both quotes
QUERIED = """\
{% load static %}<link rel="stylesheet" href="{% static 'css/site.css' %}?v={{ v|default:'2' }}">
<script src="{% static "js/item.js" %}?v={{ v|default:'2' }}"></script>
<img src="{% static 'img/logo.png' %}?v=20211218" alt="">
"""


def test_a_static_tag_with_a_query_after_it_is_hashed(tmp_path: Path) -> None:
    """linkding's ``<link href="{% static 'theme-light.css' %}?v={{ app_version }}">`` (and
    its ``bundle.js``) was left as written, "built by an expression": every page linked the
    unhashed stylesheets and script, and ``build --strict`` failed. K is rewritten now, the
    query kept, as after a literal ``/static/K`` or a ``url_for``; a literal query too (Baby
    Buddy's icons, ``{% static "babybuddy/root/favicon.ico" %}?v=20211218``)."""
    _project(tmp_path)
    write_tree(tmp_path, {"shopsite/themes/head.html": QUERIED})
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    pasted_and_built(tmp_path, result.out)
    html = _render(tmp_path, ["head.html"])["head.html"]
    assert re.search(r'href="/static/css/site-[A-Z0-9]{8}\.css\?v=2"', html), html
    assert re.search(r'src="/static/js/item-[A-Z0-9]{8}\.js\?v=2"', html), html
    assert re.search(r'src="/static/img/logo-[\w-]+\.\w+\?v=20211218"', html), html


def _without_staticfiles_dirs(
    root: Path, instead: str, apps: str, files: Mapping[str, str | bytes]
) -> str:
    """The project with its ``STATICFILES_DIRS`` line replaced by ``instead``, ``apps`` in place
    of its shop app and ``files`` added; ``init`` run there (its output), the lines pasted."""
    _project(root)
    settings = root / "shopsite/settings.py"
    text = settings.read_text().replace(
        'STATICFILES_DIRS = [os.path.join(BASE_DIR, "shopsite", "static")]\n', instead
    )
    settings.write_text(text.replace('"shop.apps.ShopConfig"', apps))
    write_tree(root, {"shop/static/shop/app.css": "p { color: red; }\n", **files})
    result = run_cli("init", cwd=root)
    assert result.code == 0, result.err
    _paste(root, result.out)
    return result.out


def _links_built_app_css(root: Path, template: str) -> None:
    """Built (the shopsite/static files the project names may be gone: no ``--strict``),
    ``template`` renders a link to the build's hashed ``shop/app.css``."""
    built = run_cli("build", cwd=root)
    assert built.code == 0, built.err + built.out
    html = _render(root, [template])[template]
    css = re.search(r"/static/(shop/app-[A-Z0-9]{8}\.css)", html)
    assert css, html
    assert b"red" in (root / "dist/public" / css.group(1)).read_bytes()


#: a template linking the app's stylesheet
LINKS_APP_CSS = '{% load static %}<link rel="stylesheet" href="{% static \'shop/app.css\' %}">\n'


def test_an_apps_static_folder_is_the_source_without_staticfiles_dirs(tmp_path: Path) -> None:
    """Settings without ``STATICFILES_DIRS`` (Baby Buddy, linkding: each app's ``static/``,
    Django's default layout): ``init`` took the shallowest folder named ``static``, Baby
    Buddy's ``STATIC_ROOT`` (its repository holds collectstatic's output), so the build hashed
    the stale collected copies, and read no Django template folder but the shallowest (the
    other apps' ``templates/`` unbuilt). The first project app's ``static/`` is the source now,
    and every folder Django's loaders search is built."""
    files = {
        "static/shop/app.css": "p { color: blue; }\n",  # collectstatic's, stale
        "blog/__init__.py": "",
        "blog/templates/blog/post.html": LINKS_APP_CSS,
    }
    root_line = 'STATIC_ROOT = os.path.join(BASE_DIR, "static")\n'
    _without_staticfiles_dirs(tmp_path, root_line, '"shop.apps.ShopConfig", "blog"', files)
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "shop/static"' in yaml and '"blog/templates"' in yaml, yaml
    _links_built_app_css(tmp_path, "blog/post.html")


def test_of_several_apps_static_folders_the_one_the_templates_name_is_the_source(
    tmp_path: Path,
) -> None:
    """paperless-ngx's settings have no ``STATICFILES_DIRS`` and list the ``paperless`` app,
    whose ``static/`` holds a favicon no template names, before ``documents``, whose
    ``static/`` holds the stylesheets its login page links (and the Angular build): ``init``
    took the first app's folder, and the build hashed the favicon alone (the login page's
    stylesheets left to Django, uncompressed). The app folder holding most of the files the
    templates name is the source now; the first on a tie."""
    files: dict[str, str | bytes] = {
        "core/__init__.py": "",
        "core/static/core/img/favicon.ico": b"\x00\x00\x01\x00",
        "shop/templates/shop/login.html": LINKS_APP_CSS,
    }
    _without_staticfiles_dirs(tmp_path, "", '"core", "shop.apps.ShopConfig"', files)
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "shop/static"' in yaml, yaml
    _links_built_app_css(tmp_path, "shop/login.html")


#: django-compressor's block around a stylesheet, a script outside it (healthchecks' layout)
COMPRESSED = """\
{% load static compress %}<!doctype html>
<html><head>{% compress css %}
<link rel="stylesheet" href="{% static 'css/site.css' %}" type="text/css">
{% endcompress %}</head>
<body><script src="{% static 'js/item.js' %}"></script></body></html>
"""
COMPRESSOR_SETTINGS = """
INSTALLED_APPS += ["compressor"]
STATIC_ROOT = os.path.join(BASE_DIR, "collected")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "compressor.finders.CompressorFinder",
]
COMPRESS_ENABLED = True
COMPRESS_OFFLINE = True
"""


def test_a_compress_block_is_left_to_django_compressor(tmp_path: Path) -> None:
    """healthchecks wraps its stylesheets and scripts in django-compressor's ``{% compress
    %}``, and its deploy runs ``manage.py compress``: with the ``{% static %}`` names inside
    rewritten to hashed files, that stopped on the first block (``'js/jquery-3.6.0.min-
    74KSH63T.js' could not be found in the COMPRESS_ROOT``). A block's text is now left as
    written, for django-compressor to combine (``init`` says so); a reference outside it is
    hashed as before."""
    _project(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    settings.write_text(settings.read_text() + COMPRESSOR_SETTINGS)
    write_tree(tmp_path, {"shopsite/templates/compressed.html": COMPRESSED})
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    # said "is installed" whenever the settings named it: Mezzanine's list it among optional
    # apps, added only when importable (its own {% compress %} then passes its block through)
    installed = importlib.util.find_spec("compressor") is not None
    note = (
        "note: django-compressor is installed"
        if installed
        else 'note: the settings name django-compressor ("compressor"), not installed here'
    )
    assert note in result.out, result.out
    assert ("note: django-compressor is installed" in result.out) == installed
    pasted_and_built(tmp_path, result.out)
    out = (tmp_path / "dist/templates/compressed.html").read_text()
    block = COMPRESSED.split("{% endcompress %}")[0] + "{% endcompress %}"
    assert out.startswith(block), out  # as written
    assert re.search(r"{% static 'js/item-[A-Z0-9]{8}\.js' %}", out), out
    if importlib.util.find_spec("compressor") is None:
        return  # django-compressor itself: the scratch venvs of real apps that use it
    run = _in_django(
        tmp_path,
        "from django.core.management import call_command\ncall_command('compress', verbosity=0)\n",
    )
    assert run.returncode == 0, run.stderr
    assert list((tmp_path / "collected/CACHE/css").glob("output.*.css")), run.stdout


def test_an_app_template_an_earlier_installed_package_has_stays_djangos(tmp_path: Path) -> None:
    """Django renders a name from the first app of ``INSTALLED_APPS`` that has it: an app's
    ``registration/logged_out.html`` listed after ``django.contrib.admin`` (which ships one)
    is never rendered. Built into the build's ``templates`` folder, first in ``DIRS``, it
    replaced the admin's. Its folder is left out now, with a comment saying why."""
    _project(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    edited(
        settings,
        'INSTALLED_APPS = ["django.contrib.staticfiles", ',
        'INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth",'
        ' "django.contrib.contenttypes", "django.contrib.staticfiles", ',
    )
    write_tree(tmp_path, {"shop/templates/registration/logged_out.html": "<p>the app's</p>\n"})
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert '"shop/templates"' not in yaml, yaml
    assert (
        "# Not listed: shop/templates, an app's templates folder: Django renders"
        " registration/logged_out.html from an installed package listed before it" in yaml
    )
    pasted_and_built(tmp_path, result.out)
    run = _in_django(
        tmp_path,
        "from django.template.loader import get_template\n"
        "print(get_template('registration/logged_out.html').origin.name)\n",
    )
    assert run.returncode == 0, run.stderr
    assert "django/contrib/admin/templates" in run.stdout, run.stdout


def _in_django(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the project at ``root`` set up (its settings
    module, ``django.setup()``)."""
    setup = (
        f"import os, sys\nsys.path.insert(0, {str(root)!r})\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'shopsite.settings'\n"
        "import django\ndjango.setup()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", setup + code], cwd=root, capture_output=True, text=True, timeout=120
    )


def test_a_dirs_folder_inside_another_is_built_under_its_own_names(tmp_path: Path) -> None:
    """Baby Buddy lists ``babybuddy/templates`` and ``babybuddy/templates/error`` in ``DIRS``:
    Django renders ``404.html`` from the inner one, a name the outer one lists as
    ``error/404.html``. ``init`` left the inner folder out (its templates were listed already,
    under the outer one's names), so the error pages rendered their sources, unhashed."""
    _project(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    themes = 'os.path.join(BASE_DIR, "shopsite", "themes"),'
    errors = 'os.path.join(BASE_DIR, "shopsite", "templates", "error"),'
    edited(settings, themes, themes + "\n            " + errors)
    write_tree(
        tmp_path,
        {
            "shopsite/templates/error/404.html": "{% load static %}<img alt='' src=\"{% static 'img/logo.png' %}\">\n"
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert '    - "shopsite/templates/error"\n' in (tmp_path / "pipeline.yaml").read_text()
    pasted_and_built(tmp_path, result.out)
    html = _render(tmp_path, ["404.html", "error/404.html"])
    _hashed(tmp_path, html, 2)
