"""Each config file owns its state: ``.assetpipe/`` (cache, builds, lock, esbuild's folder,
audit history) and its ``output`` link.

``pipeline.yaml`` keeps ``.assetpipe/`` beside it; any other config file name ``X`` uses
``.assetpipe/X/`` (``assetpipe.config.state_dir_for``), so two pipeline files in one folder
never share a build lock, a builds folder (whose clean-up would delete the other's live build)
or a cache. ``claim_output`` refuses an
``output`` link that another existing config's builds own: two configs cannot share one output.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AssetpipeError, ConfigError
from ..fsutil import atomic_write

if TYPE_CHECKING:
    from ..config import Config

OWNER_FILE = "config-path"


def claim_output(cfg: Config) -> None:
    """Record ``cfg`` as its state folder's owner; raise ``ConfigError`` (exit 2, located at
    ``output``) if ``cfg.output`` is the live build link of another config that still exists."""
    out = cfg.output
    if out.is_symlink() and out.exists():
        target = Path(os.path.realpath(out))
        builds = Path(os.path.realpath(cfg.state_dir / "builds"))
        if target.parent != builds:
            other = _owner(target.parent.parent)
            if other is not None and other.is_file() and other.resolve() != cfg.path.resolve():
                shown = os.path.relpath(other, cfg.root)
                raise ConfigError(
                    [
                        AssetpipeError(
                            f"output: '{os.path.relpath(out, cfg.root)}' is the build link of another "
                            f"config ({shown}); two configs cannot share one output",
                            location=cfg.location_of("output"),
                            hint=f"give each config its own output (e.g. output: {out.name}-"
                            f"{cfg.path.stem})",
                        )
                    ]
                )
    cfg.state_dir.mkdir(parents=True, exist_ok=True)
    record = cfg.state_dir / OWNER_FILE
    text = f"{cfg.path}\n"
    try:
        if record.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    atomic_write(record, text.encode())


def _owner(state_dir: Path) -> Path | None:
    try:
        line = (state_dir / OWNER_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return Path(line) if line else None
