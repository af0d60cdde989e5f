"""``assetpipe watch`` and a symlink in the source folder: saving the file it points at rebuilds
the link's output too. Whoogle links ``static/build/main.68be5054.css`` to ``css/main.css`` (its
own cache busting) and its pages load the link: a save of ``css/main.css`` rebuilt only that
key, the link's copy stayed old, and the reloaded page ran the old script or stylesheet."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assetpipe import load_config
from assetpipe.dev.observe import classify, symlinked_files
from tests.conftest import write_tree
from tests.test_watch import CONFIG, SITE, _watch, edit, manifest

pytestmark = pytest.mark.node


def _project(root: Path) -> Path:
    write_tree(
        root,
        {
            **SITE,
            "pipeline.yaml": CONFIG.replace(
                '["icons/**"]', '["icons/**", "vendor/**", "build/**"]'
            ),
            "site/vendor/main.css": "p { color: rgb(1, 2, 3); }\n",
        },
    )
    (root / "site/build").mkdir()
    os.symlink(root / "site/vendor/main.css", root / "site/build/main.68be5054.css")
    return root


def test_a_save_of_a_links_target_changes_the_links_key(tmp_path: Path) -> None:
    cfg = load_config(_project(tmp_path) / "pipeline.yaml")
    links = symlinked_files(cfg)
    assert links == {
        os.path.realpath(tmp_path / "site/vendor/main.css"): ("build/main.68be5054.css",)
    }
    saved = {str(tmp_path / "site/vendor/main.css")}
    assert classify(cfg, saved, links).keys == {"vendor/main.css", "build/main.68be5054.css"}


def test_the_links_output_follows_the_save(tmp_path: Path) -> None:
    root = _project(tmp_path)
    for w, _rec, _root in _watch(root):
        link_file = manifest(root)["build/main.68be5054.css"]["file"]
        edit(root / "site/vendor/main.css", "p { color: rgb(200, 0, 0); }\n")
        # the rebuild that takes the save (a loaded host may first finish one for earlier
        # events: counting rebuilds read the manifest before it)
        deadline = time.monotonic() + 20
        while manifest(root)["build/main.68be5054.css"]["file"] == link_file:
            assert time.monotonic() < deadline, "the link's output never followed the save"
            w.wait_rebuilds(w.rebuilds + 1, timeout=1)
        entry = manifest(root)["build/main.68be5054.css"]
        assert "200, 0, 0" in (root / "dist/public" / entry["file"]).read_text()
