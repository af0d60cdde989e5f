"""A Plotly Dash app, for ``init``: ``app = Dash(__name__, ...)`` (or ``dash.Dash(...)``).

Dash makes its Flask app itself (``app.server``) and serves its ``assets/`` folder (beside the
module, ``assets_folder=``) at ``/assets/`` (``assets_url_path=``), linking every script,
stylesheet and the favicon there from the page it writes (``index_string``, not a template).
That folder is the source and ``/assets/`` the public path; the two lines name the Dash app
(``AssetPipe(app)``: ``assetpipe.dashapp`` names the links by their hashed files). Found by
reading the module (nothing is imported), as ``discover`` finds a Flask app.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .asgiapp import called_name
from .files import app_root, parsed_modules


@dataclass(frozen=True)
class DashApp:
    """Where a Dash app is made, and the folder it serves as its assets."""

    module_file: Path
    variable: str  # ``app`` for ``app = Dash(__name__)``
    assets_dir: Path  # absolute, whether or not it exists
    url_path: str  # the URL Dash's assets route answers: ``/assets/``, ``/dash/assets/``
    line: int = 0  # the last line of the statement making it
    text: str = ""  # that statement on one line, as ``where`` shows it
    function: str | None = None  # ``create_app`` for one made inside ``def create_app()``
    entry: str | None = None  # how ``--app`` reaches it: ``app``, ``create_app()``, or none
    home: str = "/"  # its pages' prefix (``routes_pathname_prefix``): ``/dash/``


def _literal(call: ast.Call, name: str, default: str) -> str:
    """The string literal given to ``call`` as keyword ``name``, else ``default``."""
    for kw in call.keywords:
        value = kw.value
        if kw.arg == name and isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    return default


def _import_name(call: ast.Call) -> str:
    """The import name Dash gets (first argument or ``name=``), as ``app_root`` reads it."""
    arg = (
        call.args[0]
        if call.args
        else next((k.value for k in call.keywords if k.arg == "name"), None)
    )
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return repr(arg.value)
    return "__name__"  # ``__name__``, or an expression: Dash's default is the caller's module


def _url_path(call: ast.Call) -> str:
    """The URL Dash serves its assets folder at: ``routes_pathname_prefix`` (or
    ``url_base_pathname``, which sets it) and ``assets_url_path``, as Dash's ``init_app``
    registers it (``Dash(server=flask_app, url_base_pathname="/dash/")``: ``/dash/assets/``).
    ``requests_pathname_prefix`` is the browser's side of a proxy: the server never sees it."""
    parts = (_home(call).strip("/"), _literal(call, "assets_url_path", "assets").strip("/"))
    return "/" + "".join(f"{p}/" for p in parts if p)


def _home(call: ast.Call) -> str:
    """The prefix Dash serves its pages at (``routes_pathname_prefix``, ``url_base_pathname``)."""
    return _literal(call, "routes_pathname_prefix", _literal(call, "url_base_pathname", "/"))


def _shown(source: str, stmt: ast.stmt) -> str:
    """``stmt`` on one line as written (``app = Dash(__name__, use_pages=True, ...)``), up to
    60 characters: the line number alone is easy to miscount in a long call."""
    text = " ".join((ast.get_source_segment(source, stmt) or "").split())
    text = re.sub(r",?\s*\)", ")", re.sub(r"\(\s+", "(", text))
    return text if len(text) <= 60 else text[:57] + "..."


def _made(body: list[ast.stmt]) -> Iterator[tuple[ast.Assign, ast.Call, str]]:
    """The statements of ``body`` assigning ``NAME = Dash(...)``, with the call and NAME."""
    for stmt in body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and called_name(stmt.value.func) == "Dash"
            and isinstance(stmt.targets[0], ast.Name)
        ):
            yield stmt, stmt.value, stmt.targets[0].id


def _entry(tree: ast.Module, fn: ast.FunctionDef | ast.AsyncFunctionDef, var: str) -> str | None:
    """How ``--app`` reaches a Dash app made in ``fn``: the module-level name assigned
    ``fn(...)`` (``app = create_app()``, ``dash_app = init_dashboard(server)``), else
    ``fn()`` when it returns ``var`` and needs no argument, else ``None``."""
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and called_name(stmt.value.func) == fn.name
            and isinstance(stmt.targets[0], ast.Name)
        ):
            return stmt.targets[0].id
    args = fn.args
    returns = any(
        isinstance(n, ast.Return) and isinstance(n.value, ast.Name) and n.value.id == var
        for n in ast.walk(fn)
    )
    needs = len(args.posonlyargs) + len(args.args) > len(args.defaults) or any(
        d is None for d in args.kw_defaults
    )
    return f"{fn.name}()" if returns and not needs else None


def find_dash(root: Path) -> DashApp | None:
    """The shallowest module under ``root`` assigning ``NAME = Dash(...)`` at its top level or
    in a function's body (``def create_app(): app = Dash(__name__, ...)``; a Flask app's
    ``def init_dashboard(server): dash_app = Dash(server=server, url_base_pathname="/dash/")``),
    one at the top level first."""
    found: list[tuple[int, int, str, DashApp]] = []
    for path, text, tree in parsed_modules(root, "Dash("):
        scopes: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, list[ast.stmt]]] = [
            (None, tree.body)
        ]
        scopes += [
            (fn, fn.body)
            for fn in ast.walk(tree)
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        for fn, body in scopes:
            made = next(_made(body), None)
            if made is None:
                continue
            stmt, call, var = made
            folder = app_root(path, _import_name(call))
            assets = _literal(call, "assets_folder", "assets")
            dash = DashApp(
                path,
                var,
                (folder / assets).resolve(),
                _url_path(call),
                stmt.end_lineno or stmt.lineno,
                _shown(text, stmt),
                None if fn is None else fn.name,
                var if fn is None else _entry(tree, fn, var),
                _home(call),
            )
            found.append((len(path.parts), fn is not None, str(path), dash))
            break
    found.sort(key=lambda f: f[:3])
    return found[0][3] if found else None


def dash_where(dash: DashApp) -> str:
    """Where in its module the two lines go, in words: after the statement making the app,
    inside its function when it is made in one, before the layout (``app.get_asset_url``
    there is then the built file's)."""
    inside = f"inside {dash.function}(), " if dash.function else ""
    return f"{inside}after line {dash.line} ({dash.text}), before the layout"


#: ``render``'s comment on ``source:`` for a Dash app (a Flask app's names ``url_for``)
SOURCE_COMMENT = [
    "# Dash's assets folder, served at its assets_url_path: manifest keys are paths relative",
    "# to it, exactly the `path` of app.get_asset_url(path).",
]
#: ``render``'s comment on ``templates:`` for a Dash app
TEMPLATES_COMMENT = [
    "# Dash writes its pages itself (index_string, no template): nothing is rewritten.",
    "# AssetPipe(app), given the Dash app, links the files Dash links (every script and",
    "# stylesheet of the assets folder, the favicon) and app.get_asset_url() by the built files.",
]


def dash_note(public_path: str, var: str = "app") -> str:
    """``init``'s last words for a Dash app: what the two lines do with the files Dash links,
    and what stays Dash's; ``var`` names the Dash app as the two lines do."""
    return (
        f"\nnote: a Dash app: Dash links every script and stylesheet of its assets folder"
        f" ({public_path}...) and its favicon itself; they are copied with hashed names, not"
        f" bundled, and AssetPipe({var}), given the Dash app (not {var}.server), links them by"
        f" those names, served immutable and compressed, as is every URL {var}.get_asset_url() or"
        " dash.get_asset_url() makes, and those page modules put in their layouts when Dash"
        " imported them (one kept elsewhere, in a variable a callback returns or in a style's"
        " url(...), stays unhashed, revalidated on each visit). Dash's own bundles"
        " (/_dash-component-suites/...) stay as Dash serves them, now compressed"
        ' (docs/adopting.md, "A Plotly Dash app").'
    )
