"""A plain ``assetpipe build`` runs without click (``cli.building.plain_build_args``); anything
that parser does not take whole (help, an unknown or malformed option, another command) goes
through click, so the command line behaves the same either way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assetpipe.cli.building import plain_build_args
from tests.conftest import REPO, run_cli

DEFAULTS: dict[str, Any] = {
    "config_path": "pipeline.yaml",
    "clean": False,
    "strict": False,
    "profile": "production",
    "verbose": 0,
    "quiet": False,
    "json_mode": False,
}


@pytest.mark.parametrize(
    ("argv", "changed"),
    [
        (["build"], {}),
        (["build", "--json", "-q"], {"json_mode": True, "quiet": True}),
        (["build", "--config", "x.yaml", "--clean"], {"config_path": "x.yaml", "clean": True}),
        (["build", "--config=x.yaml", "--strict"], {"config_path": "x.yaml", "strict": True}),
        (["build", "-c", "x.yaml", "-q"], {"config_path": "x.yaml", "quiet": True}),
        (["build", "--profile", "development"], {"profile": "development"}),
        (["build", "--profile=development", "--quiet"], {"profile": "development", "quiet": True}),
        (["build", "-v", "-vv", "--verbose"], {"verbose": 4}),
    ],
)
def test_plain_build_arguments_are_parsed_without_click(
    argv: list[str], changed: dict[str, Any]
) -> None:
    assert plain_build_args(argv) == {**DEFAULTS, **changed}


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["watch"],
        ["--version"],
        ["build", "--help"],
        ["build", "-h"],
        ["build", "--bogus"],
        ["build", "--profile", "nope"],
        ["build", "--profile"],
        ["build", "--config"],
        ["build", "--config", "--json"],
        ["build", "--json=1"],
        ["build", "-c=x.yaml"],
        ["build", "-cx.yaml"],
        ["build", "-qv"],
        ["build", "-qq"],
        ["build", "extra"],
        ["build", "--"],
    ],
)
def test_anything_else_is_left_to_click(argv: list[str]) -> None:
    assert plain_build_args(argv) is None


def test_click_still_reports_what_the_plain_parser_leaves(tmp_path: Path) -> None:
    res = run_cli("build", "--profile", "nope", cwd=tmp_path)
    assert res.code == 2 and "Invalid value for '--profile'" in res.err
    res = run_cli("build", "--bogus", cwd=tmp_path)
    assert res.code == 2 and "No such option '--bogus'" in res.err
    res = run_cli("build", "--help", cwd=tmp_path)
    assert res.code == 0 and "--profile [production|development]" in res.out


def test_a_plain_build_imports_no_click_and_reports_errors_the_same(tmp_path: Path) -> None:
    """The same config error through both paths: exit 2, the same lines (``-q`` and
    ``-qq`` differ only in how they are parsed)."""
    (tmp_path / "pipeline.yaml").write_text("source: nowhere\n")
    code = (
        "import atexit, sys\n"
        "from assetpipe.cli import main\n"
        "sys.argv = ['assetpipe', *sys.argv[1:]]\n"
        "atexit.register(lambda: print('click' in sys.modules, file=sys.stderr))\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    out = {}
    for args in (["build", "-q"], ["build", "-qq"]):
        proc = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        lines = proc.stderr.strip().splitlines()
        out[args[1]] = (proc.returncode, [ln for ln in lines[:-1] if "Traceback" not in ln])
        assert lines[-1] == str(args[1] == "-qq"), proc.stderr
    assert out["-q"][0] == out["-qq"][0] == 2
    assert out["-q"][1] == out["-qq"][1] and "nowhere" in out["-q"][1][0]


def test_a_plain_build_skips_teardown_but_runs_exit_handlers_and_flushes(tmp_path: Path) -> None:
    """The process ends with ``os._exit`` after a plain build (``common.exit_now``): no module
    teardown (an object's ``__del__`` held by a module does not run), but ``atexit`` handlers
    run, the JSON document on a pipe is whole and the exit code is the command's."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src/a.txt").write_text("a")
    (tmp_path / "pipeline.yaml").write_text("source: src\nstatic:\n  include: ['*.txt']\n")
    code = (
        "import atexit, sys\n"
        "from assetpipe.cli import main\n"
        "class Held:\n"
        "    def __del__(self):\n"
        "        print('teardown', file=sys.stderr)\n"
        "sys.modules['assetpipe.cli'].held = Held()\n"
        "atexit.register(lambda: print('atexit', file=sys.stderr))\n"
        "sys.argv = ['assetpipe', *sys.argv[1:]]\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, "build", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )

    proc = run("--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True
    assert proc.stderr.splitlines()[-1:] == ["atexit"], proc.stderr
    (tmp_path / "pipeline.yaml").write_text("source: nowhere\n")
    proc = run("-q")
    assert proc.returncode == 2 and "teardown" not in proc.stderr


def test_every_click_option_of_build_is_known_to_the_plain_parser() -> None:
    """The click command's options (names, defaults, choices) and the plain parser agree: each
    option string click takes, given alone with a valid value, is parsed without click to the
    keyword click passes; with no option, the plain defaults are click's defaults; and the
    keywords are ``run_build``'s parameters. A new click option the parser does not know fails
    here (it would silently fall back to click: correct, but slow)."""
    import inspect

    import click

    from assetpipe.cli.build import build
    from assetpipe.cli.building import run_build

    params = [p for p in build.params if isinstance(p, click.Option) and p.name != "help"]
    ctx = click.Context(build)
    assert plain_build_args(["build"]) == {p.name: p.get_default(ctx) for p in params}
    assert set(inspect.signature(run_build).parameters) == {p.name for p in params}
    for p in params:
        for opt in (*p.opts, *p.secondary_opts):
            expected: object
            if p.count:
                argv, expected = [opt], 1
            elif p.is_flag:
                argv, expected = [opt], True
            else:
                choices = getattr(p.type, "choices", None)
                value = str(choices[-1]) if choices else "x.yaml"
                argv, expected = [opt, value], value
            parsed = plain_build_args(["build", *argv])
            assert parsed is not None, f"{opt} is left to click"
            assert parsed[str(p.name)] == expected, opt
