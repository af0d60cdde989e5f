"""A stylesheet's own source map beside it (Supysonic's ``css/bootstrap.min.css.map``, named by
``bootstrap.min.css``'s ``sourceMappingURL``): esbuild reads it as the entry's input map and
the built stylesheet names its own map, which holds those sources. ``init`` listed the old map
in ``static.include`` all the same: a copy nothing loads. It is left out now, as an import
bundled into an entry is (``imports.input_maps``); a classic script's map, whose comment the
copied script keeps, stays."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import run_cli, write_tree

MAP = {
    "version": 3,
    "sources": ["../../scss/lib.scss"],
    "names": [],
    "mappings": "AAAA,KAAK,UAAU",
    "sourcesContent": ["body { color: red; }\n"],
}


def test_an_entrys_input_map_is_not_copied(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "templates/index.html": (
                "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/lib.min.css') }}\">\n"
                "<script src=\"{{ url_for('static', filename='js/lib.min.js') }}\"></script>\n"
            ),
            "static/css/lib.min.css": "body{color:red}\n/*# sourceMappingURL=lib.min.css.map */\n",
            "static/css/lib.min.css.map": json.dumps(MAP),
            "static/js/lib.min.js": "window.lib=1;\n//# sourceMappingURL=lib.min.js.map\n",
            "static/js/lib.min.js.map": json.dumps({**MAP, "sources": ["lib.js"]}),
        },
    )
    assert run_cli("init", cwd=tmp_path).code == 0
    text = (tmp_path / "pipeline.yaml").read_text()
    assert yaml.safe_load(text)["static"]["include"] == ["js/lib.min.js.map"], text
    assert "sourceMappingURL), so bundled into them: css/lib.min.css.map." in text, text
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    css = tmp_path / "dist/public/css"
    maps = sorted(p.name for p in css.glob("*.map"))
    assert len(maps) == 1 and maps[0].startswith("lib.min-"), maps  # the built file's own
    assert any(
        s.endswith("scss/lib.scss") for s in json.loads((css / maps[0]).read_text())["sources"]
    )
