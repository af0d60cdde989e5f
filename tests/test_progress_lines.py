"""Progress on long builds: without a terminal (a CI log, a pipe) ``assetpipe build`` prints a
line per stage as it finishes, with its counts and seconds; on a terminal, the live bar."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

from assetpipe.progress import StageDone
from tests.cli_support import invoke_cli
from tests.conftest import write_tree

CONFIG = """\
source: site
output: dist
templates:
  dirs: [templates]
  missing_assets: warn
scripts:
  entries: ["js/main.js"]
styles:
  entries: ["css/app.css"]
static:
  include: ["icons/**"]
"""

FILES: dict[str, str | bytes] = {
    "pipeline.yaml": CONFIG,
    "site/icons/a.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
    "site/icons/b.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="1"/>\n',
    "site/js/main.js": 'import { f } from "./lib.js";\nconsole.log(f());\n',
    "site/js/lib.js": "export const f = () => 42;\n",
    "site/css/app.css": "body { color: #123; }\n",
    "site/templates/a.html": '<img src="/static/icons/a.svg" alt="" width="1" height="1">\n',
    # a missing asset: the templates stage warns while it runs
    "site/templates/b.html": '<img src="/static/icons/gone.svg" alt="" width="1" height="1">\n',
}

LINE = re.compile(
    r"^(\w+): (?:(\d+) inputs?, )?(\d+) outputs? \((\d+) cache hits?, (\d+) "
    r"miss(?:es)?\) in \d+\.\d\d s$"
)


def _stage_lines(err: str) -> list[tuple[str, ...]]:
    return [m.groups() for m in map(LINE.match, err.splitlines()) if m]


def test_piped_build_prints_a_line_per_stage_as_it_finishes(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    res = invoke_cli("build", cwd=tmp_path)  # stdout and stderr are pipes
    assert res.code == 0, res.err
    lines = res.err.splitlines()
    stages = _stage_lines(res.err)
    assert [s[0] for s in stages] == ["scripts", "styles", "static", "templates", "compress"]
    by_stage = {s[0]: s[1:] for s in stages}
    assert by_stage["static"] == ("2", "2", "0", "2")  # 2 icons, 2 files, all cache misses
    assert by_stage["templates"] == ("2", "2", "0", "2")
    assert by_stage["scripts"][0] == "1" and by_stage["styles"][0] == "1"
    # streamed: the templates stage's warning comes after the lines of the stages before it
    # and before its own line
    warn = next(i for i, line in enumerate(lines) if line.startswith("warning:"))
    assert (
        lines.index(next(x for x in lines if x.startswith("static:")))
        < warn
        < lines.index(next(x for x in lines if x.startswith("templates:")))
    )
    assert lines[-1].startswith("built ") or "built " in res.err
    # a rebuild with no change that runs its stages (no record of the last build to reuse, as
    # when a source was saved within the racy window): the same lines, every stage all hits
    (tmp_path / ".assetpipe/last-build.json").unlink(missing_ok=True)
    again = _stage_lines(invoke_cli("build", cwd=tmp_path).err)
    assert [s[0] for s in again] == [s[0] for s in stages]
    assert all(s[4] == "0" for s in again), again


def test_the_scripts_line_counts_the_classic_scripts_cache_lookups(tmp_path: Path) -> None:
    """Otter Wiki's classic scripts read "0 cache hits, 0 misses" on a cold build and on a
    rebuild: their lookups were counted under scripts.classic, which no line showed."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": (
                "source: site\noutput: dist\nscripts:\n"
                '  entries: ["js/*.js"]\n  classic: ["js/*.js"]\n'
            ),
            "site/js/a.js": "function a() { return 1; }\n",
        },
    )
    cold = {s[0]: s for s in _stage_lines(invoke_cli("build", cwd=tmp_path).err)}
    assert cold["scripts"][3:] == ("0", "1"), cold
    (tmp_path / ".assetpipe/last-build.json").unlink(missing_ok=True)
    warm = {s[0]: s for s in _stage_lines(invoke_cli("build", cwd=tmp_path).err)}
    assert warm["scripts"][3:] == ("1", "0"), warm


def test_a_build_that_reuses_the_last_one_says_so_and_prints_no_stage_line(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, FILES)
    old = time.time_ns() - 10**10  # sources saved a while ago: the build is recorded
    for path in tmp_path.rglob("*"):
        os.utime(path, ns=(old, old))
    assert _stage_lines(invoke_cli("build", cwd=tmp_path).err)
    res = invoke_cli("build", cwd=tmp_path)
    assert res.code == 0 and _stage_lines(res.err) == []
    assert "up to date: " in res.out + res.err and "no input changed" in res.out + res.err
    assert "warning:" in res.err  # the reused build's warning, said again


def test_quiet_and_json_print_no_stage_lines(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    assert _stage_lines(invoke_cli("build", "-q", cwd=tmp_path).err) == []
    res = invoke_cli("build", "--json", cwd=tmp_path)
    assert _stage_lines(res.err) == [] and res.out.lstrip().startswith("{")


def test_on_a_terminal_the_live_display_prints_no_stage_lines(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    main, child = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assetpipe", "build"],
        cwd=tmp_path,
        stdout=child,
        stderr=child,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=120) == 0
    os.close(main)
    text = b"".join(chunks).decode(errors="replace")
    assert "built " in text
    assert _stage_lines(text.replace("\r", "\n")) == []


def test_stage_line_wording() -> None:
    assert (
        StageDone("images", 63, 189, 120, 12, 4.1).line()
        == "images: 63 inputs, 189 outputs (120 cache hits, 12 misses) in 4.10 s"
    )
    assert (
        StageDone("styles", 1, 1, 1, 0, 0.004).line()
        == "styles: 1 input, 1 output (1 cache hit, 0 misses) in 0.00 s"
    )
    assert (
        StageDone("x", None, 0, 0, 1, 0).line() == "x: 0 outputs (0 cache hits, 1 miss) in 0.00 s"
    )
