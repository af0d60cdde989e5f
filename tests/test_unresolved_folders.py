"""A file picked at run time in a folder the source folder does not have is no ``--strict``
warning: the build has nothing there to hash and the URL requests no source file (SearXNG's
``draw_favicon`` macro names ``themes/simple/img/icons/`` + a name + ``.png``, a folder its
static folder lacks: ``build --strict`` failed on it, and no config could clear it)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import build_warnings, run_cli, write_tree

CALL = "{{ url_for('static', filename='%s/' + name + '.png') }}"


def test_a_computed_file_in_a_folder_the_source_lacks_is_not_warned(tmp_path: Path) -> None:
    """The same expression over a folder that exists still warns (its files are requested
    unhashed); over a missing one it is only listed in report.json."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\noutput: dist\ntemplates: {dirs: [templates]}\n"
            "static: {include: ['img/**']}\n",
            "site/img/flags/fr.png": b"\x89PNG fake",
            "templates/macros.html": (
                f'<img src="{CALL % "img/icons"}" alt="">\n'
                f'<img src="{CALL % "themes/simple/img/icons"}" alt="">\n'
                f'<img src="{CALL % "img/flags"}" alt="">\n'
            ),
        },
    )
    warnings = build_warnings(tmp_path)
    assert [(w["line"], "img/flags/" in w["message"]) for w in warnings] == [(3, True)]
    report = json.loads((tmp_path / "dist/report.json").read_text())
    unresolved = report["templates"]["macros.html"]["unresolved"]
    assert [u["line"] for u in unresolved] == [1, 2, 3]
    assert run_cli("build", "--strict", cwd=tmp_path).code != 0
