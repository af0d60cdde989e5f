"""assetpipe: a frontend asset build and audit pipeline for server-rendered Python web apps.

The public API; importing it never imports the CLI library (click) or rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The subpackage first: importing it binds ``assetpipe.build`` to the package once; the function
# defined below then rebinds the name, and later imports of ``assetpipe.build.*`` leave it alone.
from . import build as _build_package  # noqa: F401
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
    from .build.result import BuildResult
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
    """Build a site; see ``assetpipe.build.pipeline.build`` (imported lazily to keep start-up
    fast)."""
    from .build.pipeline import build as _build

    return _build(*args, **kwargs)


def __getattr__(name: str) -> Any:
    """``BuildResult`` and ``BuildWarning``, imported on first use (they import the stages)."""
    if name == "BuildResult":
        from .build.result import BuildResult

        return BuildResult
    if name == "BuildWarning":
        from .stages.base import BuildWarning

        return BuildWarning
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
