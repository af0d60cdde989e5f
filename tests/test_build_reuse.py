"""A no-op build reuses the last one (``assetpipe.pipeline.reuse``): it stats its inputs, reads the
record and the build's manifest and report, writes nothing, starts no process and imports no
stage; any change the build depended on makes the next build run its stages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assetpipe import build, load_config
from assetpipe.errors import StageError
from assetpipe.imaging import pool
from tests.conftest import REPO, fresh_python, tree_bytes, write_tree
from tests.rebuild_site import RECORD, opened_files, site, started_processes
from tests.rebuild_site import age as _age
from tests.rebuild_site import build_site as _build
from tests.rebuild_site import page as _page

__all__ = ["site"]  # the fixture


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder under ``root`` (output link included) with its stamp; the build
    lock's file is left out (taking the lock writes the holder's pid into it)."""
    out: dict[str, tuple[int, int, int]] = {}
    for dirpath, dirs, names in os.walk(root):
        for name in dirs + names:
            path = os.path.join(dirpath, name)
            if name == "build.lock":
                continue
            st = os.lstat(path)
            out[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def test_a_noop_build_reuses_the_last_one_writes_nothing_and_starts_no_process(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(site / "pipeline.yaml")
    first = build(cfg)
    assert not first.reused and (site / RECORD).is_file()
    pool.shutdown()  # the image pool outlives a build: stop it, to see whether one starts
    before = _snapshot(site)
    with opened_files() as opened, started_processes(monkeypatch) as started:
        second = build(cfg)
    assert second.reused and second.build_dir == first.build_dir
    assert started == []
    # the output's owner check, the record, the build's two documents: no source, no memo
    assert sorted(opened) == sorted(
        str(p)
        for p in (
            site / ".assetpipe/config-path",
            site / RECORD,
            first.build_dir / "manifest.json",
            first.build_dir / "report.json",
        )
    )
    assert _snapshot(site) == before  # no file written, touched, added or removed
    assert second.manifest.entries == first.manifest.entries
    assert second.owners == first.owners and second.static_keys == first.static_keys
    assert second.report == json.loads((first.build_dir / "report.json").read_text())
    assert second.to_json()["reused"] is True


def test_the_reused_output_is_what_running_the_stages_makes(site: Path) -> None:
    _build(site)
    reused = _build(site)
    assert reused.reused
    kept = tree_bytes(reused.build_dir)
    (site / RECORD).unlink()
    rebuilt = _build(site)
    assert not rebuilt.reused and rebuilt.build_dir != reused.build_dir
    assert tree_bytes(rebuilt.build_dir) == kept


def test_a_process_that_reuses_imports_no_stage(site: Path) -> None:
    _build(site)
    code = (
        "import sys\n"
        "from assetpipe import build\n"
        "r = build(sys.argv[1])\n"
        "heavy = ('assetpipe.stages.', 'assetpipe.esbuild', 'assetpipe.imaging', "
        "'assetpipe.rewrite', 'PIL', 'brotli', 'zstandard')\n"
        "print(r.reused, sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = fresh_python(code, str(site / "pipeline.yaml"), cwd=site)
    assert done.code == 0, done.err
    out = done.out.strip()
    # the stages' seam, for the type of the warnings, and the hints file's name: no engine
    expected = ["assetpipe.rewrite", "assetpipe.rewrite.hints", "assetpipe.stages.base"]
    assert out == f"True {expected}", out


@pytest.mark.parametrize(
    "change",
    [
        "edit a template",
        "touch an image",
        "add a file",
        "remove a file",
        "edit the config",
        "delete an output file",
        "edit an output file",
        "point the output elsewhere",
        "edit a package a script imports",
        "write lcp-hints.json",
    ],
)
def test_any_change_the_build_depended_on_runs_the_stages(site: Path, change: str) -> None:
    write_tree(
        site,
        {
            "site/node_modules/dep/package.json": '{"name": "dep", "main": "index.js"}\n',
            "site/node_modules/dep/index.js": "export const g = () => 7;\n",
            "site/icons/extra.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
            "site/js/main.js": 'import { f } from "./lib.js";\nimport { g } from "dep";\n'
            "console.log(f() + g());\n",
        },
    )
    _age(site)
    first = _build(site)
    assert _build(site).reused
    public = first.build_dir / "public"
    script = public / first.manifest.entries["js/main.js"]["file"]
    if change == "edit a template":
        (site / "site/templates/pages/t1.html").write_text(
            _page(1).replace("<p>1</p>", "<p>one</p>")
        )
    elif change == "touch an image":
        os.utime(site / "site/img/p0.png")
    elif change == "add a file":
        (site / "site/icons/new.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    elif change == "remove a file":
        (site / "site/icons/extra.svg").unlink()
    elif change == "edit the config":
        cfg = site / "pipeline.yaml"
        cfg.write_text(cfg.read_text().replace("widths: [16, 32]", "widths: [16, 24]"))
    elif change == "delete an output file":
        script.unlink()
    elif change == "edit an output file":
        script.chmod(0o644)
        script.write_text("broken();\n")
    elif change == "point the output elsewhere":
        (site / "dist").unlink()
        (site / "dist").symlink_to(site / "site")
    elif change == "edit a package a script imports":
        (site / "site/node_modules/dep/index.js").write_text("export const g = () => 8;\n")
    elif change == "write lcp-hints.json":  # what `assetpipe audit` writes beside the config
        from assetpipe.rewrite.hints import Hint, hints_path, write_hints

        write_hints(hints_path(site), [Hint("pages/t0.html", 2, None)], [])
    second = _build(site)
    assert not second.reused and second.build_dir != first.build_dir, change
    if change == "delete an output file" or change == "edit an output file":
        fresh = second.build_dir / "public" / second.manifest.entries["js/main.js"]["file"]
        assert fresh.read_bytes() != b"broken();\n"
    if change == "edit the config":  # 24 px made (kept, or dropped as not smaller), 32 px not
        entry = second.manifest.entries["img/p0.png"]
        notes = second.report["images"]["never_bigger"].get("img/p0.png", {})
        made = {int(v["width"]) for v in [*entry["variants"], *notes.get("dropped", ())]}
        assert 24 in made and 32 not in made, (entry, notes)
    if change == "edit a package a script imports":
        main_js = second.build_dir / "public" / second.manifest.entries["js/main.js"]["file"]
        assert "8" in main_js.read_text()


def test_a_recent_edit_is_recorded_with_the_content_it_was_read_with(site: Path) -> None:
    """A source modified within the racy window of the scan is recorded with the content hash
    the build read it with, not trusted to its stamp (a same-size save in the same mtime tick
    would look unchanged: test_build_edit has that case): the next build with nothing changed
    checks that file's content, and reuses."""
    _build(site)
    page = site / "site/templates/pages/t4.html"
    page.write_text(_page(4).replace("<p>4</p>", "<p>x</p>"))
    # stamped in a tick the build does not leave (a loaded machine may scan later than the
    # racy window after a save stamped with the real time)
    tick = time.time_ns() + 60 * 10**9
    os.utime(page, ns=(tick, tick))
    second = _build(site)
    assert not second.reused
    assert list(json.loads((site / RECORD).read_text())["racy"]) == ["templates/pages/t4.html"]
    assert _build(site).reused
    _age(site)  # every source older than the window: the stamps moved, the stages run
    assert not _build(site).reused
    assert json.loads((site / RECORD).read_text())["racy"] == {}
    assert _build(site).reused


def test_clean_and_strict_run_the_stages(site: Path) -> None:
    # esbuild warns about a duplicate key; the warning is the reused build's too
    (site / "site/js/lib.js").write_text("export const f = () => ({ a: 1, a: 2 }).a;\n")
    _age(site)
    first = _build(site)
    assert first.warnings
    reused = _build(site)
    assert reused.reused and [str(w) for w in reused.warnings] == [str(w) for w in first.warnings]
    assert not _build(site, clean=True).reused
    with pytest.raises(StageError, match="--strict"):
        _build(site, strict=True)


def test_a_damaged_record_is_ignored(site: Path) -> None:
    _build(site)
    (site / RECORD).write_text("{not json")
    assert not _build(site).reused
    assert _build(site).reused


def test_a_piped_cli_build_that_reuses_imports_neither_rich_nor_a_stage(site: Path) -> None:
    """``assetpipe build`` on a pipe (CI, a script): its lines are written without rich, and a
    build that reuses the last one imports no stage (``-X importtime`` lists every import)."""
    _build(site)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "assetpipe", "build"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "assetpipe.pipeline.reuse" in imported  # the listing works
    # a plain `assetpipe build` is parsed without click (cli.building)
    heavy = ("click", "rich", "assetpipe.stages.", "assetpipe.esbuild", "assetpipe.rewrite", "PIL")
    assert sorted(m for m in imported if m.startswith(heavy)) == [
        "assetpipe.rewrite",
        "assetpipe.rewrite.hints",
        "assetpipe.stages.base",
    ]
    # the summary's line about images reads the report, not an image
    assert not imported & {"assetpipe.imaging.probe", "assetpipe.imaging.formats"}
    assert "up to date: " in proc.stderr
