"""``assetpipe init``: write a commented pipeline.yaml that builds an existing Flask project.

    from assetpipe.adopt import init
    result = init(Path("."))      # discover → render → write pipeline.yaml → validate it
    print(result.text, result.lines)

The project is looked at (``discover``), a config is written beside it (``render``) and loaded
back with ``load_config``, so what ``init`` writes is known to be valid. It never overwrites a
config unless ``force`` is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .discover import Project, discover
from .render import render

__all__ = ["InitResult", "Project", "discover", "init", "render"]

APP_LINES = ("from assetpipe.flask import AssetPipe", "AssetPipe(app)")


@dataclass(frozen=True)
class InitResult:
    """What ``init`` wrote and what the user does next."""

    path: Path
    text: str
    project: Project

    @property
    def where(self) -> str:
        """Where the two lines go, in words."""
        app = self.project.app
        if app is None:
            return "where your app creates its Flask object"
        shown = os.path.relpath(app.module_file, self.project.root)
        if app.factory:
            return f"in {shown}, inside {app.factory}() once the app is configured"
        return f"in {shown}, after {app.variable or 'app'} = Flask(__name__)"


def init(root: Path, *, config_name: str = "pipeline.yaml", force: bool = False) -> InitResult:
    """Look at the project in ``root`` and write ``root/config_name``. Raises ``UsageError``
    (exit 2) when the file exists and ``force`` is not set, or no app/static folder is found.
    An app found without its static folder (every asset from its extensions) gets it, empty."""
    from ..config import load_config

    target = root / config_name
    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists",
            hint="pass --force to overwrite it, or --config NAME to write another",
        )
    project = discover(root)
    if project.created_static:
        project.static_dir.mkdir(parents=True, exist_ok=True)
    text = render(project, config_dir=target.parent.resolve())  # paths relative to the file
    target.write_text(text, encoding="utf-8")
    load_config(target, display_name=config_name)  # what init writes must load
    return InitResult(path=target, text=text, project=project)
