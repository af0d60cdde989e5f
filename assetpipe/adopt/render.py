"""The commented pipeline.yaml that ``assetpipe init`` writes for a discovered project.

Every file under the static folder belongs to exactly one stage, so every URL that worked
before still has a file after the build: scripts and stylesheets the templates load become
``entries`` (classic ``<script src>`` files keep their globals: the scripts stage builds a
classic entry without bundling it as a module), raster images in image folders go to the
images stage, and everything else (fonts, icons, SVGs, unreferenced scripts) is listed in
``static.include`` — whole folders as ``folder/**``, single files by name. A file that only
those scripts and stylesheets import (a partial a stylesheet ``@import``s, a module a script
``import``s: ``imports.bundled_imports``) is in no list: the build bundles it into them, where
a copied one would stay a separate request (an ``@import`` of its hashed URL). A self-locating
library (``selflocate.self_locating``: CKEditor, TinyMCE) is copied whole under its own names
(``static.keep_names``): it finds its other files from its own script's URL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..config.templatedirs import written
from ..pipeline.sources import globmatch
from . import dashapp as dash_app
from .appspec import app_spec
from .asgiapp import route_lines
from .discover import Project
from .djangotags import django_template_lines, static_folder_lines
from .framework import app_class
from .globs import image_globs, static_globs
from .globs import literal as _literal

#: the build's folder ``init`` writes (``output``), relative to the config
OUTPUT = "dist"


def _q(value: str) -> str:
    return json.dumps(value)  # a YAML flow scalar (JSON strings are valid YAML)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def _dirs(project: Project) -> list[Path]:
    """The templates folders, the app's first, then the blueprints' (Flask's lookup order)."""
    return [
        *([project.templates_dir] if project.templates_dir else []),
        *project.blueprint_templates,
    ]


def _dirs_lines(dirs: list[str]) -> list[str]:
    """``dirs:`` on one line for one folder, a block list for blueprints' folders too."""
    if len(dirs) == 1:
        return [f"  dirs: [{_q(dirs[0])}]"]
    return ["  dirs:", *(f"    - {_q(d)}" for d in dirs)]


def _first_wins_lines(project: Project) -> list[str]:
    """``first_wins`` for Django's folders (its ``DIRS``, then its apps' ``templates/``)."""
    if not project.django or not project.blueprint_templates:
        return []
    return [
        "  # Django's template folders in its loaders' order: a name in two folders is built",
        "  # from the first, as Django renders it.",
        "  first_wins: true",
    ]


def _shadowed_lines(project: Project, config_dir: Path) -> list[str]:
    """A comment for each template folder left out with a name an earlier one has."""
    if project.django:  # an app's folder after an installed package with that name
        return [
            f"# Not listed: {_rel(folder, config_dir)}, an app's templates folder: Django renders"
            f" {name} from an installed package listed before it in INSTALLED_APPS."
            for folder, name in project.shadowed
        ]
    return [
        f"# Not listed: {_rel(folder, config_dir)}, a blueprint's templates folder: Flask renders"
        f" {name} from an earlier folder (a name in two folders is a build error)."
        for folder, name in project.shadowed
    ]


def _keep_lines(project: Project) -> list[str]:
    """``static.keep_names``: self-locating libraries' folders and files another script names
    by URL."""
    lines = []
    if project.kept_dirs:
        lines += [
            "  # Libraries that load their own files by URLs relative to their script",
            "  # (found from the script's own name): copied as they are, names kept.",
        ]
    if project.kept_files:
        more = ", ..." if len(project.kept_files) > 3 else ""
        lines.append(
            f"  # Named by URL in a script, or service workers ({', '.join(project.kept_files[:3])}"
            f"{more}): names kept."
        )
    kept = [*(d + "/**" for d in project.kept_dirs), *map(_literal, project.kept_files)]
    return [*lines, f"  keep_names: {_flow(kept)}"] if kept else []


def _bundler_lines(project: Project) -> list[str]:
    """``static.bundler_manifests``, and the files left to the app (``discover.prebuilt``)."""
    if not project.bundler_files:
        return []
    lines = [
        f"  # A bundler's output: its {len(project.bundler_files)} content-hashed files (listed",
        "  # or loaded by hash by the listed files) keep their names and are served immutable.",
        f"  bundler_manifests: {_flow([_literal(m) for m in project.bundler_manifests])}",
    ]
    if project.left_to_app:
        shown = ", ".join(project.left_to_app[:4]) + (
            ", ..." if len(project.left_to_app) > 4 else ""
        )
        lines += [
            f"  # Left to the app's own routes, as before ({len(project.left_to_app)} not hashed by"
            " the bundler):",
            f"  # {shown}",
        ]
    return lines


def _pages_lines(project: Project) -> list[str]:
    """``templates.pages`` when the default (``pages/**``) misses a page template."""
    from ..config.model import TemplatesConfig

    default = TemplatesConfig().pages
    if not project.pages or all(globmatch(p, default) for p in project.pages):
        return []
    return [
        "  # Page templates (each extends a layout): the first image of each stays eager,",
        "  # the likely Largest Contentful Paint; later ones get loading=lazy.",
        f"  pages: {_flow([_literal(p) for p in project.pages])}",
    ]


def _include_lines(project: Project) -> list[str]:
    """``templates.include`` when the templates end in a name the default globs miss
    (``layout.jinja2``, ``page.htm``): the default, plus one glob per such ending."""
    from ..config.model import TemplatesConfig

    default = TemplatesConfig().include
    extra = [f"**/*{ext}" for ext in project.template_exts if f"**/*{ext}" not in default]
    if not extra:
        return []
    return [
        "  # the default globs and the other endings your templates use",
        f"  include: {_flow([*default, *extra])}",
    ]


def _prefix_lines(project: Project) -> list[str]:
    """``templates.prefixes`` for templates that name assets as ``{{ EXPR }}/path``."""
    if not project.prefixes:
        return []
    first = next(iter(project.prefixes))
    folder = project.prefixes[first]
    return [
        "  # The templates name assets as {{ EXPR }}/path; each EXPR below stands for the URL",
        f"  # of a folder of the static folder ({{{{ {first} }}}}/css/app.css is"
        f" {(folder + '/') if folder else ''}css/app.css):",
        "  # the path after it is rewritten, the expression stays.",
        "  prefixes: {"
        + ", ".join(f"{_q(e)}: {_q(f)}" for e, f in sorted(project.prefixes.items()))
        + "}",
    ]


def _function_lines(project: Project) -> list[str]:
    """``templates.static_functions`` for templates that name assets as ``{{ F('K') }}`` (a
    Django project's: ``{% F 'K' %}``, a tag of its own, ``djangotags``)."""
    if not project.static_functions:
        return []
    first = project.static_functions[0]
    tag = project.django and not project.jinja
    call = f"{{% {first} 'app.css' %}}" if tag else f"{{{{ {first}('app.css') }}}}"
    return [
        f"  # The templates name assets as {call}: each function below returns",
        f"  # the URL of a file of the static folder under {project.public_path}; its argument"
        " is rewritten.",
        f"  static_functions: {_flow(list(project.static_functions))}",
    ]


def _unbundled_lines(project: Project) -> list[str]:
    """Why a stylesheet the templates load is copied rather than bundled."""
    lines = []
    for key, lacking in sorted(project.unbundled.items()):
        shown = ", ".join(lacking[:3]) + (
            f" and {len(lacking) - 3} more" if len(lacking) > 3 else ""
        )
        lines += [
            f"# {key} is copied, not bundled: its url()s or @imports name files the static folder",
            f"# lacks (they 404 today too; bundling fails on them): {shown}.",
            "# Fix them, then move it to styles.entries.",
        ]
    return lines


def _bundled_lines(project: Project) -> list[str]:
    """Which files are left out of ``static.include`` because the entries import them."""
    if not project.bundled:
        return []
    more = f" and {len(project.bundled) - 5} more" if len(project.bundled) > 5 else ""
    return [
        "# Not copied: imported by the scripts and stylesheets above (@import, import, a",
        f"# sourceMappingURL), so bundled into them: {', '.join(project.bundled[:5])}{more}.",
    ]


def _missing_lines(project: Project) -> list[str]:
    """For references to files the static folder lacks: ``app_routes`` with those a view of
    the app answers (left as written), and ``missing_assets: warn`` when others remain: they
    404 today too, and would fail the first build (the default is ``error``)."""
    if not project.missing:
        return []
    views, django = project.served_by_views, project.served_by_django
    absent = [(k, f"in {t}") for k, t in project.missing if k not in views and k not in django]
    served = [(k, f"in {t}; route at {views[k]}") for k, t in project.missing if k in views]
    lines = _listed(
        served,
        f"  # {len(served)} reference(s) under {project.public_path} that a view of the app",
        "  # answers, not a file: left as written (name the view with url_for('<its",
        "  # endpoint>') in the template and remove it from this list, if you like):",
    )
    theirs = [
        (k, f"in {t}; {_shown(project, django[k])}") for k, t in project.missing if k in django
    ]
    lines += _listed(
        theirs,
        f"  # {len(theirs)} reference(s) to files of another folder the app serves there (a Django",
        "  # app's static/, STATICFILES_DIRS, Roundup's html/, a package's): left as written:",
    )
    if served or theirs:
        keys = ", ".join(json.dumps(k) for k in sorted({k for k, _ in [*served, *theirs]}))
        lines.append(f"  app_routes: [{keys}]")
    lines += _listed(
        absent,
        f"  # {len(absent)} reference(s) to files that are not in the static folder",
        "  # (they 404 today too); the build warns about them instead of failing. Fix them,",
        "  # then remove this line to make a missing asset an error again:",
    )
    return [*lines, "  missing_assets: warn"] if absent else lines


def _shown(project: Project, folder: str) -> str:
    """``folder`` relative to the project's root, as ``init`` names folders."""
    return os.path.relpath(folder, project.root).replace(os.sep, "/")


def _listed(items: list[tuple[str, str]], *head: str) -> list[str]:
    """``head`` and the first five ``(key, where)`` items as comment lines; none for none."""
    if not items:
        return []
    lines = [*head, *(f"  #   {key} ({where})" for key, where in items[:5])]
    if len(items) > 5:
        lines.append(f"  #   ... and {len(items) - 5} more")
    return lines


def _secret_lines(project: Project) -> list[str]:
    """A comment naming the files left out as secrets or beside one (``secretfiles``)."""
    if not project.secret:
        return []
    found = sorted(set(project.secret.values()))
    others = len(project.secret) - len(found)
    beside = f" and {others} other file(s) beside them" if others else ""
    return [
        f"# Not copied: {', '.join(found[:3])}{', ...' if len(found) > 3 else ''}{beside}:",
        "# named like a secret, in the app's run-time state, not an asset (a build publishes",
        "# what it copies for good). The app still answers their URLs as before.",
    ]


def _copied_module_lines(project: Project) -> list[str]:
    """A comment naming the module scripts copied as they are (``Project.copied_modules``)."""
    if not project.copied_modules:
        return []
    return [
        f"# {_flow(project.copied_modules)}: prebuilt modules that other scripts here import",
        "# back by their names (a Vite/Rollup build's entry and chunks): copied as they are,",
        "# under their own names, not bundled again (the page would run them twice).",
    ]


def _claimed(project: Project) -> set[str]:
    """The static files a stage other than ``static`` builds: the image folders' images, the
    script and stylesheet entries and what they bundle."""
    images = image_globs(project)
    claimed = {f for f in project.static_files if images and globmatch(f, images)}
    return (
        claimed
        | set(project.scripts)
        | set(project.styles)
        | set(project.bundled)
        | set(project.left_to_app)
        | set(project.secret)
    )


def copied_files(project: Project) -> list[str]:
    """The static files ``static.include`` copies (with a content hash, not bundled)."""
    claimed = _claimed(project)
    return [f for f in project.static_files if f not in claimed]


_SOURCE_COMMENT = [
    "# The static folder: manifest keys are paths relative to it, exactly the `filename`",
    "# of url_for('static', filename=...) (the K of Django's {% static 'K' %}).",
]
_NO_TEMPLATES = ["# No templates folder found: nothing is rewritten."]


def render(project: Project, *, config_dir: Path) -> str:
    """The config text (see the module docstring); paths relative to ``config_dir``."""
    images = image_globs(project)
    static = static_globs(project, _claimed(project))
    source = _rel(project.static_dir, config_dir)
    serves = (
        ["# AssetPipe(app) (from assetpipe.flask import AssetPipe)."]
        if project.app is not None
        else [
            "# AssetPipe(app) (assetpipe.flask: Flask, Quart), AssetPipe(app, templates)",
            "# (assetpipe.starlette: Starlette, FastAPI); any other app wraps itself in",
            f"# assetpipe.serve's AssetMiddleware and renders {OUTPUT}/templates (docs/serving.md).",
        ]
    )
    lines = [
        "# pipeline.yaml written by `assetpipe init`; every key: docs/configuration.md.",
        "# Build with `assetpipe build`; the app serves the build once it calls",
        *serves,
        "",
    ]
    if project.app is not None:
        shown = _rel(project.app.module_file, config_dir)
        # Quart's is adopted as Flask's is
        cls = "Dash" if project.app.dash else app_class(project.app.module_file)
        name = f"{project.app.variable or 'app'} = {cls}(...)"
        kind = f"the app factory {project.app.factory}()" if project.app.factory else name
        if project.app.dash is not None and project.app.dash.function:
            kind += f" in {project.app.dash.function}()"
        lines.append(f"# {cls} app: {shown} ({kind}).")
    for other in project.others[:3]:
        lines.append(f"# Also creates a Flask app (not used here): {_rel(other, config_dir)}")
    if project.created_static:
        lines += [
            "# The app had no static folder: `assetpipe init` created it, empty. Its extensions'",
            "# folders (Flask-AppBuilder's, Flask-Admin's) are hashed by AssetPipe(app) at run time.",
        ]
    if project.subfolder:
        lines += [
            f"# The templates name their files inside {project.subfolder}/ of the static folder",
            f"# (url_for('static', filename='K') for {project.subfolder}/K: the app's url_for",
            "# finds them there), so that folder is the source.",
        ]
    dash = project.app is not None and project.app.dash
    lines += [
        *(dash_app.SOURCE_COMMENT if dash else _SOURCE_COMMENT),
        f"source: {_q(source)}",
        "# The build link the app serves (a symlink to the current build in .assetpipe/).",
        f"output: {OUTPUT}",
        f"public_path: {_q(project.public_path)}",
        "",
    ]
    if project.templates_dir is not None:
        lines += [
            f"# {project.templates} template(s) rewritten to the built files' hashed names",
            "# (url_for calls and {% static %} tags stay; only the file name changes). Paths are",
            "# relative to this file.",
            "templates:",
            *_shadowed_lines(project, config_dir),
            *_dirs_lines([written(d, config_dir, project.static_dir) for d in _dirs(project)]),
            *_first_wins_lines(project),
            *_include_lines(project),
            *_pages_lines(project),
            *_prefix_lines(project),
            *_function_lines(project),
            *django_template_lines(project.partial_tags, project.django_manifest, project.jinja),
            *route_lines(project.static_routes),
            *_missing_lines(project),
            "",
        ]
    else:
        lines += [
            *(dash_app.TEMPLATES_COMMENT if dash else _NO_TEMPLATES),
            "templates:",
            "  dirs: []",
            "",
        ]
    if images:
        lines += [
            "# Raster images in these folders (and those at the top of the static folder that",
            "# the templates name) get resized, modern-format variants; the templates' <img>",
            "# tags get a srcset. Icons at the top of the static folder stay as they are.",
            "images:",
            f"  include: {_flow(images)}",
            "",
        ]
    else:
        lines += ["# No image folder found.", "images:", "  include: []", ""]
    if project.scripts:
        classic = [s for s in project.scripts if s in project.classic]
        lines += [
            "# The scripts your templates load. Classic <script src> files (no type=module)",
            "# are minified on their own, never bundled as modules, so their global functions",
            "# and variables stay global; here: " + (", ".join(classic) if classic else "none"),
            "scripts:",
            f"  entries: {_flow(project.scripts)}",
            "",
        ]
    if project.styles:
        lines += [
            "# The stylesheets your templates load (url()s and @imports resolved and hashed).",
            "styles:",
            f"  entries: {_flow(project.styles)}",
            "",
        ]
    lines += [
        "# Every other file of the static folder, copied with a content hash; the app still",
        f"# answers its unhashed URL ({project.public_path}...) too.",
        *_unbundled_lines(project),
        *_bundled_lines(project),
        *_copied_module_lines(project),
        *_secret_lines(project),
        "static:",
        f"  include: {_flow(static)}",
    ]
    lines += [*_keep_lines(project), *_bundler_lines(project)]
    lines += static_folder_lines(project.static_folders, config_dir)
    lines += [
        "",
        "# What `assetpipe audit` visits (pip install 'assetpipe[audit]'), rendered by the app:",
        "# pages:",
        # a Dash app renders no template: its pages are the app's, as with `audit --app`
        f"#   - {{path: {project.app.dash.home}}}"
        if project.app is not None and project.app.dash
        else "#   - {path: /, template: " + _q(project.first_page or "index.html") + "}",
    ]
    spec = app_spec(project, config_dir)
    if spec:
        lines += ["# audit:", f"#   app: {_q(spec)}"]
    return "\n".join(lines) + "\n"
