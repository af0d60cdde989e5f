"""``assetpipe watch`` with the templates in two folders, a Flask app's own (its layout) and a
blueprint's (its pages), as ``init`` lists them for nickjj's docker-flask-example: every save
of a page warned "templates.dirs: no templates matching templates.include in
'hello/templates'", the layouts' folder, because the templates stage rebuilding the saved page
sees only that file. The warning is for a folder that holds no template, and the layouts' does.
And the line each save prints names the page from the project's folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import write_tree
from tests.test_layout import _wait_for


def test_a_page_save_does_not_call_the_other_template_folder_empty(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from assetpipe.dev.watch import Watcher

    write_tree(
        tmp_path,
        {
            "app/templates/layouts/base.html": (
                "<!doctype html><html><head>"
                "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">"
                "</head><body>{% block body %}{% endblock %}</body></html>\n"
            ),
            "app/page/templates/page/home.html": (
                '{% extends "layouts/base.html" %}{% block body %}<p>home</p>{% endblock %}\n'
            ),
            "app/static/css/site.css": "body { color: rgb(1, 2, 3); }\n",
            "pipeline.yaml": (
                "source: app/static\noutput: dist\n"
                "templates:\n  dirs: [app/templates, app/page/templates]\n"
                "styles: {entries: [css/site.css]}\n"
            ),
        },
    )
    lines: list[tuple[str, str]] = []
    w = Watcher(
        tmp_path / "pipeline.yaml",
        port=0,
        serve=False,
        on_line=lambda level, text, hint: lines.append((level, text)),
    )
    caplog.set_level(logging.WARNING, logger="assetpipe")
    w.start()
    try:
        out = tmp_path / "dist/templates/page/home.html"
        _wait_for(out.exists, "the first build")
        page = tmp_path / "app/page/templates/page/home.html"
        page.write_text(page.read_text().replace("<p>home</p>", "<p>edited</p>"))
        _wait_for(lambda: "edited" in out.read_text(), "the page's rebuild")
        layout = tmp_path / "app/templates/layouts/base.html"
        layout.write_text(layout.read_text().replace("<body>", '<body class="x">'))
        base = tmp_path / "dist/templates/layouts/base.html"
        _wait_for(lambda: 'class="x"' in base.read_text(), "the layout's rebuild")
    finally:
        w.close()
    # the terminal line names the saved page from the project's folder, not from the static
    # folder its key is relative to (Albumy's watch printed "../templates/main/explore.html")
    saved = [text for _level, text in lines if "home.html" in text]
    assert saved and all("app/page/templates/page/home.html" in t for t in saved), lines
    assert not any("../" in text for _level, text in lines), lines
    said = [text for _level, text in lines if "no templates matching" in text]
    said += [r.getMessage() for r in caplog.records if "no templates matching" in r.getMessage()]
    assert not said, said


def test_a_save_of_a_shadowed_django_template_leaves_the_first_folders(tmp_path: Path) -> None:
    """With ``templates.first_wins`` (a Django project's folders: the project's ``DIRS`` before
    its apps' ``templates/``), the build takes a name from the first folder that has it. The
    templates stage rebuilding one saved template sees only that file, so a save of an app's
    ``page.html`` that ``DIRS`` overrides wrote the app's page over the one Django renders."""
    from assetpipe.dev.watch import Watcher

    write_tree(
        tmp_path,
        {
            "site/templates/page.html": "<p>the project's page</p>\n",
            "shop/templates/page.html": "<p>the app's page</p>\n",
            "site/static/css/site.css": "body { color: rgb(1, 2, 3); }\n",
            "pipeline.yaml": (
                "source: site/static\noutput: dist\n"
                "templates:\n  dirs: [site/templates, shop/templates]\n  first_wins: true\n"
                "styles: {entries: [css/site.css]}\n"
            ),
        },
    )
    lines: list[str] = []
    w = Watcher(
        tmp_path / "pipeline.yaml",
        port=0,
        serve=False,
        on_line=lambda level, text, hint: lines.append(text),
    )
    w.start()
    try:
        out = tmp_path / "dist/templates/page.html"
        _wait_for(out.exists, "the first build")
        assert "the project's page" in out.read_text()
        (tmp_path / "shop/templates/page.html").write_text("<p>the app's page, saved</p>\n")
        _wait_for(lambda: any("page.html" in t for t in lines), "the app page's rebuild")
        assert out.read_text() == "<p>the project's page</p>\n", lines
    finally:
        w.close()
