"""No-op and small-change rebuilds scale with the change: the sources' stat memo, stat-verified
cache entries, and a build that only hit neither reads sources, re-encodes its documents, walks
the cache nor starts a process."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetpipe.fsutil import JsonWriter, dump_json
from assetpipe.imaging import pool
from assetpipe.pipeline.cache import Cache
from assetpipe.pipeline.result import BuildResult
from assetpipe.pipeline.sources import Sources
from tests.conftest import tree_bytes, write_tree
from tests.rebuild_site import build_site as _build
from tests.rebuild_site import opened_files, site, started_processes
from tests.rebuild_site import page as _page
from tests.rebuild_site import png as _png

__all__ = ["site"]  # the fixture


def _build_stages(root: Path) -> BuildResult:
    """A build that runs its stages even when nothing changed: without the record of the last
    build (``assetpipe.pipeline.reuse``), as after a racy save or a ``watch`` session. These tests
    are about what the stages do then; test_build_reuse covers the build that reuses."""
    (root / ".assetpipe" / "last-build.json").unlink(missing_ok=True)
    return _build(root)


def test_noop_rebuild_reads_no_source_and_starts_no_process(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _build(site)
    assert first.memo.hashed > 0 and first.cache.misses > 0
    pool.shutdown()  # the image pool outlives a build: stop it, to see whether one starts
    with opened_files() as opened, started_processes(monkeypatch) as started:
        second = _build_stages(site)
    assert not second.reused
    src = str(site / "site") + os.sep
    assert [p for p in opened if p.startswith(src)] == []  # no template, image, script read
    assert started == []
    assert (second.memo.hashed, second.memo.facts) == (0, 0)
    assert second.cache.misses == 0 and second.cache.verified == 0
    assert tree_bytes(first.build_dir) == tree_bytes(second.build_dir)


def test_noop_rebuild_encodes_no_document_and_walks_no_cache(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assetpipe import fsutil
    from assetpipe.pipeline import output

    _build(site)
    encoded: list[Any] = []
    real_dump = fsutil.dump_json

    def counting_dump(doc: Any) -> bytes:
        encoded.append(doc)
        return real_dump(doc)

    monkeypatch.setattr(output, "dump_json", counting_dump)
    pruned: list[int] = []

    def counting_prune(self: Cache) -> int:
        pruned.append(1)
        return 0

    monkeypatch.setattr(Cache, "prune", counting_prune)
    result = _build_stages(site)
    # only the deploy history (it names the new build) is encoded; report and manifest are the
    # previous build's bytes
    assert all(isinstance(doc, list) for doc in encoded), [type(d) for d in encoded]
    assert pruned == []
    assert json.loads((result.build_dir / "manifest.json").read_text()) == result.manifest.entries
    # a build that stores entries does prune
    (site / "site/css/app.css").write_text("body { color: #456; }\n")
    _build(site)
    assert pruned == [1]


def test_touched_template_is_hashed_once_and_not_rescanned(site: Path) -> None:
    _build(site)
    later = time.time_ns() - 10**9  # a checkout, a `touch` a moment ago: same bytes
    os.utime(site / "site/templates/pages/t3.html", ns=(later, later))
    second = _build(site)
    assert second.memo.hashed == 1 and second.memo.facts == 0
    assert second.cache.per_stage["templates"]["misses"] == 0
    third = _build(site)
    assert third.memo.hashed == 0  # the new stamp was remembered (it is outside the racy window)


def test_one_template_edit_reads_and_rewrites_that_template_only(site: Path) -> None:
    first = _build(site)
    path = site / "site/templates/pages/t2.html"
    path.write_text(_page(2).replace("<p>2</p>", "<p>two</p>"))
    with opened_files() as opened:
        second = _build(site)
    templates = str(site / "site/templates") + os.sep
    assert sorted({p for p in opened if p.startswith(templates)}) == [str(path)]
    # the facts derived from templates (asset references, script tags) of that one only
    assert {c.rsplit(":", 1)[1] for c in second.memo.computed} == {"templates/pages/t2.html"}
    assert second.memo.hashed == 1
    assert second.cache.per_stage["templates"] == {"hits": 6, "misses": 1}
    assert "<p>two</p>" in (second.build_dir / "templates/pages/t2.html").read_text()
    assert first.manifest.entries == second.manifest.entries


def test_an_edited_image_rewrites_the_templates_that_show_it(site: Path) -> None:
    _build(site)
    (site / "site/img/p1.png").write_bytes(_png(30, 40, (10, 10, 200)))
    result = _build(site)
    # t1, t3, t5 show p1.png; their references came from the memo, not from reading them
    assert result.cache.per_stage["templates"]["misses"] == 3
    assert result.memo.facts == 0


def test_a_same_size_edit_within_one_mtime_tick_is_seen(tmp_path: Path) -> None:
    """A stamp recorded while the file was fresh is not trusted (git's racily-clean rule):
    a second same-size save in the same clock tick keeps size, mtime and inode."""
    path = tmp_path / "src/a.txt"
    path.parent.mkdir()
    path.write_text("one\n")
    tick = time.time_ns() + 5 * 10**9  # a timestamp no later save can be told apart from
    os.utime(path, ns=(tick, tick))
    memo = tmp_path / "memo.json"
    first = Sources.scan(tmp_path / "src", memo)
    assert first.sha256("a.txt") == hashlib.sha256(b"one\n").hexdigest()
    first.save_memo()
    path.write_text("two\n")  # same size, same inode
    os.utime(path, ns=(tick, tick))
    second = Sources.scan(tmp_path / "src", memo)
    assert second.sha256("a.txt") == hashlib.sha256(b"two\n").hexdigest()
    assert second.memo_stats.hashed == 1


def test_memo_survives_a_touch_and_forgets_changed_content(tmp_path: Path) -> None:
    path = tmp_path / "src/a.txt"
    path.parent.mkdir()
    path.write_text("one\n")
    old = time.time_ns() - 10**10
    os.utime(path, ns=(old, old))
    memo = tmp_path / "memo.json"
    calls: list[str] = []

    def upper(p: Path) -> str:
        calls.append(p.name)
        return p.read_text().upper()

    s = Sources.scan(tmp_path / "src", memo)
    assert s.fact("a.txt", "upper", upper) == "ONE\n"
    s.save_memo()
    os.utime(path, ns=(old + 1000, old + 1000))  # touched
    s = Sources.scan(tmp_path / "src", memo)
    assert s.fact("a.txt", "upper", upper) == "ONE\n" and calls == ["a.txt"]
    assert s.memo_stats.hashed == 1
    s.save_memo()
    path.write_text("three\n")
    os.utime(path, ns=(old + 2000, old + 2000))
    s = Sources.scan(tmp_path / "src", memo)
    assert s.fact("a.txt", "upper", upper) == "THREE\n" and calls == ["a.txt", "a.txt"]


def test_a_fact_replaces_the_files_facts_of_its_family(tmp_path: Path) -> None:
    """``refs/<code digest>``: a checkout at another commit computes the fact again, and the
    previous code's fact is dropped rather than kept in the memo for good."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src/a.txt").write_text("one\n")
    memo = tmp_path / "memo.json"
    s = Sources.scan(tmp_path / "src", memo)
    assert s.fact("a.txt", "refs/old", lambda p: 1) == 1
    assert s.fact("a.txt", "tags/old", lambda p: 2) == 2
    assert s.fact("a.txt", "refs/new", lambda p: 3) == 3
    s.save_memo()
    facts = json.loads(memo.read_text())
    assert '"refs/old"' not in json.dumps(facts) and '"refs/new"' in json.dumps(facts)
    assert '"tags/old"' in json.dumps(facts)


def test_path_sha256_memoises_files_outside_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "node_modules/pkg/index.js"
    outside.parent.mkdir(parents=True)
    outside.write_text("export default 1;\n")
    old = time.time_ns() - 10**10
    os.utime(outside, ns=(old, old))
    (tmp_path / "src").mkdir()
    memo = tmp_path / "memo.json"
    s = Sources.scan(tmp_path / "src", memo)
    digest = s.path_sha256(outside)
    s.save_memo()
    s = Sources.scan(tmp_path / "src", memo)
    with opened_files() as opened:
        assert s.path_sha256(outside) == digest
    assert str(outside) not in opened and s.memo_stats.hits == 1


def test_cache_blob_checked_by_stamp_then_hashed_when_it_moved(site: Path) -> None:
    _build(site)
    blobs = [
        p
        for p in (site / ".assetpipe/cache/entries").rglob("*")
        if p.is_file() and p.name != "meta.json"
    ]
    assert blobs
    os.utime(blobs[0], ns=(10**18, 10**18))  # stamp moved, content intact: hashed once,
    # then trusted again
    assert _build_stages(site).cache.verified == 1
    assert _build_stages(site).cache.verified == 0
    # content changed: discarded, the work is done again
    blobs[0].chmod(0o644)
    blobs[0].write_bytes(b"x" + blobs[0].read_bytes())
    result = _build_stages(site)
    assert result.cache.discarded == 1 and result.cache.misses >= 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=4), kids, max_size=3)
    ),
    max_leaves=12,
)


@given(
    st.lists(st.dictionaries(st.text(max_size=4), json_values, max_size=4), min_size=1, max_size=4)
)
@settings(max_examples=150, deadline=None)
def test_json_writer_is_byte_identical_to_dump_json(docs: list[dict[str, Any]]) -> None:
    """The same writer over successive documents (as watch writes the manifest and report):
    every output is dump_json's, whatever was memoised from the documents before."""
    writer = JsonWriter(depth=2)
    for doc in docs:
        assert writer.dumps(doc) == dump_json(doc)


def test_json_writer_reuses_unchanged_values_only() -> None:
    writer = JsonWriter(depth=1)
    doc: dict[str, Any] = {"a": {"x": [1, 2]}, "b": {"y": "é"}}
    writer.dumps(doc)
    doc["b"] = {"y": "changed"}
    assert writer.dumps(doc) == dump_json(doc)
    doc["a"]["x"].append(3)  # mutated in place: compared by value, not identity
    assert writer.dumps(doc) == dump_json(doc)
    doc["a"] = {"x": [1.0, True, 3]}  # equal in Python ([1, 1, 3] == [1.0, True, 3])
    assert writer.dumps(doc) == dump_json(doc)


def test_noop_rebuild_reads_no_package_a_script_imports(site: Path) -> None:
    """esbuild inputs outside the source tree (node_modules) are checked by stat too."""
    write_tree(
        site,
        {
            "site/node_modules/dep/package.json": '{"name": "dep", "main": "index.js"}\n',
            "site/node_modules/dep/index.js": "export const g = () => 7;\n",
            "site/js/main.js": 'import { f } from "./lib.js";\nimport { g } from "dep";\n'
            "console.log(f() + g());\n",
        },
    )
    old = time.time_ns() - 10**10
    for path in (site / "site").rglob("*"):
        os.utime(path, ns=(old, old))
    _build(site)
    with opened_files() as opened:
        second = _build_stages(site)
    assert second.cache.per_stage["scripts"]["misses"] == 0
    assert [p for p in opened if "node_modules" in p] == []


def test_the_cache_is_measured_only_when_it_may_be_past_its_limit(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", max_mb=1)
    cache.put("a" * 64, {"x": b"1" * 1000}, {})
    assert cache.prune() == 0  # measured: no bound yet
    usage = json.loads((tmp_path / "cache/usage.json").read_text())["bytes"]
    assert 1000 < usage < 2000
    # under the bound: not measured (an entry removed behind its back is not noticed)
    cache.put("b" * 64, {"x": b"2" * 1000}, {})
    calls: list[int] = []
    real = cache._prune

    def measuring() -> tuple[int, int]:
        calls.append(1)
        return real()

    cache._prune = measuring  # type: ignore[method-assign]
    assert cache.prune() == 0 and calls == []
    bound = json.loads((tmp_path / "cache/usage.json").read_text())["bytes"]
    assert bound > usage + 1000
    # past the limit: measured and pruned, oldest first
    cache.put("c" * 64, {"x": b"3" * (1024 * 1024)}, {})
    assert cache.prune() >= 1 and calls == [1]
    assert json.loads((tmp_path / "cache/usage.json").read_text())["bytes"] <= 1024 * 1024
