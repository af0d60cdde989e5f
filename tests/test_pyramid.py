"""A Pyramid app adopted as ``assetpipe init`` says: its two lines (``assetpipe.pyramid``'s
``AssetPipe(config)``, before ``config.make_wsgi_app()`` in ``main()``) pasted where it says,
``assetpipe build --strict``, then the app made by its own ``main()`` over real HTTP
(pyramid_jinja2 renderers named by asset specification, as Pyramid's cookiecutter writes them).

Before, ``init`` said "No Flask app found here" and the generic steps, the build left
``request.static_url('pkg:static/K')`` unhashed (and counted K as a file no tag loads), and
nothing rendered the rewritten templates. Now the templates are the build's (the override
reaches the renderer), K is hashed and answered ``immutable`` and compressed by the tween, a
``static_url`` computed at run time names the hashed file (the cache buster), and an unhashed
URL or a file the build lacks goes on to the app's own static view, as before.
"""

from __future__ import annotations

import importlib
import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import run_cli, write_tree
from tests.test_serve_support import request, wsgi_server

pytest.importorskip("pyramid_jinja2", reason="pip install -e .[test] (pyramid, pyramid-jinja2)")

PKG = "acme_pyramid_shop"
INIT = f"""\
from pyramid.config import Configurator
from pyramid.view import view_config


@view_config(route_name="home", renderer="{PKG}:templates/home.jinja2")
def home(request):
    return {{"name": "Acme"}}


@view_config(route_name="theme", renderer="string")
def theme(request):
    return request.static_url("{PKG}:static/css/" + request.matchdict["name"])


def main(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.include("pyramid_jinja2")
        config.add_static_view("static", "static", cache_max_age=3600)
        config.add_route("home", "/")
        config.add_route("theme", "/theme/{{name}}")
        config.scan()
    return config.make_wsgi_app()
"""
LAYOUT = f"""\
<!doctype html>
<html><head><title>{{{{ name }}}}</title>
<link rel="stylesheet" href="{{{{ request.static_url('{PKG}:static/css/app.css') }}}}">
</head><body>
<header><img src="{{{{request.static_url('{PKG}:static/img/logo.png')}}}}" alt="logo"></header>
{{% block content %}}{{% endblock %}}
<script src="{{{{ request.static_path('{PKG}:static/js/app.js') }}}}"></script>
</body></html>
"""
HOME = f"""\
{{% extends "{PKG}:templates/layout.jinja2" %}}
{{% block content %}}
<main><img src="{{{{ request.static_url('{PKG}:static/img/photo.jpg') }}}}" alt="photo"></main>
<img src="{{{{ request.static_url('{PKG}:static/img/photo.jpg') }}}}" alt="again">
{{% endblock %}}
"""
CSS = "body { margin: 0; color: #123456; }\n" * 40
JS = "window.acme = { started: Date.now() };\nconsole.log('acme', window.acme);\n" * 20


def _image(fmt: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, fmt)
    return out.getvalue()


def _tree(pkg: str, init: str) -> dict[str, str | bytes]:
    """The project of package ``pkg`` whose ``__init__.py`` is ``init`` (``PKG`` replaced)."""
    return {
        "pyproject.toml": f'[project]\nname = "{pkg}"\nversion = "0.1"\n',
        "development.ini": f"[app:main]\nuse = egg:{pkg}\n",
        f"{pkg}/__init__.py": init.replace(PKG, pkg),
        f"{pkg}/templates/layout.jinja2": LAYOUT.replace(PKG, pkg),
        f"{pkg}/templates/home.jinja2": HOME.replace(PKG, pkg),
        f"{pkg}/static/css/app.css": CSS,
        f"{pkg}/static/js/app.js": JS,
        f"{pkg}/static/img/logo.png": _image("PNG", (120, 40)),
        f"{pkg}/static/img/photo.jpg": _image("JPEG", (800, 600)),
    }


@contextmanager
def _adopt(
    root: Path, pkg: str, init: str, files: dict[str, str | bytes] | None = None
) -> Iterator[tuple[str, int]]:
    """The project (``files`` replacing ``_tree``'s) after ``init``, the two lines pasted where
    it says and ``build --strict``; yields ``init``'s output and the port of the app served by
    its own ``main()``."""
    write_tree(root, {**_tree(pkg, init), **(files or {})})
    done = run_cli("init", cwd=root)
    assert done.code == 0, done.out + done.err
    module = root / pkg / "__init__.py"
    place = re.search(r"in (\S+): this one inside main\(\), before line (\d+)", done.out)
    assert place is not None, done.out
    assert place.group(1) == f"{pkg}/__init__.py"
    lines = module.read_text().split("\n")
    line = int(place.group(2))
    assert lines[line - 1].strip() == "return config.make_wsgi_app()", done.out
    pasted = [
        m.group(1)
        for m in re.finditer(r"^    (from assetpipe\S* .*|AssetPipe\(.*\))$", done.out, re.M)
    ]
    assert pasted == ["AssetPipe(config)", "from assetpipe.pyramid import AssetPipe"], done.out
    spot = re.search(r"and this import in \S+, after line (\d+)", done.out)
    assert spot is not None, done.out
    lines[line - 1 : line - 1] = ["    " + pasted[0]]  # in the order printed
    lines[int(spot.group(1)) : int(spot.group(1))] = [pasted[1]]
    module.write_text("\n".join(lines))
    built = run_cli("build", "--strict", cwd=root)
    assert built.code == 0, built.out + built.err
    sys.path.insert(0, str(root))
    try:
        app = importlib.import_module(pkg).main({})
        with wsgi_server(app) as port:
            yield done.out, port
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == pkg or m.startswith(pkg + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, int]]:
    """The project after ``init``, the two lines and ``build --strict``; ``init``'s output and
    the port of the app served by its own ``main()``."""
    root = tmp_path_factory.mktemp("pyramid")
    with _adopt(root, PKG, INIT) as (out, port):
        yield root, out, port


def _page(port: int) -> str:
    r = request(port, "/")
    assert r.status == 200, r.status
    return r.body.decode()


def test_init_names_the_pyramid_app_and_counts_static_url_references(
    adopted: tuple[Path, str, int],
) -> None:
    root, out, _ = adopted
    # the build rewrote the literal K of each static_url/static_path, the call kept
    layout = (root / "dist/templates/layout.jinja2").read_text()
    assert re.search(rf"request\.static_url\('{PKG}:static/css/app-\w+\.css'\)", layout)
    assert re.search(rf"request\.static_path\('{PKG}:static/js/app-\w+\.js'\)", layout)
    assert "No Flask app found" not in out
    assert "assetpipe watch --app \"pyramid.paster:get_app('development.ini')\"" in out, out
    assert "1 stylesheet(s)" in out and "1 script(s)" in out, out
    assert "that no <script src> or <link> tag loads" not in out, out


def test_the_rewritten_templates_link_hashed_files_served_immutable(
    adopted: tuple[Path, str, int],
) -> None:
    _, _, port = adopted
    html = _page(port)
    css = re.search(r'href="http://127\.0\.0\.1(?::\d+)?/static/(css/app-\w+\.css)"', html)
    js = re.search(r'src="/static/(js/app-\w+\.js)"', html)
    assert css and js, html
    # the build's rewrite: the photo after the header logo is the LCP candidate (eager), the
    # second one lazy; the logo untouched
    assert re.search(r'alt="photo"[^>]*fetchpriority="high"', html), html
    assert re.search(r'alt="again"[^>]*loading="lazy"', html), html
    for name in (css.group(1), js.group(1)):
        r = request(port, f"/static/{name}", headers={"Accept-Encoding": "br, gzip"})
        assert r.status == 200
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert r.headers["content-encoding"] == "br"


def test_unhashed_and_unknown_files_go_on_to_the_app_static_view(
    adopted: tuple[Path, str, int],
) -> None:
    _, _, port = adopted
    r = request(port, "/static/css/app.css")
    assert r.status == 200 and r.body.decode() == CSS
    assert r.headers["cache-control"] == "max-age=3600"  # the app's own add_static_view
    assert request(port, "/static/css/missing.css").status == 404


def test_static_url_computed_at_run_time_names_the_hashed_file(
    adopted: tuple[Path, str, int],
) -> None:
    _, _, port = adopted
    r = request(port, "/theme/app.css")
    assert r.status == 200
    assert re.fullmatch(r"http://127\.0\.0\.1(?::\d+)?/static/css/app-\w+\.css", r.body.decode())
    # a name the build lacks stays as the app names it
    assert request(port, "/theme/other.css").body.decode().endswith("/static/css/other.css")


def test_init_says_chameleon_templates_are_not_rewritten(tmp_path: Path) -> None:
    # Pyramid's cookiecutter with template_language=chameleon: ${request.static_url(...)} in
    # .pt files, which the build does not read; the cache buster still names hashed files
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "cham"\nversion = "0.1"\n',
            "cham/__init__.py": INIT.replace(PKG, "cham").replace(".jinja2", ".pt"),
            "cham/templates/home.pt": "<link href=\"${request.static_url('cham:static/a.css')}\">",
            "cham/static/a.css": CSS,
        },
    )
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert "from assetpipe.pyramid import AssetPipe" in done.out, done.out
    assert "Its 1 Chameleon or Mako template(s) are not rewritten" in done.out, done.out


def test_a_changed_stylesheet_renames_it_in_the_rebuilt_templates(tmp_path: Path) -> None:
    # the templates' cache is keyed by the entries they name: a static_url reference was not
    # among them, so a rebuild after a CSS edit kept the old hashed name in every page
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: shop/static\noutput: dist\n"
            'templates: {dirs: [shop/templates], include: ["**/*.jinja2"]}\n'
            "styles: {entries: [css/app.css]}\n",
            "shop/__init__.py": "",
            "shop/templates/page.jinja2": (
                "<link rel=stylesheet href=\"{{ request.static_url('shop:static/css/app.css') }}\">\n"
            ),
            "shop/static/css/app.css": CSS,
        },
    )
    names = []
    for css in (CSS, CSS + "main { color: red; }\n"):
        (tmp_path / "shop/static/css/app.css").write_text(css)
        done = run_cli("build", cwd=tmp_path)
        assert done.code == 0, done.out + done.err
        page = (tmp_path / "dist/templates/page.jinja2").read_text()
        names.append(re.search(r"css/app-\w+\.css", page))
    assert names[0] and names[1] and names[0].group(0) != names[1].group(0), names


def test_a_static_view_named_with_the_version_serves_the_hashed_files(tmp_path: Path) -> None:
    # pypicloud: add_static_view("static/%s" % __version__, "pypicloud:static"), so init's
    # public_path is /static/ but every URL the cache buster names is under /static/1.3/: the
    # tween looked for "1.3/css/app-HASH.css" in the build, passed it on, and the app's static
    # view, which has no hashed file, answered 404 for every stylesheet and script
    init = INIT.replace(
        'config.add_static_view("static", "static"',
        'config.add_static_view("static/%s" % __version__, "static"',
    ).replace("\n\n\n@view_config", '\n\n__version__ = "1.3"\n\n\n@view_config', 1)
    with _adopt(tmp_path, "acme_pyramid_versioned", init) as (_, port):
        html = _page(port)
        css = re.search(r'href="http://127\.0\.0\.1(?::\d+)?(/static/1\.3/css/app-\w+\.css)"', html)
        js = re.search(r'src="(/static/1\.3/js/app-\w+\.js)"', html)
        assert css and js, html
        for path in (css.group(1), js.group(1)):
            r = request(port, path, headers={"Accept-Encoding": "br, gzip"})
            assert r.status == 200, path
            assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert r.headers["content-encoding"] == "br"
        # the unhashed name and a file the build lacks: the app's own static view, as before
        r = request(port, "/static/1.3/css/app.css")
        assert r.status == 200 and r.body.decode() == CSS
        assert r.headers["cache-control"] == "max-age=3600"
        assert request(port, "/static/1.3/css/missing.css").status == 404


def test_pyramid_jinja2_static_url_filters_are_references(tmp_path: Path) -> None:
    # pypicloud's templates name every file with pyramid_jinja2's filter,
    # {{ 'pypicloud:static/css/base.css' | static_url }}: init counted its 9 scripts and 3
    # stylesheets as files "that no <script src> or <link> tag loads" and the build left them
    # unhashed in the templates
    layout = LAYOUT.replace(
        f"request.static_url('{PKG}:static/css/app.css')",
        f"'{PKG}:static/css/app.css' | static_url",
    ).replace(
        f"request.static_path('{PKG}:static/js/app.js')", f"'{PKG}:static/js/app.js'|static_path"
    )
    assert "| static_url" in layout and "|static_path" in layout
    write_tree(tmp_path, {**_tree(PKG, INIT), f"{PKG}/templates/layout.jinja2": layout})
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert "1 stylesheet(s)" in done.out and "1 script(s)" in done.out, done.out
    assert "that no <script src> or <link> tag loads" not in done.out, done.out
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    page = (tmp_path / "dist/templates/layout.jinja2").read_text()
    assert re.search(rf"\{{\{{ '{PKG}:static/css/app-\w+\.css' \| static_url \}}\}}", page), page
    assert re.search(rf"'{PKG}:static/js/app-\w+\.js'\|static_path", page), page


def test_templates_found_through_jinja2_directories_are_the_build_s(tmp_path: Path) -> None:
    # pypicloud sets jinja2.directories = ["pypicloud:templates"] and names its renderers
    # "base.jinja2": pyramid_jinja2 resolves that folder to an absolute path at start-up, which
    # config.override_asset does not reach, so the app rendered its own templates, not the
    # build's rewrite (no fetchpriority, no loading=lazy)
    pkg = "acme_pyramid_dirs"
    init = INIT.replace(
        f'renderer="{PKG}:templates/home.jinja2"', 'renderer="home.jinja2"'
    ).replace(
        "    with Configurator(",
        f'    settings["jinja2.directories"] = ["{PKG}:templates"]\n    with Configurator(',
    )
    home = HOME.replace(
        f'{{% extends "{PKG}:templates/layout.jinja2" %}}', '{% extends "layout.jinja2" %}'
    )
    assert 'renderer="home.jinja2"' in init and '"layout.jinja2"' in home
    with _adopt(tmp_path, pkg, init, {f"{pkg}/templates/home.jinja2": home.replace(PKG, pkg)}) as (
        _,
        port,
    ):
        html = _page(port)
        assert re.search(r'alt="photo"[^>]*fetchpriority="high"', html), html
        assert re.search(r'alt="again"[^>]*loading="lazy"', html), html
