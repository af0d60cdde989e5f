"""An expression's URL followed by a path that is no file of the build is no ``--strict``
warning: pretalx's talk and schedule pages load ``{{ request.event.urls.schedule
}}widget/messages.js``, a script its event views serve. ``build --strict`` failed on it as a
request of an unhashed source path, and only editing the app's templates could clear it. The
same shape over a file of the build (``{{ assets_url }}css/site.css``) still warns: that URL
does request the unhashed file. (Django's ``{{ STATIC_URL }}css/site.css`` is a reference whose K
is hashed: ``tests/test_django_named_static.py``.)"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import build_warnings, run_cli, write_tree


def test_a_views_url_with_a_path_is_not_a_static_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: static\noutput: dist\ntemplates: {dirs: [templates]}\n"
            "styles: {entries: [css/site.css]}\n",
            "static/css/site.css": "body { color: #123456 }\n",
            "templates/talk.html": (
                '<script src="{{ request.event.urls.schedule }}widget/messages.js"></script>\n'
                '<link rel="stylesheet" href="{{ assets_url }}css/site.css">\n'
                '<script src="{{ event_url }}/css/v2.js"></script>\n'
            ),
        },
    )
    warnings = build_warnings(tmp_path)
    # one warning per template, at the first; line 3's folder (css/) is one of the build's:
    # maybe a static file, still warned about
    assert [w["line"] for w in warnings] == [2]
    assert "at line(s) 3 " in warnings[0]["message"]
    report = json.loads((tmp_path / "dist/report.json").read_text())
    unresolved = report["templates"]["talk.html"]["unresolved"]
    assert [u["line"] for u in unresolved] == [1, 2, 3]  # all listed in report.json
    (tmp_path / "templates/talk.html").write_text(
        '<script src="{{ request.event.urls.schedule }}widget/messages.js"></script>\n',
        encoding="utf-8",
    )
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0


def test_a_page_relative_url_warning_says_how_to_write_it(tmp_path: Path) -> None:
    """Open Web Calendar links ``css/common.css`` from pages at ``/``: its own route's
    ``/css/common.css``, not the static folder's unhashed path, as the warning used to say.
    It now says what the URL is and how it would be hashed."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: static\noutput: dist\ntemplates: {dirs: [templates]}\n"
            "styles: {entries: [css/common.css]}\n",
            "static/css/common.css": "body { color: #123456 }\n",
            "templates/index.html": '<link rel="stylesheet" href="css/common.css">\n',
        },
    )
    [warning] = build_warnings(tmp_path)
    assert warning["line"] == 1
    assert "unhashed source path" not in warning["message"], warning
    want = "written /static/css/common.css (or url_for('static', filename='css/common.css')"
    assert want in warning["message"], warning


def test_a_views_url_with_a_computed_query_is_not_a_static_file(tmp_path: Path) -> None:
    """Label Studio loads its React app as ``{{settings.FRONTEND_HOSTNAME}}/react-app/main.css?v={{
    versions.backend.commit }}``, a folder its own view serves: the query's second expression
    hid the path from the check above, and ``build --strict`` failed on the page layout, with
    ``css/main.css`` in the build. A computed query on a file of the build still warns."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: static\noutput: dist\ntemplates: {dirs: [templates]}\n"
            "styles: {entries: [css/main.css]}\n",
            "static/css/main.css": "body { color: #123456 }\n",
            "templates/base.html": (
                '<link href="{{settings.FRONTEND_HOSTNAME}}/react-app/main.css?v={{ v.commit }}"'
                ' rel="stylesheet">\n'
                '<script src="{{settings.FRONTEND_HOSTNAME}}/react-app/main.js?v={{ v }}#x"></script>\n'
            ),
        },
    )
    assert build_warnings(tmp_path) == []
    (tmp_path / "templates/base.html").write_text(
        '<link href="{{ assets }}/css/main.css?v={{ v.commit }}" rel="stylesheet">\n',
        encoding="utf-8",
    )
    [warning] = build_warnings(tmp_path)
    assert warning["line"] == 1
