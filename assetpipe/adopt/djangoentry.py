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
from pathlib import Path

from .files import parsed_modules

WSGI_IMPORT = "from assetpipe.serve import AssetMiddleware, CompressMiddleware"
ASGI_IMPORT = "from assetpipe.serve import asgi as assetpipe_asgi"


def entry_module(root: Path, function: str) -> tuple[Path, int, str] | None:
    """The shallowest module under ``root`` (then the first by path) that assigns ``NAME =
    function()`` (``get_wsgi_application``, ``get_asgi_application``; called by its name or as
    an attribute): its path, the assignment's last line and ``NAME``."""
    best: tuple[int, str, Path, int, str] | None = None
    for path, _text, tree in parsed_modules(root, function):
        depth = len(path.relative_to(root).parts)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _assigns_call(node, function):
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
    if not isinstance(call, ast.Call):
        return False
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    return name == function


def wrap_lines(
    name: str, dist: str, public_path: str, imports_path: bool, asgi: bool = False
) -> list[str]:
    """The lines that wrap the entry module's ``name`` in the two serving layers (their ASGI
    twins with ``asgi``), the build at ``dist`` (an expression in that module), ``from pathlib
    import Path`` first unless the module has it (``imports_path``)."""
    layer = "assetpipe_asgi." if asgi else ""
    return [
        *([] if imports_path else ["    from pathlib import Path", ""]),
        f"    {ASGI_IMPORT if asgi else WSGI_IMPORT}",
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
    imports_path: bool,
    lead: str = "and, for",
) -> list[str]:
    """The lines ``init`` prints for the ASGI module ``asgi`` (its path, line and name):
    ``dist`` is the build folder as an expression in that module; ``lead`` opens the step
    (``"For"`` when it comes first, after an adoption)."""
    path, line, name = asgi
    shown = os.path.relpath(path, root)
    return [
        "",
        f"{lead} an ASGI server (uvicorn, daphne, gunicorn's uvicorn worker), these lines in"
        f" {shown}, after line {line}:",
        "",
        *wrap_lines(name, dist, public_path, imports_path, asgi=True),
    ]
