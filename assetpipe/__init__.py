"""assetpipe: a frontend asset build and audit pipeline for server-rendered Python web apps.

The public API; importing it never imports the CLI library (click) or rich.
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
    from .builder import BuildResult

__all__ = [
    "AssetpipeError",
    "AuditFailure",
    "BuildResult",
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
    """Build a site; see ``assetpipe.builder.build`` (imported lazily to keep start-up fast)."""
    from .builder import build as _build

    return _build(*args, **kwargs)
