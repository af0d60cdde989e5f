"""A Django project: where the build is served and where Django finds the rewritten templates.

Django has no app object for an extension to take: its WSGI module makes ``application =
get_wsgi_application()``, and the settings' ``TEMPLATES`` say where the templates are. ``init``
said "No Flask app found here" and gave Jinja steps (``Jinja2Templates``, ``assetpipe.jinja``)
that a Django project has no place for. Now it names the places and what goes there:

- the WSGI module, after that line: ``application`` wrapped in ``AssetMiddleware`` (the build,
  hashed files ``immutable``; ``fallback=True`` hands a file the build lacks, an installed app's
  ``static/`` such as the admin's, on to Django as before; ``unhashed_cache_control=""`` sends
  an unhashed URL without ``Cache-Control``, as Django's static view and a web server's
  default do: with ``no-cache``, a warm visit revalidated bakerydemo's favicon, which Django
  redirects to by its unhashed URL) and ``CompressMiddleware``;
- the ASGI module, when there is one, the same layers' ASGI twins (``djangoentry``);
- the settings' ``DIRS`` of the ``DjangoTemplates`` backend: the build's ``templates`` folder
  first, so Django renders the rewritten copies (their ``{% static 'K' %}`` name hashed files);
- the settings' ``INSTALLED_APPS`` (``assetpipe.djangorunserver`` before staticfiles) or
  ``STATICFILES_FINDERS`` (``assetpipe.django.BuildFinder`` last), for ``manage.py
  runserver``, whose staticfiles handler answers ``STATIC_URL`` itself, ahead of the
  middleware (linkding's hashed stylesheets and script 404ed: ``runserverstep``).

Both paths are written relative to the module they are pasted in (``Path(__file__)``), so the
project works wherever it is deployed.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .asgiapp import AsgiFolders
from .djangobackend import (
    backend_folders,
    chosen_backend,
    dirs_expr,
    folders_of,
    project_dirs,
)
from .djangoentry import asgi_step, entry_lines, entry_module, imports_path
from .djangotags import partial_tags, static_tags
from .djangotemplates import (
    AppTemplates,
    app_static,
    app_static_files,
    app_statics,
    installed_apps,
    tag_folders,
)
from .namedstatic import named_static, static_url
from .npmfinder import npm_finder_files
from .pathexpr import settings_folder
from .runserverstep import finders_line, runserver_step, staticfiles_line
from .settingsbase import JINJA_BACKENDS, backend, backend_name, settings_module
from .settingsfamily import (
    WHITENOISE_MANIFEST,
    settings_family,
    storage_module,
)
from .settingsinline import running_settings
from .settingsvalues import assigned, candidates
from .storageclass import InstalledStorage, StorageClass, project_storage


@dataclass(frozen=True)
class DjangoProject:
    """The modules of a Django project that adoption touches."""

    wsgi_file: Path
    wsgi_line: int  # the line of ``NAME = get_wsgi_application()``
    name: str  # NAME (``application``)
    settings_file: Path | None  # the module whose ``TEMPLATES`` has the DjangoTemplates backend
    dirs_line: int | None  # the line of that backend's ``DIRS`` list
    #: the ``ManifestStaticFilesStorage`` the settings name (WhiteNoise's
    #: ``CompressedManifestStaticFilesStorage`` too), ``""`` for none
    manifest_storage: str
    compressor: bool = False  # ``INSTALLED_APPS`` has django-compressor (``"compressor"``)
    finders_line: int | None = None  # the line of the settings' ``STATICFILES_FINDERS``
    #: the line of ``"django.contrib.staticfiles"`` in the settings' apps (``runserverstep``)
    staticfiles_line: int | None = None
    #: where another settings module names the manifest storage (``settingsfamily``), ``""``
    manifest_in: str = ""
    #: the line of the backend's ``"BACKEND"`` key: where a ``DIRS`` list goes when it has none
    backend_line: int | None = None
    imports_path: bool = False  # the settings module has ``from pathlib import Path``
    #: the ASGI module, its line and name (``djangoentry.entry_module``), when there is one
    asgi: tuple[Path, int, str] | None = None
    backend: str = ""  # the ``"BACKEND"`` of the backend whose ``DIRS`` gets the build's folder
    #: the manifest storage is the project's subclass, or an installed package's class
    storage_class: StorageClass | InstalledStorage | None = None
    #: the other backends holding templates of the project, left as written: each ``BACKEND``,
    #: its template count and folders (``djangobackend.chosen_backend``); ``built``: the
    #: chosen backend's count
    left: tuple[tuple[str, int, tuple[Path, ...]], ...] = ()
    built: int = 0

    @property
    def adopted(self) -> bool:
        """Whether the WSGI module already wraps the app (``init --force`` run again)."""
        return "AssetMiddleware(" in self.wsgi_file.read_text(encoding="utf-8")

    def steps(self, root: Path, config_dir: Path, output: str, public_path: str) -> list[str]:
        """What ``init`` prints: each module, its line, and the lines that go there. ``root``:
        the folder paths are shown from; ``config_dir``: the folder of ``pipeline.yaml``,
        whose relative ``output`` holds the build."""
        wsgi = os.path.relpath(self.wsgi_file, root)
        dist = f'{from_module(self.wsgi_file, config_dir)} / "{output}"'
        text = self.wsgi_file.read_text(encoding="utf-8")
        out = [
            f"Add these lines in {wsgi}, after line {self.wsgi_line} (serve the build in front"
            " of Django; a file the build lacks goes on to Django as before):",
            "",
            *entry_lines(wsgi, text, (self.wsgi_line, self.name), dist, public_path),
        ]
        out += self.asgi_lines(root, config_dir, output, public_path)
        if self.settings_file is not None:
            shown = os.path.relpath(self.settings_file, root)
            where = f"the DIRS list at line {self.dirs_line}" if self.dirs_line else "DIRS"
            tpl = f'{from_module(self.settings_file, config_dir)} / "{output}" / "templates"'
            why = "Django renders the rewritten templates" + (
                "" if self.imports_path else "; `from pathlib import Path` at its top"
            )
            of = f"the {self.backend} backend of " if self.backend in JINJA_BACKENDS else ""
            step, entry = f"first in {where} of {of}TEMPLATES in {shown} ({why})", f"str({tpl}),"
            if self.dirs_line is None and self.backend_line is not None:  # Wagtail CRX's
                step = f"after line {self.backend_line} of {shown}, in TEMPLATES' backend, which"
                step, entry = f"{step} has no DIRS list ({why})", f'"DIRS": [str({tpl})],'
            out += ["", f"and {step}:", "", f"    {entry}"]
            out += self.left_note(root)
            out += ["", *runserver_step(shown, self.staticfiles_line, self.finders_line)]
        out += self.storage_note()
        if self.compressor:
            # Mezzanine's settings name it among optional apps, added once importable: it said
            # "installed" where it was not, and Mezzanine's own {% compress %} passed through
            there = importlib.util.find_spec("compressor") is not None
            out += [
                "",
                (
                    "note: django-compressor is installed: what its {% compress %} blocks load"
                    " is left as written, for it to combine and name"
                    if there
                    else 'note: the settings name django-compressor ("compressor"), not'
                    " installed here: what {% compress %} blocks load is left as written all"
                    " the same, for it to combine and name once installed"
                )
                + " (manage.py compress reads the files by their source names); the build"
                " hashes every other reference.",
            ]
        return out

    def left_note(self, root: Path) -> list[str]:
        """A note for each other backend holding templates of the project, which the build
        leaves as written (``djangobackend``: one build rewrites one backend's, in its
        language)."""
        out: list[str] = []
        for name, count, folders in self.left:
            shown = ", ".join(os.path.relpath(f, root) for f in folders)
            out += [
                "",
                f"note: the {name} backend of TEMPLATES renders {count} template(s) of the"
                f" project ({shown}): not built, they stay as written (one build rewrites one"
                f" backend's templates, in its language: the {self.backend} backend's"
                f" {self.built}, which hold most)",
            ]
        return out

    def asgi_lines(
        self, root: Path, config_dir: Path, output: str, public_path: str, lead: str = "and, for"
    ) -> list[str]:
        """The ASGI module's lines (``djangoentry.asgi_step``), none when there is no ASGI
        module or it already wraps the app."""
        if self.asgi is None:
            return []
        text = self.asgi[0].read_text(encoding="utf-8")
        if "AssetMiddleware(" in text:
            return []
        at = f'{from_module(self.asgi[0], config_dir)} / "{output}"'
        return asgi_step(root, self.asgi, at, public_path, text, lead)

    def storage_note(self) -> list[str]:
        """The note for a manifest storage the settings still name (also once the WSGI module
        is adopted: ``init --force`` left it out, and every page failed with ``DEBUG`` off)."""
        if not self.manifest_storage:
            return []
        if self.storage_class is not None:  # Weblate's: the class takes the build's names too
            return self.storage_class.note()
        return [
            "",
            f"note: the settings use {self.manifest_storage}{self.manifest_in}: with DEBUG off it"
            " looks the build's hashed names up in its own manifest and every page fails"
            " (ValueError: Missing staticfiles manifest entry); use"
            f" {_named_storage(self.manifest_storage)}.",
        ]


#: Django's and WhiteNoise's manifest storages taking the build's hashed names too
MANIFEST_STORAGE = "assetpipe.django.ManifestStaticFilesStorage"
WHITENOISE_STORAGE = "assetpipe.djangowhitenoise.CompressedManifestStaticFilesStorage"


def _named_storage(storage: str) -> str:
    """The storage ``init`` names in place of a manifest storage: for WhiteNoise's, WhiteNoise's
    that also names the build's files (``assetpipe.djangowhitenoise``: its brotli/gzip copies
    and hashes of the files the build lacks kept; its unhashed one, named before, answered
    django-wiki's admin files ``max-age=60``), else Django's that also names them
    (``assetpipe.django.ManifestStaticFilesStorage``: with Django's plain one, pretix's fonts
    named by its django-compressor output lost their hashes and a year of caching)."""
    if storage == WHITENOISE_MANIFEST:
        return (
            f"\"{WHITENOISE_STORAGE}\" (WhiteNoise's, which also names the build's files: what the"
            " build does not rewrite keeps collectstatic's hashed, compressed names)"
        )
    return (
        f"\"{MANIFEST_STORAGE}\" (Django's, which also names the build's files: what the build"
        " does not rewrite keeps collectstatic's hashed names)"
    )


def from_module(module: Path, folder: Path) -> str:
    """``folder`` as an expression in ``module``: ``Path(__file__).resolve().parents[N]``."""
    rel = os.path.relpath(folder.resolve(), module.resolve().parent)
    ups = 0 if rel == "." else rel.count("..")
    if rel != "." and rel != os.sep.join([".."] * ups):
        return f'Path(__file__).resolve().parent / "{Path(rel).as_posix()}"'
    return f"Path(__file__).resolve().parents[{ups}]"


def find_django_project(root: Path) -> DjangoProject | None:
    """The project's WSGI module (the shallowest that assigns ``get_wsgi_application()``) and
    its settings module (``settings_module``); ``None`` when there is no WSGI module."""
    wsgi = entry_module(root, "get_wsgi_application")
    if wsgi is None:
        return None
    asgi = entry_module(root, "get_asgi_application")
    # the WSGI module's sibling only: BookWyrm's other project (celerywyrm/asgi.py) is Celery's
    asgi = asgi if asgi is not None and asgi[0].parent == wsgi[0].parent else None
    found = settings_module(root)
    if found is None:
        return DjangoProject(*wsgi, None, None, "", asgi=asgi)
    path, tree, text = found
    choice = chosen_backend(root, path, tree)
    tpl = choice.backend
    dirs = dirs_expr(tpl)
    line = dirs.lineno if dirs is not None else None
    keys = tpl.keys if tpl is not None else []
    key_line = next(
        (k.lineno for k in keys if isinstance(k, ast.Constant) and k.value == "BACKEND"), None
    )
    family = settings_family(root, path, text)
    manifest, named_in = storage_module(family, root=root)
    manifest_in = f" ({os.path.relpath(named_in, root)})" if named_in not in (None, path) else ""
    compressor = re.search(r"""["']compressor["']""", text) is not None
    return DjangoProject(
        *wsgi,
        path,
        line,
        manifest,
        compressor,
        finders_line=finders_line(tree),
        manifest_in=manifest_in,
        staticfiles_line=staticfiles_line(tree),
        backend_line=key_line,
        imports_path=imports_path(text),
        asgi=asgi,
        backend=backend_name(tpl),
        storage_class=project_storage(root, (t for _, t in family)),
        left=tuple((name, count, folders) for name, count, folders in choice.left),
        built=choice.count,
    )


def django_folders(root: Path) -> AsgiFolders | None:
    """The static folder (the first of ``STATICFILES_DIRS`` found on disk, else the first
    project app's ``static/``: ``app_static``), its public path (``STATIC_URL``) and the
    template folders of the project's settings; ``None`` without settings or such a static
    folder. A folder is named by the string literals of its
    expression, read as a path's last parts (``os.path.join(PROJECT_DIR, "static")``,
    ``BASE_DIR / "shop" / "static"``, ``"bakerydemo/templates"``): of the folders under
    ``root`` whose path ends so, the one nearest the settings module.

    The template folders are those Django's loaders search, in their order (a name in two is
    the first's): every folder of the DjangoTemplates backend's ``DIRS``, then, with
    ``APP_DIRS`` (or the ``app_directories`` loader), the ``templates/`` folder of each app of
    ``INSTALLED_APPS`` that is a package of the project (``djangotemplates``). The build saw
    only the first ``DIRS`` folder: every template of the others, and of the project's apps,
    stayed unhashed. An installed app's own (site-packages) templates stay Django's.

    The other folders of ``STATICFILES_DIRS`` are ``more_static``, each with its prefix
    (``("docs", ...)``; ``""``: none): Django serves their files under the same ``STATIC_URL``
    (``other_static``)."""
    found = settings_module(root)
    if found is None:
        return None
    path, tree, text = found
    values = assigned(tree)
    dirs = project_dirs(root)  # walked once, for both lists
    statics: list[tuple[str, Path]] = []
    for listed in candidates(tree, "STATICFILES_DIRS"):  # the first whose folders exist
        statics = statics or folders_of(dirs, path, listed, values)
    runs = None if statics else running_settings(root, path)  # Graphite's settings.py
    if runs is not None:
        for listed in candidates(runs[1], "STATICFILES_DIRS"):
            statics = statics or folders_of(dirs, runs[0], listed, assigned(runs[1]))
    public = static_url(values.get("STATIC_URL"), values)
    public = "/" + public.strip("/") + "/" if public and "//" not in public else "/static/"
    tpl = chosen_backend(root, path, tree).backend
    templates: list[Path] = []
    apps = AppTemplates()
    if tpl is not None:
        templates, apps = backend_folders(root, path, tpl, values, dirs)
    own = None if statics else app_static(root, installed_apps(values), templates, public)
    statics = statics or ([("", own)] if own is not None else [])
    if not statics:  # Apprise API's: the folder holding what the templates name
        root_expr = values.get("STATIC_ROOT")
        skip = settings_folder(dirs, path, root_expr, values) if root_expr is not None else None
        named = named_static(dirs, templates, public, skip)
        statics = [("", named)] if named is not None else []
    if not statics:
        return None
    first = templates[0] if templates else None
    return AsgiFolders(
        statics[0][1],
        public.replace("//", "/"),
        first,
        more_templates=tuple(templates[1:]),
        shadowed_templates=tuple(apps.shadowed),
        more_static=tuple((prefix, folder.resolve()) for prefix, folder in statics[1:]),
        built_static=_built_static(statics, app_statics(root, installed_apps(values))),
        static_tags=static_tags(root),
        partial_tags=partial_tags([root, *tag_folders(root, installed_apps(values))]),
        # a computed {% static %} is hashed too, by either manifest storage
        manifest=storage_module(settings_family(root, path, text), True, root)[0] != "",
        jinja=backend_name(tpl) in JINJA_BACKENDS,
    )


def _built_static(statics: list[tuple[str, Path]], apps: list[Path]) -> tuple[Path, ...]:
    """The folders Django's finders serve after the static folder (``statics[0]``): its later
    ``STATICFILES_DIRS`` without a prefix, then the project apps' ``static/`` (parsifal's 19
    page scripts in its apps' folders went out unhashed), each once. Not a ``node_modules``
    folder (Kiwi TCMS lists its own: whole packages, which stay Django's)."""
    first = statics[0][1].resolve()
    later = [f.resolve() for p, f in statics[1:] if not p and "node_modules" not in f.parts]
    return tuple(dict.fromkeys(f for f in (*later, *(a.resolve() for a in apps)) if f != first))


def settings_apps(root: Path) -> tuple[Path, ast.expr | None] | None:
    """The settings module (``settings_module``) and its ``INSTALLED_APPS`` expression
    (``installed_apps``); ``None``: no Django settings under ``root``."""
    found = settings_module(root)
    return (found[0], installed_apps(assigned(found[1]))) if found is not None else None


def dirs_folders(root: Path) -> list[Path]:
    """The folders of the settings' DjangoTemplates ``DIRS`` found under ``root``, read as
    ``django_folders`` reads them (``[]``: no settings, no such folder)."""
    found = settings_module(root)
    if found is None:
        return []
    listed = dirs_expr(chosen_backend(root, found[0], found[1]).backend)
    return [t for _, t in folders_of(project_dirs(root), found[0], listed, assigned(found[1]))]


def backend_apps(tree: ast.Module) -> tuple[bool, ast.expr | None]:
    """Whether a settings module's ``TEMPLATES`` names the DjangoTemplates backend, and its
    ``INSTALLED_APPS`` expression (``installed_apps``)."""
    return backend(tree) is not None, installed_apps(assigned(tree))


def served_by_django(
    root: Path, keys: list[str], more_static: tuple[tuple[str, Path], ...]
) -> dict[str, str]:
    """Of ``keys`` the static folder lacks, those another folder Django's finders serve holds,
    each with its file there: a later ``STATICFILES_DIRS`` folder (``other_static``; a Roundup
    tracker's later folders too), an app's ``static/``, the project's or an installed package's
    (``djangotemplates.app_static_files``), ``node_modules`` through django-npm's finder
    (``npmfinder``)."""
    found = settings_module(root) if keys else None
    by_apps: dict[str, str] = {}
    if found is not None:
        values = assigned(found[1])
        by_apps = npm_finder_files(root, found[0], values, keys)
        own = app_static_files(root, installed_apps(values), keys)
        by_apps.update({k: str(root / f / k) for k, f in own.items()})
    return {**by_apps, **other_static(keys, more_static)}


def other_static(keys: list[str], folders: tuple[tuple[str, Path], ...]) -> dict[str, str]:
    """Of ``keys`` (references the static folder lacks), those a later folder of Django's
    ``STATICFILES_DIRS`` holds (``(prefix, folder)``, ``django_folders``' ``more_static``), each
    with its file there: Django's finders serve them under ``STATIC_URL`` (NetBox's
    ``{% static 'netbox.ico' %}`` is in ``project-static/img``, its bundle in
    ``project-static/dist``). ``init`` said they "404 today too"; they are left as written."""
    out: dict[str, str] = {}
    for key in keys:
        for prefix, folder in folders:
            head = prefix.strip("/") + "/" if prefix else ""
            rel = key[len(head) :] if key.startswith(head) else None
            if rel is not None and (folder / rel).exists():
                out[key] = (folder / rel).as_posix()
                break
    return out
