"""Why ``init`` found nothing to adopt: a Trac environment, or no app at all.

A Trac environment (``trac-admin ENV initenv``: a ``VERSION`` file saying ``Trac Environment
Version 1``, ``conf/trac.ini``, ``htdocs/``, ``templates/``) has no ``static/`` folder and no
Flask app, so ``init`` said "no Flask app with a static folder" and told a Trac user to look for
``Flask(__name__)``. Trac serves its files and the environment's ``htdocs/`` at ``/chrome/``
(``trac-admin ENV deploy DIR`` copies both into ``DIR/htdocs``) and renders an environment's
``site_*.html`` templates with its own Jinja syntax: ``no_app`` names the environment and the
steps of docs/adopting.md's "A Trac environment".
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from .djangopages import no_static_folder
from .otherwsgi import wsgi_app_error, wsgi_function

#: the first line of a Trac environment's ``VERSION`` file
_TRAC_VERSION = "Trac Environment Version"


def trac_environment(root: Path) -> Path | None:
    """The least deep Trac environment at or under ``root`` (two levels down at most; every
    folder but dot folders: an environment is often called ``env``, a name ``init``'s other
    walks skip as a virtualenv's)."""
    for dirpath, dirnames, files in os.walk(root):
        here = Path(dirpath)
        depth = len(here.relative_to(root).parts)
        dirnames[:] = sorted(
            d for d in dirnames if depth < 2 and not d.startswith(".") and d != "node_modules"
        )
        if "VERSION" in files and (here / "conf" / "trac.ini").is_file():
            try:
                head = (here / "VERSION").read_text(encoding="utf-8", errors="replace")[:100]
            except OSError:
                continue
            if head.startswith(_TRAC_VERSION):
                return here
    return None


def no_app(root: Path) -> UsageError:
    """The error of an ``init`` that found neither an app nor a ``static/`` folder: a Django
    project's (``djangopages.no_static_folder``), a Trac environment's, a WSGI function's of no
    framework ``init`` reads (``otherwsgi``), or no app's."""
    if (django := no_static_folder(root)) is not None:
        return django
    env = trac_environment(root)
    if env is None and (wsgi := wsgi_function(root)) is not None:
        return wsgi_app_error(root, wsgi)
    if env is None:
        return UsageError(
            f"no Flask app with a static folder found under {root}",
            hint="run `assetpipe init` in the folder that holds your app (the package or "
            "app.py that calls Flask(__name__), with static/ beside it)",
        )
    shown = os.path.relpath(env)
    return UsageError(
        f"{shown} is a Trac environment: init finds no app or static/ folder to read there",
        hint=f"Trac serves its files at /chrome/: run `trac-admin {shown} deploy deploy` (it "
        "copies Trac's and the environment's files into deploy/htdocs), move the environment's "
        "site_*.html templates to a folder of their own, and write pipeline.yaml as "
        'docs/adopting.md ("A Trac environment") shows: source: deploy/htdocs, public_path: '
        "/chrome/, templates.static_functions: [href.chrome] and Trac's templates.syntax",
    )
