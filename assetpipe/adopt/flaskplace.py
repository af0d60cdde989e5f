"""Where in a Flask app's module ``init``'s two lines go, read from its syntax tree: after the
statement making the app, or the last one configuring it; inside the factory before its
``return app``; at the end of a ``Flask`` subclass's ``__init__``; after a Dash app's making."""

from __future__ import annotations

import ast

from .asgiapp import called_name
from .dashapp import dash_where
from .factories import factory_app
from .flaskfind import FlaskApp
from .subclass import init_end


def placement(app: FlaskApp, source: str, tree: ast.Module | None) -> str:
    """Where in ``app``'s module (``source``, parsed as ``tree``) ``AssetPipe(app)`` goes, in
    words (its import goes with the module's imports: ``importspot``)."""
    end = init_end(tree, app.subclass) if app.subclass else None
    if end is not None:
        return (
            f"at the end of {app.subclass}.__init__(), after line {end} (once"
            f" the class has configured itself: every app it makes is adopted)"
        )
    if app.factory:
        others = [] if tree is None else other_factories(tree, app.factory)
        also = "".join(
            f", and inside {n}(){before_return(tree, n)}, which creates an app too" for n in others
        )
        return f"inside {app.factory}(){before_return(tree, app.factory)}{also}"
    var = app.variable or "app"
    if app.dash:  # its config is Dash's; app.get_asset_url(...) after the lines is hashed
        return dash_where(app.dash)
    stmt = None if tree is None else _last_config_stmt(tree.body, var)
    if stmt is not None:
        return f"{_after(stmt)}, once {var}.config is set"
    inner = None if tree is None else configured_in_function(tree, var)
    if inner is not None:
        name, last = inner
        if last is not None:
            return f"inside {name}(), {_after(last)}, once {var}.config is set"
        return f"inside {name}(), after {var} = Flask(__name__)"
    outer = None if tree is None else configured_as_global(tree, var)
    if outer is not None:
        name, last = outer
        return (
            f"inside {name}(), {_after(last)}, once {var} is configured"
            f" (and before it is handed to the server)"
        )
    return f"after {created(tree, source, var)}"


def created(tree: ast.Module | None, source: str, var: str) -> str:
    """The statement that creates the app, as ``where`` names it: ``app = Flask(__name__)``
    when it reads so; otherwise with its line, as written up to 60 characters (SearXNG's
    ``app = Flask(__name__, static_folder=None, template_folder=templates_path)``: "after
    app = Flask(__name__)" named a line the file does not have). ``tree``: ``source`` parsed."""
    plain = f"{var} = Flask(__name__)"
    for stmt in tree.body if tree is not None else ():
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and any(isinstance(t, ast.Name) and t.id == var for t in stmt.targets)
        ):
            text = " ".join((ast.get_source_segment(source, stmt) or "").split())
            if not text or text == plain:
                return plain
            shown = text if len(text) <= 60 else text[:57] + "..."
            return f"line {stmt.end_lineno} ({shown})"
    return plain


def before_return(tree: ast.Module | None, factory: str) -> str:
    """Where in ``factory`` the two lines go, in words: before its ``return app`` (the name
    ``factory_app`` finds), with the line (pgAdmin's ``create_app()`` is ~800 lines long: "once
    the app is configured" named no place in it), or before each when it has several;
    " once the app is configured" when it returns no such name."""
    fn = next(
        (
            f
            for f in (tree.body if tree is not None else ())
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == factory
        ),
        None,
    )
    if tree is None or fn is None:
        return " once the app is configured"
    name = factory_app(tree, factory)
    lines, todo = [], list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
            if node.value.id == name:
                lines.append(node.lineno)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            todo.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt))
    if not lines:
        return " once the app is configured"
    lines.sort()
    if len(lines) == 1:
        return f", before its `return {name}` (line {lines[0]})"
    return f", before each `return {name}` (lines {', '.join(map(str, lines))})"


def other_factories(tree: ast.Module, factory: str) -> list[str]:
    """The module's other top-level functions that create a Flask app (``Flask(...)`` in
    their body): privacyIDEA's ``create_docker_app()`` beside ``create_app()``, the one its
    container image runs. Named by ``where`` too, or that deployment serves no build."""
    out = []
    for fn in tree.body:
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.name == factory:
            continue
        if any(
            isinstance(node, ast.Call) and called_name(node.func).endswith("Flask")
            for node in ast.walk(fn)
        ):
            out.append(fn.name)
    return out


def configured_in_function(tree: ast.Module, var: str) -> tuple[str, ast.stmt | None] | None:
    """For an app created inside a function that is not a factory ``init`` knows by name
    (rq-dashboard's ``make_flask_app()``: ``app = Flask(__name__)``, then
    ``app.config.from_object(...)`` and, under an ``if``, ``app.config.from_envvar(...)``):
    the function's name and the last statement of its body that sets ``var.config``
    (``None``: none does; see ``_last_config_stmt``). ``None`` when no function assigns ``var`` a Flask
    call (``Flask(...)``, ``CTFdFlask(...)``: OctoPrint's ``_setup_tornado_app()`` has a local
    ``app = Application(...)``, Tornado's, and the two lines were said to go there)."""
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(s, ast.Assign)
            and isinstance(s.value, ast.Call)
            and called_name(s.value.func).endswith("Flask")
            and any(isinstance(t, ast.Name) and t.id == var for t in s.targets)
            for s in fn.body
        ):
            return fn.name, _last_config_stmt(fn.body, var)
    return None


def configured_as_global(tree: ast.Module, var: str) -> tuple[str, ast.stmt] | None:
    """For an app created at the module's top level and set up by a function that declares
    ``global var`` (OctoPrint's ``Server.run()``: ``self._setup_flask_app(app)``, then
    ``self._setup_i18n(app)``, which set its config, options and Jinja environment, and later
    hands ``app.wsgi_app`` to Tornado): that function's name and the last statement of its
    body that sets ``var.config`` or passes ``var`` to a call. ``None`` when no such function
    does either."""
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or not any(
            isinstance(s, ast.Global) and var in s.names for s in fn.body
        ):
            continue
        last = None
        for stmt in fn.body:
            if _touches_config(stmt, var) or _passes(stmt, var):
                last = stmt
        if last is not None:
            return fn.name, last
    return None


def _passes(stmt: ast.stmt, var: str) -> bool:
    """Whether ``stmt`` is a call statement with ``var`` among its arguments."""
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and any(isinstance(a, ast.Name) and a.id == var for a in stmt.value.args)
    )


def _last_config_stmt(body: list[ast.stmt], var: str) -> ast.stmt | None:
    """The last statement of ``body`` that sets ``var.config`` (``app.config.from_envvar(...)``,
    ``app.config["K"] = V``, ``app.config.update(...)``, also under an ``if``):
    ``AssetPipe(app)`` reads its ``ASSETPIPE_*`` settings when it is called."""
    last = None
    for stmt in body:
        if _touches_config(stmt, var):
            last = stmt
    return last


#: compound statements by their keyword, for ``_block_end``
_BLOCKS: dict[type[ast.stmt], str] = {
    ast.If: "if",
    ast.With: "with",
    ast.AsyncWith: "async with",
    ast.For: "for",
    ast.AsyncFor: "async for",
    ast.While: "while",
    ast.Try: "try",
    ast.Match: "match",
}


def _after(stmt: ast.stmt) -> str:
    """The words "after line N" for the statement the two lines follow, with ``_block_end``'s
    note when it is a block."""
    return f"after line {stmt.end_lineno}{_block_end(stmt)}"


def _block_end(stmt: ast.stmt) -> str:
    """When the line named ends a block (archivy sets ``app.config[...]`` last in an ``if``
    nested two levels deep, on line 73, 12 spaces in), say that the lines go after the whole
    block, unindented: pasted where an editor's Enter leaves the cursor, ``AssetPipe(app)`` ran
    only when that innermost ``if`` did."""
    kind = _BLOCKS.get(type(stmt))
    if kind is None or stmt.lineno == stmt.end_lineno:
        return ""
    # in a function, "not indented" would end the function there (Supysonic's `for` block)
    n, at = stmt.lineno, "not indented"
    if stmt.col_offset:
        at = f"{stmt.col_offset} spaces in, as line {n}"
    return f" (where the `{kind}` block of line {n} ends; {at}: after the whole block)"


def _touches_config(stmt: ast.stmt, var: str) -> bool:
    """Whether ``stmt`` (an ``if`` block's body included, a nested ``def`` or ``lambda`` not)
    calls a method of ``var.config`` or assigns into it."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False  # run later, if ever: not the configuration ``AssetPipe(app)`` reads
    todo: list[ast.AST] = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Call) and _sets_config(node.func, var) and not _reads(node.func):
            return True
        if isinstance(node, ast.Assign) and any(_sets_config(t, var) for t in node.targets):
            return True
        if isinstance(node, ast.AugAssign) and _sets_config(node.target, var):
            return True
        todo.extend(
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
            )
        )
    return False


#: mapping methods that only read: Supysonic's ``for k, v in app.config["MIMETYPES"].items()``
#: (then ``mimetypes.add_type`` under an ``if``) set nothing, yet was named as the last place
#: the config is set, and the lines pasted there never ran
_READ_METHODS = frozenset({"get", "items", "keys", "values", "copy", "get_namespace"})


def _reads(func: ast.expr) -> bool:
    """Whether the called ``func`` is a method of ``_READ_METHODS`` (``app.config.get``)."""
    return isinstance(func, ast.Attribute) and func.attr in _READ_METHODS


def _sets_config(expr: ast.expr, var: str) -> bool:
    """Whether ``expr`` is ``var.config`` followed by attributes or subscripts."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        if (
            isinstance(expr, ast.Attribute)
            and expr.attr == "config"
            and isinstance(expr.value, ast.Name)
            and expr.value.id == var
        ):
            return True
        expr = expr.value
    return False
