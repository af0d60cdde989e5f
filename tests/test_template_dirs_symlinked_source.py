"""Templates beside a ``source`` that is a symlink to a folder elsewhere, met checking Trac
1.6's templates against ``trac-admin deploy``'s ``htdocs`` linked into the project.

``templates.dirs`` are stored relative to ``source`` (``../tpl``), and ``htdocs/../tpl`` was
resolved by the file system, which climbs from the link's target: the build warned "no
templates matching templates.include in 'tpl'" and rewrote nothing, and ``watch`` looked for
saves in that other folder. The dir is the one beside the link now, as the config names it."""

from __future__ import annotations

from pathlib import Path

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.dev.observe import _template_roots
from tests.conftest import write_tree


def test_templates_beside_a_symlinked_source_are_built(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "deploy/htdocs/site/style.css": "body { color: red; }\n",
            "proj/tpl/page.html": '<link rel="stylesheet" href="/chrome/site/style.css">\n',
            "proj/pipeline.yaml": "source: htdocs\npublic_path: /chrome/\ntemplates:\n"
            '  dirs: [tpl]\nstatic:\n  include: ["**/*"]\n',
        },
    )
    (tmp_path / "proj/htdocs").symlink_to(tmp_path / "deploy/htdocs")
    cfg = load_config(tmp_path / "proj/pipeline.yaml")
    result = build(cfg)
    assert not result.warnings, result.warnings
    out = (tmp_path / "proj/dist/templates/page.html").read_text(encoding="utf-8")
    assert "/chrome/site/style-" in out and "style.css" not in out
    assert list(_template_roots(cfg)) == [(tmp_path / "proj/tpl").resolve()]
