"""A Django project adopted as docs/adopting.md says: ``assetpipe init`` names the WSGI module and
the settings' ``TEMPLATES`` ``DIRS``, the build rewrites Django templates' ``{% static 'K' %}``
(and nothing else of them), and Django, behind the middleware under gunicorn, renders the
rewritten templates and links hashed files answered ``immutable``."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from assetpipe.config import load_config
from tests.conftest import edited, run_cli, write_tree

#: a Django template with what DTL has and Jinja lacks: filters with ``:`` arguments,
#: ``{% url %}``, ``{% static %}`` with both quotes, ``{% static ... as %}``, ``{# #}``
BASE = """\
{% load static %}<!doctype html>
<html lang="en">
<head>
  <title>{% block title %}{{ page.title|default:"Shop"|truncatechars:40 }}{% endblock %}</title>
  <link rel="stylesheet" href="{% static 'css/site.css' %}">
  {% static "img/logo.png" as logo %}{# a variable: rendered nowhere here #}
  <link rel="icon" href="{% if page.icon %}{{ page.icon }}{% else %}{% static 'img/logo.png' %}{% endif %}">
</head>
<body>
  <a href="{% url 'home' %}"><img src="{% static "img/logo.png" %}" alt="Shop"></a>
  {% block content %}{% endblock %}
  <p>{% now "Y" %} &middot; {{ items|length|add:"1" }}</p>
  <script type="module" src="{% static 'js/site.js' %}"></script>
</body>
</html>
"""
PAGE = """\
{% extends "base.html" %}{% load static %}
{% block content %}<img src="{% static 'img/logo.png' %}" alt="">{% endblock %}
"""
#: the top of the settings module of every Django project these tests write
SETTINGS_HEAD = """\
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "test"
DEBUG = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "shopsite.urls"
"""
SETTINGS = (
    SETTINGS_HEAD
    + """\
INSTALLED_APPS = ["django.contrib.staticfiles", "shop"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [
            os.path.join(BASE_DIR, "shopsite", "templates"),
        ],
        "APP_DIRS": True,
    },
]
STATICFILES_DIRS = [os.path.join(BASE_DIR, "shopsite", "static")]
STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(BASE_DIR, "collected")
STORAGES = {
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    },
}
"""
)
URLS = """\
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [path("", TemplateView.as_view(template_name="page.html"), name="home")]
urlpatterns += staticfiles_urlpatterns()
"""
WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")

application = get_wsgi_application()
"""


WATCH = [sys.executable, "-m", "assetpipe", "watch"]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def startproject(settings: str) -> dict[str, str | bytes]:
    """A Django project's own files as ``django-admin startproject shopsite`` lays them out:
    ``manage.py`` and the ``shopsite`` package with ``settings`` (its text), ``urls`` and
    ``wsgi``."""
    return {
        "manage.py": "import sys\n",
        "shopsite/__init__.py": "",
        "shopsite/settings.py": settings,
        "shopsite/urls.py": URLS,
        "shopsite/wsgi.py": WSGI,
    }


def _project(root: Path) -> None:
    write_tree(
        root,
        {
            **startproject(SETTINGS),
            "shopsite/templates/base.html": BASE,
            "shopsite/templates/page.html": PAGE,
            "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "shopsite/static/js/site.js": "document.body.dataset.ready = 'yes';\n",
            "shop/__init__.py": "",
            "shop/static/shop/app.css": "p { color: red; }\n",
        },
    )
    (root / "shopsite/static/img").mkdir(parents=True)
    (root / "shopsite/static/img/logo.png").write_bytes(_png())


def test_init_and_build_adopt_a_django_project(tmp_path: Path) -> None:
    """``init`` said "No Flask app found here" and told a Django user to use
    ``Jinja2Templates`` and ``assetpipe.jinja.install``; it counted no script or stylesheet
    (``{% static %}`` was no reference) and the build left every one unhashed. Now it names
    the WSGI module's line and the ``DIRS`` list's, the build rewrites K only, and every
    other byte of the Django templates stays."""
    _project(tmp_path)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "No Flask app found" not in result.out
    assert "Add these lines in shopsite/wsgi.py, after line 7" in result.out
    assert "first in the DIRS list at line 12 of TEMPLATES in shopsite/settings.py" in result.out
    assert 'str(Path(__file__).resolve().parents[1] / "dist" / "templates"),' in result.out
    assert "ManifestStaticFilesStorage" in result.out
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert list(cfg.styles.entries) == ["css/site.css"]
    assert list(cfg.scripts.entries) == ["js/site.js"]
    # the static folder of STATICFILES_DIRS, not the installed app's (shop/static, first by name)
    assert cfg.source == (tmp_path / "shopsite/static").resolve()
    assert "{% static 'K' %}" in (tmp_path / "pipeline.yaml").read_text()  # not url_for alone
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    for name, source in (("base.html", BASE), ("page.html", PAGE)):
        out = (tmp_path / "dist/templates" / name).read_text()
        keys = re.findall(r"""\{% static (?:'|")([^'"]+)(?:'|") %\}""", out)
        assert len(keys) == source.count("{% static") - ("as logo" in source), out
        assert all(re.search(r"-[A-Z0-9]{8}\.\w+$", k) for k in keys), keys
        # every other byte as written: the hashed names and the <img> hints taken out, the
        # source comes back ({% static "..." as logo %} names the PNG's hashed file: the
        # template may write {{ logo }} anywhere)
        back = re.sub(r"-(?:40w-)?[A-Z0-9]{8}\.(css|js|webp|png)", lambda m: "." + m[1], out)
        back = back.replace("logo.webp", "logo.png").replace(' loading="lazy" decoding="async"', "")
        assert back == source, out
    # a changed script gets a new name, and the template that names it is rewritten again
    # (its {% static %} keys were no dependency: the build reused the cached template, which
    # linked the old file, and `assetpipe watch` reloaded a page that ran the old script)
    before = (tmp_path / "dist/templates/base.html").read_text()
    (tmp_path / "shopsite/static/js/site.js").write_text("document.title = 'changed';\n")
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    after = (tmp_path / "dist/templates/base.html").read_text()
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert after != before and f"{{% static '{manifest['js/site.js']['file']}' %}}" in after


def _paste(root: Path, out: str) -> None:
    """Paste the lines ``init`` printed where it said, as a user does: the WSGI module's
    (``paste_entry``), the ``DIRS`` entry first in the list, on a line of its own when the
    list has its items on theirs, else inline (a name: NetBox's ``[TEMPLATES_DIR]``), and
    ``Path``'s import at the top."""
    wsgi_part, dirs_part = out.split("Add these lines", 1)[1].split("and first in the DIRS", 1)
    paste_entry(root, wsgi_part.split("and, for an ASGI server", 1)[0])
    entry = next(line.strip() for line in dirs_part.splitlines() if line.startswith("      "))
    settings = root / "shopsite/settings.py"
    text = "from pathlib import Path\n" + settings.read_text()
    if '"DIRS": [\n' in text:
        settings.write_text(text.replace('"DIRS": [\n', f'"DIRS": [\n            {entry}\n', 1))
    else:
        settings.write_text(text.replace('"DIRS": [', f'"DIRS": [{entry} ', 1))


def paste_entry(root: Path, step: str) -> None:
    """Paste an entry module's step as ``init`` printed it (``step``: from its ``in FILE, after
    line N:`` on): its lines after line N, then its imports after the line its ``and these
    imports in FILE, after line M`` names (pasted in that order, both numbers hold)."""
    lines_part, _, imports_part = step.partition("and these imports in ")
    for part in (lines_part, imports_part):
        m = re.search(r"(\S+), after line (\d+)", part)
        if m is None:
            assert not part, step
            continue
        code = [line[6:] for line in part.splitlines()[1:] if line.startswith("      ")]
        path = root / m[1]
        lines = path.read_text().splitlines()
        at = int(m[2])
        path.write_text("\n".join([*lines[:at], *code, *lines[at:]]) + "\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, codings: str = "identity") -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": codings})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def _answered(url: str, log: Path, what: str, tries: int = 200) -> str:
    """The page at ``url`` once the server started with ``log`` answers it (a refused
    connection or an error status until then); the test fails with the log's tail after
    ``tries`` tenths of a second."""
    for _ in range(tries):
        try:
            return _get(url)[2].decode()
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{what} did not answer: {log.read_text()[-3000:]}")


def _adopted_under_watch(root: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    """The project at ``root`` adopted as ``init`` says, then ``assetpipe watch --app
    shopsite.wsgi:application`` started on a free port: the process, the port, its log."""
    result = run_cli("init", cwd=root)
    assert result.code == 0, result.err
    _paste(root, result.out)
    port = _free_port()
    log = root / "watch.log"
    watch = _started([*WATCH, "--app", "shopsite.wsgi:application", "--port", str(port)], log)
    return watch, port, log


def adopted_under_gunicorn(root: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """The project at ``root`` adopted as ``init`` says (its lines pasted, ``build --strict``
    passing), then served by gunicorn on a free port: the process, its base URL, its log."""
    result = run_cli("init", cwd=root)
    assert result.code == 0, result.err
    _paste(root, result.out)
    built = run_cli("build", "--strict", cwd=root)
    assert built.code == 0, built.err + built.out
    port, log = _free_port(), root / "gunicorn.log"
    args = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "shopsite.wsgi"]
    return _started(args, log), f"http://127.0.0.1:{port}", log


def _started(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """``args`` started in ``log``'s folder (the project), its output into ``log``."""
    with log.open("w") as out:
        return subprocess.Popen(args, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.skipif(
    importlib.util.find_spec("django") is None or importlib.util.find_spec("gunicorn") is None,
    reason="needs Django and gunicorn (the test extra)",
)
def test_django_behind_the_middleware_links_hashed_immutable_files(tmp_path: Path) -> None:
    """The lines ``init`` printed, pasted as they are, under gunicorn: Django renders the
    rewritten template (its ``{% url %}``, filters and blocks run), the page links the hashed
    stylesheet and script, answered ``immutable`` and compressed by the middleware; an
    installed app's file the build lacks is answered by Django's own static view, as before."""
    _project(tmp_path)
    server, base, log = adopted_under_gunicorn(tmp_path)
    try:
        for _ in range(100):
            try:
                status, headers, body = _get(base + "/")
                break
            except urllib.error.HTTPError as e:
                pytest.fail(f"{e}: {log.read_text()[-3000:]}")
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        html = body.decode()
        css = re.search(r'href="(/static/css/site-[A-Z0-9]{8}\.css)"', html)
        js = re.search(r'src="(/static/js/site-[A-Z0-9]{8}\.js)"', html)
        # a default in a conditional (BookWyrm's logo and favicon): hashed, so --strict passes
        icon = re.search(r'rel="icon" href="(/static/img/logo-[\w-]+\.png)"', html)
        assert status == 200 and css and js and icon, html
        assert 'href="/"' in html and re.search(r"<p>\d{4} &middot; 1</p>", html), html
        for url in (css.group(1), js.group(1), icon.group(1)):
            status, headers, _ = _get(base + url, "br, gzip")
            assert status == 200 and "immutable" in headers["cache-control"], headers
            assert url.endswith(".png") or headers.get("content-encoding") in ("br", "gzip")
        # the old URL still answers, cached as Django's static view has its files (no
        # Cache-Control, a Last-Modified: the browser's heuristic); with no-cache, a warm
        # visit revalidated bakerydemo's favicon, which Django redirects to by its old URL
        status, headers, body = _get(base + "/static/css/site.css")
        assert status == 200 and b"#123" in body and "last-modified" in headers
        assert "cache-control" not in headers, headers
        status, headers, body = _get(base + "/static/shop/app.css")  # Django's, as before
        assert status == 200 and b"color: red" in body and "cache-control" not in headers
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")
def test_watch_app_renders_a_saved_django_template(tmp_path: Path) -> None:
    """``assetpipe watch --app shopsite.wsgi:application``: a saved template is rebuilt and
    the next page renders it. Django keeps compiled templates (its cached loader, the default
    with DEBUG too) until ``runserver`` says a file changed; under ``watch --app`` bakerydemo's
    page reloaded with the old footer after every template save."""
    _project(tmp_path)
    watch, port, log = _adopted_under_watch(tmp_path)
    try:
        page = f"http://127.0.0.1:{port}/"
        html = _answered(page, log, "watch")  # a 404 until the first build is made
        assert "<p>" in html and "saved-probe" not in html
        tpl = tmp_path / "shopsite/templates/base.html"
        tpl.write_text(tpl.read_text().replace("<p>", "<p class='saved-probe'>", 1))
        for _ in range(100):
            time.sleep(0.1)
            if "templates 1" in log.read_text():
                break
        else:
            pytest.fail(f"no rebuild: {log.read_text()[-3000:]}")
        assert "saved-probe" in (tmp_path / "dist/templates/base.html").read_text()
        assert "saved-probe" in _get(page)[2].decode()
    finally:
        watch.terminate()
        watch.wait(10)


def test_init_names_whitenoises_manifest_storage_for_its_manifest_one(tmp_path: Path) -> None:
    """Baby Buddy stores its static files with WhiteNoise's
    ``CompressedManifestStaticFilesStorage``; ``init`` said to use Django's plain storage,
    which dropped WhiteNoise's brotli copies of the files the build lacks (the admin's came
    gzip'd on the fly: 1.05x the bytes), then WhiteNoise's unhashed compressed one, which
    dropped their hashes (django-wiki's admin: ``max-age=60``, not ten years). It names
    WhiteNoise's manifest storage that also names the build's files now."""
    _project(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    edited(
        settings,
        "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "note: the settings use CompressedManifestStaticFilesStorage:" in result.out
    named = 'use "assetpipe.djangowhitenoise.CompressedManifestStaticFilesStorage"'
    assert named in result.out, result.out
