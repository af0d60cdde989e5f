"""A template two template folders reach (ArchiveBox's Django ``DIRS``: ``templates/core``,
``templates/admin``, then ``templates``) is built under both names, as Django can render it by
either; each of its warnings is reported once, not once per name, and ``--strict`` counts it
once. Real build."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli, write_tree

CONFIG = """\
source: static
output: dist
public_path: /static/
templates: {dirs: [templates/core, templates]}
static: {include: ["*.gif"]}
"""
PAGE = """<p><img src="a.png" onerror="this.src='/static/spinner.gif'" alt=""></p>\n"""


def test_a_template_reached_twice_warns_once(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": CONFIG,
            "static/spinner.gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            "templates/core/grid.html": PAGE,
        },
    )
    built = run_cli("build", "--strict", "--json", cwd=tmp_path)
    assert built.code == 1, built.out + built.err
    assert "1 warning(s) and --strict is set" in built.out + built.err, built.out + built.err
    done = run_cli("build", "--json", cwd=tmp_path)
    assert done.code == 0, done.err
    warnings = json.loads(done.out)["warnings"]
    assert len(warnings) == 1 and "spinner.gif" in warnings[0]["message"], warnings
    assert (tmp_path / "dist/templates/grid.html").is_file()
    assert (tmp_path / "dist/templates/core/grid.html").is_file()
