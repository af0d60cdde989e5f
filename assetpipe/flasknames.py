"""Names of the build's hashed files for static URLs a Flask app makes while a page renders
(used by ``assetpipe.flask.AssetPipe``): a ``url_for('static', filename=EXPR)`` the build could
not rewrite (``name_static_files``) and Flask-Versioned's ``versioned`` filter
(``name_versioned_files``), both following the current build through an ``AssetResolver``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .jinja import AssetResolver
from .rewrite.foreign import foreign_stylesheets, is_font
from .serve.files import default_output


def built_file(entry: dict[str, Any]) -> str | None:
    """The build's file for a reference whose consumer is unknown: what the source path itself
    answers with (``serve.files.default_output``: an image's original-format output of the
    largest width, else the entry's ``file``), under its hashed name; ``None`` when the entry
    names none."""
    if not entry.get("file"):
        return None
    return default_output(entry)


def name_static_files(
    app: Any, resolver: AssetResolver, changed: Callable[[str], bool] | None = None
) -> None:
    """Make a ``url_for('static', filename=K)`` made while a template renders name the build's
    hashed file of K: K computed in the template (``filename='js/' + name`` in a macro), or a
    Python helper the template calls (Fava's ``static_url('app.css')``, a template global that
    calls ``flask.url_for('static', filename=..., mtime=...)`` itself). The build can rewrite
    only a literal ``url_for`` in a template's text, and left such URLs on the unhashed,
    ``no-cache`` path. A ``url_defaults`` hook does the naming, on while Flask renders a
    template (its ``before_render_template`` / ``template_rendered`` signals keep the templates
    being rendered on ``g``; where Flask has no signals, Flask < 2.3 without blinker, the Jinja
    ``url_for`` global is wrapped instead: a helper's calls are then not named).

    A view's ``url_for`` outside a render is left alone: it may go into a redirect that
    browsers keep (bukuserver's ``/favicon.ico`` answers a 301 to the favicon), and a permanent
    redirect to a hashed name would outlive the build that has it. A K that is already a built
    name, or not in the manifest (a file added after the build), is left as it is; the manifest
    followed is the current build's (``resolver``). So is a font named while a template whose
    stylesheets come from ``{% assets %}`` renders (``rewrite.foreign``: those name it by its
    source name, and a preload of the hashed one fetched it twice). Nor is a K that ``changed``
    says was removed or modified since the build (a file Flask-Admin's ``FileAdmin`` edited in
    the static folder): its unhashed URL serves it as it now is (``assetpipe.serve.freshness``)."""
    foreign = _ForeignTemplates(app.jinja_env)

    def name(values: dict[str, Any], template: str | None) -> dict[str, Any]:
        filename = values.get("filename")
        if not isinstance(filename, str) or (is_font(filename) and foreign(template)):
            return values
        entry = resolver.manifest.get(filename.lstrip("/"))
        named = built_file(entry) if entry is not None else None
        if named is None or (changed is not None and changed(filename.lstrip("/"))):
            return values
        return {**values, "filename": named}

    quart = is_quart(app)
    try:
        if quart:  # async receivers: Quart runs a sync one in a thread
            from quart import before_render_template, template_rendered
        else:
            from flask import before_render_template, template_rendered

        before_render_template.connect(_rendering(True, quart), app, weak=False)
        template_rendered.connect(_rendering(False, quart), app, weak=False)
    except RuntimeError:  # Flask < 2.3 without blinker: signals unavailable
        import jinja2

        original = app.jinja_env.globals.get("url_for")
        if original is not None:

            @jinja2.pass_context
            def url_for(context: Any, endpoint: str, /, **values: Any) -> Any:
                if endpoint == "static":
                    values = name(values, context.name)
                return original(endpoint, **values)

            app.jinja_env.globals["url_for"] = url_for
        return

    def url_defaults(endpoint: str, values: dict[str, Any]) -> None:
        rendering = _renders(_g(quart), create=False)
        if endpoint == "static" and rendering:
            values.update(name(values, rendering[-1]))

    app.url_defaults(url_defaults)


#: the ``g`` attribute listing the names of the templates being rendered, innermost last,
#: for a ``g`` that cannot be a key of ``_BY_G``
_RENDERS = "_assetpipe_renders"
#: each request's ``g`` → the names of the templates being rendered, innermost last. Not an
#: attribute of ``g``: Flask-DebugToolbar's ``flask.g`` panel listed ``_assetpipe_renders``
#: among the app's own values
_BY_G: weakref.WeakKeyDictionary[Any, list[str | None]] = weakref.WeakKeyDictionary()


def _renders(g: Any, create: bool) -> list[str | None] | None:
    """The list of templates being rendered of the request whose ``g`` is ``g`` (a proxy),
    made when ``create``; forgotten with its request's ``g``, so a render that raised is too."""
    obj = g._get_current_object() if hasattr(g, "_get_current_object") else g
    try:
        rendering = _BY_G.get(obj)
        if rendering is None and create:
            rendering = _BY_G[obj] = []
        return rendering
    except TypeError:  # a g that cannot be weakly referenced or hashed: an attribute of it
        # getattr/setattr, not g.setdefault: an app may give g a class of its own (Fava's
        # app_ctx_globals_class, which has no setdefault: every page was a 500)
        found: list[str | None] | None = getattr(g, _RENDERS, None)
        if found is None and create:
            found = []
            setattr(g, _RENDERS, found)
        return found


def is_quart(app: Any) -> bool:
    """Whether ``app`` is a Quart app: Flask's API (``jinja_env``, ``url_defaults``,
    ``before_request``, the static route, signals, ``g``) with ``asgi_app`` in place of
    ``wsgi_app``."""
    return hasattr(app, "asgi_app") and not hasattr(app, "wsgi_app")


def _g(quart: bool) -> Any:
    """The request's ``g``: Flask's, or Quart's for a Quart app."""
    if quart:
        from quart import g as quart_g

        return quart_g
    from flask import g

    return g


def _rendering(start: bool, quart: bool = False) -> Callable[..., Any]:
    """A signal receiver that pushes (``start``) or pops the template being rendered on the
    request's list (``_renders``: forgotten with the request's ``g``, so a render that raised
    is too); a coroutine function for Quart, whose signals await their receivers on the event
    loop."""

    def receive(_sender: Any, template: Any = None, **_kwargs: Any) -> None:
        rendering = _renders(_g(quart), create=True)
        if rendering is None:
            return
        if start:
            rendering.append(getattr(template, "name", None))
        elif rendering:
            rendering.pop()

    if not quart:
        return receive

    async def areceive(_sender: Any, **kwargs: Any) -> None:
        receive(_sender, **kwargs)

    return areceive


class _ForeignTemplates:
    """Whether a page, by its template's name, loads stylesheets through ``{% assets %}``
    (``rewrite.foreign``): that template or one it extends, includes or imports, by a literal
    name, has the tag. Each template is read once from the environment's loader, again once it
    is stale."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.known: dict[str, tuple[Callable[[], bool] | None, bool, tuple[str, ...]]] = {}

    def __call__(self, name: str | None) -> bool:
        return name is not None and self._any(name, set())

    def _any(self, name: str, seen: set[str]) -> bool:
        if name in seen:
            return False
        seen.add(name)
        has, refs = self._read(name)
        return has or any(self._any(r, seen) for r in refs)

    def _read(self, name: str) -> tuple[bool, tuple[str, ...]]:
        seen = self.known.get(name)
        if seen is not None and seen[0] is not None and seen[0]():
            return seen[1], seen[2]
        import jinja2
        import jinja2.meta

        try:
            text, _, uptodate = self.env.loader.get_source(self.env, name)
        except jinja2.TemplateNotFound:  # a template made from a string
            return False, ()
        try:
            refs = jinja2.meta.find_referenced_templates(self.env.parse(text))
            names = tuple(r for r in refs if isinstance(r, str))
        except jinja2.TemplateSyntaxError:
            names = ()
        self.known[name] = (uptodate, foreign_stylesheets(text), names)
        return foreign_stylesheets(text), names


def name_versioned_files(app: Any, resolver: AssetResolver) -> None:
    """Make Flask-Versioned's ``versioned`` filter (privacyIDEA's ``{{ instance }}/{{
    "static/app.js" | versioned }}``) name the build's hashed file of a static file, where it
    gave the source path a ``?v=<mtime>`` suffix: the URL is then immutable, and the build's
    minified script or bundled stylesheet is what the page loads. The hashed name is its own
    version, so the suffix is dropped; the path keeps the form it was given in (relative to
    ``app.root_path`` or absolute). A path outside the static folder, or one the build does not
    hold, goes to the filter as before. ``AssetPipe(app)`` must come after ``Versioned(app)``:
    the filter is wrapped when there is one."""
    original = app.jinja_env.filters.get("versioned")
    static = getattr(app, "static_folder", None)
    if original is None or static is None:
        return
    root, folder = Path(app.root_path), Path(static)

    def versioned(path: Any) -> Any:
        if isinstance(path, str):
            full = Path(path) if Path(path).is_absolute() else root / path
            try:
                key = full.relative_to(root / folder).as_posix()
            except ValueError:
                key = None
            entry = resolver.manifest.get(key) if key else None
            named = built_file(entry) if entry is not None else None
            if key and named is not None and path.endswith(key):
                return path[: len(path) - len(key)] + named
        return original(path)

    app.jinja_env.filters["versioned"] = versioned
