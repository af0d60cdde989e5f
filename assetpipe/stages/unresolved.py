"""Which asset references the templates stage could not rewrite are worth a warning, and its
words: each template's ``report.json`` ``unresolved`` items, one warning per template at the
first one's line (``--strict`` fails on it). A URL elsewhere, an ``asset_url`` built at run time,
a relative URL that ends in no file of the build (``_relative_names_build_file``), a Flask
``url_for('static', filename=EXPR)`` of a script or stylesheet (``AssetPipe(app)`` names
its hashed file at run time), an expression that need not name a static file, a file picked
at run time in a folder the source folder does not have, and a folder's URL or a RequireJS path
(``_base_url``) in a script stay quiet; a ``url_for`` of a route
that is not in ``templates.static_routes`` but names a file of the build says to list it there,
and so does a template function called with a file of the build (Datasette's ``{{
urls.static('app.css') }}``: ``templates.static_functions``); left silent, Datasette's stylesheet
stayed unhashed on every page with ``build --strict`` passing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Container
from typing import Any

from ..lazyre import lazy
from ..pipeline.sources import globmatch
from ..rewrite.foreign import beyond_the_build
from ..rewrite.refs import JINJA_ANY, names_static
from .base import StageContext

#: a value that starts ``{{ NAME }}/``: maybe a ``templates.prefixes`` expression
_LEADING_EXPR = lazy(r"""\s*\{\{-?\s*([\w.]+(?:\[["'][\w.]+["']\])?)\s*-?\}\}/""")

#: unresolved reasons that are not warned about: a URL elsewhere; and of the ``dynamic`` ones,
#: an ``asset_url`` built at run time (the manifest answers it) and an expression that need not
#: name a static file at all (``{{ user.avatar_url }}``: ``refs.names_static``)
_QUIET = ("other",)


#: ``url_for('NAME', filename='K')`` / ``path='K'`` of any route NAME, with a literal K
_OTHER_ROUTE = lazy(
    r"""url_for\(\s*["']([^"']+)["']\s*,\s*(?:filename|path|file_path)\s*=\s*["']/?([^"'{}~]+)["']"""
)
#: ``{{ F('K') }}`` of a function F other than ``url_for`` and ``asset_url``, with a literal K
_CALL = lazy(r"""\{\{-?\s*([A-Za-z_][\w.]*)\(\s*["']/?([^"'{}~]+)["']\s*\)""")
#: a static ``url_for`` named at run time: with a computed ``filename``, Flask's
#: ``AssetPipe(app)`` names the build's hashed file of its value while the page renders
#: (``flasknames.name_static_files``); Litestar's ``file_path`` likewise under its plugin
_NAMED_AT_RUN_TIME = lazy(r"""url_for\(\s*["']static["']\s*,\s*(filename|file_path)\s*=""")
#: who names a computed file at run time, by the keyword that names it
_NAMER = {"filename": "AssetPipe(app)", "file_path": "Litestar's plugins=[AssetPipe()]"}
#: the tags whose computed ``url_for('static', ...)`` gets at run time exactly the file the build
#: would have written for a literal one (a script, a stylesheet, an icon); an ``<img>`` would
#: have had its WebP output and sizes too, so it is still warned about
_RUNTIME_NAMED = ("script", "link")
#: the literal head of a computed ``url_for('static', filename='HEAD' + ...)``
#: a Django ``{% static ... %}`` tag, whole
_STATIC_TAG = lazy(r"\{%-?\s*static\s.*?%\}", re.DOTALL)
_FILENAME_HEAD = lazy(r"""filename\s*=\s*(["'])([^"'{}]*)\1\s*[~+]""")


def _warned(
    u: dict[str, Any],
    public_path: str,
    keep_names: tuple[str, ...],
    routes: tuple[str, ...],
    keys: Collection[str],
    has_folder: Callable[[str], bool],
    functions: tuple[str, ...] = (),
    manifest: bool = False,
) -> bool:
    """Whether an unresolved reference is warned about; ``keys``: the manifest's;
    ``has_folder``: whether the source folder has a folder; ``manifest``: Django's manifest
    storage names a computed ``{% static EXPR %}``'s hashed file at run time."""
    if u["reason"] in _QUIET:
        return False
    if u["reason"] == "dynamic":
        value = str(u["value"])
        if manifest and _STATIC_TAG.search(value):
            # pretix's and pretalx's ``{% static EXPR %}``: collectstatic's hashed name, as
            # before adoption; --strict failed on it, and only editing the template cleared it
            rest = _STATIC_TAG.sub("", value)  # literal text left: a path built here too
            return bool(JINJA_ANY.sub("", rest).strip()) or names_static(rest, public_path, routes)
        head = _FILENAME_HEAD.search(value)
        if head and "/" in head.group(2):
            # a file picked at run time in a folder the build publishes under its own names
            # (calibre-web's datepicker locale for current_user.locale): the URL works
            folder = head.group(2).lstrip("/").rsplit("/", 1)[0]
            if globmatch(f"{folder}/x", keep_names):
                return False
            if not has_folder(folder):
                # a folder the source folder does not have (SearXNG's never-called
                # draw_favicon macro names themes/simple/img/icons/): no file there to hash
                # or to serve unhashed; --strict failed on it and nothing could clear it
                return False
        if _other_route(value, routes, keys) or _other_function(value, functions, keys):
            return True
        if beyond_the_build(value, keys):
            return False
        if (
            u.get("tag") in _RUNTIME_NAMED
            and _NAMED_AT_RUN_TIME.search(value)
            and "static" in routes
        ):
            return False  # hashed at run time by AssetPipe(app): listed in report.json only
        return "asset_url(" not in value and names_static(value, public_path, routes)
    if u["reason"] == "not_rewritten" and u.get("in_build") is False:
        return not _base_url(str(u.get("key", "")), keys, has_folder)
    if u["reason"] == "not_rewritten" and globmatch(str(u.get("key", "")), keep_names):
        return False  # published under that very name (Superset's registered service worker)
    if u["reason"] == "relative":
        return _relative_names_build_file(str(u["value"]), keys)
    return True


def _relative_names_build_file(value: str, keys: Container[str]) -> bool:
    """Whether a relative URL the build could not resolve ends in the path of a file of the
    build (``url(../img/a.png)`` for ``img/a.png``): likely meant as that static file, so worth
    a warning. One that ends in no such path names a file of another route, relative to the
    page (Airflow's webpack copy of connexion's Swagger UI page, ``./swagger-ui.css``, served
    from the page's own folder at ``/api/v1/ui/``): nothing the build could hash or the static
    route serves, quiet like a URL elsewhere; ``build --strict`` failed on it, and only
    editing the app's templates could clear it."""
    return _relative_key(value, keys) != ""


def _relative_key(value: str, keys: Container[str]) -> str:
    """The longest end of relative URL ``value``'s path that is a key of the build
    (``css/common.css`` for ``../css/common.css``); ``""`` for none."""
    parts = [p for p in value.split("?", 1)[0].split("#", 1)[0].split("/") if p]
    return next(("/".join(parts[i:]) for i in range(len(parts)) if "/".join(parts[i:]) in keys), "")


def _base_url(key: str, keys: Container[str], has_folder: Callable[[str], bool]) -> bool:
    """Whether a key the build has no file of is a URL scripts build on rather than a missing
    file: a folder of the source (pgAdmin's ``window.resourceBasePath = "{{ url_for('static',
    filename='js') }}/generated/"``) or a RequireJS path, a name whose ``.js`` the build has
    (``'security.pages': "{{ url_for('static', filename='js/generated/security.pages') }}"``):
    ``build --strict`` failed on each as a missing file, and nothing could clear it."""
    key = key.strip("/")
    return bool(key) and (f"{key}.js" in keys or has_folder(key))


def _other_route(value: str, routes: tuple[str, ...], keys: Container[str]) -> str | None:
    """The route name of a ``url_for`` that names a file of the build by a route that is not
    in ``templates.static_routes`` (sqladmin's ``url_for('admin:statics', path='css/x.css')``):
    likely a mount of the static folder under another name. A Flask blueprint's ``NAME.static``
    serves its own folder (``BlueprintStatic`` hashes it at run time): never."""
    m = _OTHER_ROUTE.search(value)
    if m and m.group(1) not in routes and not m.group(1).endswith(".static") and m.group(2) in keys:
        return m.group(1)
    return None


#: functions naming a file of another folder: Flask-Themes2's (and Flask-Theme's) theme
#: folder, which ``AssetPipe(app)`` hashes at run time (``themes2``); MoinMoin's base template
#: says ``theme_static('css/variables.css')``, a name its static folder has too, and the
#: warning's advice (list it in ``templates.static_functions``) would have linked the wrong file
_OTHER_FOLDER_FUNCTIONS = ("theme_static",)


def _other_function(value: str, functions: tuple[str, ...], keys: Container[str]) -> str | None:
    """The function of a ``{{ F('K') }}`` whose K is a file of the build and that
    ``templates.static_functions`` does not list (``url_for``, ``asset_url`` and
    ``_OTHER_FOLDER_FUNCTIONS`` aside)."""
    m = _CALL.search(value)
    known = (*functions, "url_for", "asset_url", *_OTHER_FOLDER_FUNCTIONS)
    if m is None or m.group(1) in known or m.group(2) not in keys:
        return None
    return m.group(1)


def warn_unresolved(ctx: StageContext, rel: str, items: list[dict[str, Any]]) -> None:
    """One warning for template ``rel``'s ``unresolved`` references that are worth one (the
    first, with the lines of the others), at its line; the quiet ones (``_warned``) none."""
    keep = ctx.config.static.keep_names
    routes, functions = ctx.config.templates.static_routes, ctx.config.templates.static_functions
    keys = ctx.manifest.entries

    def has_folder(folder: str) -> bool:
        return (ctx.config.source / folder).is_dir()

    public_path = ctx.config.public_path
    manifest = ctx.config.templates.django_manifest
    left = [
        u
        for u in items
        if _warned(u, public_path, keep, routes, keys, has_folder, functions, manifest)
    ]
    if not left:
        return
    first = left[0]
    what = {
        "relative": "a relative URL",
        "dynamic": "built by an expression",
        "asset_url": "asset_url() names no asset of the build",
        "type": "the build has no output in the format its type attribute names",
        "prefix": "its output is outside the folder the templates.prefixes expression stands for",
        "not_rewritten": f"in {first.get('where', 'the template')}",
    }.get(str(first["reason"]), str(first["reason"]))
    if first.get("in_build") is False:
        what += "; the build has no such asset"
    dynamic = first["reason"] == "dynamic"
    lead = _LEADING_EXPR.match(str(first["value"])) if dynamic else None
    route = _other_route(str(first["value"]), routes, keys) if dynamic else None
    function = _other_function(str(first["value"]), functions, keys) if dynamic else None
    if function:
        what = (
            f"a call of {function}() with a file of the build; if it returns that file's URL"
            f" under {public_path}, add it to templates.static_functions"
        )
    elif route:
        what = (
            f"a url_for of route '{route}', which names a file of the build; if '{route}' serves"
            f" the static folder at {ctx.config.public_path}, add it to templates.static_routes"
        )
    elif lead:
        what += (
            f"; if {lead.group(1)} stands for a folder of the static folder,"
            " name it in templates.prefixes"
        )
    named = (
        _NAMED_AT_RUN_TIME.search(str(first["value"])) if dynamic and "static" in routes else None
    )
    # Flask/Quart with AssetPipe(app) (Litestar with its plugin) names the default output
    # (hashed) while the template renders: what is lost is the srcset, sizes and modern formats
    # of a literal file name
    key = _relative_key(str(first["value"]), keys) if first["reason"] == "relative" else ""
    if named and not function and not route:
        tail = (
            f"{_NAMER[named.group(1)]} names its default output at run time, without the"
            " srcset, sizes and modern formats a literal file name gets"
        )
    elif key:
        # resolved against each page's URL: Open Web Calendar's `css/common.css`, at `/`,
        # is its own route's `/css/common.css`, not the static folder's unhashed path
        tail = (
            "resolved against each page's URL, it names no file the build can tell; written"
            f" {public_path.rstrip('/')}/{key} (or url_for('static', filename='{key}'),"
            f" {{% static '{key}' %}}) it is hashed"
        )
    else:
        tail = "it requests the unhashed source path"
    msg = f"'{first['value']}' left as written ({what}): {tail}"
    if len(left) > 1:
        lines = ", ".join(str(u["line"]) for u in left[1:])
        msg += (
            f"; {len(left) - 1} more asset reference(s) left as written at line(s) {lines}"
            " (report.json: templates.*.unresolved)"
        )
    ctx.warn(msg, ctx.source_location(rel, first["line"], first["col"]))
