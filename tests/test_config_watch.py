"""``assetpipe watch`` and pipeline.yaml edits: a comment-only edit leaves the running config,
its esbuild contexts and the incremental state alone (real watcher, real esbuild)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from assetpipe.dev.watch import Watcher
from tests.conftest import write_tree

pytestmark = pytest.mark.node

CONFIG = """\
source: site
output: dist
scripts:
  entries: ["js/app.js"]
pages:
  - {path: /, template: index.html}
"""

SITE: dict[str, str | bytes] = {
    "site/js/app.js": 'document.body.dataset.js = "ran";\n',
    "site/templates/index.html": (
        '<!doctype html>\n<p>v1</p>\n<script type="module" src="/static/js/app.js"></script>\n'
    ),
    "pipeline.yaml": CONFIG,
}


class Outcomes:
    """The watcher's outcomes, waited on."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.cond = threading.Condition()

    def add(self, out: Any) -> None:
        with self.cond:
            self.items.append(out)
            self.cond.notify_all()

    def wait(self, n: int) -> list[Any]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.items) >= n, 60), self.items
            return list(self.items)


def test_comment_only_edit_keeps_config_and_builds_incrementally(tmp_path: Path) -> None:
    write_tree(tmp_path, SITE)
    outcomes = Outcomes()
    w = Watcher(
        tmp_path / "pipeline.yaml", port=0, on_line=lambda *a: None, on_outcome=outcomes.add
    )
    w.start()
    try:
        first = outcomes.wait(1)[0]
        assert first.full
        config = w.config
        # a comment and a blank line above every key, then a template edit: both are seen
        # (in one batch or in order), and only the template is rebuilt
        (tmp_path / "pipeline.yaml").write_text("# the dashboard\n\n" + CONFIG)
        (tmp_path / "site/templates/index.html").write_text(
            str(SITE["site/templates/index.html"]).replace("v1", "v2")
        )
        done = outcomes.wait(2)
        assert not [o for o in done[1:] if o.full], [o.summary() for o in done]
        assert set().union(*(o.stages for o in done[1:])) == {"templates"}
        assert w.config is config  # not switched: same builder, same esbuild contexts
        assert b"v2" in (tmp_path / "dist/templates/index.html").read_bytes()
        # a real change is still taken: full build with the new config
        (tmp_path / "pipeline.yaml").write_text(CONFIG.replace("output: dist", "output: out"))
        last = outcomes.wait(len(done) + 1)[-1]
        assert last.full and w.config.output == tmp_path / "out"
    finally:
        w.close()
