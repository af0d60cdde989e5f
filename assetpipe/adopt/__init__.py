"""``assetpipe init``: write a commented pipeline.yaml that builds an existing Flask project.

    from assetpipe.adopt import init
    result = init(Path("."))      # discover → render → write pipeline.yaml → validate it
    print(result.text, result.lines)

The project is looked at (``discover``), a config is written beside it (``render``) and loaded
back with ``load_config``, so what ``init`` writes is known to be valid. It never overwrites a
config unless ``force`` is set.
"""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from .discover import Project, discover
from .factories import factory_app
from .files import reading_once
from .flaskplace import placement
from .importspot import import_spot
from .render import OUTPUT, copied_files, render
from .subclass import init_end

if TYPE_CHECKING:
    from .webassets import BundleOutputs
    from .webserver import StaticRule

__all__ = ["InitResult", "Project", "app_lines", "discover", "init", "render"]


def app_lines(name: str = "app") -> tuple[str, str]:
    """The two lines ``init`` asks for, for the app object called ``name``."""
    return ("from assetpipe.flask import AssetPipe", f"AssetPipe({name})")


def other_app_steps(public_path: str, output: Path) -> list[str]:
    """What an app that is not Flask (no Flask app found: Datasette, Starlette, a bare WSGI
    app) does instead of the two lines: serve the build, render its rewritten templates, and
    name computed files with ``asset_url()``. ``output``: the build's folder (absolute), the
    config's ``OUTPUT``."""
    # the app answers its static URL itself: what the build lacks goes on to it (pywb's
    # collection files under /static/_/<coll>/), and at the site's root, every page
    root = public_path == "/"
    return [
        "serve the build: wrap your app in assetpipe.serve's middleware, e.g.",
        "    from assetpipe.serve import asgi   # WSGI: from assetpipe.serve import AssetMiddleware",
        f'    app = asgi.AssetMiddleware(app, output="{output}", public_path="{public_path}",'
        " fallback=True)",
        "  (a relative `output` is taken from the server's working directory; fallback=True sends",
        "  a file the build lacks on to your app, as before"
        + (", and here every page);" if root else ");"),
        f"render the rewritten templates: point your template loader at {OUTPUT}/templates"
        " (Starlette's",
        f'  Jinja2Templates(directory="{OUTPUT}/templates"), Datasette\'s --template-dir'
        f" {OUTPUT}/templates);",
        "name files chosen at run time with asset_url(): assetpipe.jinja.install(env,",
        f'  "{OUTPUT}/manifest.json") on your Jinja environment.',
        'See docs/adopting.md ("An app that is not Flask": Datasette\'s one-file plugin) and',
        "docs/serving.md.",
    ]


@dataclass(frozen=True)
class InitResult:
    """What ``init`` wrote and what the user does next."""

    path: Path
    text: str
    project: Project

    @property
    def static_rules(self) -> list[StaticRule]:
        """The project's web server configs that serve its static URL without the app
        (``webserver.static_rules``): deployed so, every hashed file 404s."""
        from .webserver import static_rules  # init only: not for blueprint_static's imports

        return static_rules(self.project.root, self.project.public_path)

    @property
    def copied(self) -> list[str]:
        """The static files copied with a content hash rather than bundled or resized
        (``render.copied_files``)."""
        return copied_files(self.project)

    @functools.cached_property
    def bundles(self) -> BundleOutputs:
        """The Flask-Assets bundles' ``output=`` files, split by whether the static folder
        has them (``webassets.bundle_outputs``, read once)."""
        from .webassets import bundle_outputs

        p = self.project
        return bundle_outputs(p.root, p.static_files, p.static_dir)

    @property
    def unnamed_code(self) -> list[str]:
        """Of ``copied``, the scripts and stylesheets no ``<script src>`` or ``<link>`` tag of
        a template loads (named in Python, by a computed ``url_for``, in a script's string, or
        not at all): copied, where a user counting the scripts ``init`` found expects them
        bundled. A Flask-Assets bundle's built output is loaded by its ``{% assets %}`` tag
        (``init``'s note says what becomes of it): not one of them."""
        p = self.project
        if p.app is not None and p.app.dash:  # Dash links them itself (``dash_note``)
            return []
        named = set(p.unbundled) | set(p.copied_modules) | set(p.kept_files)
        named.update(k for keys in p.own_views.values() for k in keys)  # ``own_views_note``
        named.update(k for keys in p.helper_named.values() for k in keys)  # ``helper_note``
        named |= set(p.bundler_files)  # a bundler's chunks: loaded by its runtime, names kept
        if p.assets_templates:  # {% assets %}<link href="{{ ASSET_URL }}">: a tag loads them
            named |= set(self.bundles.present)
        kept = tuple(d.rstrip("/") + "/" for d in p.kept_dirs)
        return [
            f
            for f in self.copied
            if f.endswith((".js", ".mjs", ".css")) and f not in named and not f.startswith(kept)
        ]

    @property
    def app_spec(self) -> str | None:
        """The app as ``--app`` takes it (``appspec.app_spec``: the ``audit: app:`` hint)."""
        from .appspec import app_spec

        return app_spec(self.project, self.path.parent.resolve())

    @property
    def adopted(self) -> bool:
        """Whether the app's module already calls ``AssetPipe(...)`` (``init --force`` run
        again): the two lines are in."""
        app = self.project.app
        try:
            return app is not None and "AssetPipe(" in app.module_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False

    @functools.cached_property
    def _module(self) -> tuple[str, ast.Module | None]:
        """The app's module, read and parsed once for ``lines`` and ``where``."""
        app = self.project.app
        return ("", None) if app is None else _parse(app.module_file)

    @property
    def lines(self) -> tuple[str, str]:
        """The two lines, naming the app as the code does where they go: a factory's own local
        (Fava's ``create_app()`` builds ``fava_app = Flask("fava")``: ``AssetPipe(app)`` there
        was a ``NameError`` on import), else the module's variable, else ``app``."""
        app = self.project.app
        if app is None:
            return app_lines()
        if app.subclass and init_end(self._module[1], app.subclass):
            return app_lines("self")
        if app.factory:
            tree = self._module[1]
            return app_lines(factory_app(tree, app.factory) if tree is not None else "app")
        return app_lines(app.variable or "app")

    @property
    def where(self) -> str:
        """Where the two lines go, in words."""
        app = self.project.app
        if app is None:
            return "where your app creates its Flask object"
        shown = os.path.relpath(app.module_file, self.project.root)
        return f"in {shown}, {self.place}"

    @property
    def place(self) -> str:
        """``where`` without the module's name (an app was found): where ``AssetPipe(app)``
        goes (``flaskplace.placement``)."""
        assert self.project.app is not None
        return placement(self.project.app, *self._module)

    @property
    def import_after(self) -> int | None:
        """Where the import goes: after the line that ends the app module's own imports
        (``importspot.import_spot``), where a linter wants it (pycodestyle's E402 at the
        module's top level, pylint's C0415 inside a function); ``None`` when the module does
        not parse."""
        tree = self._module[1]
        return None if self.project.app is None or tree is None else import_spot(tree)


def _parse(module: Path) -> tuple[str, ast.Module | None]:
    """``module``'s text and its syntax tree (``("", None)``: unreadable; a tree of ``None``:
    it does not parse)."""
    try:
        source = module.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "", None
    try:
        return source, ast.parse(source)
    except (SyntaxError, ValueError):
        return source, None


def init(root: Path, *, config_name: str = "pipeline.yaml", force: bool = False) -> InitResult:
    """Look at the project in ``root`` and write ``root/config_name``. Raises ``UsageError``
    (exit 2) when the file exists and ``force`` is not set, or no app/static folder is found.
    An app found without its static folder (every asset from its extensions) gets it, empty."""
    from ..config import load_config

    target = root / config_name
    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists",
            hint="pass --force to overwrite it, or --config NAME to write another",
        )
    with reading_once():
        project = discover(root)
    if project.created_static:
        project.static_dir.mkdir(parents=True, exist_ok=True)
    text = render(project, config_dir=target.parent.resolve())  # paths relative to the file
    target.write_text(text, encoding="utf-8")
    load_config(target, display_name=config_name)  # what init writes must load
    return InitResult(path=target, text=text, project=project)
