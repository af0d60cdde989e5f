"""Looking at an existing Flask project: where the app is, its static and templates folders,
the scripts and stylesheets its templates load, and its image folders.

Nothing is imported or run: the app is found by reading Python files (``Flask(__name__)``,
``def create_app``, Django's settings) and the references by reading templates (``url_for(...)``,
``{% static %}``, literal ``<static_url_path>/...`` URLs), so an app that needs a database can
be looked at."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..assetspec import spec_of
from ..imaging.formats import RASTER
from ..rewrite.foreign import foreign_stylesheets
from ..scriptsource import script_source
from ..secretfiles import left_out
from ..themes2 import packaged_themes
from .asgiapp import AsgiFolders, asgi_folders
from .dashapp import find_dash
from .djangoapp import django_folders, served_by_django, settings_apps
from .extensions import served_by_packages
from .files import shallowest
from .flaskfind import FlaskApp, find_app, has_folders
from .helpernamed import helper_named
from .imports import CSS_REF as CSS_REF
from .imports import bundled_imports, input_maps, missing_in_css
from .installedsite import installed_site
from .mediagoblin import direct_remote_path, mediagoblin_config
from .othertools import OtherOutput, other_output
from .ownviews import own_view_refs
from .packaged import drop_unnamed, static_files
from .prebuilt import prebuilt
from .prefixes import find_prefixes, public_path_of, static_functions_of, unprefixed
from .roundup import roundup_folders
from .routes import view_routes
from .selflocate import imported_back, named_in_scripts, self_locating
from .serviceworkers import registered_workers
from .subfolder import names_subfolder
from .templatedirs import blueprint_template_dirs, page_templates, template_dirs
from .templaterefs import missing_refs, named_refs, tag_refs
from .topimages import top_images
from .tracenv import no_app


@dataclass
class Project:
    """What ``assetpipe init`` found (paths absolute)."""

    root: Path
    app: FlaskApp | None
    static_dir: Path
    templates_dir: Path | None
    public_path: str
    scripts: list[str] = field(default_factory=list)  # keys relative to static_dir
    classic: list[str] = field(default_factory=list)  # of those, loaded without module
    styles: list[str] = field(default_factory=list)
    image_dirs: list[str] = field(default_factory=list)  # folders with raster images
    #: raster images at the static folder's top that the templates name, icons aside
    top_images: list[str] = field(default_factory=list)
    #: another asset tool's output in the static folder, left out (``othertools``)
    other_output: OtherOutput = field(default_factory=OtherOutput)
    kept_dirs: list[str] = field(default_factory=list)  # self-locating libraries (see below)
    # scripts and stylesheets another script names by URL (``named_in_scripts``): names kept
    kept_files: list[str] = field(default_factory=list)
    static_files: list[str] = field(default_factory=list)  # every file under static_dir
    templates: int = 0
    first_page: str | None = None  # a template that looks like "/"
    pages: list[str] = field(default_factory=list)  # extend a layout, none extends them
    others: list[Path] = field(default_factory=list)  # other Flask apps seen
    # (key, template) of literal references to files the static folder lacks (404 today too)
    missing: list[tuple[str, str]] = field(default_factory=list)
    # templates.prefixes: a Jinja expression that stands for a static folder's URL (AppSeed's
    # ``{{ config.ASSETS_ROOT }}/css/app.css``) → that folder, relative to static_dir
    prefixes: dict[str, str] = field(default_factory=dict)
    # templates.static_functions: functions or Django tags whose string argument names a
    # static file (Datasette's urls.static, NetBox's static_with_params: ``djangotags``)
    static_functions: tuple[str, ...] = ()
    partial_tags: dict[str, str] = field(default_factory=dict)  # ``djangotags.partial_tags``
    django_manifest: bool = False  # Django's ManifestStaticFilesStorage (``AsgiFolders``)
    jinja: bool = False  # Django renders the templates with a Jinja2 backend (``AsgiFolders``)
    static_routes: tuple[str, ...] = ()  # the static mount's name if not static (``asgiapp``)
    # stylesheets the templates load whose url()s or @imports name files the static folder
    # lacks (they 404 today too; bundling would fail): copied, not bundled → those files
    unbundled: dict[str, list[str]] = field(default_factory=dict)
    # files only the scripts and stylesheets above import (``@import "vars.css"``,
    # ``import "./badge.js"``): bundled into them, in no stage's list (``imports.py``)
    bundled: list[str] = field(default_factory=list)
    # the file name endings of the templates found (``.html``, ``.jinja2``), sorted
    template_exts: list[str] = field(default_factory=list)
    # blueprints' own template folders (``Blueprint(..., template_folder=...)``), after the
    # app's: Flask looks a name up in the app's folder first, then in theirs
    blueprint_templates: list[Path] = field(default_factory=list)
    # blueprint template folders left out, each with a template name an earlier folder also
    # has (Flask renders the earlier one; the build refuses a name in two folders)
    shadowed: list[tuple[Path, str]] = field(default_factory=list)
    # a Django project (``djangoapp``): its template folders are its loaders', a name in two
    # the first's (``templates.first_wins``); ``{% static 'K' %}`` names its files
    django: bool = False
    # the app's static folder does not exist yet: ``init`` creates it, empty
    created_static: bool = False
    # of ``missing``, the keys a view of the app answers (archivy's
    # ``@app.route("/static/custom.css")``): key → where the route is declared (``file:line``)
    served_by_views: dict[str, str] = field(default_factory=dict)
    # of ``missing``, the keys another folder Django's finders serve holds (a project app's
    # ``static/``, a later ``STATICFILES_DIRS`` folder), or an installed package's static
    # folder (Flask-AppBuilder's, served by its blueprint): key → its folder
    served_by_django: dict[str, str] = field(default_factory=dict)
    # Django's later static folders the build copies too (``static.folders``)
    static_folders: list[Path] = field(default_factory=list)
    # the subfolder of the app's static folder that the templates name their files in
    # (SearXNG's ``themes/simple``: ``subfolder.names_subfolder``), now ``static_dir``
    subfolder: str | None = None
    # module scripts the templates load that other static scripts import back: copied as is
    copied_modules: list[str] = field(default_factory=list)
    # templates (names, sorted) that load Flask-Assets bundles (``{% assets %}``): webassets
    # builds and serves those scripts and stylesheets (OctoPrint's ``packed_*.js``, nearly all
    # of its main page), and assetpipe leaves them to it; ``init`` says so
    assets_templates: list[str] = field(default_factory=list)
    # Flask-Themes2 themes beside the app (pyLoad's ``themes/modern``): ``init`` says that
    # ``AssetPipe(app)`` serves their static files and that their templates are not rewritten
    themes: list[Path] = field(default_factory=list)
    # endpoint → static files the templates name through that view of the app's own
    # (``url_for('static_content', group='js', filename='tabs.js')``): ``ownviews``
    own_views: dict[str, list[str]] = field(default_factory=dict)
    # bundler manifests in the static folder (``bundler_manifest``) and the content-hashed files
    # they list (``hashing.bundler_hashed``): names kept, served immutable
    bundler_manifests: list[str] = field(default_factory=list)
    bundler_files: list[str] = field(default_factory=list)
    # files of a prebuilt bundle the build leaves to the app's own routes (``prebuilt``)
    left_to_app: list[str] = field(default_factory=list)
    # helper → the scripts and stylesheets the templates load through it (``helpernamed``)
    helper_named: dict[str, list[str]] = field(default_factory=dict)
    # files left out of static.include → the secret-like file they go with (``secretfiles``)
    secret: dict[str, str] = field(default_factory=dict)


def discover(root: Path, *, _in: str = "") -> Project:
    """Look at the project in ``root`` (see the module docstring). Raises ``UsageError`` when
    there is neither a Flask app nor a ``static/`` folder. When the templates name their files
    relative to one subfolder of the static folder (``subfolder``), that folder is the source
    (``Project.subfolder``); ``_in`` is that second look's subfolder."""
    root = root.resolve()
    app, others = find_app(root)
    dash = find_dash(root)
    # Dash makes its Flask app itself and serves its assets folder; a Flask app of the project's
    # own with its folders (a dashboard embedded with Dash(server=app)) stays the one adopted
    if dash is not None and (app is None or not has_folders(app)):
        others = [a.module_file for a in (app,) if a is not None] + others
        app = FlaskApp(
            dash.module_file,
            None,
            dash.variable,
            dash.assets_dir,
            dash.assets_dir,
            dash.url_path,
            dash=dash,
        )
    created = False
    # an ASGI app's or a Django project's folders (a mount's name, Django's later folders)
    folders = AsgiFolders(Path(), "", None)
    if (
        app is not None
        and not app.static_dir.is_dir()
        and (app.static_known or shallowest(root, "static") is None)
    ):
        # an app whose every asset comes from its extensions (Flask-AppBuilder's quickhowto) or
        # its own views (CTFd's themes/<name>/static/, served under /themes/): its own static
        # folder, empty for now, is the source; init creates it
        created = True
    if app is not None and (app.static_dir.is_dir() or created):
        static_dir = app.static_dir / _in
        templates: Path | None = (
            app.templates_dir if app.templates_dir.is_dir() and not app.dash else None
        )
        public_path = app.static_url_path
    elif app is None and (
        (mounted := asgi_folders(root)) is not None  # Starlette, FastAPI
        or (mounted := django_folders(root)) is not None  # Django's settings
        or (mounted := roundup_folders(root)) is not None  # a Roundup tracker's config.ini
    ):
        static_dir, templates = mounted.static_dir / _in, mounted.templates_dir
        public_path, folders = mounted.public_path, mounted
    else:  # a Django project's STATIC_ROOT is collectstatic's copies, no source
        # (a Review Board site's htdocs/static too: its WSGI script runs the installed package's)
        django = app is None and (settings_apps(root) or installed_site(root))
        found = shallowest(root, "static") if not django else None
        if found is None:
            raise no_app(root)  # a Trac environment, a Django project is named, with its steps
        static_dir = found.resolve() / _in
        # the app's own templates folder, when it names one (SecureDrop's setting)
        own = app.templates_dir if app is not None and app.templates_dir.is_dir() else None
        tdir = own or shallowest(root, "templates")
        templates = tdir.resolve() if tdir is not None else None
        public_path = "/static/"
    project = Project(
        root=root,
        app=app,
        static_dir=static_dir,
        templates_dir=templates,
        public_path=public_path,
        static_routes=folders.routes,
        others=others,
        created_static=created,
        themes=packaged_themes(app.module_file.parent) if app is not None else [],
    )
    every = static_files(static_dir)
    project.other_output = other = other_output(static_dir, every)
    not_sources = set(other.left_out)  # another tool's copies and siblings
    project.static_files = [f for f in every if f not in not_sources]
    present = set(project.static_files)
    # Django's later folders' files (``static.folders``): built too, bundled never
    in_folders = {k for f in folders.built_static for k in static_files(f)}
    if folders.more_templates is None:
        listed = template_dirs(project.templates_dir, blueprint_template_dirs(root))
    else:  # Django: its loaders take a name from the first folder that has it
        listed = template_dirs(project.templates_dir, list(folders.more_templates), first_wins=True)
        project.django, project.django_manifest = True, folders.manifest
        project.jinja = folders.jinja
        project.static_folders = list(folders.built_static)
    project.templates_dir = listed.first
    project.blueprint_templates = listed.blueprints
    project.shadowed = [*listed.shadowed, *folders.shadowed_templates]
    tdirs = listed.dirs
    in_templates: set[str] = set()  # keys the templates name literally
    workers: list[str] = []  # files they register as service workers (``serviceworkers``)
    if tdirs:
        texts: list[tuple[str, Path, str | None]] = []
        for _, names in tdirs:
            for name, path in names.items():
                try:
                    texts.append((name, path, path.read_text(encoding="utf-8")))
                except (OSError, UnicodeDecodeError):
                    texts.append((name, path, None))
        read_texts = [t for _, _, t in texts if t is not None]
        project.prefixes = find_prefixes(read_texts, present)
        project.static_functions = (
            *static_functions_of(read_texts, present | in_folders),
            *folders.static_tags,
        )
        project.partial_tags = {t: n for t, n in folders.partial_tags.items() if n in listed.names}
        # no static route to read: the URL the templates use (Datasette's); a Django project's
        # is its STATIC_URL (OpenCiviWiki's landing page links "./static/less/landing.css")
        if app is None and not project.django:
            mg = mediagoblin_config(root)  # request.staticdirect: its direct_remote_path
            public_path = project.public_path = public_path_of(
                read_texts, present, project.prefixes
            ) or (direct_remote_path(mg) if mg is not None else public_path)
        # Flask-Versioned's ``{{ "static/K" | versioned }}``: K's path from the app's root path
        versioned = (
            os.path.relpath(static_dir, app.module_file.parent).replace(os.sep, "/") + "/"
            if app is not None
            else None
        )
        project.template_exts = sorted({p.suffix.lower() for _, p, _ in texts})
        project.assets_templates = sorted(
            {n for n, _, t in texts if t is not None and foreign_stylesheets(t)}
        )
        project.pages = page_templates([(n, t) for n, _, t in texts if t is not None])
        project.own_views = own_view_refs(read_texts, present)
        project.helper_named = helper_named(read_texts, static_dir, project.static_files)
        for shown, path, read in texts:
            project.templates += 1
            if path.stem in ("index", "home"):
                project.first_page = _front(project.first_page, Path(shown))
            if read is None:
                continue
            text = unprefixed(
                read,
                project.prefixes,
                public_path,
                versioned,
                project.static_functions,
                folders.routes,
                spec_of(static_dir),
            )
            in_templates.update(named_refs(text, public_path))
            workers.extend(registered_workers(text, public_path, present))
            for key in missing_refs(text, public_path, present):
                if key not in (k for k, _ in project.missing):
                    project.missing.append((key, shown))
            for kind, key, module in tag_refs(text, public_path):
                if key not in present:
                    continue
                bucket = project.scripts if kind == "script" else project.styles
                if key.endswith((".js", ".mjs", ".css")) and key not in bucket:
                    bucket.append(key)
                    if kind == "script" and not module:
                        project.classic.append(key)
        sub = names_subfolder([k for k, _ in project.missing], present) if not _in else None
        if sub:
            again = discover(root, _in=sub)
            again.subfolder = sub
            return again
        project.missing = [m for m in project.missing if m[0] not in in_folders]  # copied too
        if project.missing:
            routes = view_routes(root, public_path)
            project.served_by_views = {k: routes[k] for k, _ in project.missing if k in routes}
            if project.django or folders.more_static:  # files of the app's later folders
                keys = [k for k, _ in project.missing]
                project.served_by_django = served_by_django(root, keys, folders.more_static)
            rest = (k for k, _ in project.missing if k not in project.served_by_views)
            project.served_by_django.update(served_by_packages(root, rest))
    for key in project.styles:
        lacking = missing_in_css(static_dir, key, public_path, present, [root])
        if lacking:
            project.unbundled[key] = lacking
    project.styles = [s for s in project.styles if s not in project.unbundled]
    project.kept_dirs = self_locating(project.scripts, project.static_files, static_dir)
    kept = tuple(d + "/" for d in project.kept_dirs)
    project.scripts = [s for s in project.scripts if not s.startswith(kept)]
    project.classic = [s for s in project.classic if not s.startswith(kept)]
    project.styles = [s for s in project.styles if not s.startswith(kept)]
    named = named_in_scripts(
        static_dir, project.static_files, public_path, [*project.scripts, *project.styles]
    )
    project.kept_files = [*named, *(w for w in dict.fromkeys(workers) if w not in named)]
    # a prebuilt module graph's entry is copied, not bundled again (``imported_back``)
    project.copied_modules = imported_back(static_dir, project.static_files, project.scripts)
    named = [*named, *project.copied_modules]
    project.scripts = [s for s in project.scripts if s not in named]
    project.classic = [s for s in project.classic if s not in named]
    project.styles = [s for s in project.styles if s not in named]
    elsewhere = {*in_templates, *named, *(f for f in project.static_files if f.startswith(kept))}
    entries = [*project.scripts, *project.styles]
    esbuilt = [e for e in entries if e not in project.classic]  # a classic script: copied
    project.bundled = sorted(
        {
            *bundled_imports(static_dir, public_path, present, entries, elsewhere),
            *input_maps(static_dir, present, esbuilt, elsewhere),
        }
    )
    project.bundler_manifests, project.bundler_files, project.left_to_app = prebuilt(
        project.static_dir,
        project.static_files,
        bool(in_templates or project.scripts or project.styles),
    )
    keep = {*in_templates, *project.scripts, *project.styles}
    project.static_files = [  # TypeScript and JSX sources: no browser runs them
        f
        for f in drop_unnamed(static_dir, project.static_files, keep, public_path)
        if f in keep or not script_source(f, static_dir / f)
    ]
    project.secret = left_out(project.static_files, {*keep, *named, *project.bundled})
    dirs = {
        str(Path(f).parent.as_posix())
        for f in project.static_files
        if f.lower().endswith(RASTER)
        and "/" in f
        and not f.startswith(kept)
        and f not in project.bundler_files
        and f not in project.left_to_app
    }
    project.image_dirs = sorted(_top_folders(dirs))
    theirs = {*project.bundler_files, *project.left_to_app}
    project.top_images = top_images(static_dir, project.static_files, in_templates, theirs)
    return project


# Folders whose index template is likely the front page (``pages/index.html``), before one of
# a section (``charts/index.html``, ``admin/index.html``).
FRONT_DIRS = ("", "pages", "page", "home", "main", "public", "site", "views")


def _front(best: str | None, candidate: Path) -> str:
    """The likelier front page ("/") of two index/home templates: in a ``FRONT_DIRS`` folder,
    then the shallowest, then ``index`` before ``home``, then by name."""

    def rank(rel: str) -> tuple[bool, int, bool, str]:
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        return (folder not in FRONT_DIRS, rel.count("/"), "index" not in rel, rel)

    name = candidate.as_posix()
    return name if best is None or rank(name) < rank(best) else best


def _top_folders(dirs: set[str]) -> set[str]:
    """The folders of ``dirs`` not inside another one of them."""
    return {d for d in dirs if not any(d != o and d.startswith(o + "/") for o in dirs)}
