"""``playwright`` is the ``audit`` extra: without it, ``assetpipe audit`` says so (exit 3) and
building still works.

Playwright cannot be uninstalled from the shared test venv, so the subprocess hides it the
way an absent package behaves: ``sys.modules['playwright'] = None`` (set in a sitecustomize)
makes ``import playwright`` raise ``ModuleNotFoundError`` exactly as when it is not installed.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from tests.conftest import REPO, TINY_CONFIG, TINY_SITE, run_cli, write_tree


def _without_playwright(tmp_path: Path) -> dict[str, str]:
    hide = tmp_path / "hide"
    write_tree(hide, {"sitecustomize.py": "import sys\nsys.modules['playwright'] = None\n"})
    return {"PYTHONPATH": os.pathsep.join([str(hide), str(REPO)])}


def test_audit_without_playwright_exits_3_and_build_works(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_tree(
        root,
        {
            **TINY_SITE,
            "pipeline.yaml": TINY_CONFIG + "pages:\n  - {path: /, template: pages/index.html}\n",
        },
    )
    env = _without_playwright(tmp_path)
    # the user's own errors come first: unbuilt, the audit asks for a build (exit 2)
    assert run_cli("audit", cwd=root, env=env).code == 2
    assert run_cli("build", cwd=root, env=env).code == 0
    result = run_cli("audit", cwd=root, env=env)
    assert result.code == 3, result.err
    assert "error: assetpipe audit needs Playwright, which is not installed" in result.err
    assert "pip install 'assetpipe[audit]'" in result.err
    assert "Traceback" not in result.err


def test_playwright_is_the_audit_extra_and_in_the_test_extra() -> None:
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("playwright") for d in meta["dependencies"])
    assert any(d.startswith("playwright") for d in meta["optional-dependencies"]["audit"])
    assert "assetpipe[audit]" in meta["optional-dependencies"]["test"]
