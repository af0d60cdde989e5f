"""A Django project whose pages and static files are installed packages': what ``init`` says.

django-oscar's sandbox has a static folder but no template of its own (``installed_pages_note``).
django-wiki's ``testproject`` has neither: its settings name no ``STATICFILES_DIRS`` and no app
of the project, every page is rendered from the installed ``wiki`` package's templates with its
static files. ``init`` found no folder to read, so it said "no Flask app with a static folder"
and told a Django user to look for ``Flask(__name__)``; after ``collectstatic`` (a deploy's
first step) it took ``STATIC_ROOT``, collectstatic's copies, for the source (301 files of the
admin's and wiki's, copied with hashed names no template named). ``no_static_folder`` names the
settings, what Django serves from and what to do instead. django-allauth's example project has
29 templates of its own in its ``DIRS`` folder, which link Bootstrap from a CDN, and no static
folder: the error said only that its pages were the installed ``allauth``'s, to be copied; it
names the other sites' files its templates link now (``foreign_links``), and how to make them
the project's.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from ..errors import UsageError
from .djangoapp import dirs_folders, settings_apps
from .djangotemplates import installed_templates
from .installedsettings import star_imported
from .installedsite import installed_site
from .settingsvalues import assigned, candidates

_COPY = (
    "copy the templates into a DIRS folder and the static files into a STATICFILES_DIRS folder"
    " (as a package's docs say to customise them), then run `assetpipe init` again"
)


#: a ``<link href>`` or ``<script src>`` naming another site's file (``https://``, ``//``)
_FOREIGN = re.compile(
    r"""<(?:link|script)\b[^>]*?\b(?:href|src)\s*=\s*["']((?:https?:)?//[^"'\s{}]+)""", re.I
)


def foreign_links(root: Path) -> str | None:
    """``init``'s words for the scripts and stylesheets of other sites that the templates of
    the settings' ``DIRS`` folders link (``None``: none): ``"the project's templates
    (example/templates: 29) link other sites' scripts and stylesheets (https://cdn..., and 1 more)"``."""
    counts: list[str] = []
    urls: list[str] = []
    for folder in dirs_folders(root):
        files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
        counts.append(f"{os.path.relpath(folder, root)}: {len(files)}")
        for f in files:
            try:
                text = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            urls += [u for u in _FOREIGN.findall(text) if u not in urls]
    if not urls:
        return None
    more = f", and {len(urls) - 1} more" if len(urls) > 1 else ""
    return (
        f"the project's templates ({', '.join(counts)}) link other sites' scripts and stylesheets"
        f" ({urls[0]}{more}), which the build leaves as they are: to build them as the"
        " project's own files (hashed, precompressed), save them in a folder that"
        " STATICFILES_DIRS names, link them with {% static %} and run `assetpipe init` again"
    )


def _packages(root: Path, found: tuple[Path, ast.expr | None] | None) -> str | None:
    """``"wiki: 42, ..."``: the installed packages whose templates Django renders the
    project's pages from, most templates first; ``found``: ``settings_apps(root)`` (``None``:
    no settings, or no such package)."""
    packages = installed_templates(root, found[1]) if found is not None else []
    return ", ".join(f"{name}: {n}" for name, n in packages[:4]) if packages else None


def installed_pages_note(root: Path) -> str | None:
    """``init``'s note for a project whose own template folders have no template (``None``
    when no installed package has any): Django renders its pages from installed packages'
    templates, which the build leaves as they are. On django-oscar's sandbox ``init`` wrote a
    config that built nothing, and said only "No templates folder found"."""
    named = _packages(root, settings_apps(root))
    if named is None:
        return None
    return (
        "note: the project has no template of its own: Django renders its pages from the"
        f" templates of installed packages ({named}), which the build leaves as they are, with"
        f" their static files. To build them, {_COPY}."
    )


def no_static_folder(root: Path) -> UsageError | None:
    """The error of ``init`` on a Django project (settings whose ``TEMPLATES`` name the
    DjangoTemplates backend) with no static folder of its own: no ``STATICFILES_DIRS`` folder
    on disk and no app of the project with a ``static/`` folder (``STATIC_ROOT`` is never a
    source). Settings under ``root`` that star-import an installed package's settings module
    get ``_installed_settings``' error, a site folder run by an installed package's WSGI module
    ``_installed_site``'s. ``None``: no Django settings under ``root``."""
    found = settings_apps(root)
    if found is None:
        return _installed_settings(root) or _installed_site(root)
    shown = os.path.relpath(found[0], root)
    named = _packages(root, found)
    pages = (
        f"Django renders its pages from the templates of installed packages ({named}) and"
        " serves their static files, which the build leaves as they are: to build them, "
        if named is not None
        else "add the folder of the project's static files to STATICFILES_DIRS: "
    )
    foreign = foreign_links(root)
    absent = _absent_static(found[0]) if foreign is None else []
    if absent:  # a bundler's output, not built in this checkout
        listed = ", ".join(absent)
        return UsageError(
            f"{shown} is a Django project's settings whose STATICFILES_DIRS names {listed},"
            " which this checkout lacks (a bundler's output?), and no app of the project has"
            " a static/ folder",
            hint="build the static files first (webpack, Vite, npm run build), then run"
            " `assetpipe init` again; or add the folder of the project's own static files to"
            " STATICFILES_DIRS",
        )
    hint = pages + (_COPY if named is not None else "then run `assetpipe init` again")
    return UsageError(
        f"{shown} is a Django project's settings with no static folder of the project's own"
        " (no STATICFILES_DIRS folder, no app of the project with a static/ folder;"
        " STATIC_ROOT holds collectstatic's copies, never a source)",
        hint=hint if foreign is None else foreign if named is None else f"{foreign}. {hint}",
    )


def absent_static_note(root: Path) -> str | None:
    """``init``'s note where every folder the settings' ``STATICFILES_DIRS`` name is absent
    (a bundler's output) and the config builds an app's ``static/`` folder instead:
    wagtail.org's webpack copies ``wagtailio/static`` into ``static_compiled``, which a
    checkout lacks; the config built the ``wagtailspace`` app's folder, and ``build
    --strict`` failed on 40 references to files the bundler writes, with no word why."""
    found = settings_apps(root)
    named = _static_dirs(found[0]) if found is not None else []
    if not named or any(there for _, there in named):
        return None
    return (
        f"note: STATICFILES_DIRS names {', '.join(n for n, _ in named)}, which this checkout"
        " lacks (a bundler's output?): the config builds an app's static/ folder instead, and"
        " the files the bundler writes there are missing to the build. Build the static files"
        " first (webpack, Vite, npm run build), then run `assetpipe init` again."
    )


def _absent_static(settings: Path) -> list[str]:
    """The folders the settings' ``STATICFILES_DIRS`` name (any value it may take), each by
    its string literals (``base_dir_join("../frontend", "webpack_bundles")``:
    ``frontend/webpack_bundles``, django-react-boilerplate's webpack output), that no folder
    of the checkout is: ``init`` said there was "no STATICFILES_DIRS folder"."""
    return [name for name, there in _static_dirs(settings) if not there]


def _static_dirs(settings: Path) -> list[tuple[str, bool]]:
    """Each folder ``STATICFILES_DIRS`` names (``_absent_static``), with whether the checkout
    has it."""
    try:
        tree = ast.parse(settings.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []
    values = assigned(tree)
    names: list[tuple[str, bool]] = []
    for listed in candidates(tree, "STATICFILES_DIRS"):
        if isinstance(listed, ast.Name):
            listed = values.get(listed.id, listed)
        items = listed.elts if isinstance(listed, ast.List | ast.Tuple) else []
        for item in items:
            if isinstance(item, ast.Tuple) and len(item.elts) == 2:  # (prefix, path)
                item = item.elts[1]
            parts = [
                p
                for c in ast.walk(item)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
                for p in c.value.split("/")
                if p not in ("", ".", "..")
            ]
            name = "/".join(parts)
            if parts and name not in (n for n, _ in names):
                names.append((name, _somewhere(settings, name)))
    return names


def _somewhere(settings: Path, name: str) -> bool:
    """Whether a folder ``name`` exists beside the settings module or one of its parents."""
    return any((d / name).is_dir() for d in settings.resolve().parents)


def _installed_settings(root: Path) -> UsageError | None:
    """The error of ``init`` where the settings take everything from an installed package's
    settings module (``installedsettings``: pip-installed wger's ``from wger.settings_global
    import *``); ``None`` for no such settings."""
    star = star_imported(root)
    if star is None:
        return None
    path, module, apps = star
    named = _packages(root, (path, apps))
    return UsageError(
        f"{os.path.relpath(path, root)} is a Django project's settings that take theirs from"
        f" the installed {module} (from {module} import *): no template or static folder of"
        " the project's own",
        hint="Django renders its pages from the templates of installed packages"
        f" ({named or module.split('.')[0]}) and serves their static files, which the build"
        " leaves as they are: to build them, run `assetpipe init` in a source checkout of the"
        " package (its repository, installed with `pip install -e`), or " + _COPY,
    )


def _installed_site(root: Path) -> UsageError | None:
    """The error of ``init`` in a site folder whose WSGI script runs an installed package's
    Django WSGI module (``installedsite``: Review Board's ``htdocs/reviewboard.wsgi``);
    ``None`` for no such script."""
    site = installed_site(root)
    if site is None:
        return None
    named = _packages(root, (site.script, site.apps)) or site.module.split(".")[0]
    settings = f", whose settings are the installed {site.settings}" if site.settings else ""
    return UsageError(
        f"{os.path.relpath(site.script, root)} runs the installed {site.module} (a Django"
        f" project{settings}): no template or static folder of the site's own",
        hint=f"Django renders its pages from the templates of installed packages ({named}) and"
        " serves their static files, which the build leaves as they are (a folder such as"
        " htdocs/static is STATIC_ROOT, copies or links of theirs, never a source): to build"
        " them, run `assetpipe init` in a source checkout of the package (its repository,"
        " installed with `pip install -e`), with its static files built",
    )
