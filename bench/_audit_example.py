"""Shared by the audit benchmarks: the bundled example built into a temporary project (its
pipeline.yaml with absolute paths, plus the committed lcp-hints.json), as the tests do."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from assetpipe import build
from assetpipe.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent


def example_project() -> Config:
    """The root pipeline.yaml built in a temporary folder holding a copy of ``examples/`` (its
    paths are relative to the config's folder)."""
    root = Path(tempfile.mkdtemp(prefix="assetpipe-bench-audit-"))
    shutil.copytree(REPO / "examples", root / "examples")
    shutil.copy(REPO / "pipeline.yaml", root / "pipeline.yaml")
    if (REPO / "lcp-hints.json").is_file():
        shutil.copy(REPO / "lcp-hints.json", root / "lcp-hints.json")
    cfg = load_config(root / "pipeline.yaml")
    build(cfg)
    return cfg
