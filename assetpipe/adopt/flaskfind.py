"""Finding a project's Flask (or Quart) app by reading its Python files: the module that
creates it, how (a module-level ``app``, a factory, a subclass), and its static and
templates folders. Nothing is imported or run."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from .constants import kwarg, setting_folder_name
from .dashapp import DashApp
from .factories import module_factory
from .files import app_root, python_texts, shallowest
from .ownstatic import own_static_route
from .subclass import SUBCLASS, own_init

#: ``Flask(__name__)``, ``Flask("pkg")``, ``Flask(import_name=Settings.APP_NAME)`` (flaskBlog)
#: the app's creation, its arguments two calls deep (SecureDrop's
#: ``template_folder=str(config.JOURNALIST_TEMPLATES_DIR.absolute())``: cut at its first ``)``,
#: the ``static_folder`` after it went unseen and init made the app an empty folder of its own)
_FLASK = r"""(?<!class )\b(?:flask\.|quart\.)?(?:{names})\(\s*(?:import_name\s*=\s*)?(__name__|["'][\w.]+["']|[A-Za-z_][\w.]*(?=\s*[,)]))(?P<args>(?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)"""
# a subclass of Flask (CTFd's ``class CTFdFlask(Flask)``): its calls create the app too; Quart
# (Flask's API over ASGI, served by the same two lines) is found as Flask is
_GLOBAL_APP = r"^(\w+)\s*=\s*(?:flask\.|quart\.)?(?:{names})\("
#: a call made as Flask's is: ``__name__`` first, then one of its folder keywords (``_flask_like``)
_FLASK_LIKE = re.compile(
    r"\b([A-Z]\w*)\(\s*__name__\s*,[^()]*?\b(?:static_folder|template_folder|static_url_path)\s*="
)
#: what wires an app up (blueprints, routes, extensions): of modules at one depth that each make
#: an app, the one with most is the project's (SimpleLogin's ``simplelogin_app.py``, beside a
#: maintenance-mode app and a light one for scripts, each ``Flask(__name__)`` over the same folders)
_WIRING = re.compile(r"\.(?:register_blueprint|route|add_url_rule|init_app)\(")


@dataclass
class FlaskApp:
    """Where the Flask app is created."""

    module_file: Path
    factory: str | None  # ``create_app`` for an app factory
    variable: str | None  # ``app`` for ``app = Flask(__name__)``
    static_dir: Path
    templates_dir: Path
    static_url_path: str
    static_known: bool = True  # ``static_folder`` not a variable: ``static_dir`` is served
    # a factory that needs arguments (``def create_app(config)``): the module and variable that
    # call it at import time (``app = create_app(...)`` in run.py), when one does
    entry: tuple[Path, str] | None = None
    factory_needs_args: bool = False
    subclass: str | None = None  # a Flask subclass naming itself in __init__ (``subclass``)
    dash: DashApp | None = None  # a Dash app: ``static_dir`` is its assets folder, no templates


def find_app(root: Path) -> tuple[FlaskApp | None, list[Path]]:
    """The Flask app of the project (the shallowest module creating one), and the others."""
    found: list[tuple[int, int, FlaskApp]] = []
    texts = list(python_texts(root))
    subclasses = {c for _, t in texts for c in SUBCLASS.findall(t)} | _flask_like(texts)
    classes = ("Flask", "Quart", *sorted(subclasses))
    # a subclass that names the app in its own __init__ is found there (``own_init``): a call
    # making one (knowledge-repo's ``app.KnowledgeFlask(self, ...)`` in ``repository.py``)
    # passes no import name, and its folder is not the app's
    self_named = {sub[0] for _, t in texts if (sub := own_init(t)) is not None}
    creates, assigns = (
        re.compile(_FLASK.format(names="|".join(c for c in classes if c not in self_named))),
        re.compile(_GLOBAL_APP.format(names="|".join(classes)), re.M),
    )
    for path, text in texts:
        made = code_match(creates, text)
        sub = None if made else own_init(text)  # MoinMoin's MoinApp(Flask)
        m = sub[1] if sub else made
        if m is None:
            continue
        args = m.group("args")
        folder = app_root(path, m.group(1), kwarg(args, "root_path", text, texts))

        def kw(name: str, default: str, args: str = args, text: str = text) -> str:
            value = kwarg(args, name, text, texts)  # a literal or a constant's string
            return default if value is None else value

        var = code_match(assigns, text)
        factory = module_factory(text, classes, module_app=var is not None)
        url = kw("static_url_path", "/" + Path(kw("static_folder", "static")).name)
        # a view of the app's own serving its static folder under another URL (MLflow's
        # ``/static-files/<path:path>``): the URL its pages fetch the files from
        url = own_static_route(text) or url
        app = FlaskApp(
            module_file=path,
            factory=factory[0] if factory else None,
            variable=var.group(1) if var and not factory else None,
            static_dir=(folder / kw("static_folder", "static")).resolve(),
            templates_dir=_templates_dir(root, folder, kw("template_folder", ""), args),
            static_url_path=url.rstrip("/") + "/",
            static_known=re.search(r"\bstatic_folder\s*=", args) is None
            or kwarg(args, "static_folder", text, texts) is not None,
            subclass=sub[0] if sub else None,
            factory_needs_args=factory is not None and factory[1],
        )
        depth = len(path.relative_to(root).parts)
        found.append((depth - (10 if has_folders(app) else 0), -len(_WIRING.findall(text)), app))
    if not found:
        return None, []
    found.sort(key=lambda f: (f[0], f[1], str(f[2].module_file)))
    app = found[0][2]
    if app.factory and app.factory_needs_args:
        app.entry = _entry(root, app.factory)
    return app, [a.module_file for _, _, a in found[1:]]


def _flask_like(texts: list[tuple[Path, str]]) -> set[str]:
    """Classes a module imports and makes as Flask is made: ``__name__`` first, then a folder
    keyword (Canonical's sites, ubuntu.com, snapcraft.io: ``app = FlaskBase(__name__,
    "ubuntu.com", template_folder="../templates", static_folder="../static")``, a Flask subclass
    from the installed ``canonicalwebteam.flask_base``: ``init`` said "No Flask app found")."""
    out: set[str] = set()
    for _, text in texts:
        for name in _FLASK_LIKE.findall(text):
            if name not in ("Blueprint", "Flask", "Quart") and re.search(
                rf"^\s*from\s+[\w.]+\s+import\s+[^\n]*\b{name}\b", text, re.M
            ):
                out.add(name)
    return out


def code_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of ``pattern`` in a module's ``text`` that is code, not inside a string:
    a docstring's example (``>>> app = Flask(__name__)`` in the copy of flask-restx that Bazarr
    vendors in ``libs/``) was taken for the project's app, and ``init`` put the two lines in a
    docstring of a library."""
    spans: list[tuple[int, int]] | None = None
    for m in pattern.finditer(text):
        if spans is None:
            spans = _string_spans(text)
        if not any(a <= m.start() < b for a, b in spans):
            return m
    return None


def _string_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the string literals of a module's ``text`` (none when it
    does not tokenize: every match counts, as before)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans: list[tuple[int, int]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING:
                (r0, c0), (r1, c1) = tok.start, tok.end
                spans.append((starts[r0 - 1] + c0, starts[r1 - 1] + c1))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return spans


def _templates_dir(root: Path, folder: Path, named: str, args: str) -> Path:
    """The app's templates folder: ``template_folder`` as written (``named``), else the
    folder of the project a run-time setting's name spells (``setting_folder_name``), else
    Flask's default, ``templates`` beside the app."""
    if not named and (guess := setting_folder_name(args, "template_folder")) is not None:
        found = shallowest(root, guess)
        if found is not None:
            return found.resolve()
    return (folder / (named or "templates")).resolve()


def has_folders(app: FlaskApp) -> bool:
    """Whether the Flask app has its static or templates folder."""
    return app.static_dir.is_dir() or app.templates_dir.is_dir()


def _entry(root: Path, factory: str) -> tuple[Path, str] | None:
    """The shallowest module assigning ``NAME = [pkg.]factory(...)`` at its top level."""
    call = re.compile(rf"^(\w+)\s*=\s*(?:[\w.]+\.)?{factory}\(", re.M)
    best: tuple[Path, str] | None = None
    for path, text in python_texts(root):
        m = call.search(text)
        if m and (best is None or len(path.parts) < len(best[0].parts)):
            best = (path, m.group(1))
    return best
