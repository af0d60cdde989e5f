"""A GNU MediaGoblin checkout: its static URL, read from ``mediagoblin.ini``, and its steps.

MediaGoblin (run from its git checkout: ``./lazyserver.sh`` or ``paster serve paste.ini``) is a
WSGI app of its own, not Flask. Its templates name every file through
``{{ request.staticdirect('/css/base.css') }}``, which joins the path to ``direct_remote_path``
(``[mediagoblin]`` in ``mediagoblin.ini``, ``/mgoblin_static/`` by default), and its app serves
``mediagoblin/static`` there (``SharedDataMiddleware``). With no literal URL in the templates,
``init`` wrote ``public_path: /static/``: the build's pages named ``/static/...`` only through
the function (right), but the printed middleware served the build at ``/static/``, where the
pages never look. Now the public path is ``direct_remote_path``, and ``init`` prints the two
steps MediaGoblin takes: ``local_templates`` (searched before its own templates) at the
build's, and a ``wsgi.py`` that serves the build in front of the app ``paste.ini`` makes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: ``direct_remote_path``'s default (``mediagoblin/config_spec.ini``)
DEFAULT_PATH = "/mgoblin_static/"
_SECTION = re.compile(r"^\[mediagoblin\][ \t]*$", re.M)
_NEXT = re.compile(r"^\[", re.M)
_SETTING = re.compile(r"^[ \t]*direct_remote_path[ \t]*=[ \t]*(\S+)[ \t]*$", re.M)


def mediagoblin_config(root: Path) -> Path | None:
    """``root``'s ``mediagoblin.ini`` (or ``mediagoblin_local.ini``, which MediaGoblin reads
    first) when it has a ``[mediagoblin]`` section: a MediaGoblin checkout."""
    for name in ("mediagoblin_local.ini", "mediagoblin.ini"):
        path = root / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if _SECTION.search(text):
            return path
    return None


def direct_remote_path(config: Path) -> str:
    """The ``[mediagoblin]`` section's ``direct_remote_path`` of ``config`` (a configobj file,
    which ``configparser`` cannot read: ``[[plugin]]`` subsections), else the default."""
    text = config.read_text(encoding="utf-8")
    head = _SECTION.search(text)
    if head is None:
        return DEFAULT_PATH
    body = text[head.end() :]
    end = _NEXT.search(body)
    found = _SETTING.search(body[: end.start()] if end else body)
    value = found.group(1).strip("\"'") if found else DEFAULT_PATH
    return value if value.endswith("/") else value + "/"


def mediagoblin_steps(config: Path, output: Path, public_path: str) -> list[str]:
    """What ``init`` prints for the MediaGoblin checkout of ``config``: ``local_templates`` at
    the build's templates, and the ``wsgi.py`` to run in place of ``paster serve paste.ini``.
    ``output``: the build's folder (absolute)."""
    out = os.path.relpath(output, config.parent).replace(os.sep, "/")
    return [
        f"in {config.name}'s [mediagoblin] section, so MediaGoblin renders the rewritten",
        "templates (searched before its own):",
        f"    local_templates = {output / 'templates'}",
        "and write wsgi.py beside paste.ini (the app paste.ini makes, the build served in front",
        "of it; a file the build lacks goes on to MediaGoblin as before):",
        "",
        "    from pathlib import Path",
        "",
        "    from paste.deploy import loadapp",
        "",
        "    from assetpipe.serve import AssetMiddleware, CompressMiddleware",
        "",
        "    HERE = Path(__file__).resolve().parent",
        "    application = CompressMiddleware(",
        "        AssetMiddleware(",
        "            loadapp(f\"config:{HERE / 'paste.ini'}\"),",
        f'            output=HERE / "{out}", public_path="{public_path}", fallback=True,',
        '            unhashed_cache_control="public, max-age=43200",',
        "        )",
        "    )",
        "",
        "and run it in place of ./lazyserver.sh or `paster serve paste.ini`:",
        "    gunicorn -b 127.0.0.1:6543 wsgi:application",
    ]
