"""The stage cache follows assetpipe's own code: a checkout that moved to another commit (same
version number) misses exactly the entries whose code changed, and ``OUTPUT_CODE`` lists
every module of the output-deciding folders that each stage imports."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assetpipe.pipeline import codeprint
from tests.conftest import run_cli
from tests.rebuild_site import write_site

#: The modules each cache namespace's keys are made in.
STAGE_MODULES = {
    "images": ["stages/images.py"],
    "templates": ["stages/templates.py"],
    "bundling": [
        "stages/bundling.py",
        "stages/scripts.py",
        "stages/styles.py",
        "stages/classic.py",
        "stages/vendored.py",
    ],
    "compress": ["stages/compress.py"],
    "static": ["stages/static.py"],
}
#: Where the code that decides a stage's bytes lives. The stage context (``stages/base.py``)
#: and the package roots only hand things over, so the walk does not follow them.
DECIDING = ("stages/", "imaging/", "rewrite/", "esbuild/", "hashing.py", "manifest.py", "jinja.py")
PLUMBING = ("stages/base.py", "stages/__init__.py")


def _module_file(dotted: str) -> str | None:
    rel = dotted.split(".", 1)[1].replace(".", "/") if "." in dotted else ""
    for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
        if (codeprint.PACKAGE / candidate).is_file():
            return candidate
    return None


def _imports(rel: str) -> set[str]:
    """The package-relative files ``rel`` imports from assetpipe (``from .x import y`` counts
    ``x`` and, when it is a module, ``x/y``)."""
    package = ["assetpipe", *rel.split("/")[:-1]]
    out: set[str] = set()
    for node in ast.walk(ast.parse((codeprint.PACKAGE / rel).read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[: len(package) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
        elif node.module and node.module.startswith("assetpipe"):
            module = node.module
        else:
            continue
        for dotted in (module, *(f"{module}.{a.name}" for a in node.names)):
            found = _module_file(dotted)
            if found:
                out.add(found)
    return out


def _closure(start: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        rel = todo.pop()
        if rel in seen or rel in PLUMBING or not rel.startswith(DECIDING):
            continue
        seen.add(rel)
        todo += _imports(rel)
    return seen


def _listed(namespace: str) -> set[str]:
    return {
        p.relative_to(codeprint.PACKAGE).as_posix()
        for entry in codeprint.OUTPUT_CODE[namespace]
        for p in codeprint._files(entry)
    }


@pytest.mark.parametrize("namespace", sorted(STAGE_MODULES))
def test_output_code_lists_what_the_stage_imports(namespace: str) -> None:
    listed = _listed(namespace)
    assert all((codeprint.PACKAGE / p).is_file() for p in listed), listed
    missing = _closure(STAGE_MODULES[namespace]) - listed
    assert not missing, f"OUTPUT_CODE[{namespace!r}] lacks {sorted(missing)}"


def test_every_namespace_has_its_stage_modules() -> None:
    assert set(codeprint.OUTPUT_CODE) == set(STAGE_MODULES)


def _misses(doc: dict[str, Any]) -> dict[str, int]:
    return {stage: c["misses"] for stage, c in doc["cache"]["per_stage"].items()}


def test_a_checkout_at_another_commit_misses_the_entries_whose_code_changed(
    tmp_path: Path,
) -> None:
    """The same site built by this checkout, then by a copy of it whose rewrite rules differ by
    one comment (a git install moved to a new commit: same version number), then by that copy
    with an image encoder's module changed too. Before, every entry hit and the old code's
    output was served until ``--clean``."""
    site = write_site(tmp_path / "site")
    first = run_cli("build", "--json", cwd=site)
    assert first.code == 0, first.err
    assert all(_misses(json.loads(first.out)).values())

    copy = tmp_path / "checkout" / "assetpipe"
    shutil.copytree(
        codeprint.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "node_modules")
    )
    node_modules = codeprint.PACKAGE / "_node" / "node_modules"
    if node_modules.is_dir():  # the checkout's esbuild, where a wheel install has none
        (copy / "_node" / "node_modules").symlink_to(node_modules)
    env = {"PYTHONPATH": os.pathsep.join([str(copy.parent), os.environ.get("PYTHONPATH", "")])}
    where = subprocess.run(
        [sys.executable, "-c", "import assetpipe; print(assetpipe.__file__)"],
        env={**os.environ, **env},
        cwd=site,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).parent == copy  # the copy runs, not this checkout

    def build_after_changing(rel: str) -> dict[str, int]:
        path = copy / rel
        path.write_text(path.read_text(encoding="utf-8") + "# another commit\n", encoding="utf-8")
        done = run_cli("build", "--json", cwd=site, env=env)
        assert done.code == 0, done.err
        return _misses(json.loads(done.out))

    # The templates are rewritten again; images and icons come from the cache. (Scripts and
    # styles run esbuild again too: their stage reads the templates' script tags.)
    misses = build_after_changing("rewrite/rules.py")
    assert misses["templates"] > 0, misses
    assert misses["images"] == misses["static"] == 0, misses
    # Only the images are made again.
    misses = build_after_changing("imaging/encode.py")
    assert misses.pop("images") > 0, misses
    assert not any(misses.values()), misses
