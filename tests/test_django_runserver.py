"""A Django project adopted as ``init`` says, then run with ``manage.py runserver`` (linkding's
README: ``make serve``). With ``DEBUG`` on, ``django.contrib.staticfiles`` wraps the WSGI
application in its own handler, which answers every ``STATIC_URL`` request from the
staticfiles finders, ahead of the middleware: every hashed file 404ed. ``init`` names
``assetpipe.djangorunserver`` for ``INSTALLED_APPS`` (its ``runserver`` serves the build in
front, as deployed: under the finder alone, Spirit's pages weighed 1.03-1.05x the plain
project's), or, where the settings do not list staticfiles by name,
``assetpipe.django.BuildFinder`` for ``STATICFILES_FINDERS``. ``watch --app`` and ``audit
--app``, which serve the project in their own server, answer the files the build lacks as
``runserver`` does."""

from __future__ import annotations

import ast
import gzip
import importlib.util
import json
import re
import subprocess
import sys
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assetpipe.adopt.runserverstep import staticfiles_line
from tests.conftest import run_cli, write_tree
from tests.test_django import (
    _adopted_under_watch,
    _answered,
    _free_port,
    _get,
    _paste,
    _project,
    _started,
)
from tests.test_watch_beacon import watch

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

MANAGE = """\
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""


def _paste_finders(root: Path, out: str) -> None:
    """Paste the ``STATICFILES_FINDERS`` lines ``init`` printed at the settings' end."""
    part = out.split("and at the end of shopsite/settings.py", 1)[1]
    lines = [line[6:] for line in part.splitlines()[1:] if line.startswith("      ")]
    settings = root / "shopsite/settings.py"
    settings.write_text(settings.read_text() + "\n" + "\n".join(lines) + "\n")


def _status(url: str) -> int:
    try:
        return _get(url)[0]
    except urllib.error.HTTPError as e:
        return e.code


def _home_with_built_css(base: str, log: Path) -> str:
    """The home page under ``watch``, which links the build's hashed stylesheet, answered."""
    html = _answered(base + "/", log, "watch")
    css = re.search(r'href="(/static/css/site-[A-Z0-9]{8}\.css)"', html)
    assert css and _status(base + css.group(1)) == 200, html
    return html


#: Spirit's ``startproject`` shape: the project folder is a package (an ``__init__.py`` beside
#: ``manage.py``) and the settings the process runs with are a module of a settings package
#: that imports the base settings (``mysite.settings.dev``, ``from .base import *``)
SPIRIT_SHAPE: dict[str, str | bytes] = {
    "__init__.py": "",
    "shopsite/conf/__init__.py": "",
    "shopsite/conf/dev.py": "from shopsite.settings import *  # noqa\n\nDEBUG = True\n",
    "manage.py": MANAGE.replace('"shopsite.settings"', '"shopsite.conf.dev"'),
}


def _paste_app(root: Path, out: str) -> None:
    """Put the app ``init`` named before ``"django.contrib.staticfiles"`` (on its line)."""
    assert 'before "django.contrib.staticfiles" at line ' in out, out
    settings = root / "shopsite/settings.py"
    text = settings.read_text()
    app = '"django.contrib.staticfiles"'
    settings.write_text(text.replace(app, f'"assetpipe.djangorunserver", {app}', 1))


def _adopted_with_the_app(root: Path) -> None:
    """The project adopted as ``init`` says, with ``assetpipe.djangorunserver``, and built."""
    _project(root)
    (root / "manage.py").write_text(MANAGE)
    result = run_cli("init", cwd=root)
    _paste(root, result.out)
    _paste_app(root, result.out)
    assert run_cli("build", cwd=root).code == 0


def _apps_elsewhere(root: Path) -> None:
    """The settings' apps made another module's list: ``init`` cannot say where the app goes,
    and names the finder."""
    write_tree(root, {"shopsite/apps_list.py": 'APPS = ["django.contrib.staticfiles", "shop"]\n'})
    settings = root / "shopsite/settings.py"
    apps = 'INSTALLED_APPS = ["django.contrib.staticfiles", "shop"]'
    text = settings.read_text().replace(apps, "INSTALLED_APPS = APPS")
    settings.write_text("from shopsite.apps_list import APPS\n" + text)


def _built_css_as_deployed(base: str) -> None:
    """The home page links the build's hashed stylesheet, answered brotli'd and immutable."""
    html = _get(base + "/")[2].decode()
    css = re.search(r'"(/static/css/site-[A-Z0-9]{8}\.css)"', html)
    assert css, html
    _, headers, _ = _get(base + css.group(1), "br, gzip")
    assert headers.get("content-encoding") == "br", headers
    assert "immutable" in headers.get("cache-control", ""), headers


@contextmanager
def _runserver(root: Path) -> Iterator[str]:
    """``manage.py runserver`` in ``root``, its base URL once it answers the home page."""
    port = _free_port()
    log = root / "runserver.log"
    args = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    server = _started(args, log)
    try:
        base = f"http://127.0.0.1:{port}"
        _answered(base + "/", log, "runserver", 150)
        yield base
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("shape", ["flat", "spirit", "finder"])
def test_runserver_answers_the_builds_hashed_files(tmp_path: Path, shape: str) -> None:
    """With Spirit's shape, ``BuildFinder`` looked for ``pipeline.yaml`` in
    ``shopsite/conf/``, ``shopsite/`` and the folder above the project, never in the project
    (a package itself): every hashed file answered 500, ``config file not found``. With the
    app, runserver answers them as deployed (brotli, ``immutable``); through the finder (the
    settings' apps in another module), as Django's static view answers any file."""
    _project(tmp_path)
    (tmp_path / "manage.py").write_text(MANAGE)
    if shape == "spirit":
        write_tree(tmp_path, SPIRIT_SHAPE)
    if shape == "finder":
        _apps_elsewhere(tmp_path)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert ('"assetpipe.django.BuildFinder",' in result.out) == (shape == "finder"), result.out
    _paste(tmp_path, result.out)
    if shape == "finder":
        _paste_finders(tmp_path, result.out)
    else:
        _paste_app(tmp_path, result.out)
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    with _runserver(tmp_path) as base:
        html = _get(base + "/")[2].decode()
        urls = set(re.findall(r'"(/static/[^"]+-[A-Z0-9]{8}\.\w+)"', html))
        assert len(urls) == 4, html  # the stylesheet, the icon, the logo, the script
        for url in urls:
            assert _status(base + url) == 200, (tmp_path / "runserver.log").read_text()[-3000:]
        css = next(u for u in urls if u.endswith(".css"))
        _, headers, _ = _get(base + css, "br, gzip")
        deployed = shape != "finder"
        assert (headers.get("content-encoding") == "br") == deployed, headers
        assert ("immutable" in headers.get("cache-control", "")) == deployed, headers
        # a source path (the build's copy with the app, as deployed), an installed app's file
        assert b"#123" in _get(base + "/static/css/site.css")[2]
        assert _get(base + "/static/shop/app.css")[2] == b"p { color: red; }\n"
        # a file no finder has: 404 as before adoption (the finder's miss made it a 500)
        assert _status(base + "/static/js/worker-missing.js") == 404


def test_runserver_answers_a_source_file_edited_since_the_build(tmp_path: Path) -> None:
    """A source file saved after the build (no ``watch`` running) is answered by its unhashed
    URL as it now is, from the finders, as before adoption; the build's copy would be stale."""
    _adopted_with_the_app(tmp_path)
    with _runserver(tmp_path) as base:
        site = tmp_path / "shopsite/static/css/site.css"
        assert b"#123" in _get(base + "/static/css/site.css")[2]
        site.write_text("body { margin: 0; color: #456; }\n")
        assert _get(base + "/static/css/site.css")[2] == b"body { margin: 0; color: #456; }\n"


def test_init_names_the_finder_last_in_the_settings_own_list(tmp_path: Path) -> None:
    """Settings that set ``STATICFILES_FINDERS`` (healthchecks' compressor finder) get the one
    line, for their list: a second list at the end would drop theirs."""
    _project(tmp_path)
    _apps_elsewhere(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    finders = 'STATICFILES_FINDERS = [\n    "compressor.finders.CompressorFinder",\n]\n'
    settings.write_text(settings.read_text() + finders)
    line = settings.read_text().splitlines().index("STATICFILES_FINDERS = [") + 1
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    want = f"and last in the STATICFILES_FINDERS list at line {line} of shopsite/settings.py"
    assert want in result.out, result.out
    assert "STATICFILES_FINDERS = [" not in result.out


#: the project's URLs with no static route: ``runserver`` answers ``STATIC_URL`` (linkding)
URLS = """\
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [path("", TemplateView.as_view(template_name="page.html"), name="home")]
"""


def test_watch_app_answers_what_the_build_lacks_as_runserver_does(tmp_path: Path) -> None:
    """linkding routes no URL to its static files: ``runserver`` answers them from the finders
    (its favicons folder, the admin's stylesheets). Under ``watch --app`` (and ``audit --app``)
    every such file went on to Django and 404ed. They answer now, with ``DEBUG`` on, beside
    the build's own files."""
    _project(tmp_path)
    (tmp_path / "shopsite/urls.py").write_text(URLS)
    watch, port, log = _adopted_under_watch(tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        _home_with_built_css(base, log)
        # the app's own file, which the build lacks: Django's finders, as under runserver
        assert _get(base + "/static/shop/app.css")[2] == b"p { color: red; }\n"
        assert _status(base + "/static/shop/none.css") == 404
    finally:
        watch.terminate()
        watch.wait(10)


def test_a_flask_app_in_a_process_that_set_django_up_stays_a_flask_app(tmp_path: Path) -> None:
    """``prepare_app`` wrapped any WSGI app in Django's ``StaticFilesHandler`` once Django's
    settings were loaded with ``DEBUG`` on: a Flask app served by ``audit --app`` in such a
    process (a project using both; another test's, in the suite) got no ``AssetPipe`` and
    rendered its source templates, unhashed. Run in a fresh interpreter: Django's settings are
    configured once per process."""
    write_tree(tmp_path, {"pipeline.yaml": "source: static\noutput: dist\n", "static/a.css": ""})
    code = (
        "import django\nfrom django.conf import settings\n"
        "settings.configure(DEBUG=True, INSTALLED_APPS=['django.contrib.staticfiles'],"
        " STATIC_URL='/static/')\ndjango.setup()\n"
        "from pathlib import Path\nfrom flask import Flask\n"
        "from assetpipe.serve.userapp import prepare_app\n"
        "app = Flask('x')\n"
        f"served = prepare_app(app, Path({str(tmp_path / 'pipeline.yaml')!r}))\n"
        "print(served is app, 'assetpipe' in app.extensions)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "True"], run.stdout


def test_watch_app_in_a_project_folder_named_like_its_package(tmp_path: Path) -> None:
    """``spirit startproject mysite`` writes ``mysite/__init__.py`` beside ``manage.py`` and
    the package ``mysite/mysite/``. ``watch --app mysite.wsgi:application``, run in the project
    as ``gunicorn mysite.wsgi`` is, imported ``mysite.mysite.wsgi`` with the folder above first
    on ``sys.path``, where ``mysite`` is the project folder: ``No module named
    'mysite.settings'``. A module that imports nothing through the package is imported by the
    name given now, and the page answers with the build's files."""
    root = tmp_path / "shopsite"
    _project(root)
    write_tree(root, {"__init__.py": ""})
    watch, port, log = _adopted_under_watch(root)
    try:
        base = f"http://127.0.0.1:{port}"
        _home_with_built_css(base, log)
    finally:
        watch.terminate()
        watch.wait(10)


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        # cookiecutter-django's split lists, joined into INSTALLED_APPS
        (
            'DJANGO_APPS = [\n    "django.contrib.auth",\n    "django.contrib.staticfiles",\n]\n'
            "INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS\n",
            3,
        ),
        ('INSTALLED_APPS = (\n    "django.contrib.staticfiles",\n)\n', 2),
        # Channels' daphne, listed first: its runserver would take the app's place
        ('INSTALLED_APPS = [\n    "daphne",\n    "django.contrib.staticfiles",\n]\n', None),
        ('INSTALLED_APPS = ["django.contrib.auth"]\n', None),
    ],
)
def test_where_init_puts_the_runserver_app(settings: str, line: int | None) -> None:
    """``init`` names the app before staticfiles' own line, in whichever list has it."""
    assert staticfiles_line(ast.parse(settings)) == line


@pytest.mark.node
def test_runserver_pages_get_the_live_reload_client_while_watch_runs(tmp_path: Path) -> None:
    """``assetpipe watch --no-serve`` beside runserver: its pages carry the client for the
    watch's stream, compressed all the same (the WSGI module's ``CompressMiddleware``
    compressed them before the client could go in), and none once the watch stops."""
    _project(tmp_path)
    (tmp_path / "manage.py").write_text(MANAGE)
    settings = tmp_path / "shopsite/settings.py"  # as startproject writes it
    settings.write_text(settings.read_text() + 'WSGI_APPLICATION = "shopsite.wsgi.application"\n')
    page = tmp_path / "shopsite/templates/page.html"  # big enough to be compressed
    page.write_text(
        page.read_text().replace("{% endblock %}", "<p>Hello.</p>" * 300 + "{% endblock %}")
    )
    result = run_cli("init", cwd=tmp_path)
    _paste(tmp_path, result.out)
    _paste_app(tmp_path, result.out)
    assert run_cli("build", cwd=tmp_path).code == 0
    with _runserver(tmp_path) as base:
        assert b"__assetpipe/events" not in _get(base + "/")[2]
        with watch(tmp_path) as w:
            html = _get(base + "/")[2]
            assert json.dumps(w.events_url).encode() in html, html[-400:]
            _, headers, body = _get(base + "/", "gzip")
            assert headers.get("content-encoding") == "gzip", headers
            assert json.dumps(w.events_url).encode() in gzip.decompress(body)
        assert b"__assetpipe/events" not in _get(base + "/")[2]


def test_runserver_renders_the_templates_and_script_of_a_new_build(tmp_path: Path) -> None:
    """django-helpdesk under runserver with ``assetpipe watch --no-serve`` beside it: on a
    template save the page reloaded before Django's autoreloader (a poll each second; none
    under ``--noreload``) emptied its cached loader, and showed the old template; on a script
    save it linked the previous build's script. The first request after a new build now
    renders the templates it wrote."""
    _adopted_with_the_app(tmp_path)
    with _runserver(tmp_path) as base:
        before = _get(base + "/")[2].decode()
        script = re.search(r"/static/js/site-[A-Z0-9]{8}\.js", before)
        assert script and "edited" not in before, before
        page = tmp_path / "shopsite/templates/page.html"
        page.write_text(
            page.read_text().replace("{% block content %}", "{% block content %}edited")
        )
        (tmp_path / "shopsite/static/js/site.js").write_text("document.title = 'new';\n")
        assert run_cli("build", cwd=tmp_path).code == 0
        after = _get(base + "/")[2].decode()
        assert "edited" in after, after
        new = re.search(r"/static/js/site-[A-Z0-9]{8}\.js", after)
        assert new and new.group(0) != script.group(0), after
        assert _get(base + new.group(0))[2].startswith(b'document.title="new";')


def test_runserver_starts_without_a_config_and_says_so(tmp_path: Path) -> None:
    """The app listed, ``pipeline.yaml`` not there (a checkout before ``assetpipe init``):
    runserver starts, says why no build is served, and answers static files as before."""
    _project(tmp_path)
    (tmp_path / "manage.py").write_text(MANAGE)
    settings = tmp_path / "shopsite/settings.py"
    settings.write_text(
        settings.read_text().replace(
            '"django.contrib.staticfiles"',
            '"assetpipe.djangorunserver", "django.contrib.staticfiles"',
            1,
        )
    )
    with _runserver(tmp_path) as base:
        assert _get(base + "/static/css/site.css")[2] == b"body { margin: 0; color: #123; }\n"
    log = (tmp_path / "runserver.log").read_text()
    assert "runserver serves no build: config file not found" in log, log


def test_init_again_on_a_project_adopted_with_the_finder_names_the_app(tmp_path: Path) -> None:
    """``init --force`` on a project adopted with the finder (before the app) says which line
    has runserver serve the build as deployed; once it is there, nothing more."""
    _project(tmp_path)
    first = run_cli("init", cwd=tmp_path)
    _paste(tmp_path, first.out)
    settings = tmp_path / "shopsite/settings.py"
    settings.write_text(
        settings.read_text() + 'STATICFILES_FINDERS = ["assetpipe.django.BuildFinder"]\n'
    )
    again = run_cli("init", "--force", cwd=tmp_path)
    assert "already wraps application" in again.out, again.out
    line = next(
        i
        for i, t in enumerate(settings.read_text().splitlines(), 1)
        if "django.contrib.staticfiles" in t
    )
    assert (
        f'before "django.contrib.staticfiles" at line {line} of shopsite/settings.py' in again.out
    )
    # the settings' ManifestStaticFilesStorage is still named: its note again (it was left out)
    assert "note: the settings use ManifestStaticFilesStorage" in again.out, again.out
    _paste_app(tmp_path, first.out)
    assert "assetpipe.djangorunserver" not in run_cli("init", "--force", cwd=tmp_path).out


#: an app's own ``runserver`` that serves ``MEDIA_URL`` in development, as Mezzanine's
#: ``mezzanine.core`` one does (its settings move staticfiles to the end of the apps so that
#: its command is the one Django takes)
MEDIA_RUNSERVER = """\
from django.contrib.staticfiles.management.commands.runserver import Command as Base


class Command(Base):
    def get_handler(self, *args, **options):
        inner = super().get_handler(*args, **options)

        def handler(environ, start_response):
            if environ["PATH_INFO"].startswith("/media/"):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"uploaded"]
            return inner(environ, start_response)

        return handler
"""


def _media_app(root: Path) -> None:
    """The app ``devmedia`` in ``root``, its ``runserver`` ``MEDIA_RUNSERVER``."""
    write_tree(
        root,
        {
            "devmedia/__init__.py": "",
            "devmedia/management/__init__.py": "",
            "devmedia/management/commands/__init__.py": "",
            "devmedia/management/commands/runserver.py": MEDIA_RUNSERVER,
        },
    )


def test_runserver_keeps_the_runserver_of_the_app_it_comes_before(tmp_path: Path) -> None:
    """Mezzanine's settings move staticfiles last, so ``mezzanine.core``'s ``runserver``,
    which also serves ``MEDIA_URL``, is the one Django takes. The app, pasted before
    staticfiles as ``init`` says, came before ``mezzanine.core`` too: its ``runserver`` was
    staticfiles' with the build in front, and every uploaded photo of an adopted Mezzanine site
    (its gallery, its blog posts' images) 404ed. It is now the command it takes the place of,
    with the build in front."""
    _adopted_with_the_app(tmp_path)
    _media_app(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    app = '"assetpipe.djangorunserver", '
    settings.write_text(settings.read_text().replace(app, app + '"devmedia", ', 1))
    with _runserver(tmp_path) as base:
        assert _get(base + "/media/photo.jpg")[2] == b"uploaded"
        _built_css_as_deployed(base)


@pytest.mark.parametrize("listed", ["alone", "after the app"])
def test_watch_app_serves_what_the_projects_own_runserver_serves(
    tmp_path: Path, listed: str
) -> None:
    """``watch --app`` (and ``audit --app``) serve the project's application in their own
    server, with what ``runserver`` adds around it. They added staticfiles' handler alone: under
    an adopted Mezzanine site's watch every gallery photo (``MEDIA_URL``, which Mezzanine's
    ``runserver`` answers in development) 404ed. They take the handler of the ``runserver``
    Django takes now (the one ``assetpipe.djangorunserver`` takes the place of, when listed:
    the watch serves the build in front itself)."""
    _project(tmp_path)
    _media_app(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    apps = '"devmedia", "django.contrib.staticfiles"'
    if listed == "after the app":
        apps = '"assetpipe.djangorunserver", ' + apps
    settings.write_text(settings.read_text().replace('"django.contrib.staticfiles"', apps, 1))
    watch, port, log = _adopted_under_watch(tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        html = _home_with_built_css(base, log)
        assert html.count("__assetpipe/events") == 1, html[-600:]  # one live-reload client
        assert _get(base + "/media/photo.jpg")[2] == b"uploaded"
        assert _get(base + "/static/shop/app.css")[2] == b"p { color: red; }\n"
    finally:
        watch.terminate()
        watch.wait(10)


def test_runserver_keeps_a_views_own_compression_when_no_watch_runs(tmp_path: Path) -> None:
    """Apprise API's views are ``gzip_page`` and ``never_cache`` and set a cookie: under the
    adopted ``runserver`` the app was asked for identity (so a live-reload client could go in)
    and the outer layer, by its BREACH rule, compressed none of it: the 702 KB details page went
    out whole where plain runserver sent 29 KB (1.23x the page's bytes). With no watch running
    the view compresses as it does without assetpipe; with one, the client goes in."""
    _adopted_with_the_app(tmp_path)
    write_tree(
        tmp_path,
        {
            "shopsite/views.py": """\
                from django.http import HttpResponse
                from django.utils.decorators import method_decorator
                from django.views.decorators.cache import never_cache
                from django.views.decorators.gzip import gzip_page
                from django.views.generic import View


                @method_decorator((gzip_page, never_cache), name="dispatch")
                class Details(View):
                    def get(self, request):
                        body = "<html><body>" + "<p>Details.</p>" * 2000 + "</body></html>"
                        response = HttpResponse(body)
                        response.set_cookie("theme", "light")
                        return response
                """,
        },
    )
    urls = tmp_path / "shopsite/urls.py"
    urls.write_text(
        urls.read_text()
        + "from shopsite.views import Details\n\n"
        + 'urlpatterns.insert(0, path("details/", Details.as_view()))\n'
    )
    with _runserver(tmp_path) as base:
        _, headers, body = _get(base + "/details/", "gzip")
        assert headers.get("content-encoding") == "gzip", headers
        assert len(body) < 2000, len(body)
        with watch(tmp_path) as w:
            _, headers, body = _get(base + "/details/", "gzip")
            assert json.dumps(w.events_url).encode() in body, body[-300:]


def test_runserver_compresses_the_static_files_the_build_lacks(tmp_path: Path) -> None:
    """The files the build lacks (an installed app's: Django's admin, another app's
    ``static/``) are answered by staticfiles' handler, uncompressed: Django-CRM's admin-based
    pages weighed 1.00x the plain project's under the adopted runserver, where the WSGI
    module's ``CompressMiddleware`` compresses them as deployed (0.31-0.62x). They are
    compressed on the way out now, as deployed; the build's own files stay precompressed."""
    _adopted_with_the_app(tmp_path)
    css = "".join(f".shop-item-{i} {{ color: #{i:06x}; margin: {i}px; }}\n" for i in range(200))
    (tmp_path / "shop/static/shop/app.css").write_text(css)
    with _runserver(tmp_path) as base:
        status, headers, body = _get(base + "/static/shop/app.css", "gzip")
        assert status == 200, headers
        assert headers.get("content-encoding") == "gzip", headers
        assert gzip.decompress(body).decode() == css
        _built_css_as_deployed(base)
