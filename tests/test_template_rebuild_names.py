"""A stylesheet edited and built again is renamed in every template that names it, whatever the
form of the reference.

The templates stage keys each template's cached rewrite by the manifest entries the template
may name, found by a quick pattern pass (``templates.reference_keys``). A form that pass did
not know kept the cached rewrite after the stylesheet changed, with its old hashed name: the
page linked the previous build's file (retained, so nothing failed), never the new one. Found
on Pyramid's ``request.static_url('pkg:static/K')``; Datasette's ``urls.static('K')``
(``templates.static_functions``) and Flask-Versioned's ``"static/K" | versioned`` had the same
gap. Real builds through the CLI.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

FORMS = {
    "url_for": ("", "{{ url_for('static', filename='css/app.css') }}"),
    "static_functions": ("static_functions: [urls.static]", "{{ urls.static('css/app.css') }}"),
    "pyramid": ("", "{{ request.static_url('shop:static/css/app.css') }}"),
    "versioned": ("", '{{ "static/css/app.css" | versioned }}'),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_rebuilt_stylesheet_is_renamed_in_the_template(tmp_path: Path, form: str) -> None:
    extra, ref = FORMS[form]
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: shop/static\noutput: dist\n"
            f"templates: {{dirs: [shop/templates]{', ' + extra if extra else ''}}}\n"
            "styles: {entries: [css/app.css]}\n",
            "shop/__init__.py": "",
            "shop/templates/page.html": f'<link rel="stylesheet" href="{ref}">\n',
        },
    )
    names = []
    for css in ("body { color: red; }\n", "body { color: blue; }\n"):
        (tmp_path / "shop/static/css").mkdir(parents=True, exist_ok=True)
        (tmp_path / "shop/static/css/app.css").write_text(css)
        done = run_cli("build", cwd=tmp_path)
        assert done.code == 0, done.out + done.err
        built = json.loads((tmp_path / "dist/manifest.json").read_text())["css/app.css"]["file"]
        page = (tmp_path / "dist/templates/page.html").read_text()
        assert re.search(r"css/app-\w+\.css", page), page
        assert built in page, (form, built, page)
        names.append(built)
    assert names[0] != names[1]
