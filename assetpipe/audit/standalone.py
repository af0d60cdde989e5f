"""The config of an audit of a running site (``--base-url``), which needs no build.

``--base-url`` audits what a URL serves, so neither a pipeline.yaml nor its ``source:`` is
required: without a config file the audit runs with the defaults (pages from ``--page``, no
budgets, state in ``./.assetpipe``); a config file without ``source:`` is read for its budgets,
``audit:`` and ``pages:`` as if ``source:`` named its own folder.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from ..config import Config, load_config
from ..errors import ConfigError

MISSING = ("config file not found", "source: required key missing")


def _only_missing(exc: ConfigError) -> bool:
    return bool(exc.problems) and all(
        any(str(p).endswith(m) or m in str(p) for m in MISSING) for p in exc.problems
    )


def load_for_audit(config_path: str, base_url: str | None) -> Config:
    """``load_config``, except that with ``base_url`` a missing file or ``source:`` is fine."""
    try:
        return load_config(config_path)
    except ConfigError as exc:
        if not base_url or not _only_missing(exc):
            raise
    path = Path(config_path).resolve()
    if not path.is_file():
        return Config(
            path=path, display_name=config_path, source=path.parent, output=path.parent / "dist"
        )
    # Same folder (relative paths and .assetpipe/ stay right), ``source: .`` appended (line
    # numbers in messages stay right).
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\nsource: .\n"
    fd, tmp = tempfile.mkstemp(prefix=".assetpipe-audit-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        cfg = load_config(tmp, display_name=config_path)
    finally:
        os.unlink(tmp)
    return dataclasses.replace(cfg, path=path, display_name=config_path)
