"""The consumer-side reader of a build folder (``assetpipe.manifest.BuildView``): the manifest,
report.json and the immutable set that the server, the audit and the Flask extension share."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assetpipe.audit.locate import Locator
from assetpipe.config import load_config
from assetpipe.manifest import BuildView, manifest_stamp
from assetpipe.serve.files import build_table

MANIFEST = {
    "js/app.js": {"file": "js/app-AAAA1111.js", "src": "js/app.js", "encodings": ["br", "gzip"]},
    "robots.txt": {"file": "robots.txt", "src": "robots.txt", "immutable": False},
}
REPORT = {
    "retained": ["js/app-OLD00000.js", 7],
    "templates": {
        "index.html": {"images": [{"line": 3, "asset": "img/a.jpg"}]},
        "broken.html": "not an object",
    },
}


def _build(tmp_path: Path, manifest: object, report: object) -> Path:
    """``out`` → ``out.1`` (the symlink a build flips), holding the given JSON documents."""
    folder = tmp_path / "out.1"
    (folder / "public" / "js").mkdir(parents=True)
    for name in ("js/app-AAAA1111.js", "js/app-OLD00000.js", "robots.txt"):
        (folder / "public" / name).write_text("x")
    for name, doc in (("manifest.json", manifest), ("report.json", report)):
        if doc is not None:
            text = doc if isinstance(doc, str) else json.dumps(doc)
            (folder / name).write_text(text)
    os.symlink("out.1", tmp_path / "out")
    return tmp_path / "out"


def test_reads_manifest_report_and_the_immutable_rule(tmp_path: Path) -> None:
    out = _build(tmp_path, MANIFEST, REPORT)
    view = BuildView.read(out)
    assert view.folder == (tmp_path / "out.1").resolve()
    assert view.stamp == manifest_stamp(out) is not None
    assert set(view.manifest.entries) == {"js/app.js", "robots.txt"}
    # manifest files (not the "immutable": false one) plus the retained strings
    assert view.immutable() == {
        "js/app-AAAA1111.js",
        "js/app-AAAA1111.js.br",
        "js/app-AAAA1111.js.gz",
        "js/app-OLD00000.js",
    }
    assert view.templates() == {"index.html": REPORT["templates"]["index.html"]}  # type: ignore[index]
    assert view.encodings() == {"js/app-AAAA1111.js": ["br", "gzip"], "robots.txt": []}


@pytest.mark.parametrize(
    ("manifest", "report"),
    [
        (None, None),  # no build yet
        ("{not json", "[1, 2"),  # truncated files
        ([1, 2], ["retained"]),  # JSON, but not objects
        ({"js/app.js": {"src": "js/app.js"}}, {"retained": "js/app-OLD00000.js"}),  # wrong shapes
        ({"js/app.js": "js/app-AAAA1111.js"}, {"templates": []}),
    ],
)
def test_unusable_documents_read_as_empty(tmp_path: Path, manifest: object, report: object) -> None:
    view = BuildView.read(_build(tmp_path, manifest, report))
    assert len(view.manifest) == 0
    assert view.immutable() == set()
    assert view.templates() == {}
    assert view.encodings() == {}
    assert (view.stamp is None) == (manifest is None)


def test_server_and_audit_agree_on_what_is_immutable(tmp_path: Path) -> None:
    """The file table and the audit's locator take the same set from the one reader."""
    out = _build(tmp_path, MANIFEST, REPORT)
    table = build_table(out, "/static/", source_paths=False)
    served = {f.rel for f in table.files.values() if f.immutable}
    (tmp_path / "src").mkdir()
    config_path = tmp_path / "pipeline.yaml"
    config_path.write_text("source: src\noutput: out\n")
    locator = Locator(load_config(config_path))
    assert served == {"js/app-AAAA1111.js", "js/app-OLD00000.js"}
    assert {p for p in locator.immutable if (out / "public" / p).is_file()} == served
    assert locator.is_hashed("/static/js/app-OLD00000.js")
    assert not locator.is_hashed("/static/robots.txt")
    assert locator.images == [("index.html", 3, "img/a.jpg", None)]
