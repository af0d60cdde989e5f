"""``init`` reads and parses a project's Python modules once (``adopt.files.reading_once``):
on a Django project it walked every module six times (its settings, app and template folders,
tags), about a second of NetBox's ``init``. Outside an ``init`` nothing is kept, so a module
changed between two looks is read again."""

from __future__ import annotations

from pathlib import Path

from assetpipe.adopt.files import parsed_modules, python_texts, reading_once
from tests.conftest import write_tree


def test_modules_are_read_and_parsed_once_within_an_init(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/views.py": "A = 1\n", "app/tags.py": "B = simple_tag\n"})
    views = tmp_path / "app/views.py"
    with reading_once():
        first = dict(python_texts(tmp_path))
        trees = [t for _, _, t in parsed_modules(tmp_path, "simple_tag")]
        views.write_text("A = 2\n")
        assert dict(python_texts(tmp_path)) == first
        assert [t for _, _, t in parsed_modules(tmp_path, "simple_tag")] == trees  # same objects
    assert dict(python_texts(tmp_path))[views] == "A = 2\n"
    assert first[views] == "A = 1\n"
