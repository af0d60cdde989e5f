"""A template's ``{{ theme_static('css/variables.css') }}`` (Flask-Themes2's, and Flask-Theme's
as MoinMoin uses it) names a file of the current theme's folder, which ``AssetPipe(app)`` hashes
at run time. When the app's static folder has a file of the same name (MoinMoin's
``static/css/variables.css`` beside each theme's), the build warned "a call of theme_static()
with a file of the build ... add it to templates.static_functions": advice that would link the
static folder's file in place of the theme's, and a warning ``build --strict`` failed on with
nothing to clear it. Another function naming a file of the build still warns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

pytestmark = pytest.mark.node

FILES: dict[str, str | bytes] = {
    "pipeline.yaml": "source: static\noutput: dist\ntemplates: {dirs: [templates]}\n"
    'styles: {entries: ["css/variables.css"]}\n',
    "static/css/variables.css": ":root { --x: #123456; }\n",
    "templates/base.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/variables.css') }}\">\n"
        '<link rel="stylesheet" href="{{ theme_static(\'css/variables.css\') }}">\n'
    ),
}


def messages(root: Path) -> list[str]:
    done = run_cli("build", "--json", cwd=root)
    assert done.code == 0, done.err
    return [str(w["message"]) for w in json.loads(done.out)["warnings"]]


def test_theme_static_naming_a_file_the_static_folder_also_has_is_no_warning(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, FILES)
    assert messages(tmp_path) == []
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0


def test_another_function_naming_a_file_of_the_build_still_warns(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    base = tmp_path / "templates" / "base.html"
    base.write_text(base.read_text().replace("theme_static(", "skin_url("))
    assert any("a call of skin_url() with a file of the build" in m for m in messages(tmp_path))
