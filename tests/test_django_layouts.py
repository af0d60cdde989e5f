"""Django projects ``init`` said had "no static folder of the project's own" (and wrote no
config), each laid out as a real project is: Tandoor's ``INSTALLED_APPS`` extended by itself,
paperless-ngx's and nsupdate.info's apps under ``src/``, djangopackages'
``PROJECT_ROOT.joinpath("static")``; and Tandoor's ``DIRS`` naming its app's template folder,
whose templates were all left unbuilt because an installed package has one of their names.
Each is initialised, built and rendered by Django with the hashed stylesheet."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, write_tree
from tests.test_django import SETTINGS_HEAD, startproject
from tests.test_django_settings import _initialised
from tests.test_django_templates import _hashed, _render, pasted_and_built

PAGE = "{% load static %}<link rel='stylesheet' href='{% static 'css/site.css' %}'>\n"
CSS = "body { margin: 0; color: #123; }\n"
TEMPLATES = """\
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": %s,
              "APP_DIRS": True}]
STATIC_URL = "/static/"
"""


def dirs_pasted_and_built(root: Path, init_out: str, module: Path) -> None:
    """The ``DIRS`` entry ``init`` printed (``init_out``) pasted first in ``module``'s list,
    ``Path`` imported, then ``assetpipe build --strict`` in ``root``, which must pass."""
    entry = next(ln.strip() for ln in init_out.splitlines() if '/ "templates"),' in ln)
    text = "from pathlib import Path\n" + module.read_text()
    module.write_text(text.replace('"DIRS": [', f'"DIRS": [{entry} ', 1))
    built = run_cli("build", "--strict", cwd=root)
    assert built.code == 0, built.err + built.out


def _shop(prefix: str = "") -> dict[str, str | bytes]:
    """The ``shop`` app (under ``prefix``): a package with a stylesheet and a page."""
    return {
        f"{prefix}shop/__init__.py": "",
        f"{prefix}shop/static/css/site.css": CSS,
        f"{prefix}shop/templates/shop/page.html": PAGE,
    }


#: Tandoor's settings: the list assigned again as itself plus more, and ``+=`` in a branch
EXTENDED = (
    SETTINGS_HEAD
    + """\
INSTALLED_APPS = ["django.contrib.staticfiles", "shop.apps.ShopConfig"]
EXTRA = [a for a in os.getenv("EXTRA_APPS", "").split(",") if a]
INSTALLED_APPS = INSTALLED_APPS + EXTRA
INSTALLED_APPS += ["django.contrib.humanize"]
"""
    + TEMPLATES % "[]"
)


def test_installed_apps_extended_by_itself_keeps_its_apps(tmp_path: Path) -> None:
    """Read as its last assignment alone, ``INSTALLED_APPS`` had no app of the project: the
    ``shop`` app's ``static/`` is the source now and its templates are built."""
    write_tree(
        tmp_path,
        {
            **startproject(EXTENDED),
            **_shop(),
            "shop/apps.py": "from django.apps import AppConfig\n\n\n"
            "class ShopConfig(AppConfig):\n    name = 'shop'\n",
        },
    )
    result, yaml, cfg = _initialised(tmp_path)
    assert cfg.source == (tmp_path / "shop/static").resolve(), yaml
    pasted_and_built(tmp_path, result.out)
    _hashed(tmp_path, _render(tmp_path, ["shop/page.html"]), 1)


def test_apps_of_a_src_layout_are_the_projects(tmp_path: Path) -> None:
    """paperless-ngx keeps ``manage.py``, its settings and its apps in ``src/``: ``init``,
    run at the repository's top, looked for the apps there only."""
    settings = SETTINGS_HEAD + 'INSTALLED_APPS = ["django.contrib.staticfiles", "shop"]\n'
    files = {f"src/{k}": v for k, v in startproject(settings + TEMPLATES % "[]").items()}
    write_tree(
        tmp_path,
        {
            **files,
            **_shop("src/"),
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "src/shop/static"' in yaml, yaml
    assert '"src/shop/templates"' in yaml, yaml


def test_a_static_folder_named_by_joinpath(tmp_path: Path) -> None:
    """djangopackages: ``STATICFILES_DIRS = [PROJECT_ROOT.joinpath("static")]``."""
    settings = (
        SETTINGS_HEAD
        + "from pathlib import Path\n\nPROJECT_ROOT = Path(__file__).parent.parent\n"
        + 'INSTALLED_APPS = ["django.contrib.staticfiles"]\n'
        + 'STATICFILES_DIRS = [PROJECT_ROOT.joinpath("static")]\n'
        + TEMPLATES % '[PROJECT_ROOT.joinpath("templates")]'
    )
    write_tree(
        tmp_path,
        {
            **startproject(settings),
            "static/css/site.css": CSS,
            "templates/page.html": PAGE,
            "assets/css/site.css": CSS,  # another folder ending in css/site.css
        },
    )
    result, yaml, cfg = _initialised(tmp_path)
    assert cfg.source == (tmp_path / "static").resolve(), yaml
    pasted_and_built(tmp_path, result.out)
    _hashed(tmp_path, _render(tmp_path, ["page.html"]), 1)


def test_an_app_folder_dirs_names_is_built_though_an_installed_app_shares_a_name(
    tmp_path: Path,
) -> None:
    """Tandoor's ``DIRS`` lists ``os.path.join(BASE_DIR, 'cookbook', 'templates')``, its app's
    folder, which also overrides a template of an installed package listed before the app
    (django-filter, which Wagtail installs)
    (Django renders the override: ``DIRS`` come first). The folder was dropped as shadowed
    and none of its templates was built."""
    settings = (
        SETTINGS_HEAD
        + 'INSTALLED_APPS = ["django.contrib.staticfiles", "django_filters", "shop"]\n'
        + 'STATICFILES_DIRS = [os.path.join(BASE_DIR, "assets")]\n'
        + TEMPLATES % '[os.path.join(BASE_DIR, "shop", "templates")]'
    )
    write_tree(
        tmp_path,
        {
            **startproject(settings),
            "assets/css/site.css": CSS,
            "shop/__init__.py": "",
            "shop/templates/django_filters/widgets/multiwidget.html": "<p></p>\n",
            "shop/templates/shop/page.html": PAGE,
        },
    )
    result, yaml, _cfg = _initialised(tmp_path)
    assert '"shop/templates"' in yaml, yaml
    pasted_and_built(tmp_path, result.out)
    _hashed(tmp_path, _render(tmp_path, ["shop/page.html"]), 1)


#: cookiecutter-django's settings before 2020 (Bootcamp): django-environ's path arithmetic
ENVIRON = """\
import environ

ROOT_DIR = environ.Path(__file__) - 3
APPS_DIR = ROOT_DIR.path("shop")
SECRET_KEY = "test"
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_URL = "/static/"
STATICFILES_DIRS = [str(APPS_DIR.path("static"))]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
              "DIRS": [str(APPS_DIR.path("templates"))]}]
"""


def test_folders_named_by_django_environ_paths(tmp_path: Path) -> None:
    """``environ.Path(__file__) - 3`` and ``.path("static")`` did not evaluate: ``init`` said
    the ``STATICFILES_DIRS`` folder, ``static``, was absent from the checkout (a bundler's
    output?) and wrote no config. Parsed only: django-environ is not installed here."""
    write_tree(
        tmp_path,
        {
            "manage.py": "import sys\n",
            "config/__init__.py": "",
            "config/settings/__init__.py": "",
            "config/settings/base.py": ENVIRON,
            "shop/static/css/site.css": CSS,
            "shop/templates/page.html": PAGE,
            "static/README": "collected here\n",  # another folder named static
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    yaml = (tmp_path / "pipeline.yaml").read_text()
    assert 'source: "shop/static"' in yaml and '"shop/templates"' in yaml, yaml


def test_an_app_folder_built_for_a_bundlers_absent_folder_is_said(tmp_path: Path) -> None:
    """wagtail.org: ``STATICFILES_DIRS`` names webpack's ``static_compiled`` (absent from a
    checkout), so the config builds an app's ``static/`` folder; ``init`` said nothing of it
    and ``build --strict`` then failed on the references to the bundler's files."""
    settings = (
        SETTINGS_HEAD
        + 'INSTALLED_APPS = ["django.contrib.staticfiles", "shop"]\n'
        + 'STATICFILES_DIRS = [os.path.join(BASE_DIR, "static_compiled")]\n'
        + TEMPLATES % "[]"
    )
    write_tree(
        tmp_path,
        {
            **startproject(settings),
            **_shop(),
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "note: STATICFILES_DIRS names static_compiled, which this checkout lacks" in (
        result.out
    ), result.out
    (tmp_path / "static_compiled").mkdir()
    (tmp_path / "static_compiled/app.css").write_text(CSS)
    again = run_cli("init", "--force", cwd=tmp_path)
    assert again.code == 0 and "static_compiled, which" not in again.out, again.out


def test_the_config_of_a_src_layout_is_found_from_its_settings(tmp_path: Path) -> None:
    """The settings in ``src/shopsite/`` (no ``__init__.py`` in ``src/``), ``manage.py`` and
    ``pipeline.yaml`` at the top, no ``pyproject.toml``: ``BuildFinder`` (and runserver)
    looked in ``src/`` at most, found no config, served no build, and every hashed file the
    rewritten templates name was a 404 (nsupdate.info as checked out without its project
    file)."""
    from assetpipe.configfind import find_config

    write_tree(
        tmp_path,
        {
            "manage.py": "import sys\n",
            "pipeline.yaml": "source: src/shop/static\n",
            "src/shopsite/__init__.py": "",
            "src/shopsite/settings/__init__.py": "",
            "src/shopsite/settings/base.py": "",
        },
    )
    assert find_config(tmp_path / "src/shopsite/settings") == tmp_path / "pipeline.yaml"


def test_settings_that_star_import_a_module_of_the_project(tmp_path: Path) -> None:
    """Misago's ``devproject/settings.py`` starts with ``from misago.settings import *`` (a
    module of the checkout) and sets ``INSTALLED_APPS = [*INSTALLED_PLUGINS,
    *INSTALLED_APPS]``: read alone it named no app of the project, and ``init`` said there was
    no static folder of the project's own. The imported module is read where it is imported;
    the runserver line extends its list at the settings' end (not "at line 0")."""
    settings = (
        SETTINGS_HEAD
        + "from shopcore.settings import *\n\nPLUGINS = []\n"
        + "INSTALLED_APPS = [*PLUGINS, *INSTALLED_APPS]\n"
        + TEMPLATES % "[]"
    )
    write_tree(
        tmp_path,
        {
            **startproject(settings),
            "shopcore/__init__.py": "",
            "shopcore/settings.py": 'INSTALLED_APPS = ["django.contrib.staticfiles", "shop"]\n',
            **_shop(),
        },
    )
    result, yaml, cfg = _initialised(tmp_path)
    assert cfg.source == (tmp_path / "shop/static").resolve(), yaml
    assert "line 0" not in result.out, result.out
    assert 'INSTALLED_APPS = ["assetpipe.djangorunserver", *INSTALLED_APPS]' in result.out
    pasted_and_built(tmp_path, result.out)
    _hashed(tmp_path, _render(tmp_path, ["shop/page.html"]), 1)


def test_static_folders_set_by_the_settings_that_import_the_templates_module(
    tmp_path: Path,
) -> None:
    """Graphite: the WSGI module runs ``graphite.settings``, which star-imports
    ``graphite.app_settings`` (``TEMPLATES``, ``INSTALLED_APPS``; inside an ``if``) and then
    sets ``STATICFILES_DIRS`` to ``webapp/content`` itself. ``init`` read the module naming the
    backend alone and said the project had no static folder of its own."""
    here = "os.path.dirname(os.path.abspath(__file__))"
    settings = (
        SETTINGS_HEAD
        + "if not globals().get('APP_SETTINGS_LOADED'):\n"
        + "    from shopsite.app_settings import *  # noqa\n\n"
        + 'STATICFILES_DIRS = (os.path.join(BASE_DIR, "content"),)\n'
    )
    app_settings = (
        "import os\n\n"
        + 'INSTALLED_APPS = ["django.contrib.staticfiles"]\n'
        + TEMPLATES % f'[os.path.join({here}, "templates")]'
    )
    write_tree(
        tmp_path,
        {
            **startproject(settings),
            "shopsite/app_settings.py": app_settings,
            "shopsite/templates/page.html": PAGE,
            "content/css/site.css": CSS,
        },
    )
    result, yaml, cfg = _initialised(tmp_path)
    assert cfg.source == (tmp_path / "content").resolve(), yaml
    assert "of TEMPLATES in shopsite/app_settings.py" in result.out, result.out
    # the DIRS entry pasted where init said (the module that names the backend)
    dirs_pasted_and_built(tmp_path, result.out, tmp_path / "shopsite/app_settings.py")
    _hashed(tmp_path, _render(tmp_path, ["page.html"]), 1)


def test_static_folders_picked_by_a_mode_an_environment_default_sets(tmp_path: Path) -> None:
    """Mathesar: ``STATICFILES_DIRS = [UI_SOURCE, ...] if MATHESAR_MODE == 'DEVELOPMENT' else
    [UI_BUILD, ...]`` with ``MATHESAR_MODE = os.environ.get('MODE', default='PRODUCTION')``.
    Read as its first branch, the Svelte sources its development server compiles were taken
    for the static folder; the project runs, by default, with its production build."""
    settings = (
        SETTINGS_HEAD
        + 'INSTALLED_APPS = ["django.contrib.staticfiles"]\n'
        + "MODE = os.environ.get('MODE', default='PRODUCTION')\n"
        + 'UI_SOURCE = os.path.join(BASE_DIR, "ui/")\n'
        + 'UI_BUILD = os.path.join(BASE_DIR, "shop/static/shop/")\n'
        + "STATICFILES_DIRS = [UI_SOURCE] if MODE == 'DEVELOPMENT' else [UI_BUILD]\n"
        + TEMPLATES % '[os.path.join(BASE_DIR, "templates")]'
    )
    write_tree(
        tmp_path,
        {
            **startproject(settings),
            "ui/src/main.ts": "export const x: number = 1;\n",
            "shop/static/shop/css/site.css": CSS,
            "templates/page.html": PAGE,
        },
    )
    result, yaml, cfg = _initialised(tmp_path)
    assert cfg.source == (tmp_path / "shop/static/shop").resolve(), yaml
    pasted_and_built(tmp_path, result.out)
    _hashed(tmp_path, _render(tmp_path, ["page.html"]), 1)
