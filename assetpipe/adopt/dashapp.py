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
    url_path: str  # ``/assets/``


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


def find_dash(root: Path) -> DashApp | None:
    """The shallowest module under ``root`` assigning ``NAME = Dash(...)`` at its top level."""
    found: list[DashApp] = []
    for path, _text, tree in parsed_modules(root, "Dash("):
        for stmt in tree.body:
            if not (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.value, ast.Call)
                and called_name(stmt.value.func) == "Dash"
                and isinstance(stmt.targets[0], ast.Name)
            ):
                continue
            call = stmt.value
            folder = app_root(path, _import_name(call))
            assets = _literal(call, "assets_folder", "assets")
            url = _literal(call, "assets_url_path", "assets").strip("/")
            found.append(DashApp(path, stmt.targets[0].id, (folder / assets).resolve(), f"/{url}/"))
            break
    found.sort(key=lambda d: (len(d.module_file.parts), str(d.module_file)))
    return found[0] if found else None


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


def dash_note(public_path: str) -> str:
    """``init``'s last words for a Dash app: what the two lines do with the files Dash links,
    and what stays Dash's."""
    return (
        f"\nnote: a Dash app: Dash links every script and stylesheet of its assets folder"
        f" ({public_path}...) and its favicon itself; they are copied with hashed names, not"
        " bundled, and AssetPipe(app), given the Dash app (not app.server), links them by those"
        " names, served immutable and compressed, as is every URL app.get_asset_url() makes"
        " after the two lines (one made before them, or by dash.get_asset_url() in a page"
        " module, stays unhashed, revalidated on each visit). Dash's own bundles"
        " (/_dash-component-suites/...) stay as Dash serves them, now compressed"
        ' (docs/adopting.md, "A Plotly Dash app").'
    )
