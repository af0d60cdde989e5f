"""Where the Flask and Starlette extensions find ``pipeline.yaml`` from an app's folder."""

from __future__ import annotations

from pathlib import Path

from .errors import AssetpipeError, ConfigError

CONFIG_NAME = "pipeline.yaml"

#: files that mark a project's folder (where ``assetpipe init`` is run and writes its config)
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


def config_candidates(root_path: str | Path, name: str | Path = CONFIG_NAME) -> list[Path]:
    """Where ``find_config`` looks, in order: an absolute ``name`` as is; a relative one in
    ``root_path`` (the app's module or package folder), then in its parent (the project folder
    of a package layout: ``project/pipeline.yaml`` beside ``project/app/``), then in the
    project's folder when it is further up: the nearest folder above holding a
    ``PROJECT_MARKERS`` file (a ``src/`` layout: OctoPrint's ``project/src/octoprint/``, with
    the ``pipeline.yaml`` that ``init`` wrote in ``project/``, never found: the app did not
    start). Before that, the folder holding the outermost package ``root_path`` is in, where
    ``init`` is run and writes it (pyLoad's app in ``pyload/webui/app/``, a folder with no
    project file: ``pipeline.yaml`` beside ``pyload/`` was not found)."""
    path = Path(name)
    if path.is_absolute():
        return [path]
    root = Path(root_path).absolute()
    folders = [root, root.parent]
    outermost = root
    while (outermost / "__init__.py").is_file():
        outermost = outermost.parent
    if outermost not in folders:
        folders.append(outermost)
    project = next(
        (f for f in root.parents if any((f / m).is_file() for m in PROJECT_MARKERS)), None
    )
    if project is not None and project not in folders:
        folders.append(project)
    return [f / path for f in folders]


def find_config(root_path: str | Path, name: str | Path = CONFIG_NAME) -> Path:
    """The first existing ``config_candidates``; ``ConfigError`` naming every place looked."""
    candidates = config_candidates(root_path, name)
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


__all__ = ["CONFIG_NAME", "PROJECT_MARKERS", "config_candidates", "find_config"]
