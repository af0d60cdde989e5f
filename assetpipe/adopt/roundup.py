"""A Roundup tracker's folders, read from its ``config.ini``.

``roundup-admin install`` writes a tracker: ``config.ini``, ``schema.py``, its templates in
``html/`` (``[main] templates``) and its static files in ``static/`` (``[main] static_files``,
a space-separated list, searched before the templates folder). Roundup serves them all at
``@@file/`` under the tracker's URL, and its templates name them relative to the page
(``href="@@file/style.css"``). ``init`` looked for a ``templates/`` folder: it found no template,
wrote ``public_path: /static/`` and listed the files as copied, named by nothing. Now the
templates and static folders are the config's, the public path ``/@@file/``, and a file of a
later folder (the jinja2 template's ``html/datecopy.min.js``) is the app's, left as written
(``templates.app_routes``), as Roundup serves it.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

from .asgiapp import AsgiFolders

#: the URL Roundup serves a tracker's static files at, under the tracker's own
PUBLIC_PATH = "/@@file/"


def tracker_config(root: Path) -> Path | None:
    """The least deep Roundup tracker's ``config.ini`` at or under ``root`` (two levels down):
    one beside a ``schema.py`` with a ``[main]`` section."""
    for dirpath, dirnames, files in os.walk(root):
        here = Path(dirpath)
        depth = len(here.relative_to(root).parts)
        dirnames[:] = sorted(d for d in dirnames if depth < 2 and not d.startswith((".", "_")))
        if "config.ini" in files and "schema.py" in files:
            try:
                parser = _read(here / "config.ini")
            except (configparser.Error, UnicodeDecodeError):
                continue
            if parser.has_section("main"):
                return here / "config.ini"
    return None


def _read(config: Path) -> configparser.RawConfigParser:
    """A tracker's ``config.ini``, read as Roundup reads it (no interpolation)."""
    parser = configparser.RawConfigParser(interpolation=None)
    parser.read(config, encoding="utf-8")
    return parser


def roundup_folders(root: Path) -> AsgiFolders | None:
    """The tracker's first static folder (the templates folder when ``static_files`` names
    none), its public path and templates folder; its other static folders and the templates
    folder, searched after, are ``more_static``. ``None`` without a tracker."""
    config = tracker_config(root)
    if config is None:
        return None
    parser = _read(config)
    home = config.parent
    templates = (home / parser.get("main", "templates", fallback="html").strip()).resolve()
    listed = parser.get("main", "static_files", fallback="").split()
    found = [(home / d).resolve() for d in listed if d != "-" and (home / d).is_dir()]
    if not templates.is_dir() and not found:
        return None
    # searched after the first: the other static folders, then the templates (not after '-')
    later = found[1:] + ([templates] if found and "-" not in listed else [])
    return AsgiFolders(
        static_dir=found[0] if found else templates,
        public_path=PUBLIC_PATH,
        templates_dir=templates if templates.is_dir() else None,
        more_static=tuple(("", d) for d in later),
    )


def tracker_steps(config: Path, output: Path) -> list[str]:
    """What ``init`` prints for the tracker of ``config`` in place of the two lines: the
    middleware around Roundup's WSGI handler (``output``: the build's folder, absolute), and the
    ``config.ini`` settings that render the build's templates and keep the templates folder's
    own files (``datecopy.min.js``) served."""
    parser = _read(config)
    home = config.parent
    templates = parser.get("main", "templates", fallback="html").strip()
    statics = parser.get("main", "static_files", fallback="").split()
    rel = os.path.relpath(output / "templates", home)
    keep = " ".join([*[s for s in statics if s != "-"], templates])
    return [
        "serve the build in front of Roundup's WSGI handler (your .wsgi file):",
        "    from assetpipe.serve import AssetMiddleware, CompressMiddleware",
        "    application = CompressMiddleware(AssetMiddleware(RequestDispatcher(TRACKER_HOME),",
        f'        output="{output}", public_path="{PUBLIC_PATH}", fallback=True,',
        '        unhashed_cache_control=""))',
        f"and in {config.name}'s [main] section, so Roundup renders the rewritten templates and",
        f"still finds the files of {templates}/ at @@file/:",
        f"    templates = {rel}",
        f"    static_files = {keep}",
    ]
