"""An isso comment server: its config file, its installed package's files, and its WSGI module.

isso (``pip install isso``; ``isso -c isso.cfg run`` or gunicorn's ``isso.run``) is a Werkzeug
WSGI app of its own, not Flask, configured by an INI file (``[general] dbpath``, ``host``;
``[server] listen``). It serves the files of its installed package itself (``SharedDataMiddleware``
at ``/js/``, ``/css/``, ``/img/``: uncompressed, ``max-age=43200``), and the site's pages name its
script by URL (``<script src="https://comments.example.com/js/embed.min.js">``), which loads
``/css/isso.css`` by a URL built in JavaScript; its admin page is rendered from the package's
own templates folder, fixed in its code. A folder holding ``isso.cfg`` has no app and no
``static/`` folder, and ``init`` said "no Flask app with a static folder found".

None of these files can be renamed (other sites' pages and isso's script name them), and no
template of isso's can be replaced, so nothing is hashed: the build copies the files isso's
pages load from the installed package, precompressed (brotli 11: ``embed.min.js`` 67 KB →
17 KB), and the middleware answers their own URLs (a manifest key is served at its source path)
with isso's ``Cache-Control``; every other path goes on to isso. With ``source`` set to the
package, a file an upgrade of isso changed after the build goes on to isso until the next build.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
from pathlib import Path

from ..errors import UsageError

#: what isso's ``SharedDataMiddleware`` sends with its files (werkzeug's default: 12 hours)
CACHE_CONTROL = "public, max-age=43200"
#: the files isso's pages load (the embed and count scripts a site names, the admin page's), as
#: globs of the package's folder: ``js/`` also holds the sources, tests and webpack's config
FILES = ("js/embed.min.js", "js/count.min.js", "js/admin.js", "css/*.css", "img/*")
_ENDINGS = (".cfg", ".conf", ".ini")


def isso_config(root: Path) -> Path | None:
    """The least deep isso config at or under ``root`` (two levels down): an INI file
    (``.cfg``, ``.conf``, ``.ini``) whose ``[general]`` section sets ``dbpath`` or ``host``."""
    for dirpath, dirnames, files in os.walk(root):
        here = Path(dirpath)
        depth = len(here.relative_to(root).parts)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if depth < 2 and not d.startswith((".", "_")) and d != "node_modules"
        )
        for name in sorted(f for f in files if f.endswith(_ENDINGS)):
            parser = configparser.RawConfigParser(interpolation=None)
            try:
                parser.read(here / name, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError, OSError):
                continue
            if parser.has_option("general", "dbpath") or parser.has_option("general", "host"):
                return here / name
    return None


def isso_package() -> Path:
    """The installed isso package's folder, found without importing it; a ``UsageError`` when
    this Python has no isso (assetpipe installed in another virtualenv)."""
    spec = importlib.util.find_spec("isso")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(
            "isso is not installed in this Python: init copies the files of the installed package",
            hint="install assetpipe in the virtualenv isso runs from, and run `assetpipe init` "
            "with it",
        )
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def isso_yaml(package: Path, config: Path) -> str:
    """The pipeline.yaml of an isso server whose config is ``config`` and whose installed
    package is ``package`` (see the module docstring)."""
    files = ", ".join(FILES)
    return "\n".join(
        [
            f"# assetpipe for the isso comment server of {config.name}, written by `assetpipe"
            " init`.",
            "# isso serves its installed package's files at /js/, /css/, /img/; your site's pages",
            "# name /js/embed.min.js, which loads /css/isso.css itself, so no file is renamed: the",
            "# build copies those isso's pages load, precompressed, and the middleware of wsgi.py",
            "# answers their own URLs (with isso's Cache-Control). Run `assetpipe build` again",
            "# when isso is upgraded (until then a file it changed is isso's, as before), and",
            "# `assetpipe init --force` when it moves to another virtualenv.",
            f"source: {package}",
            'public_path: "/"',
            "",
            "# isso renders its admin page from its package's own templates: none to rewrite.",
            "templates:",
            "  dirs: []",
            "images:",
            "  include: []",
            "",
            "static:",
            f"  include: [{files}]",
            "",
        ]
    )


def isso_steps(config: Path, package: Path, output: Path, config_dir: Path) -> list[str]:
    """What ``init`` prints for the isso server of ``config``: the ``wsgi.py`` to write beside
    ``pipeline.yaml`` (in ``config_dir``) and run in place of ``isso -c ... run``. ``output``:
    the build's folder (absolute)."""
    cfg = os.path.relpath(config, config_dir).replace(os.sep, "/")
    out = os.path.relpath(output, config_dir).replace(os.sep, "/")
    return [
        "write wsgi.py beside pipeline.yaml (isso's app, its files answered from the build,",
        "its pages and JSON compressed):",
        "",
        "    from pathlib import Path",
        "",
        "    from isso import config, make_app",
        "",
        "    from assetpipe.serve import AssetMiddleware, CompressMiddleware",
        "",
        "    HERE = Path(__file__).resolve().parent",
        "    isso = make_app(",
        f'        config.load(config.default_file(), str(HERE / "{cfg}")), multiprocessing=True',
        "    )",
        "    application = CompressMiddleware(",
        "        AssetMiddleware(",
        f'            isso, output=HERE / "{out}", public_path="/", fallback=True,',
        f'            unhashed_cache_control="{CACHE_CONTROL}",',
        f'            source="{package}",',
        "        )",
        "    )",
        "",
        "and run it in place of `isso -c ... run` or gunicorn's isso.run:",
        "    gunicorn -b localhost:8080 wsgi:application",
    ]


def isso_init(config: Path, target: Path, force: bool) -> tuple[str, list[str]]:
    """Write ``target`` (pipeline.yaml) for the isso server of ``config``; the head line and
    the steps ``init`` prints. A ``UsageError`` when ``target`` exists and ``force`` is not set."""
    from ..config import load_config
    from .render import OUTPUT

    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists",
            hint="pass --force to overwrite it, or --config NAME to write another",
        )
    package = isso_package()
    target.write_text(isso_yaml(package, config), encoding="utf-8")
    load_config(target, display_name=target.name)  # what init writes must load
    here = target.parent.resolve()
    shown = os.path.relpath(config, target.parent)
    head = (
        f"wrote {target} (source: isso's installed package, {package}; {len(FILES)} file globs"
        f" copied, answered at their own URLs)\n\nAn isso comment server ({shown})."
    )
    return head, isso_steps(config.resolve(), package, here / OUTPUT, here)
