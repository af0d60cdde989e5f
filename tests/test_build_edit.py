"""Edit builds (``assetpipe.pipeline.edit``): a one-shot build after a small change reruns only
the stages the change needs and replays the others from the previous build, into a new folder
swapped in as any build is, with exactly the bytes a full build makes.

Each comparison builds twin projects (the same files, the same builds in the same order): the
first after the change as a user would (an edit build), the second cold (``--clean``: the cache
emptied, every stage run), and compares every file of the two build folders, report.json and
manifest.json included.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assetpipe.errors import ConfigError, StageError
from assetpipe.pipeline.result import BuildResult
from tests.conftest import fresh_python, run_cli, tree_bytes
from tests.rebuild_site import RECORD, write_site
from tests.rebuild_site import build_site as _build
from tests.rebuild_site import page as _page
from tests.rebuild_site import png as _png

EVERY = ("images", "scripts", "styles", "static", "templates", "compress")


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two identical projects, each built once and then reused (so each has a record)."""
    roots = (write_site(tmp_path / "a"), write_site(tmp_path / "b"))
    for root in roots:
        assert not _build(root).reused
        assert _build(root).reused
    return roots


def _edit_vs_cold(
    twins: tuple[Path, Path], change: Callable[[Path], None]
) -> tuple[BuildResult, BuildResult]:
    """``change`` both twins; the first built as a user would, the second cold. Their build
    folders hold the same bytes, and the results say the same."""
    a, b = twins
    change(a)
    change(b)
    edited = _build(a)
    cold = _build(b, clean=True)
    assert not cold.replayed
    assert tree_bytes(edited.build_dir) == tree_bytes(cold.build_dir)
    assert edited.owners == cold.owners and edited.static_keys == cold.static_keys
    assert [str(w) for w in edited.warnings] == [str(w) for w in cold.warnings]
    assert edited.manifest.entries == cold.manifest.entries
    assert os.path.realpath(a / "dist") == str(edited.build_dir)
    return edited, cold


def _ran(result: BuildResult) -> set[str]:
    return set(EVERY) - set(result.replayed)


def _edit_template(root: Path) -> None:
    (root / "site/templates/pages/t1.html").write_text(_page(1).replace("<p>1</p>", "<p>one</p>"))


def test_a_template_edit_runs_the_templates_stage_only(twins: tuple[Path, Path]) -> None:
    edited, _ = _edit_vs_cold(twins, _edit_template)
    assert _ran(edited) == {"templates"}
    assert "<p>one</p>" in (edited.build_dir / "templates/pages/t1.html").read_text()
    # replayed files are the previous build's, hard-linked: no byte written again
    first = json.loads((twins[0] / RECORD).read_text())
    assert first["build_dir"] == str(edited.build_dir)
    # and the next build, nothing changed since, reuses this one
    assert _build(twins[0]).reused


def test_a_template_edit_that_changes_how_it_loads_a_script_reruns_the_scripts(
    twins: tuple[Path, Path],
) -> None:
    """The scripts stage decides from the templates which entries are classic scripts: a
    layout whose ``<script type="module">`` loses its type (then gets it back) makes the edit
    build rerun that stage, with the bytes and warnings of a cold build. Before, it replayed
    the module build and the page ran an ES module as a classic script."""
    base = "site/templates/base.html"

    def classic(root: Path) -> None:
        path = root / base
        path.write_text(path.read_text().replace('<script type="module" src=', "<script src="))

    def module(root: Path) -> None:
        path = root / base
        path.write_text(path.read_text().replace("<script src=", '<script type="module" src='))

    edited, _ = _edit_vs_cold(twins, classic)
    assert {"scripts", "templates"} <= _ran(edited)
    assert any("loaded as a classic script" in str(w) for w in edited.warnings)
    edited, _ = _edit_vs_cold(twins, module)
    assert {"scripts", "templates"} <= _ran(edited)
    assert not any("classic script" in str(w) for w in edited.warnings)

    def elsewhere(root: Path) -> None:
        path = root / base
        path.write_text(path.read_text() + "\n")

    # an edit elsewhere in the layout leaves the scripts replayed
    edited, _ = _edit_vs_cold(twins, elsewhere)
    assert _ran(edited) == {"templates"}


def test_a_css_edit_that_renames_the_stylesheet_reruns_the_templates(
    twins: tuple[Path, Path],
) -> None:
    before = json.loads((twins[0] / "dist/manifest.json").read_text())["css/app.css"]["file"]

    def change(root: Path) -> None:
        (root / "site/css/app.css").write_text("body { color: #456; }\n")

    edited, _ = _edit_vs_cold(twins, change)
    after = edited.manifest["css/app.css"]["file"]
    assert after != before
    # both esbuild stages (a script may import a stylesheet), the templates that name the
    # stylesheet, and compress for the new files; images and static files replayed
    assert _ran(edited) == {"scripts", "styles", "templates", "compress"}
    assert f"/static/{after}" in (edited.build_dir / "templates/base.html").read_text()
    # the old stylesheet is retained for pages rendered before the swap (deploy safety)
    assert before in edited.retained


@pytest.mark.parametrize(
    ("what", "ran"),
    [
        ("script", {"scripts", "styles", "templates", "compress"}),
        ("image", {"images", "scripts", "styles", "templates", "compress"}),
        ("static", {"static", "scripts", "styles", "templates", "compress"}),
    ],
)
def test_a_script_image_or_static_edit_equals_a_cold_build(
    twins: tuple[Path, Path], what: str, ran: set[str]
) -> None:
    def change(root: Path) -> None:
        if what == "script":
            (root / "site/js/lib.js").write_text("export const f = () => 43;\n")
        elif what == "image":
            (root / "site/img/p1.png").write_bytes(_png(30, 40, (10, 10, 200)))
        else:
            (root / "site/icons/i.svg").write_text(
                '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>\n'
            )

    edited, _ = _edit_vs_cold(twins, change)
    assert _ran(edited) == ran


@pytest.mark.parametrize("how", ["added", "removed"])
def test_an_added_or_removed_template_equals_a_cold_build(
    twins: tuple[Path, Path], how: str
) -> None:
    def change(root: Path) -> None:
        if how == "added":
            (root / "site/templates/pages/t9.html").write_text(_page(9))
        else:
            (root / "site/templates/pages/t3.html").unlink()

    edited, _ = _edit_vs_cold(twins, change)
    assert _ran(edited) == {"templates"}
    assert (edited.build_dir / "templates/pages/t9.html").exists() == (how == "added")
    assert (edited.build_dir / "templates/pages/t3.html").exists() == (how == "added")


def test_lcp_hints_rerun_the_templates(twins: tuple[Path, Path]) -> None:
    from assetpipe.rewrite.hints import Hint, hints_path, write_hints

    def change(root: Path) -> None:
        write_hints(hints_path(root), [Hint("pages/t0.html", 2, None)], [])

    edited, _ = _edit_vs_cold(twins, change)
    assert _ran(edited) == {"templates"}


@pytest.mark.parametrize("change", ["config", "a file no stage takes", "an added image"])
def test_a_config_edit_or_an_unplanned_file_builds_in_full(
    twins: tuple[Path, Path], change: str
) -> None:
    def apply(root: Path) -> None:
        if change == "config":
            cfg = root / "pipeline.yaml"
            cfg.write_text(cfg.read_text().replace("widths: [16, 32]", "widths: [16, 24]"))
        elif change == "a file no stage takes":
            (root / "site/js/notes.md").write_text("read by no stage the plan knows\n")
        else:
            (root / "site/img/p2.png").write_bytes(_png(20, 20, (1, 2, 3)))

    edited, _ = _edit_vs_cold(twins, apply)
    assert edited.replayed == () and not edited.reused


def test_a_failing_edit_leaves_the_output_and_the_next_fix_is_an_edit_build(
    twins: tuple[Path, Path],
) -> None:
    a, _ = twins
    before = tree_bytes(a / "dist")
    link = os.readlink(a / "dist")
    folders = sorted((a / ".assetpipe/builds").iterdir())
    broken = _page(2).replace("<p>2</p>", "<p>2 {{ unclosed </p>")
    (a / "site/templates/pages/t2.html").write_text(broken)
    with pytest.raises(StageError) as err:
        _build(a)
    assert err.value.location is not None
    assert err.value.location.file == "site/templates/pages/t2.html"
    assert err.value.location.line is not None
    assert os.readlink(a / "dist") == link and tree_bytes(a / "dist") == before
    assert sorted((a / ".assetpipe/builds").iterdir()) == folders  # the failed one removed
    # the CLI: exit code 1, the error located at file:line:col
    res = run_cli("build", cwd=a)
    assert res.code == 1 and "error: site/templates/pages/t2.html:3:" in res.err, res.err
    assert os.readlink(a / "dist") == link

    def fix(root: Path) -> None:
        (root / "site/templates/pages/t2.html").write_text(_page(2).replace("2", "two"))

    edited, _ = _edit_vs_cold(twins, fix)
    assert _ran(edited) == {"templates"}


def test_an_edited_output_or_a_moved_link_builds_in_full(twins: tuple[Path, Path]) -> None:
    a, _ = twins
    manifest = json.loads((a / "dist/manifest.json").read_text())
    script = a / "dist/public" / manifest["js/main.js"]["file"]
    script.chmod(0o644)
    script.write_text("broken();\n")
    _edit_template(a)
    result = _build(a)
    assert result.replayed == ()
    assert (
        b"broken" not in (result.build_dir / "public" / manifest["js/main.js"]["file"]).read_bytes()
    )


def test_a_same_size_save_in_the_same_tick_is_caught_by_its_content(
    twins: tuple[Path, Path],
) -> None:
    """A save just before the build is recorded with the content hash the build read: a second
    save of the same size with the same mtime (a coarse clock's tick) is still a change."""
    a, _ = twins
    page = a / "site/templates/pages/t4.html"
    # both saves stamped in one tick of a coarse clock that the builds do not leave (a loaded
    # machine may take longer than the racy window to hash a file saved with the real time)
    tick = time.time_ns() + 60 * 10**9
    page.write_text(_page(4).replace("<p>4</p>", "<p>x</p>"))
    os.utime(page, ns=(tick, tick))
    first = _build(a)
    assert first.replayed and json.loads((a / RECORD).read_text())["racy"]
    st = page.stat()
    page.write_text(_page(4).replace("<p>4</p>", "<p>y</p>"))
    os.utime(page, ns=(tick, tick))
    assert page.stat().st_size == st.st_size and page.stat().st_ino == st.st_ino
    second = _build(a)
    assert not second.reused and _ran(second) == {"templates"}
    assert "<p>y</p>" in (second.build_dir / "templates/pages/t4.html").read_text()
    # unchanged since: reused (the racy file's content checked, not trusted to its stamp)
    assert _build(a).reused
    assert "<p>y</p>" in (a / "dist/templates/pages/t4.html").read_text()


def test_a_config_error_is_still_reported_before_any_replay(twins: tuple[Path, Path]) -> None:
    a, _ = twins
    cfg = a / "pipeline.yaml"
    cfg.write_text(cfg.read_text() + "images:\n  widths: [0]\n")
    with pytest.raises(ConfigError):
        _build(a)


#: run in a fresh process: an edit build of argv[1]'s config, counting the scans and HTML trees
#: made, and which of the modules an edit build need not load were loaded
_EDIT_PROCESS = """
import json, sys
from assetpipe.rewrite import cssmatch, scanner
counts = {"scans": 0, "trees": 0}
run, feed = scanner._Scanner.run, cssmatch._Tree.feed
def counted_run(self):
    counts["scans"] += 1
    return run(self)
def counted_feed(self, data):
    counts["trees"] += 1
    return feed(self, data)
scanner._Scanner.run, cssmatch._Tree.feed = counted_run, counted_feed
from assetpipe import build, load_config
result = build(load_config(sys.argv[1]))
heavy = ("assetpipe.stages.compress", "brotli", "gzip", "shutil", "tempfile", "logging")
print(json.dumps({**counts, "replayed": list(result.replayed),
                  "loaded": [m for m in heavy if m in sys.modules]}))
"""


def test_a_template_edit_reads_the_page_once_and_loads_no_other_stage(
    twins: tuple[Path, Path],
) -> None:
    """A one-template edit's process scans the saved page once and parses it into a tree once
    (the rebuild planner, the LCP lead and the rewrite share them), and loads neither the
    compress stage it replays (brotli, gzip), nor ``shutil``'s and ``tempfile``'s modules, nor
    ``logging`` (nothing is logged): each was milliseconds of a save's rebuild."""
    a, _ = twins
    _edit_template(a)
    out = fresh_python(_EDIT_PROCESS, str(a / "pipeline.yaml"), cwd=a)
    assert out.code == 0, out.err
    seen = json.loads(out.out)
    assert set(EVERY) - set(seen["replayed"]) == {"templates"}
    assert (seen["scans"], seen["trees"]) == (1, 1)
    assert seen["loaded"] == []
    assert "<p>one</p>" in (a / "dist/templates/pages/t1.html").read_text()
