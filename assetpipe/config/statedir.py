"""Where a config file keeps its state (cache, builds, lock, audit history)."""

from __future__ import annotations

from pathlib import Path

DEFAULT_NAME = "pipeline.yaml"


def state_dir_for(config_path: Path) -> Path:
    """Each config file owns its state: cache, builds, lock, esbuild's folder, audit history.
    ``pipeline.yaml`` keeps it in ``.assetpipe/`` beside it; a config file named ``X`` uses
    ``.assetpipe/X/``, so two configs in one folder never share a lock, builds or a cache."""
    base = config_path.parent / ".assetpipe"
    return base if config_path.name == DEFAULT_NAME else base / config_path.name
