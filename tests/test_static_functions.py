"""Template functions that return a static file's URL (``templates.static_functions``), met
adopting Datasette 0.65.5 itself: every page links its stylesheet as ``{{ urls.static('app.css')
}}?{{ app_css_hash }}`` and table pages load ``{{ urls.static('table.js') }}``.

Before the fix such a call was an expression the build could not read and did not mention: the
stylesheet of every page stayed unhashed (``no-cache``, revalidated on each visit), ``table.js``
was copied rather than built as the classic script it is, and ``build --strict`` passed. Now
``init`` finds the function (called at least twice in a ``src``/``href``, each time with a file
of the static folder) and writes ``templates.static_functions``; the build rewrites the call's
string as it rewrites ``url_for``'s, keeping the query; a call of an unlisted function with a
file of the build is a warning naming the key. The app is written for the test in Datasette's
shape (``tests.test_rooted_static_urls``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assetpipe.adopt import discover
from assetpipe.rewrite.refs import classify
from assetpipe.rewrite.rules import Options, rewrite
from tests.conftest import adopt_and_build, run_cli, write_tree
from tests.test_rooted_static_urls import APP, app_for, load
from tests.test_serve_support import asgi_server

CALLS: dict[str, str | bytes] = {
    **APP,
    "catalog/static/table.js": "function tableReady() { return 'rows'; }\n",
    "catalog/templates/base.html": """\
        <!DOCTYPE html><html><head>
        <link rel="stylesheet" href="{{ urls.static('app.css') }}?{{ app_css_hash }}">
        {% block extra_head %}{% endblock %}
        </head><body>{% block content %}{% endblock %}</body></html>
        """,
    "catalog/templates/table.html": """\
        {% extends "base.html" %}
        {% block extra_head %}<script src="{{ urls.static('table.js') }}" defer></script>
        {% endblock %}
        {% block content %}<div class="rows">table</div>
        <script>addEventListener("DOMContentLoaded", () => { window.ready = tableReady(); });
        </script>{% endblock %}
        """,
}


def test_a_call_of_a_listed_function_is_rewritten_and_its_query_kept() -> None:
    ref = classify("{{ urls.static('app.css') }}?{{ h }}", "/-/static/", None, ("static",), ())
    assert ref is not None and ref.kind == "dynamic"
    ref = classify(
        "{{ urls.static('app.css') }}?{{ h }}", "/-/static/", None, ("static",), ("urls.static",)
    )
    assert ref is not None and (ref.kind, ref.key, ref.route) == ("call", "app.css", "urls.static")
    manifest = {"app.css": {"file": "app-AAAAAAAA.css"}, "table.js": {"file": "table-T.js"}}
    opts = Options(public_path="/-/static/", static_functions=("urls.static",))
    src = (
        '<link rel="stylesheet" href="{{ urls.static(\'app.css\') }}?{{ app_css_hash }}">\n'
        '<script src="{{ urls.static("table.js") }}" defer></script>\n'
        "<script src=\"{{ myurls.static('table.js') }}\"></script>\n"
    )
    res = rewrite(src, "base.html", manifest, opts)
    assert res.text.splitlines() == [
        '<link rel="stylesheet" href="{{ urls.static(\'app-AAAAAAAA.css\') }}?{{ app_css_hash }}">',
        '<script src="{{ urls.static("table-T.js") }}" defer></script>',
        "<script src=\"{{ myurls.static('table.js') }}\"></script>",  # another function
    ]


def test_init_lists_the_function_and_the_files_it_names(tmp_path: Path) -> None:
    write_tree(tmp_path, CALLS)
    p = discover(tmp_path)
    assert p.static_functions == ("urls.static",)
    assert "table.js" in p.scripts and "table.js" in p.classic and "app.css" in p.styles


@pytest.mark.node
def test_an_unlisted_function_naming_a_file_of_the_build_is_a_warning(tmp_path: Path) -> None:
    write_tree(tmp_path, CALLS)
    assert run_cli("init", cwd=tmp_path).code == 0
    cfg = tmp_path / "pipeline.yaml"
    text = cfg.read_text()
    assert 'static_functions: ["urls.static"]' in text
    cfg.write_text(text.replace('static_functions: ["urls.static"]', ""))
    done = run_cli("build", "--json", cwd=tmp_path)
    assert done.code == 0, done.err
    messages = [w["message"] for w in json.loads(done.out)["warnings"]]
    assert any(
        "a call of urls.static() with a file of the build" in m
        and "add it to templates.static_functions" in m
        for m in messages
    ), messages


@pytest.mark.node
def test_adopted_app_loads_the_files_the_function_names_by_their_hashed_names(
    tmp_path: Path, browser: Any
) -> None:
    write_tree(tmp_path, CALLS)
    adopt_and_build(tmp_path)
    base_html = (tmp_path / "dist/templates/base.html").read_text()
    assert "{{ urls.static('app-" in base_html and "?{{ app_css_hash }}" in base_html
    for page, script, expected in (
        ("table.html", "() => window.ready", "rows"),
        ("query.html", "() => window.ready", "sql"),
    ):
        with asgi_server(app_for(tmp_path / "dist", page=page)) as port:
            origin = f"http://127.0.0.1:{port}"
            requested, errors, value = load(browser, origin, script)
        assert errors == [] and value == expected, (page, errors, value)
        assert [s for s, _ in requested] == [200] * len(requested)
        static = [u.removeprefix(origin + "/-/static/") for _, u in requested if "/-/static/" in u]
        assert static and all(re.match(r"[\w.-]+-[A-Z0-9]{8}\.(js|css)", n) for n in static), static
        assert any(name.startswith("app-") for name in static), static
