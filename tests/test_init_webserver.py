"""``assetpipe init`` names a web server config of the project that answers the static URL
itself: ihatemoney's own nginx and Apache templates serve ``/static/`` from the source folder,
so deployed with them after adoption every hashed file 404ed (no stylesheet, no script)."""

from __future__ import annotations

from pathlib import Path

from assetpipe.adopt.webserver import static_rules
from tests.conftest import run_cli, write_tree

APP: dict[str, str | bytes] = {
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "static/css/site.css": "body { color: red; }\n",
    "templates/base.html": "<link rel=stylesheet href=\"{{ url_for('static', filename='css/site.css') }}\">\n",
}

NGINX = """\
server {
    # location /static/ { alias /old/; }   (a comment: no rule)
    location /static-other/ { alias /srv/other/; }
    location /static/ {
        alias   {{ pkg_path }}/static/;
    }
    location / { proxy_pass http://backend; }
}
"""
APACHE = "<VirtualHost *:80>\n    Alias /static/ {{ pkg_path }}/static/\n</VirtualHost>\n"


def test_rules_serving_the_static_path_are_found(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **APP,
            "conf-templates/nginx.conf.j2": NGINX,
            "conf-templates/apache-vhost.conf.j2": APACHE,
            "node_modules/pkg/nginx.conf": "location /static/ {}\n",  # skipped folder
            "static/notes.txt": "location /static/ {}\n",  # not a config's name
        },
    )
    rules = static_rules(tmp_path, "/static/")
    assert [(r.path.relative_to(tmp_path).as_posix(), r.line) for r in rules] == [
        ("conf-templates/apache-vhost.conf.j2", 2),
        ("conf-templates/nginx.conf.j2", 4),
    ]
    assert static_rules(tmp_path, "/assets/") == []


def test_init_names_them_after_the_two_lines(tmp_path: Path) -> None:
    write_tree(tmp_path, {**APP, "deploy/nginx.conf": NGINX})
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    after = result.out.split("Add these two lines", 1)[1]
    assert "note: deploy/nginx.conf:4 serves /static/ itself (location /static/ {)" in after
    assert "remove that rule so the app serves them" in after


def test_a_django_projects_rule_is_kept_after_the_app(tmp_path: Path) -> None:
    """A Django project's rule answers ``STATIC_ROOT``, which Django never serves with ``DEBUG``
    off: Review Board's site, with the rule removed as the note said, answered the nine
    django-pipeline bundles of every page 404. The note says to keep it, after the app."""
    from tests.test_django import SETTINGS, startproject

    write_tree(
        tmp_path,
        {
            **startproject(SETTINGS),
            "shopsite/templates/page.html": "{% load static %}<link href=\"{% static 'css/site.css' %}\">",
            "shopsite/static/css/site.css": "body { margin: 0; }\n",
            "deploy/nginx.conf": NGINX,
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    note = "note: deploy/nginx.conf:4 serves /static/ itself (location /static/ {)"
    assert note in result.out, result.out
    assert "remove that rule" not in result.out
    assert "keep it for the files the build lacks (STATIC_ROOT's" in result.out
    assert '"A Django project", "Behind nginx"' in result.out
