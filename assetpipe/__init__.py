"""assetpipe: a frontend asset build and audit pipeline for server-rendered Python web apps.

The public API (``__all__``): ``build``, ``load_config``, ``Config``, ``Manifest``,
``BuildResult``, ``BuildWarning`` and the errors; importing it never imports the CLI library
(click) or rich. Other public modules: ``assetpipe.flask``, ``assetpipe.jinja``,
``assetpipe.serve`` (with ``serve.asgi``, ``serve.metrics``, ``serve.rcache.flask``) and
``assetpipe.adopt``.

Module map (each package's ``__init__`` maps its own modules; ``docs/architecture.md`` has the
whole picture):

- ``cli/``: the command line, a thin layer over the rest (the only code importing click, rich);
- ``config/``: ``pipeline.yaml`` → a typed ``Config``, every key declared once;
- ``pipeline/``: ``build()``: the stages in order into a new build folder, swapped in atomically;
  the cache, the source tree and its memo, the lock;
- ``stages/``: the stage seam (``stages.base``) and one module per stage; ``esbuild/``,
  ``imaging/`` and ``rewrite/``: the engines of the scripts/styles, images and templates stages;
- ``dev/``: ``assetpipe watch`` (observe, plan, apply, the dev server);
- ``serve/``: serving a build (WSGI, ASGI, Flask), pages, the response cache, metrics;
- ``audit/``: ``assetpipe audit`` in headless Chromium; ``adopt/``: ``assetpipe init``;
- ``manifest``, ``errors``, ``progress``, ``hashing``, ``fsutil``: shared by all of them;
  ``jinja``, ``flask`` (with ``flasknames``): the template helpers and the Flask extension.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .config import Config, load_config
from .errors import (
    AssetpipeError,
    AuditFailure,
    ConfigError,
    ExternalToolError,
    LockError,
    MissingAssetError,
    StageError,
    UsageError,
)
from .manifest import Manifest

if TYPE_CHECKING:
    from .pipeline.result import BuildResult
    from .stages.base import BuildWarning

__all__ = [
    "AssetpipeError",
    "AuditFailure",
    "BuildResult",
    "BuildWarning",
    "Config",
    "ConfigError",
    "ExternalToolError",
    "LockError",
    "Manifest",
    "MissingAssetError",
    "StageError",
    "UsageError",
    "__version__",
    "build",
    "load_config",
]


def build(*args: Any, **kwargs: Any) -> BuildResult:
    """Build a site; see ``assetpipe.pipeline.run.build`` (imported lazily to keep start-up
    fast)."""
    from .pipeline.run import build as _build

    return _build(*args, **kwargs)


def __getattr__(name: str) -> Any:
    """``BuildResult`` and ``BuildWarning``, imported on first use (they import the stages)."""
    if name == "BuildResult":
        from .pipeline.result import BuildResult

        return BuildResult
    if name == "BuildWarning":
        from .stages.base import BuildWarning

        return BuildWarning
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
