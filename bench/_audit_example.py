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
    root = Path(tempfile.mkdtemp(prefix="assetpipe-bench-audit-"))
    text = (REPO / "pipeline.yaml").read_text()
    text = text.replace("source: examples/", f"source: {REPO}/examples/").replace(
        "context: examples/", f"context: {REPO}/examples/")
    (root / "pipeline.yaml").write_text(text)
    if (REPO / "lcp-hints.json").is_file():
        shutil.copy(REPO / "lcp-hints.json", root / "lcp-hints.json")
    cfg = load_config(root / "pipeline.yaml")
    build(cfg)
    return cfg
