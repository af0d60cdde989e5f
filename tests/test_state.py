"""Each config file owns its state (``.assetpipe/`` per config) and its output."""

from __future__ import annotations

import json
from pathlib import Path

from assetpipe import build
from assetpipe.config import load_config
from tests.cli_support import invoke_cli
from tests.conftest import TINY_SITE, write_tree

CONFIG = """\
source: site
output: {output}
static:
  include: ["icons/**", "robots.txt", "css/*.css"]
"""


def _valid(root: Path, output: str) -> dict[str, object]:
    """The build behind ``output``: its manifest, and every file it names exists."""
    out = root / output
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["entries"].values() if "entries" in manifest else manifest.values():
        if isinstance(entry, dict) and "file" in entry:
            assert (out / "public" / entry["file"]).is_file(), entry
    return dict(manifest)


def test_two_configs_in_one_folder_build_alternately(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **TINY_SITE,
            "pipeline.yaml": CONFIG.format(output="dist"),
            "admin.yaml": CONFIG.format(output="dist-admin"),
        },
    )
    main, admin = load_config(tmp_path / "pipeline.yaml"), load_config(tmp_path / "admin.yaml")
    for i in range(3):
        (tmp_path / "site/css/site.css").write_text(f"body {{ color: #00000{i}; }}\n")
        for cfg in (main, admin):
            build(cfg)
            if i:  # from the second round on, both outputs exist: each build keeps the other's
                assert _valid(tmp_path, "dist") and _valid(tmp_path, "dist-admin")
    assert main.state_dir == tmp_path / ".assetpipe"
    assert admin.state_dir == tmp_path / ".assetpipe" / "admin.yaml"
    assert admin.audit.history == admin.state_dir / "audit-history.sqlite"
    assert (tmp_path / "dist").resolve().parent == (main.state_dir / "builds").resolve()
    assert (tmp_path / "dist-admin").resolve().parent == (admin.state_dir / "builds").resolve()


def test_two_configs_sharing_one_output_is_a_config_error(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **TINY_SITE,
            "pipeline.yaml": CONFIG.format(output="dist"),
            "other.yaml": CONFIG.format(output="dist"),
        },
    )
    assert invoke_cli("build", cwd=tmp_path).code == 0
    before = (tmp_path / "dist").resolve()
    result = invoke_cli("build", "--config", "other.yaml", cwd=tmp_path)
    assert result.code == 2, result.err
    assert (
        "other.yaml:2:9: output: 'dist' is the build link of another config "
        "(pipeline.yaml); two configs cannot share one output"
    ) in result.err
    assert "output: dist-other" in result.err
    assert (tmp_path / "dist").resolve() == before and _valid(tmp_path, "dist")
    # the owner may rebuild, and a config whose file is gone no longer owns anything
    assert invoke_cli("build", cwd=tmp_path).code == 0
    (tmp_path / "pipeline.yaml").rename(tmp_path / "old.yaml.bak")
    assert invoke_cli("build", "--config", "other.yaml", cwd=tmp_path).code == 0
