"""The apps' ``templates/`` folders of a Django project that the build may take (``APP_DIRS``).

Django's app directories loader looks a name up in each app's ``templates/`` folder in the
order of ``INSTALLED_APPS``. The project's own apps (packages under the folder of
``manage.py``) are built; an installed package's templates (the admin's) stay Django's. But
a project app listed after an installed package that has a template of the same name never
renders it (``registration/logged_out.html`` in an app after ``django.contrib.admin``, which
ships one): built into the build's ``templates`` folder, which comes first in ``DIRS``, it
would replace the package's on every page that renders it. Such an app's folder is left out
(its templates stay Django's, unhashed) and named with that template.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from .files import TEMPLATE_EXT, walk
from .namedstatic import named_keys
from .settingsinline import import_root


@dataclass
class AppTemplates:
    """``folders``: the project apps' ``templates/`` folders to build, in ``INSTALLED_APPS``
    order; ``shadowed``: each left out, with a name an installed package before it has."""

    folders: list[Path] = field(default_factory=list)
    shadowed: list[tuple[Path, str]] = field(default_factory=list)


def app_templates(root: Path, apps: ast.expr | None, dirname: str = "templates") -> AppTemplates:
    """The ``templates/`` folders of the apps an ``INSTALLED_APPS`` expression names (its
    string literals: ``BASE_APPS + [...]`` too): ``"hc.accounts"`` → ``hc/accounts/templates``
    when ``hc/accounts`` is a package under ``root``; an ``AppConfig`` path
    (``"shop.apps.ShopConfig"``) names its package's. See the module docstring. ``dirname``:
    the apps' folder the backend searches (``jinja2``: Django's Jinja2 backend's)."""
    out = AppTemplates()
    earlier: list[Path] = []  # installed packages' templates/ folders listed so far
    seen: set[str] | None = None  # their template names, read when a project app needs them
    for name in app_names(apps):
        own = _project_package(root, name.split("."))
        if own is None:
            pkg = _installed(name.split("."))
            if pkg is not None and (pkg / dirname).is_dir():
                earlier.append(pkg / dirname)
                seen = None
            continue
        folder = own / dirname
        if not folder.is_dir():
            continue
        if seen is None:
            seen = {n for d in earlier for n in template_names(d)}
        clash = next((n for n in sorted(template_names(folder)) if n in seen), None)
        if clash is not None:
            out.shadowed.append((folder.resolve(), clash))
        else:
            out.folders.append(folder.resolve())
    return out


def app_static(
    root: Path, apps: ast.expr | None, templates: list[Path], public_path: str
) -> Path | None:
    """The ``static/`` folder of a project app of ``INSTALLED_APPS`` (``bookmarks/static``,
    ``babybuddy/static``: Django's app directories finder), for settings without
    ``STATICFILES_DIRS``: of several, the one holding most of the files the templates in the
    folders ``templates`` name, the first in the apps' order on a tie. ``init`` took the
    shallowest folder named ``static`` once: Baby Buddy's ``STATIC_ROOT``, which its
    repository holds (as any project has it after ``collectstatic``), so the build hashed
    collectstatic's stale copies, and the Django template folders went unread with it (the
    apps' ``templates/`` unbuilt). Then the first app's: paperless-ngx lists ``paperless``,
    whose ``static/`` holds a favicon no template names, before ``documents``, whose
    ``static/`` holds the stylesheets of its login page (and the Angular build), and the build
    hashed the favicon alone."""
    folders = app_statics(root, apps)
    keys = named_keys(templates, public_path) if len(folders) > 1 else set()
    return max(folders, key=lambda f: sum((f / k).is_file() for k in keys), default=None)


def installed_templates(root: Path, apps: ast.expr | None) -> list[tuple[str, int]]:
    """(top-level package, template count) of each installed package an ``INSTALLED_APPS``
    expression names (not Django's own, not a package of the project under ``root``), counting
    the template names of the ``templates/`` folders of its apps listed there, most templates
    first: what Django renders a project's pages from when its own folders have none
    (django-oscar's sandbox: ``oscar``, 241). An app may be a subpackage: Spirit's 19 apps
    (``spirit.core``, ``spirit.topic``, ...) keep their templates in ``spirit/core/templates``
    and the like, and the note named ``djconfig: 1, haystack: 1`` for a forum whose every page
    is Spirit's. Nothing is imported."""
    packages, names = _installed_packages(root, apps), dict[str, set[str]]()
    for name in app_names(apps):
        top = name.split(".")[0]
        if top not in packages:
            continue
        app = _installed(name.split(".")) or packages[top]  # an AppConfig of the top's
        if (app / "templates").is_dir():
            names.setdefault(top, set()).update(template_names(app / "templates"))
    counts = {top: len(found) for top, found in names.items()}
    return sorted(((k, n) for k, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0]))


def app_static_files(root: Path, apps: ast.expr | None, keys: list[str]) -> dict[str, str]:
    """Of ``keys`` (references the static folder lacks), those in the ``static/`` folder of an
    app ``INSTALLED_APPS`` names, the project's or an installed package's, mapped to that
    folder (relative to ``root`` when under it): Django's ``AppDirectoriesFinder`` serves
    them. The project ``wagtail start`` writes links ``css/welcome_page.css`` from
    ``home/static``, and pretix's ``js/jquery.formset.js`` is the installed
    ``djangoformsetjs``'s: ``init`` said they 404 "today too" and to fix them, and ``build
    --strict`` failed on a new Wagtail project."""
    folders = app_statics(root, apps, installed=True)
    found: dict[str, str] = {}
    for key in keys:
        where = next((f for f in folders if (f / key).is_file()), None)
        if where is not None:
            inside = where.resolve().is_relative_to(root.resolve())
            found[key] = where.relative_to(root).as_posix() if inside else str(where)
    return found


def tag_folders(root: Path, apps: ast.expr | None) -> list[Path]:
    """The ``templatetags`` folders of the installed packages an ``INSTALLED_APPS`` expression
    names (not Django's own, not the project's under ``root``), found without importing."""
    return [
        d
        for pkg in _installed_packages(root, apps).values()
        for d in sorted(pkg.rglob("templatetags"))
        if d.is_dir()
    ]


def _installed_packages(root: Path, apps: ast.expr | None) -> dict[str, Path]:
    """Top-level package → its folder, for each installed package an ``INSTALLED_APPS``
    expression names, in its order: not Django's own, not a package of the project under
    ``root``, none that is not installed here."""
    out: dict[str, Path] = {}
    for top in dict.fromkeys(n.split(".")[0] for n in app_names(apps)):
        own = top in ("", "django") or _project_package(root, [top]) is not None
        pkg = None if own else _installed([top])
        if pkg is not None:
            out[top] = pkg
    return out


def app_names(apps: ast.expr | None) -> list[str]:
    """The app names an ``INSTALLED_APPS`` expression spells: its string literals, in order
    (``BASE_APPS + [...]`` too)."""
    found = [] if apps is None else [n.value for n in ast.walk(apps) if isinstance(n, ast.Constant)]
    return [n for n in found if isinstance(n, str)]


def installed_apps(values: dict[str, ast.expr]) -> ast.expr | None:
    """``INSTALLED_APPS`` as a list of its app names, a module-level name in it read as its
    value (pretalx's ``DJANGO_APPS + EXTERNAL_APPS + LOCAL_APPS + FALLBACK_APPS``: no app was
    found, and of its apps' 205 templates, 15 were built)."""

    def names(node: ast.AST, depth: int) -> list[str]:  # in source order
        if isinstance(node, ast.Constant):
            return [node.value] if isinstance(node.value, str) else []
        if isinstance(node, ast.Name):
            value = values.get(node.id)
            return names(value, depth + 1) if value is not None and depth < 4 else []
        return [n for child in ast.iter_child_nodes(node) for n in names(child, depth)]

    apps = values.get("INSTALLED_APPS")
    if apps is None:
        return None
    return ast.List(elts=[ast.Constant(name) for name in names(apps, 0)], ctx=ast.Load())


def app_statics(root: Path, apps: ast.expr | None, installed: bool = False) -> list[Path]:
    """The ``static/`` folders of the project's own apps ``apps`` names, in its order (with
    ``installed``, those of the installed packages it names too)."""
    folders: list[Path] = []
    for name in app_names(apps):
        own = _project_package(root, name.split("."))
        if own is None and installed:
            own = _installed(name.split("."))
        if own is not None and (own / "static").is_dir() and own / "static" not in folders:
            folders.append(own / "static")
    return folders


def template_names(folder: Path) -> list[str]:
    """The template names (relative, posix) of the files of ``folder`` a template may be."""
    return [p.relative_to(folder).as_posix() for p in walk(folder, TEMPLATE_EXT)]


def _project_package(root: Path, parts: list[str]) -> Path | None:
    """``_package`` under the project folder ``root``, or under its ``src/`` folder (the src
    layout: paperless-ngx's ``src/documents``, nsupdate.info's ``src/nsupdate``, PeeringDB's
    ``src/peeringdb_server``, with ``manage.py`` or an editable install putting ``src`` on
    ``sys.path``): ``init`` found no app of theirs, said the project had no static folder of
    its own and wrote no config."""
    found = _package(root, parts) or _package(root / "src", parts)
    below = import_root(root) if found is None else None  # Apprise API's apprise_api/
    return _package(below, parts) if below is not None else found


def _package(base: Path, parts: list[str]) -> Path | None:
    """The longest leading part of a dotted name that is a package under ``base``."""
    for n in range(len(parts), 0, -1):
        if (base.joinpath(*parts[:n]) / "__init__.py").is_file():
            return base.joinpath(*parts[:n])
    return None


def installed_module(name: str) -> Path | None:
    """The file of an installed module of a package (``wger.settings_global`` →
    ``.../wger/settings_global.py``), found from its top-level package's spec without importing
    anything; ``None``: not installed here, or a top-level module."""
    parts = name.split(".")
    folder = _installed(parts[:1]) if len(parts) > 1 else None
    if folder is None:
        return None
    for found in (
        folder.joinpath(*parts[1:-1], parts[-1] + ".py"),
        folder.joinpath(*parts[1:], "__init__.py"),
    ):
        if found.is_file():
            return found
    return None


def _installed(parts: list[str]) -> Path | None:
    """The folder of an installed app's package, found from its top-level package's spec
    without importing anything (``None``: not installed here)."""
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return None
    for loc in (spec.submodule_search_locations or []) if spec is not None else []:
        if len(parts) == 1:
            return Path(loc)
        found = _package(Path(loc), parts[1:])
        if found is not None:
            return found
    return None
