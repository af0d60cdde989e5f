"""Old build folders: renamed out of ``builds/`` after the swap, deleted by the next build
while it builds (``pipeline.output.retire_old_builds`` and ``sweep``)."""

from __future__ import annotations

import os
from pathlib import Path

from assetpipe import build, load_config


def _folders(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.is_dir()) if path.is_dir() else []


def test_the_build_before_the_previous_one_goes_to_trash_and_the_next_build_deletes_it(
    tiny_site: Path,
) -> None:
    cfg = load_config(tiny_site / "pipeline.yaml")
    builds, trash = cfg.state_dir / "builds", cfg.state_dir / ".trash"
    names = []
    for _ in range(4):
        result = build(cfg, clean=True)  # clean: a real build each time, not a reuse
        names.append(result.build_dir.name)
        # the live build and the one it replaced stay (requests in flight finish on it)
        assert _folders(builds) == sorted(names[-2:])
        assert os.path.realpath(tiny_site / "dist") == str(result.build_dir)
        # only what this build retired waits in the trash: older ones were deleted
        assert _folders(trash) == names[-3:-2]
