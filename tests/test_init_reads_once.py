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


def test_a_block_inside_another_reads_through_the_outer_one(tmp_path: Path) -> None:
    """The CLI's steps after ``init`` (the Django project's settings family, the app's
    extensions) read the modules ``init``'s own look read: NetBox's ``init`` 3.2 -> 2.3 s."""
    write_tree(tmp_path, {"app/views.py": "A = 1\n"})
    views = tmp_path / "app/views.py"
    with reading_once():
        with reading_once():  # init's own look
            first = dict(python_texts(tmp_path))
        views.write_text("A = 2\n")
        assert dict(python_texts(tmp_path)) == first  # the outer block still holds it
    assert dict(python_texts(tmp_path))[views] == "A = 2\n"
