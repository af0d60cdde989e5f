"""``assetpipe init`` on a Roundup tracker, met adopting Roundup 2.6's jinja2 template.

``roundup-admin install`` writes ``config.ini`` (``[main] templates = html``, ``static_files =
static``), ``schema.py``, the templates in ``html/`` and the files in ``static/``; Roundup serves
both folders at ``@@file/`` (``static_files`` first, then the templates folder: the template's
``html/datecopy.min.js``), and its templates name them relative to the page (``href="@@file/
style.css"``). ``init`` looked for a ``templates/`` folder: it listed no template, wrote
``public_path: /static/`` and copied the files named by nothing. And a template the others
``{% import 'layout/edit.tmpl' %}`` ends in ``.tmpl``: left out of ``templates.include``, the
build's templates folder lacked it, and the issue pages Roundup renders from there failed.

Now the folders and ``/@@file/`` come from ``config.ini`` (and ``init`` prints the middleware
and the two ``config.ini`` settings that render the build's templates), a file of the templates folder that a
template links is the app's (``templates.app_routes``, left as written), and a template loaded by
name under another ending is listed; the build's templates render with Jinja."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import yaml

from tests.conftest import run_cli, write_tree

TRACKER: dict[str, str | bytes] = {
    "tracker/config.ini": (
        "[main]\ndatabase = db\ntemplate_engine = jinja2\ntemplates = html\n"
        "static_files = static\n\n[tracker]\nname = Demo\n"
    ),
    "tracker/schema.py": "pri = Class(db, 'priority', name=String())\n",
    "tracker/static/style.css": "body { color: #223; }\n",
    "tracker/static/app.js": "var appReady = true;\n",
    "tracker/html/datecopy.min.js": "var datecopy = 1;\n",
    "tracker/html/layout/page.html": """\
        <!DOCTYPE html><html><head>
        <link rel="stylesheet" href="@@file/style.css">
        </head><body>{% block content %}{% endblock %}
        <script src='@@file/app.js'></script>
        <script src='@@file/datecopy.min.js'></script>
        </body></html>
        """,
    "tracker/html/layout/edit.tmpl": '{% macro field(name) %}<input name="{{ name }}">{% endmacro %}\n',
    "tracker/html/issue.item.html": """\
        {% extends 'layout/page.html' %}
        {% import 'layout/edit.tmpl' as edit with context %}
        {% block content %}{{ edit.field('title') }}{% endblock %}
        """,
    "tracker/html/home.html": """\
        {% extends 'layout/page.html' %}
        {% block content %}<p>home</p>{% endblock %}
        """,
}


def test_init_reads_the_trackers_folders_and_its_templates_render(tmp_path: Path) -> None:
    write_tree(tmp_path, TRACKER)
    res = run_cli("init", cwd=tmp_path)
    assert res.code == 0, res.out + res.err
    # the steps: the middleware, and config.ini's templates at the build, html/ still served
    assert "A Roundup tracker (tracker/config.ini)" in res.out, res.out
    assert 'public_path="/@@file/"' in res.out
    assert "templates = ../dist/templates" in res.out and "static_files = static html" in res.out
    config = yaml.safe_load((tmp_path / "pipeline.yaml").read_text(encoding="utf-8"))
    assert config["source"] == "tracker/static" and config["public_path"] == "/@@file/"
    assert config["templates"]["dirs"] == ["tracker/html"]
    assert "**/*.tmpl" in config["templates"]["include"]
    assert config["templates"]["app_routes"] == ["datecopy.min.js"]  # Roundup serves it
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    dist = tmp_path / "dist" / "templates"
    assert (dist / "layout" / "edit.tmpl").is_file()
    html = (
        jinja2.Environment(loader=jinja2.FileSystemLoader(dist))
        .get_template("issue.item.html")
        .render()
    )
    assert '<input name="title">' in html
    assert re.search(r'href="@@file/style-[A-Z0-9]{8}\.css"', html), html
    assert re.search(r"src='@@file/app-[A-Z0-9]{8}\.js'", html), html
    assert "src='@@file/datecopy.min.js'" in html
