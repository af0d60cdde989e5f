"""A Django project whose static files are in more than one folder: ``STATICFILES_DIRS`` with two
folders, and a project app's ``static/`` (parsifal's 19 page scripts, in its apps' folders).
Django's finders serve them all under ``STATIC_URL``, the first folder holding a name
answering; the build read one folder, and the others' files went out unhashed. ``init`` now
lists them in ``static.folders`` and the build copies their files hashed, a name the static
folder or an earlier folder has kept as theirs (warned). Checked under gunicorn."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from tests.conftest import adopt_and_build, run_cli, write_tree
from tests.test_django import SETTINGS as DJANGO_SETTINGS
from tests.test_django import SETTINGS_HEAD, _answered, _get, adopted_under_gunicorn, startproject
from tests.test_django_jinja import APPS, ENVIRONMENT, JINJA_BACKEND, TAIL
from tests.test_watch import watcher_on

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>\n'


def test_the_files_of_static_folders_are_copied_hashed_the_first_name_winning(
    tmp_path: Path,
) -> None:
    """A folder's stylesheet names its image by its hashed name; a name ``source`` has is
    ``source``'s (a warning names the file left behind); a later folder's file of a name an
    earlier folder has is the earlier one's."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: static\nstatic:\n  include: ['css/*']\n"
            "  folders: [more, last]\n",
            "static/css/site.css": "body { color: #123; }\n",
            "more/css/more.css": "p { background: url(../img/dot.svg); }\n",
            "more/img/dot.svg": SVG,
            "more/css/site.css": "body { color: red; }\n",  # source's is Django's
            "last/img/dot.svg": SVG.replace("4", "8"),  # more's is Django's
            "last/js/late.js": "console.log('late');\n",
        },
    )
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    assert "more/css/site.css' is not copied" in built.err + built.out
    assert "last/img/dot.svg' is not copied" in built.err + built.out
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    files = {k: v["file"] for k, v in manifest.items()}
    assert set(files) == {"css/site.css", "css/more.css", "img/dot.svg", "js/late.js"}
    public = tmp_path / "dist/public"
    assert b"#123" in (public / files["css/site.css"]).read_bytes()
    assert (public / files["img/dot.svg"]).read_text() == SVG
    more = (public / files["css/more.css"]).read_text()
    assert f"url({Path(files['img/dot.svg']).name})" in more.replace("../img/", ""), more
    strict = run_cli("build", "--strict", cwd=tmp_path)
    assert strict.code != 0  # the shadowed files are warnings


SETTINGS = DJANGO_SETTINGS.replace(
    'STATICFILES_DIRS = [os.path.join(BASE_DIR, "shopsite", "static")]',
    'STATICFILES_DIRS = [\n    os.path.join(BASE_DIR, "shopsite", "static"),\n'
    '    os.path.join(BASE_DIR, "frontend", "build"),\n]',
)
PAGE = """\
{% load static %}<!doctype html>
<html><head><link rel="stylesheet" href="{% static 'css/site.css' %}">
<link rel="stylesheet" href="{% static 'css/bundle.css' %}"></head>
<body><p>shop</p><script src="{% static 'shop/cart.js' %}"></script></body></html>
"""


@pytest.mark.skipif(
    importlib.util.find_spec("django") is None or importlib.util.find_spec("gunicorn") is None,
    reason="needs Django and gunicorn (the test extra)",
)
def test_every_folder_djangos_finders_serve_is_built(tmp_path: Path) -> None:
    """The second ``STATICFILES_DIRS`` folder's stylesheet and the app's script: linked by
    their hashed names, answered ``immutable`` by the middleware (they were linked unhashed,
    and ``init`` left them out of the build)."""
    write_tree(
        tmp_path,
        {
            **startproject(SETTINGS),
            "shopsite/templates/page.html": PAGE,
            "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "frontend/build/css/bundle.css": "p { color: #456; }\n",
            "shop/__init__.py": "",
            "shop/static/shop/cart.js": "document.body.dataset.cart = 'yes';\n",
        },
    )
    server, base, log = adopted_under_gunicorn(tmp_path)
    try:
        config = (tmp_path / "pipeline.yaml").read_text()
        assert 'folders: ["frontend/build", "shop/static"]' in config, config
        assert "app_routes" not in config, config
        html = _answered(base + "/", log, "gunicorn")
        urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
        assert len(urls) == 3, html
        for url, body in zip(urls, (b"#123", b"#456", b"cart"), strict=True):
            assert re.search(r"-[A-Z0-9]{8}\.(css|js)$", url), html
            status, headers, got = _get(base + url)
            assert status == 200 and "immutable" in headers["cache-control"], headers
            assert body in got
    finally:
        server.terminate()
        server.wait(10)


def test_a_save_in_a_static_folder_is_built_under_watch(tmp_path: Path) -> None:
    """``assetpipe watch`` observed ``source`` and the template folders: a save of a
    ``static.folders`` file went unseen, and the page went on linking the old file."""
    files: dict[str, str | bytes] = {
        "pipeline.yaml": "source: static\ntemplates:\n  dirs: [templates]\n"
        "static:\n  folders: [app/static]\n",
        "static/site.css": "body { color: #123; }\n",
        "app/static/app/cart.js": "window.cart = 1;\n",
        "templates/page.html": '<script src="/static/app/cart.js"></script>\n',
    }
    with watcher_on(tmp_path, files) as (_, rec):
        first = (tmp_path / "dist/templates/page.html").read_text()
        assert re.search(r"/static/app/cart-[A-Z0-9]{8}\.js", first), first
        (tmp_path / "app/static/app/cart.js").write_text("window.cart = 2;\n")
        rec.wait(lambda: (tmp_path / "dist/templates/page.html").read_text() != first)
    page = (tmp_path / "dist/templates/page.html").read_text()
    url = re.search(r"/static/(app/cart-[A-Z0-9]{8}\.js)", page)
    assert url, page
    assert (tmp_path / "dist/public" / url[1]).read_text() == "window.cart = 2;\n"


def test_a_jinja_static_call_naming_an_apps_file_is_hashed(tmp_path: Path) -> None:
    """Pontoon's Jinja templates name its apps' files with ``static('img/logo.svg')``: with
    the apps' folders built, ``build --strict`` warned that the call was left as written, as
    ``init`` looked for ``static()`` calls naming files of the static folder alone."""
    settings = SETTINGS_HEAD + APPS + JINJA_BACKEND + TAIL
    write_tree(
        tmp_path,
        {
            **startproject(settings),
            "shopsite/jinja2env.py": ENVIRONMENT,
            "shopsite/jinja2/page.html": "<img alt='' src=\"{{ static('shop/dot.svg') }}\">\n"
            "<script src=\"{{ static('shop/cart.js') }}\"></script>\n",
            "shopsite/static/css/site.css": "body { margin: 0; }\n",
            "shop/__init__.py": "",
            "shop/static/shop/cart.js": "window.cart = 1;\n",
            "shop/static/shop/dot.svg": SVG,
        },
    )
    adopt_and_build(tmp_path)
    assert 'static_functions: ["static"]' in (tmp_path / "pipeline.yaml").read_text()
    page = (tmp_path / "dist/templates/page.html").read_text()
    assert re.search(r"static\('shop/cart-[A-Z0-9]{8}\.js'\)", page), page
