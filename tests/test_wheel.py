"""The wheel as a user gets it: built from pyproject.toml alone, installed into a fresh venv,
and running ``assetpipe build`` (real esbuild, installed by ``npm ci`` on first use) from there.

The fresh venv has no pip and none of assetpipe's dependencies: a ``.pth`` line points it at
this environment's site-packages for them (plain paths only: the editable install's finder
there is not activated, so ``assetpipe`` can only come from the installed wheel), and this
environment's pip installs the wheel into it (``pip --python``) without touching the network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.wheels import NODE_FILES, build_wheel

pytestmark = pytest.mark.node


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, f"{args}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_the_wheel_installs_into_a_fresh_venv_and_builds_a_site(tmp_path: Path) -> None:
    whl = build_wheel(tmp_path / "wheel")
    with zipfile.ZipFile(whl) as z:
        names = z.namelist()
        # the node files as plain package data, copied through the checkout's symlink
        for name in NODE_FILES:
            assert z.read(f"assetpipe/_node/{name}") == (REPO / "node" / name).read_bytes()
    assert not [n for n in names if "node_modules" in n]
    assert sorted(n for n in names if n.startswith("assetpipe/_node/")) == sorted(
        f"assetpipe/_node/{n}" for n in NODE_FILES
    )

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
        ).strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            # the wheel even where the deps' site-packages show an assetpipe already (an
            # editable install's metadata, or a checkout's egg-info on PYTHONPATH)
            "--ignore-installed",
            "-q",
            str(whl),
        ],
        cwd=tmp_path,
    )

    project = tmp_path / "proj"
    (project / "site" / "js").mkdir(parents=True)
    (project / "pipeline.yaml").write_text(
        'source: site\noutput: dist\nscripts:\n  entries: ["js/app.ts"]\n'
    )
    (project / "site" / "js" / "app.ts").write_text(
        "const n: number = 20; (window as any).fromWheel = n * 2 + 2;\n"
    )
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "ASSETPIPE_NODE_CACHE": str(tmp_path / "node-cache"),
        "PYTHONPATH": "",
    }
    where = json.loads(
        _run(
            [
                str(python),
                "-c",
                "import assetpipe, json; from assetpipe.esbuild.install import package_files;"
                " f, w = package_files(); print(json.dumps([assetpipe.__file__, str(f), w]))",
            ],
            cwd=project,
            env=env,
        )
    )
    assert where[0].startswith(str(site)), where  # the installed wheel, not the checkout
    assert where[1] == str(site / "assetpipe" / "_node") and where[2] is True
    assert not (site / "assetpipe" / "_node").is_symlink()

    _run([str(venv / "bin" / "assetpipe"), "build"], cwd=project, env=env)
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    code = (project / "dist" / "public" / manifest["js/app.ts"]["file"]).read_text()
    assert ": number" not in code and "fromWheel" in code
    installs = list((tmp_path / "node-cache").glob("node-*/node_modules/esbuild/package.json"))
    assert len(installs) == 1, "esbuild installed by npm ci into the user cache"
