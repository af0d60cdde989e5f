"""The foundation build: layout, manifest, atomic swap, failure safety, lock, determinism,
cache, retention."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assetpipe import StageError, build, load_config
from assetpipe.hashing import is_hashed, sri
from tests.cli_support import invoke_cli
from tests.conftest import TINY_CONFIG, TINY_SITE, run_cli, tree_bytes, write_tree


def test_tiny_site_builds_to_the_layout_with_hashed_names(tiny_site: Path) -> None:
    result = run_cli("build", cwd=tiny_site)
    assert result.code == 0, result.err
    dist = tiny_site / "dist"
    assert dist.is_symlink()
    assert dist.resolve().parent == (tiny_site / ".assetpipe" / "builds").resolve()
    assert sorted(p.name for p in dist.iterdir()) == [
        "manifest.json",
        "public",
        "report.json",
        "templates",
    ]
    manifest = json.loads((dist / "manifest.json").read_text())
    assert sorted(manifest) == [
        "css/site.css",
        "icons/logo.svg",
        "icons/sub/arrow.svg",
        "robots.txt",
    ]
    logo = manifest["icons/logo.svg"]
    data = (tiny_site / "site/icons/logo.svg").read_bytes()
    assert logo["src"] == "icons/logo.svg"
    assert logo["size"] == len(data)
    assert logo["integrity"] == sri(data)
    assert logo["file"].startswith("icons/logo-") and logo["file"].endswith(".svg")
    assert is_hashed(logo["file"]) and "immutable" not in logo
    assert (dist / "public" / logo["file"]).read_bytes() == data
    assert manifest["icons/sub/arrow.svg"]["file"].startswith("icons/sub/arrow-")
    # keep_names: own name, revalidated
    assert manifest["robots.txt"]["file"] == "robots.txt"
    assert manifest["robots.txt"]["immutable"] is False
    # only what static.include lists is public
    public = sorted(
        p.relative_to(dist / "public").as_posix()
        for p in (dist / "public").rglob("*")
        if p.is_file()
    )
    assert public == sorted(e["file"] for e in manifest.values())
    # templates copied unchanged, private
    assert (dist / "templates/pages/index.html").read_bytes() == (
        tiny_site / "site/templates/pages/index.html"
    ).read_bytes()
    report = json.loads((dist / "report.json").read_text())
    assert report["retained"] == [] and report["warnings"] == []
    # manifest JSON is deterministic: sorted keys, two-space indent, final newline
    text = (dist / "manifest.json").read_text()
    assert text == json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_json_output_is_one_document(tiny_site: Path) -> None:
    result = invoke_cli("build", "--json", cwd=tiny_site)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["ok"] is True
    assert doc["stages"]["static"]["files"] == 4
    assert doc["stages"]["templates"]["files"] == 2
    assert doc["bytes"] > 0 and doc["seconds"] >= 0
    assert doc["cache"]["misses"] >= 4 and doc["cache"]["hits"] == 0


def test_failed_build_leaves_previous_output_byte_identical(tiny_site: Path) -> None:
    assert invoke_cli("build", cwd=tiny_site).code == 0
    before = tree_bytes(tiny_site / "dist")
    link_before = os.readlink(tiny_site / "dist")
    # a change that the static stage writes out, then the templates stage fails on
    (tiny_site / "site/icons/logo.svg").write_text("<svg>changed</svg>\n")
    write_tree(
        tiny_site,
        {
            "site/templates2/pages/index.html": "<p>same name in a second template dir</p>\n",
            "pipeline.yaml": TINY_CONFIG + "templates: {dirs: [templates, templates2]}\n",
        },
    )
    result = invoke_cli("build", cwd=tiny_site)
    assert result.code == 1
    assert "template 'pages/index.html' is in two template dirs" in result.err
    # after the lines of the stages that finished (stderr is not a terminal), the error
    assert ("\n" + result.err).split("\nerror: ", 1)[1].startswith("pipeline.yaml:")
    assert os.readlink(tiny_site / "dist") == link_before
    assert tree_bytes(tiny_site / "dist") == before
    builds = [p for p in (tiny_site / ".assetpipe/builds").iterdir() if p.is_dir()]
    assert len(builds) == 1, "the failed build's folder is removed"


def test_two_clean_builds_in_different_directories_are_byte_identical(tmp_path: Path) -> None:
    write_tree(tmp_path, dict(TINY_SITE))
    for name in ("a", "b"):
        write_tree(
            tmp_path / name,
            {"pipeline.yaml": TINY_CONFIG.replace("source: site", "source: ../site")},
        )
        assert invoke_cli("build", cwd=tmp_path / name).code == 0
    a, b = tree_bytes(tmp_path / "a/dist"), tree_bytes(tmp_path / "b/dist")
    assert a.keys() == b.keys() and a == b


def test_second_build_with_no_change_does_no_stage_work(tiny_site: Path) -> None:
    cfg = load_config(tiny_site / "pipeline.yaml")
    first = build(cfg)
    assert first.cache.per_stage["static"] == {"hits": 0, "misses": 4}
    assert first.cache.hits == 0
    # read now: the next build may retire the first one's folder
    first_bytes = tree_bytes(first.build_dir)
    second = build(cfg)
    assert second.cache.misses == 0, second.cache.per_stage  # no stage did any work
    assert second.cache.hits == first.cache.misses
    assert second.cache.writes == 0
    assert second.build_dir != first.build_dir
    assert tree_bytes(second.build_dir) == first_bytes  # the cached build is the same build
    # a changed file is the only work
    (tiny_site / "site/css/site.css").write_text("body { color: red; }\n")
    third = build(cfg)
    assert third.cache.per_stage["static"]["misses"] == 1


def test_corrupt_cache_entry_is_discarded_not_an_error(tiny_site: Path) -> None:
    cfg = load_config(tiny_site / "pipeline.yaml")
    build(cfg)
    metas = list((tiny_site / ".assetpipe/cache/entries").glob("*/*/meta.json"))
    assert metas
    metas[0].write_text("{not json")
    # without the last build's record: a build that reuses it looks nothing up
    (tiny_site / ".assetpipe/last-build.json").unlink(missing_ok=True)
    result = build(cfg)
    assert result.cache.discarded == 1 and result.cache.misses == 1
    assert result.manifest["icons/logo.svg"]["integrity"].startswith("sha384-")


def test_cache_is_pruned_past_cache_max_mb(tiny_site: Path) -> None:
    text = (tiny_site / "pipeline.yaml").read_text() + "cache_max_mb: 0\n"
    (tiny_site / "pipeline.yaml").write_text(text)
    build(load_config(tiny_site / "pipeline.yaml"))
    assert list((tiny_site / ".assetpipe/cache/entries").glob("*/*/meta.json")) == []


def test_clean_empties_the_cache(tiny_site: Path) -> None:
    cfg = load_config(tiny_site / "pipeline.yaml")
    build(cfg)
    assert build(cfg, clean=True).cache.per_stage["static"] == {"hits": 0, "misses": 4}


def test_retain_builds_keeps_previous_hashed_files_and_drops_older(tiny_site: Path) -> None:
    cfg = load_config(tiny_site / "pipeline.yaml")
    css = tiny_site / "site/css/site.css"
    files = []
    for colour in ("red", "green", "blue"):
        css.write_text(f"body {{ color: {colour}; }}\n")
        result = build(cfg)
        files.append(result.manifest["css/site.css"]["file"])
    public = tiny_site / "dist" / "public"
    assert (public / files[2]).is_file()
    assert (public / files[1]).read_text() == "body { color: green; }\n"  # one build back: kept
    assert not (public / files[0]).exists()  # two builds back: gone
    report = json.loads((tiny_site / "dist/report.json").read_text())
    assert report["retained"] == [files[1]]
    # keep_names files are never "retained" copies: they are the current ones
    assert "robots.txt" not in report["retained"]


def test_retain_builds_3_keeps_two_previous(tiny_site: Path) -> None:
    (tiny_site / "pipeline.yaml").write_text(TINY_CONFIG + "retain_builds: 3\n")
    cfg = load_config(tiny_site / "pipeline.yaml")
    files = []
    for colour in ("red", "green", "blue", "black"):
        (tiny_site / "site/css/site.css").write_text(f"body {{ color: {colour}; }}\n")
        files.append(build(cfg).manifest["css/site.css"]["file"])
    public = tiny_site / "dist/public"
    assert [(public / f).exists() for f in files] == [False, True, True, True]


HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0); os.write(fd, f"{os.getpid()}\\n".encode())
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _hold_lock(root: Path, seconds: float) -> subprocess.Popen[str]:
    lock = root / ".assetpipe" / "build.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def _release(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def test_build_waits_for_the_lock_then_runs(tiny_site: Path) -> None:
    holder = _hold_lock(tiny_site, 1.0)
    try:
        result = invoke_cli("build", cwd=tiny_site)
        assert result.code == 0, result.err
        assert holder.poll() is not None, "the build finished only after the holder let go"
    finally:
        _release(holder)


def test_build_that_outlasts_lock_timeout_exits_1_naming_the_holder(tiny_site: Path) -> None:
    (tiny_site / "pipeline.yaml").write_text(TINY_CONFIG + "lock_timeout: 0.3\n")
    holder = _hold_lock(tiny_site, 30)
    try:
        result = invoke_cli("build", cwd=tiny_site)
        assert result.code == 1
        assert f"another build (pid {holder.pid}) still holds" in result.err
        assert not (tiny_site / "dist").exists()
    finally:
        _release(holder)


def test_lock_is_freed_when_the_holder_dies(tiny_site: Path) -> None:
    """A holder killed mid-build leaves its pid in the lock file but no lock: a build whose
    lock_timeout is far shorter than the holder meant to hold it runs without waiting."""
    (tiny_site / "pipeline.yaml").write_text(TINY_CONFIG + "lock_timeout: 0.3\n")
    holder = _hold_lock(tiny_site, 30)
    _release(holder)
    assert (tiny_site / ".assetpipe" / "build.lock").read_text() == f"{holder.pid}\n"
    result = invoke_cli("build", cwd=tiny_site)
    assert result.code == 0, result.err
    assert f"pid {holder.pid}" not in result.err  # never waited for, nor named, the dead holder
    assert (tiny_site / "dist" / "manifest.json").is_file()


def test_output_that_is_a_real_folder_is_refused_not_deleted(tiny_site: Path) -> None:
    (tiny_site / "dist").mkdir()
    (tiny_site / "dist" / "mine.txt").write_text("precious")
    result = invoke_cli("build", cwd=tiny_site)
    assert result.code == 2
    assert "is not an assetpipe build link" in result.err
    assert (tiny_site / "dist" / "mine.txt").read_text() == "precious"


def test_strict_fails_on_warnings(tiny_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetpipe.pipeline import run as b

    def warn_stage(ctx: object) -> None:
        ctx.warn("something odd")  # type: ignore[attr-defined]

    monkeypatch.setattr(b, "stages", lambda profile: [("warner", warn_stage)])
    cfg = load_config(tiny_site / "pipeline.yaml")
    assert len(build(cfg).warnings) == 1
    with pytest.raises(StageError, match="--strict"):
        build(cfg, strict=True)


def test_the_public_build_names_survive_importing_the_pipeline_package() -> None:
    """``assetpipe.build`` is the function (the public API); importing the build's modules,
    before or after ``assetpipe``, leaves it so."""
    code = (
        "import assetpipe.pipeline.run, assetpipe.pipeline.cache\n"
        "from assetpipe.pipeline import output\n"
        "import assetpipe\n"
        "from assetpipe import build, BuildResult, BuildWarning\n"
        "from assetpipe.pipeline.result import BuildResult as Inner\n"
        "from assetpipe.stages.base import BuildWarning as InnerWarning\n"
        "assert callable(build) and assetpipe.build is build, assetpipe.build\n"
        "assert BuildResult is Inner and BuildWarning is InnerWarning\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_does_not_load_the_cli_library() -> None:
    code = (
        "import sys, assetpipe; from assetpipe import build, load_config, Manifest; "
        "bad = [m for m in ('click', 'rich') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_version_and_module_entry_point(tmp_path: Path) -> None:
    from assetpipe import __version__

    result = run_cli("--version", cwd=tmp_path)
    assert result.code == 0 and __version__ in result.out


def test_cache_entry_with_a_missing_blob_is_discarded(tiny_site: Path) -> None:
    cfg = load_config(tiny_site / "pipeline.yaml")
    build(cfg)
    blobs = [
        p for p in (tiny_site / ".assetpipe/cache/entries").glob("*/*/*") if p.name != "meta.json"
    ]
    assert blobs
    for blob in blobs:
        blob.unlink()
    result = build(cfg)
    assert result.cache.discarded == len({b.parent for b in blobs})
    assert result.cache.per_stage["static"] == {"hits": 0, "misses": 4}
    logo = result.manifest["icons/logo.svg"]["file"]
    assert (tiny_site / "dist/public" / logo).read_bytes() == (
        tiny_site / "site/icons/logo.svg"
    ).read_bytes()


def test_the_replaced_build_folder_survives_until_the_next_swap(tiny_site: Path) -> None:
    cfg = load_config(tiny_site / "pipeline.yaml")
    folders = []
    for colour in ("red", "green", "blue"):
        (tiny_site / "site/css/site.css").write_text(f"body {{ color: {colour}; }}\n")
        folders.append(build(cfg).build_dir)
    assert [f.exists() for f in folders] == [False, True, True]
    # a development build replaces the live one too, and keeps the one it replaced
    dev = build(cfg, profile="development")
    assert folders[2].exists() and not folders[1].exists()
    assert json.loads((dev.build_dir / "report.json").read_text())["retained"] == []


def test_the_result_names_each_key_s_stage_and_the_report_it_wrote(tiny_site: Path) -> None:
    """The typed fields an incremental rebuild starts from: which stage made each manifest key,
    the static stage's keys, and report.json's sections as written."""
    result = build(load_config(tiny_site / "pipeline.yaml"))
    keys = {"css/site.css", "icons/logo.svg", "icons/sub/arrow.svg", "robots.txt"}
    assert set(result.manifest.entries) == keys
    assert result.owners == dict.fromkeys(keys, "static")
    assert result.static_keys == keys
    assert result.report == json.loads((result.build_dir / "report.json").read_text())
    assert result.report["warnings"] == [] and result.report["retained"] == []
