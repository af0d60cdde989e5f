"""A Starlette or FastAPI app in the project: where ``assetpipe.starlette``'s two lines go.

Glances builds its web server inside a class: ``self._app = FastAPI(...)`` and ``self._templates
= Jinja2Templates(directory=self.TEMPLATE_PATH)`` in ``GlancesRestfulApi.__init__``. ``init``
said only "wrap your app in assetpipe.serve's middleware" and "point your template loader at
dist/templates": the user had to find the object, compute the build's absolute path and the
static mount's URL, and rewrite the templates' ``directory``. Now it names the module, the line
and the two lines with the names the code uses (``AssetPipe(self._app, self._templates)``).

Its folders come from the code too (``asgi_folders``): the ``directory=`` of the
``StaticFiles`` (or a subclass: Glances' ``NoCacheStaticFiles``) mounted as ``static``, and of
the ``Jinja2Templates``, each a literal path or one built from literals
(``os.path.join(root, 'static/public')``, ``HERE / "static"``, a name or ``self.X`` assigned
one of those), found under the module's folder or the project; the mount's path gives the
public path (``url_prefix + '/static'``: ``/static/``). A FastAPI app whose folder is not
called ``static`` had no static folder for ``init`` at all.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .files import TEMPLATE_EXT, calls_asset_pipe, parsed_modules, python_texts, walk
from .importspot import module_import_spot, two_lines
from .installed import top_package

#: ``class X(StaticFiles)``: its calls serve a folder too
_SUBCLASS = re.compile(r"^class\s+(\w+)\s*\(\s*(?:[\w.]+\.)?StaticFiles\s*[,)]", re.M)

#: the classes whose call creates an ASGI app ``assetpipe.starlette.AssetPipe`` takes
APP_CLASSES = ("FastAPI", "Starlette")


@dataclass(frozen=True)
class AsgiApp:
    """Where a Starlette or FastAPI app is created, and its templates."""

    module_file: Path
    app: str  # the expression naming the app: ``app``, ``self._app``
    templates: str | None  # the Jinja2Templates it renders with, in the same scope
    line: int  # the two lines go after this line (the later of the two statements)
    indent: int  # the column of that statement
    # with no ``templates``: the line of a ``Jinja2Templates(...)`` the module makes without
    # naming it (the starlette-admin demo's ``Jinja2Templates("templates").TemplateResponse(...)``
    # in its view), which ``AssetPipe`` cannot be given: its pages stay unrewritten
    unnamed_templates: int | None = None
    # the import of ``templates`` when another module makes it (``_templates_elsewhere``)
    templates_import: str | None = None

    @property
    def adopted(self) -> bool:
        """Whether the module already calls ``AssetPipe(...)`` (``init --force`` run again)."""
        return calls_asset_pipe(self.module_file)

    def steps(self, shown: str) -> tuple[str, list[str]]:
        """What ``init`` prints (``shown``: the module's path as the user sees it): where the
        two lines go, in words, and the lines, each as printed."""
        why = (
            "a Starlette/FastAPI app: assetpipe.starlette serves the build and renders the"
            " rewritten templates"
        )
        at = f"at its indentation, {self.indent} spaces in; " if self.indent else ""
        place = f"after line {self.line} ({at}{why})"
        head, lines = two_lines(shown, place, self.lines(), self.import_after)
        if self.unnamed_templates is not None:
            lines += [
                "",
                f"{shown}:{self.unnamed_templates} makes a Jinja2Templates(...) without naming"
                " it: its pages are rendered from your templates, not the rewritten ones. Make"
                " it once beside the app (templates = Jinja2Templates(...)), use it there, and"
                f" pass it: AssetPipe({self.app}, templates).",
            ]
        return head, lines

    @property
    def import_after(self) -> int | None:
        """Where the import goes: after the line ending the module's own imports
        (``importspot``); ``None`` when they do not end before the call's line."""
        return module_import_spot(self.module_file, self.line)

    def lines(self) -> tuple[str, str]:
        args = self.app if self.templates is None else f"{self.app}, {self.templates}"
        imports = "from assetpipe.starlette import AssetPipe"
        if self.templates_import is not None:
            imports += "\n" + self.templates_import
        return (imports, f"AssetPipe({args})")


def called_name(func: ast.expr) -> str:
    """The last name of a called expression (``Flask`` for ``flask.Flask``), else ``""``."""
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _assigned(stmt: ast.stmt, names: tuple[str, ...]) -> str | None:
    """The target of ``stmt`` when it assigns a call of one of ``names``."""
    if (
        isinstance(stmt, (ast.Assign, ast.AnnAssign))
        and isinstance(stmt.value, ast.Call)
        and called_name(stmt.value.func) in names
    ):
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        return ast.unparse(target)
    return None


def _scopes(tree: ast.Module) -> list[list[ast.stmt]]:
    """The module's body and every function's body: the statements of one scope each."""
    out: list[list[ast.stmt]] = [tree.body]
    out += [
        n.body for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    return out


def _unnamed_templates(tree: ast.Module) -> int | None:
    """The line of the first ``Jinja2Templates(...)`` call of ``tree`` that no assignment
    names, or ``None``."""
    named = {id(n.value) for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign))}
    calls = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and called_name(n.func) == "Jinja2Templates"
        and id(n) not in named
    ]
    return min(calls) if calls else None


def find_asgi_app(root: Path) -> AsgiApp | None:
    """The shallowest module (then the first by path) that assigns a ``FastAPI(...)`` or
    ``Starlette(...)`` call, with the ``Jinja2Templates(...)`` assigned in the same scope;
    ``None`` when there is none."""
    found: list[tuple[int, str, AsgiApp, ast.Module]] = []
    for path, _text, tree in parsed_modules(root, *(c + "(" for c in APP_CLASSES)):
        for body in _scopes(tree):
            app = templates = None
            last: ast.stmt | None = None
            for stmt in body:
                made = _assigned(stmt, APP_CLASSES)
                if made is not None and app is None:
                    app, last = made, stmt if last is None or stmt.lineno > last.lineno else last
                tpl = _assigned(stmt, ("Jinja2Templates",))
                if tpl is not None and templates is None:
                    templates = tpl
                    last = stmt if last is None or stmt.lineno > last.lineno else last
            if app is not None and last is not None:
                end = last.end_lineno or last.lineno
                unnamed = None if templates is not None else _unnamed_templates(tree)
                hit = AsgiApp(path, app, templates, end, last.col_offset, unnamed)
                found.append((len(path.relative_to(root).parts), str(path), hit, tree))
    if not found:
        return None
    _, _, best, best_tree = min(found, key=lambda f: (f[0], f[1]))
    if best.templates is not None or best.unnamed_templates is not None:
        return best
    other = _templates_elsewhere(root, best.module_file)
    if other is None:
        return best
    module, name, _call, _tree = other
    used = {n.id for n in ast.walk(best_tree) if isinstance(n, ast.Name)}
    alias = "assetpipe_templates" if name in used else name
    spelled = name if alias == name else f"{name} as {alias}"
    return replace(
        best, templates=alias, templates_import=f"from {_dotted(module)} import {spelled}"
    )


def _templates_elsewhere(
    root: Path, app_module: Path
) -> tuple[Path, str, ast.Call, ast.Module] | None:
    """The module-level ``NAME = Jinja2Templates(...)`` of another module of the project (the
    shallowest, then the first by path), with that module's tree, for an app whose own module
    makes none: microblog.pub
    makes ``_templates`` in ``app/templates.py`` and renders every page with it; ``init`` said
    ``AssetPipe(app)``, and the pages were rendered from the unrewritten templates."""
    found: list[tuple[int, str, tuple[Path, str, ast.Call, ast.Module]]] = []
    for path, _text, tree in parsed_modules(root, "Jinja2Templates("):
        if path == app_module:
            continue
        for stmt in tree.body:
            name = _assigned(stmt, ("Jinja2Templates",))
            if name is not None and name.isidentifier() and isinstance(stmt, ast.Assign):
                assert isinstance(stmt.value, ast.Call)
                found.append(
                    (len(path.relative_to(root).parts), str(path), (path, name, stmt.value, tree))
                )
                break
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None


def _dotted(module: Path) -> str:
    """A module's dotted name, from the folder above its top-level package (``top_package``)."""
    top = top_package(module)
    base = top.parent if top is not None else module.parent
    return ".".join(module.relative_to(base).with_suffix("").parts)


@dataclass(frozen=True)
class AsgiFolders:
    """The folders an ASGI app serves and renders from, read from its code."""

    static_dir: Path
    public_path: str
    templates_dir: Path | None
    # the mount's name when it is not ``static`` (the starlette-admin demo's ``Mount("/statics",
    # ..., name="statics")``): the templates' ``url_for("statics", path=K)``, for
    # ``templates.static_routes``
    routes: tuple[str, ...] = ()
    # Django's template folders after ``templates_dir``, in its loaders' order (a name in two
    # is the first's: ``templates.first_wins``); ``None``: not Django's
    more_templates: tuple[Path, ...] | None = None
    # Django's apps' template folders left out, each with a name an installed package listed
    # before it has (``djangotemplates``)
    shadowed_templates: tuple[tuple[Path, str], ...] = ()
    # Django's later ``STATICFILES_DIRS`` folders, each with its prefix (``""``: none)
    more_static: tuple[tuple[str, Path], ...] = ()
    # of those and Django's project apps' ``static/`` folders, the ones the build copies too
    # (``static.folders``), in the order of Django's finders
    built_static: tuple[Path, ...] = ()
    # Django's own simple tags that give a static file's URL (``djangotags``)
    static_tags: tuple[str, ...] = ()
    # Django tags that render a template: tag → template (``djangotags.partial_tags``)
    partial_tags: dict[str, str] = field(default_factory=dict)
    # the settings name Django's ManifestStaticFilesStorage (not WhiteNoise's)
    manifest: bool = False
    jinja: bool = False  # Django renders the templates with a Jinja2 backend (``settingsbase``)


def _literal(expr: ast.expr | None, assigns: dict[str, ast.expr], depth: int = 0) -> str | None:
    """The relative path ``expr`` builds from string literals after its first non-literal part
    (``os.path.join(root, "static/public")`` → ``static/public``; ``HERE / "static"`` →
    ``static``; ``prefix + "/static"`` → ``/static``), following a name or attribute assigned
    once in the module; ``None`` when it holds no literal."""
    if expr is None or depth > 3:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Call) and called_name(expr.func) == "str" and expr.args:
        return _literal(expr.args[0], assigns, depth + 1)
    if isinstance(expr, ast.Call) and called_name(expr.func) in ("join", "Path", "joinpath"):
        tail = [
            a.value for a in expr.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        return "/".join(tail) or None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Div, ast.Add)):
        right = _literal(expr.right, assigns, depth + 1)
        left = _literal(expr.left, assigns, depth + 1) if isinstance(expr.op, ast.Div) else None
        return f"{left}/{right}" if left and right else right
    if isinstance(expr, (ast.Name, ast.Attribute)):
        return _literal(assigns.get(ast.unparse(expr)), assigns, depth + 1)
    return None


def _keyword(call: ast.Call, name: str, position: int) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _folder(rel: str | None, module: Path, root: Path) -> Path | None:
    """``rel`` under the module's folder, a folder above it within ``root``, or ``root``."""
    if not rel:
        return None
    for base in (module.parent, *module.parent.parents):
        if (base / rel).is_dir():
            return (base / rel).resolve()
        if base == root:
            break
    return None


def _mount(call: ast.Call) -> tuple[ast.expr | None, ast.expr | None] | None:
    """The app and the name of a mount: ``app.mount(path, app, name)`` or a route
    ``Mount(path, app=None, routes=None, name=None)`` in ``routes=[...]``; ``None`` for
    another call."""
    if called_name(call.func) == "mount":
        return _keyword(call, "app", 1), _keyword(call, "name", 2)
    if isinstance(call.func, ast.Name) and call.func.id == "Mount":
        return _keyword(call, "app", 1), _keyword(call, "name", 3)
    return None


def asgi_folders(root: Path) -> AsgiFolders | None:
    """The static folder (the ``StaticFiles`` mounted with ``name="static"``, else the first
    one mounted), its public path and the ``Jinja2Templates`` folder of the project's
    Starlette or FastAPI app; ``None`` when no mounted folder is found on disk. Mounted with
    ``app.mount(...)`` or as a ``Mount(...)`` route of ``routes=[...]``."""
    texts = list(python_texts(root))
    served = ("StaticFiles", *sorted({c for _, t in texts for c in _SUBCLASS.findall(t)}))
    for path, text in texts:
        if not any(c + "(" in text for c in APP_CLASSES) or not re.search(r"\b[Mm]ount\(", text):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        assigns = _assigns(tree)
        mounts: list[tuple[str, Path, str | None]] = []
        templates: Path | None = None
        for n in ast.walk(tree):
            if not isinstance(n, ast.Call):
                continue
            if called_name(n.func) == "Jinja2Templates" and templates is None:
                templates = _templates_folder(n, assigns, path, root)
            mount = _mount(n)
            if mount is None or not isinstance(inner := mount[0], ast.Call):
                continue
            if called_name(inner.func) not in served:
                continue
            folder = _folder(_literal(_keyword(inner, "directory", 0), assigns), path, root)
            url = _literal(_keyword(n, "path", 0), assigns)
            if folder is not None and url is not None:
                given = mount[1].value if isinstance(mount[1], ast.Constant) else None
                name = given if isinstance(given, str) else None
                mounts.append(("/" + url.strip("/") + "/" if url.strip("/") else "/", folder, name))
        if mounts:
            public, folder, name = next((m for m in mounts if m[2] == "static"), mounts[0])
            routes = (name,) if isinstance(name, str) and name != "static" else ()
            if templates is None and (other := _templates_elsewhere(root, path)) is not None:
                module, _name, call, owned = other
                templates = _templates_folder(call, _assigns(owned), module, root)
            return AsgiFolders(folder, public, templates, routes)
    return None


def _assigns(tree: ast.Module) -> dict[str, ast.expr]:
    """Each single-target assignment of a module, by its target's source text."""
    return {
        ast.unparse(n.targets[0]): n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and len(n.targets) == 1
    }


def _templates_folder(
    call: ast.Call, assigns: dict[str, ast.expr], module: Path, root: Path
) -> Path | None:
    """The folder of a ``Jinja2Templates(directory=...)`` call; of a list of folders (Jinja's
    loader searches them in order: microblog.pub's ``["data/templates", "app/templates"]``,
    its users' overrides first, empty in a checkout), the first that holds a template."""
    given = _keyword(call, "directory", 0)
    if not isinstance(given, ast.List | ast.Tuple):
        return _folder(_literal(given, assigns), module, root)
    found = (_folder(_literal(item, assigns), module, root) for item in given.elts)
    return next((f for f in found if f is not None and any(walk(f, TEMPLATE_EXT))), None)


def route_lines(routes: tuple[str, ...]) -> list[str]:
    """``templates.static_routes`` for a static mount named otherwise than ``static``: the
    templates' ``url_for(NAME, path=K)`` names a file of the build (``asgi_folders``)."""
    if not routes:
        return []
    names = ", ".join(f'"{r}"' for r in ("static", *routes))
    return [
        f"  # The static folder is mounted as {routes[0]!r}: url_for({routes[0]!r}, path=K)"
        " names its",
        "  # file K, rewritten to the hashed name.",
        f"  static_routes: [{names}]",
    ]
