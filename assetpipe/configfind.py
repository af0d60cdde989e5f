"""Where the Flask, Starlette and Litestar extensions find ``pipeline.yaml`` from an app's
folder (``find_config``), and what an ASGI extension serves from it (``served_build``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AssetpipeError, ConfigError
from .records import dataclass

if TYPE_CHECKING:
    from .config import Config

CONFIG_NAME = "pipeline.yaml"

#: files that mark a project's folder (where ``assetpipe init`` is run and writes its config);
#: a Django project's ``manage.py`` too (nsupdate.info keeps its settings in ``src/nsupdate/``
#: with ``manage.py`` at the top: without a ``pyproject.toml`` beside it, runserver served no
#: build and every hashed file was a 404)
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "manage.py")


def config_candidates(
    root_path: str | Path, name: str | Path = CONFIG_NAME, import_name: str | None = None
) -> list[Path]:
    """Where ``find_config`` looks, in order: an absolute ``name`` as is; a relative one in
    ``root_path`` (the app's module or package folder), then in its parent (the project folder
    of a package layout: ``project/pipeline.yaml`` beside ``project/app/``), then in the
    project's folder when it is further up: the nearest folder above holding a
    ``PROJECT_MARKERS`` file (a ``src/`` layout: OctoPrint's ``project/src/octoprint/``, with
    the ``pipeline.yaml`` that ``init`` wrote in ``project/``, never found: the app did not
    start). Before that, each folder up the packages ``root_path`` is in, nearest first, to
    the one holding the outermost package, where ``init`` is run and writes it (pyLoad's app
    in ``pyload/webui/app/``, a folder with no project file: ``pipeline.yaml`` beside
    ``pyload/`` was not found). A project folder may be a package itself: Spirit's
    ``startproject`` writes an ``__init__.py`` beside ``manage.py``, and from its settings
    package (``mysite/settings/``) only the folder above the project was looked in, so
    ``assetpipe.django.BuildFinder`` raised ``config file not found`` and ``runserver``
    answered every hashed file 500. A namespace package (PEP 420: no ``__init__.py``) is
    crossed by the app's dotted ``import_name`` (Flask's ``app.import_name``): beets' web UI
    copied to run in place is ``beetsplug.web``, and ``beetsplug/`` has no ``__init__.py``
    (beets' plugins share it), so ``pipeline.yaml`` beside ``beetsplug/``, where ``init``
    wrote it, was not looked in and the app did not start."""
    path = Path(name)
    if path.is_absolute():
        return [path]
    root = Path(root_path).absolute()
    folders = [root, root.parent]
    up = root
    while (up / "__init__.py").is_file():
        up = up.parent
        if up not in folders:
            folders.append(up)
    holder = package_holder(root, import_name)
    if holder is not None and holder not in folders:
        folders.append(holder)
    project = next(
        (f for f in root.parents if any((f / m).is_file() for m in PROJECT_MARKERS)), None
    )
    if project is not None and project not in folders:
        folders.append(project)
    return [f / path for f in folders]


def package_holder(root: Path, import_name: str | None) -> Path | None:
    """The folder holding the outermost package of ``import_name``, a module's or package's
    dotted name whose folder is ``root`` (``a.b`` in ``X/a/b/__init__.py`` or ``X/a/b.py``:
    ``X``), found by the folder names alone, so a namespace package counts; ``None`` when the
    name is not dotted or the folders do not match it (``__main__``, a renamed copy)."""
    parts = (import_name or "").split(".")
    if len(parts) < 2:
        return None
    if root.name != parts[-1]:
        parts = parts[:-1]  # a module: root is its package's folder
    up = root
    for part in reversed(parts):
        if up.name != part:
            return None
        up = up.parent
    return up


def find_config(
    root_path: str | Path, name: str | Path = CONFIG_NAME, import_name: str | None = None
) -> Path:
    """The first existing ``config_candidates``; ``ConfigError`` naming every place looked."""
    candidates = config_candidates(root_path, name, import_name)
    for path in candidates:
        if path.is_file():
            return path
    where = ", ".join(str(p) for p in candidates)
    raise ConfigError(
        [
            AssetpipeError(
                f"config file not found: looked for {name} at {where}",
                hint="create pipeline.yaml beside your app (or in its parent folder), or pass "
                "AssetPipe(app, config=PATH) / app.config['ASSETPIPE_CONFIG'] "
                "(a relative path is looked up from app.root_path)",
            )
        ]
    )


__all__ = [
    "CONFIG_NAME",
    "PROJECT_MARKERS",
    "config_candidates",
    "find_config",
    "package_holder",
]


@dataclass(frozen=True)
class ServedBuild:
    """What an ASGI extension (``assetpipe.starlette``, ``assetpipe.litestar``) serves: the
    config it found and loaded, and the build's folder, URL and source-path switch, the
    extension's arguments winning over the config."""

    config_path: Path
    config: Config
    output: Path
    public_path: str
    source_paths: bool


def served_build(
    root: str | Path | None,
    *,
    config: str | Path | None = None,
    output: str | Path | None = None,
    public_path: str | None = None,
    source_paths: bool | None = None,
    depth: int = 2,
) -> ServedBuild:
    """Find and load the config from ``root`` (``None``: the folder of the module ``depth``
    frames up, the one that made the extension; the current folder when it has no file), as
    ``AssetPipe(app)`` finds Flask's; a relative ``output`` is taken from the config's folder,
    as ``assetpipe build`` takes it."""
    from .config import load_config

    import_name = None
    if root is None:
        caller = sys._getframe(depth).f_globals
        root = Path(caller["__file__"]).parent if caller.get("__file__") else Path.cwd()
        import_name = caller.get("__name__")
    path = find_config(root, config or CONFIG_NAME, import_name)
    cfg = load_config(path)
    out = Path(output) if output is not None else cfg.output
    return ServedBuild(
        path,
        cfg,
        out if out.is_absolute() else path.parent / out,
        public_path or cfg.public_path,
        cfg.serve.source_paths if source_paths is None else source_paths,
    )
