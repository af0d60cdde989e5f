"""A Django project's entry modules: the WSGI module (``NAME = get_wsgi_application()``) and
the ASGI one (``NAME = get_asgi_application()``), and the ASGI lines ``init`` prints.

``init`` named only the WSGI module: a project served over ASGI (``uvicorn mysite.asgi:
application``, gunicorn's uvicorn worker, daphne) never ran the middleware, and every file the
rewritten templates name by its hashed URL was a 404 there (``collectstatic`` copies none of
them: ``BuildFinder`` lists nothing). The ASGI module gets the ASGI twins of the same layers,
with the same options. In a Channels project (``django_asgi_app = get_asgi_application()``,
then a ``ProtocolTypeRouter`` whose ``"http"`` is it) the name wrapped is that one, right after
its line, so the router serves the build. Only an ASGI module beside the WSGI one is taken:
BookWyrm's ``celerywyrm/asgi.py`` belongs to the project its Celery workers run, not to the
site ``bookwyrm/wsgi.py`` serves.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from .files import parsed_modules
from .importspot import import_spot_before, import_step

WSGI_IMPORT = "from assetpipe.serve import AssetMiddleware, CompressMiddleware"
ASGI_IMPORT = "from assetpipe.serve import asgi as assetpipe_asgi"


def entry_module(root: Path, function: str) -> tuple[Path, int, str] | None:
    """The shallowest module under ``root`` (then the first by path) that assigns ``NAME =
    function()`` (``get_wsgi_application``, ``get_asgi_application``; called by its name or as
    an attribute): its path, the assignment's last line and ``NAME``. In a module whose
    top-level ``NAME = router({"http": function()})`` serves a fresh app of its own
    (paperless-ngx's ``ProtocolTypeRouter``, beside an unused ``django_asgi_app =
    get_asgi_application()``), that ``NAME``: the one assigned the bare call was wrapped, and
    under an ASGI server no hashed file answered."""
    best: tuple[int, str, Path, int, str] | None = None
    for path, _text, tree in parsed_modules(root, function):
        depth = len(path.relative_to(root).parts)
        served = [n for n in tree.body if isinstance(n, ast.Assign) and _holds_call(n, function)]
        for node in served or ast.walk(tree):
            if isinstance(node, ast.Assign) and (served or _assigns_call(node, function)):
                target = node.targets[0]
                assert isinstance(target, ast.Name)
                cand = (depth, str(path), path, node.end_lineno or node.lineno, target.id)
                best = min(best, cand) if best else cand
    return best[2:] if best else None


def _assigns_call(node: ast.Assign, function: str) -> bool:
    """``NAME = function()`` (or ``module.function()``)."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return False
    call = node.value
    return isinstance(call, ast.Call) and _called(call) == function


def _holds_call(node: ast.Assign, function: str) -> bool:
    """``NAME = f(..., function(), ...)``: a call that is not ``function``'s holding one."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return False
    if not isinstance(node.value, ast.Call) or _called(node.value) == function:
        return False
    inner = (n for n in ast.walk(node.value) if n is not node.value and isinstance(n, ast.Call))
    return any(_called(n) == function for n in inner)


def _called(call: ast.Call) -> str:
    """The name of the function ``call`` calls (``f()``, ``module.f()``)."""
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def imports_path(text: str) -> bool:
    """Whether a module's text has ``from pathlib import Path`` (cookiecutter-django's WSGI
    module and settings do: ``init`` asked for it again, a duplicate import)."""
    return re.search(r"^from pathlib import (.*\b)?Path\b", text, re.M) is not None


def entry_lines(
    shown: str,
    text: str,
    entry: tuple[int, str],
    dist: str,
    public_path: str,
    asgi: bool = False,
) -> list[str]:
    """What goes in the entry module ``shown`` (its ``text``), whose ``entry`` is (line,
    name) of ``NAME = get_wsgi_application()`` (``get_asgi_application`` with ``asgi``): the
    lines wrapping ``NAME`` in the two serving layers (their ASGI twins with ``asgi``; the
    build at ``dist``, an expression in that module), then the step for their imports, with
    the module's own imports (``importspot``: a linter's E402 otherwise); ``from pathlib
    import Path`` among them unless the module has it. Where the module's imports do not end
    before its entry line, the imports open the same block."""
    line, name = entry
    imports = [
        *([] if imports_path(text) else ["    from pathlib import Path"]),
        f"    {ASGI_IMPORT if asgi else WSGI_IMPORT}",
    ]
    wrap = wrap_lines(name, dist, public_path, asgi)
    spot = import_spot_before(text, line)
    if spot is None:
        return [*imports, "", *wrap]
    return [*wrap, *import_step(shown, imports, spot)]


def wrap_lines(name: str, dist: str, public_path: str, asgi: bool = False) -> list[str]:
    """The lines wrapping ``NAME`` in the two serving layers (their ASGI twins with
    ``asgi``), the build at ``dist`` (an expression), indented for ``init``'s output."""
    layer = "assetpipe_asgi." if asgi else ""
    return [
        f"    {name} = {layer}CompressMiddleware({layer}AssetMiddleware(",
        f"        {name},",
        f"        output={dist},",
        f'        public_path="{public_path}",',
        "        fallback=True,  # a file the build lacks (an installed app's): Django's",
        '        unhashed_cache_control="",  # unhashed URLs cached as Django\'s view had them',
        "    ))",
    ]


def asgi_step(
    root: Path,
    asgi: tuple[Path, int, str],
    dist: str,
    public_path: str,
    text: str,
    lead: str = "and, for",
) -> list[str]:
    """The lines ``init`` prints for the ASGI module ``asgi`` (its path, line and name; its
    ``text``): ``dist`` is the build folder as an expression in that module; ``lead`` opens
    the step (``"For"`` when it comes first, after an adoption)."""
    path, line, name = asgi
    shown = os.path.relpath(path, root)
    return [
        "",
        f"{lead} an ASGI server (uvicorn, daphne, gunicorn's uvicorn worker), these lines in"
        f" {shown}, after line {line}:",
        "",
        *entry_lines(shown, text, (line, name), dist, public_path, asgi=True),
    ]
