"""The esbuild stages' cache: a rebuild with no change runs no esbuild; any input change (an
imported module, a url() image another stage made) is a miss with fresh bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from assetpipe import build, load_config
from assetpipe.esbuild.result import Result
from assetpipe.manifest import Manifest
from assetpipe.pipeline.cache import Cache
from assetpipe.pipeline.sources import Sources
from assetpipe.progress import NullProgress
from assetpipe.stages import bundling, scripts
from assetpipe.stages.base import Report, StageContext
from tests.test_scripts import APP, CONFIG

pytestmark = pytest.mark.node

STYLES = {
    "site/css/app.css": '@import "./parts.css";\n.hero { background: url("../img/bg.png"); }\n',
    "site/css/parts.css": "body { margin: 0; }\n",
}


def _png(path: Path, colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 20), colour).save(path)


def test_no_change_rebuild_runs_no_esbuild_and_gives_the_same_bytes(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(
        CONFIG + 'styles: {entries: ["css/app.css"]}\nimages: {widths: [40], formats: [webp]}\n',
        {**APP, **STYLES},
    )
    _png(root / "site/img/bg.png", (200, 0, 0))
    cfg = load_config(root / "pipeline.yaml")
    first = build(cfg)
    assert first.cache.per_stage["scripts"]["misses"] == 1
    assert first.cache.per_stage["styles"]["misses"] == 1
    files = {k: first.manifest[k]["file"] for k in first.manifest}
    second = build(cfg)
    assert second.cache.misses == 0, second.cache.per_stage
    assert {k: second.manifest[k]["file"] for k in second.manifest} == files
    for key in ("js/a.js", "css/app.css"):
        rel = second.manifest[key]["file"]
        assert (second.build_dir / "public" / rel).read_bytes() == (
            root / "dist/public" / rel
        ).read_bytes()

    # an imported (not entry) module changes: scripts rebuild, styles stay cached
    shared = root / "site/js/lib/shared.js"
    shared.write_text(shared.read_text().replace("shared:", "common:"))
    third = build(cfg)
    assert third.cache.per_stage["scripts"] == {"hits": 0, "misses": 1}
    assert third.cache.per_stage["styles"] == {"hits": 1, "misses": 0}
    chunk = next(k for k in third.manifest if k.startswith("_"))
    assert b"common:" in (root / "dist/public" / third.manifest[chunk]["file"]).read_bytes()

    # an @imported stylesheet changes: styles rebuild
    (root / "site/css/parts.css").write_text("body { margin: 1px; }\n")
    fourth = build(cfg)
    assert fourth.cache.per_stage["styles"] == {"hits": 0, "misses": 1}
    assert fourth.manifest["css/app.css"]["file"] != files["css/app.css"]

    # only the url() image changes: the stylesheet points at the new file
    _png(root / "site/img/bg.png", (0, 0, 200))
    fifth = build(cfg)
    assert fifth.cache.per_stage["styles"] == {"hits": 0, "misses": 1}
    css = (root / "dist/public" / fifth.manifest["css/app.css"]["file"]).read_text()
    assert fifth.manifest["img/bg.png"]["file"] in css


def test_outputs_are_written_once_hard_linked_from_the_cache(
    make_site: Callable[..., Path],
) -> None:
    """A cold build stores esbuild's outputs in the cache and places them in public/ as hard
    links to those blobs (not a second copy); a cached rebuild links them again."""
    root = make_site(CONFIG, APP)
    cfg = load_config(root / "pipeline.yaml")
    for _ in range(2):
        result = build(cfg)
        public = root / "dist" / "public"
        entry = result.manifest["js/a.js"]
        for rel in (entry["file"], entry["map"]):
            st = (public / rel).stat()
            assert st.st_nlink >= 2, rel
            blobs = [
                p
                for p in (root / ".assetpipe" / "cache").rglob("*")
                if p.is_file() and p.stat().st_ino == st.st_ino
            ]
            assert blobs, rel


def test_esbuilds_own_files_become_the_cache_entry(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    """A cold build renames the files the native binary wrote into the cache entry instead of
    writing their bytes a second time: the entry's blobs are esbuild's own inodes, and the
    scratch folder is left with no output in it."""
    root = make_site(CONFIG, APP)
    cfg = load_config(root / "pipeline.yaml")
    public = tmp_path / "out" / "public"
    public.mkdir(parents=True)
    ctx = StageContext(
        config=cfg,
        sources=Sources.scan(cfg.source),
        public=public,
        templates_out=tmp_path / "out" / "templates",
        cache=Cache(cfg.state_dir / "cache"),
        manifest=Manifest(),
        report=Report(),
        progress=NullProgress(),
        profile="development",  # no compress queue
        stage="scripts",
    )
    opts = scripts.options(ctx, ["js/a.js", "js/b.js"])
    written: dict[str, int] = {}

    def produce() -> Result:
        result = bundling.build(ctx, opts)
        written.update({rel: path.stat().st_ino for rel, path in result.scratch.items()})
        return result

    try:
        result = bundling.cached_build(ctx, "scripts", opts, produce)
    finally:
        ctx.esbuild.close()
    assert len(written) >= 4 and set(written) == set(result.stored)
    for rel, inode in written.items():
        assert result.stored[rel].stat().st_ino == inode, rel
        assert result.stored[rel].read_bytes() == result.files[rel], rel
    assert not [p for p in Path(opts["outdir"]).rglob("*") if p.is_file()]
