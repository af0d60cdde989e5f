"""The compress stage over real tiny builds: siblings decode to the original bytes, gzip carries
mtime 0, min_ratio drops poor gains, compressed types are skipped, the manifest records
``encodings``, development builds have none, and two builds are byte-identical."""

from __future__ import annotations

import gzip
import json
import os
import threading
from pathlib import Path

import brotli
import pytest
import zstandard

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.errors import MissingAssetsError
from assetpipe.esbuild.result import EsbuildError
from assetpipe.manifest import Manifest
from assetpipe.pipeline import reuse
from assetpipe.pipeline.cache import Cache
from assetpipe.pipeline.sources import Sources
from assetpipe.progress import NullProgress
from assetpipe.stages import compress, templates
from assetpipe.stages.base import Report, StageContext
from assetpipe.stages.compress import (
    SKIP_EXTENSIONS,
    File,
    candidates,
    cost,
    encode,
    queue_order,
)
from tests.conftest import write_tree

JS = (
    "export const rows = [\n"
    + "".join(f"  {{id: {i}, name: 'row {i}'}},\n" for i in range(300))
    + "];\n"
)


def _site(
    root: Path, compress: str = "{brotli: true, gzip: true, zstd: true, min_ratio: 0.95}"
) -> Path:
    write_tree(
        root,
        {
            "src/js/app.js": JS,
            "src/css/a.css": "body { color: red; }\n" * 100,
            "src/img/pic.png": b"\x89PNG\r\n\x1a\n" + bytes(4000),
            "src/fonts/f.woff2": bytes(3000),
            "src/tiny.txt": "hi",
            "src/empty.txt": "",
            "src/templates/pages/index.html": "<p>x</p>\n",
            "pipeline.yaml": f"""
            source: src
            output: dist
            static:
              include: ["js/**", "css/**", "img/**", "fonts/**", "data/**", "tiny.txt", "empty.txt"]
            compress: {compress}
            """,
        },
    )
    # incompressible: random bytes (a type not skipped by extension: only the ratio drops it)
    (root / "src/data").mkdir()
    (root / "src/data/noise.bin").write_bytes(os.urandom(6000))
    return root / "pipeline.yaml"


def _public(root: Path) -> Path:
    return (root / "dist").resolve() / "public"


def test_siblings_decode_and_are_recorded(tmp_path: Path) -> None:
    result = build(_site(tmp_path))
    public = _public(tmp_path)
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    for key in ("js/app.js", "css/a.css"):
        entry = manifest[key]
        assert entry["encodings"] == ["br", "gzip", "zstd"]
        original = (public / entry["file"]).read_bytes()
        br = (public / (entry["file"] + ".br")).read_bytes()
        gz = (public / (entry["file"] + ".gz")).read_bytes()
        zst = (public / (entry["file"] + ".zst")).read_bytes()
        assert brotli.decompress(br) == original
        assert gzip.decompress(gz) == original
        assert zstandard.ZstdDecompressor().decompress(zst) == original
        assert gz[4:8] == b"\0\0\0\0"  # mtime 0
        assert gz[3] & 0x08 == 0  # no file name in the header
        for sibling in (br, gz, zst):
            assert len(sibling) <= 0.95 * len(original)
    assert "compress" in result.stages


def test_min_ratio_and_skipped_types(tmp_path: Path) -> None:
    build(_site(tmp_path))
    public = _public(tmp_path)
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    names = {p.relative_to(public).as_posix() for p in public.rglob("*")}
    for key in ("data/noise.bin", "img/pic.png", "fonts/f.woff2", "tiny.txt", "empty.txt"):
        entry = manifest[key]
        assert "encodings" not in entry, key
        assert not any(n.startswith(entry["file"] + ".") for n in names), key
    # the PNG (all zeros) would compress superbly: it is skipped by type, not by ratio
    assert len(encode((public / manifest["img/pic.png"]["file"]).read_bytes(), "gzip")) < 100


def test_min_ratio_is_configurable(tmp_path: Path) -> None:
    build(_site(tmp_path, "{brotli: true, gzip: true, zstd: false, min_ratio: 0.01}"))
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert all("encodings" not in e for e in manifest.values())
    assert not list(_public(tmp_path).rglob("*.br"))


def test_only_enabled_encodings(tmp_path: Path) -> None:
    build(_site(tmp_path, "{brotli: false, gzip: true, zstd: false}"))
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert manifest["js/app.js"]["encodings"] == ["gzip"]
    public = _public(tmp_path)
    assert not list(public.rglob("*.br")) and not list(public.rglob("*.zst"))


def test_development_profile_skips_compression(tmp_path: Path) -> None:
    result = build(_site(tmp_path), profile="development")
    assert "compress" not in result.stages
    assert not [p for p in _public(tmp_path).rglob("*") if p.suffix in (".br", ".gz", ".zst")]


def test_deterministic_and_cached(tmp_path: Path) -> None:
    cfg = _site(tmp_path)
    build(cfg)
    first = {
        p.relative_to(_public(tmp_path)).as_posix(): p.read_bytes()
        for p in _public(tmp_path).rglob("*")
        if p.is_file()
    }
    # a build that finds its inputs unchanged reuses the last one and runs no stage (when the
    # first took longer than the racy-timestamp window): this one must run the compress stage
    (tmp_path / ".assetpipe" / reuse.RECORD).unlink(missing_ok=True)
    second_result = build(cfg)
    public = _public(tmp_path)
    second = {
        p.relative_to(public).as_posix(): p.read_bytes() for p in public.rglob("*") if p.is_file()
    }
    assert first == second
    stats = second_result.cache.per_stage["compress"]
    assert stats["misses"] == 0 and stats["hits"] > 0  # unchanged files: no compression work


def test_candidates_skip_compressed_extensions(tmp_path: Path) -> None:
    for name in ("a.js", "b.svg", "c.webp", "d.woff2", "e.js.br", "f.gz", "g.map", ".hidden"):
        (tmp_path / name).write_bytes(b"x" * 10)
    assert candidates(tmp_path) == ["a.js", "b.svg", "g.map"]
    assert {".br", ".gz", ".zst", ".woff2", ".png"} <= SKIP_EXTENSIONS


def test_retained_files_keep_their_precompressed_siblings(tmp_path: Path) -> None:
    """A retained file without a manifest entry of its own (here a sourcemap) keeps its .br/.gz,
    so an old page still gets it compressed."""
    from tests.conftest import write_tree

    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\nscripts: {entries: [js/app.js]}\n",
            "site/js/app.js": "export const answer = 42;\nconsole.log(answer, 'x'.repeat(3));\n",
        },
    )
    first = build(tmp_path / "pipeline.yaml")
    old_map = first.manifest["js/app.js"]["map"]
    assert (tmp_path / "dist/public" / (old_map + ".gz")).is_file()
    (tmp_path / "site/js/app.js").write_text("export const answer = 43;\nconsole.log(answer);\n")
    build(tmp_path / "pipeline.yaml")
    public = tmp_path / "dist/public"
    assert (public / old_map).is_file()
    assert (public / (old_map + ".gz")).is_file()
    assert (public / (old_map + ".br")).is_file()


def _map_site(root: Path, sourcemaps: str | None) -> Path:
    extra = f"\ncompress: {{sourcemaps: {sourcemaps}}}\n" if sourcemaps else "\n"
    write_tree(
        root,
        {
            "pipeline.yaml": "source: site\nscripts: {entries: [js/app.js], legal_comments: linked}"
            + extra,
            "site/js/app.js": "/*! legal: MIT */\n" + JS + "console.log(rows.length);\n",
        },
    )
    return root / "pipeline.yaml"


def _siblings(root: Path) -> tuple[dict[str, dict[str, bytes]], Path]:
    public = _public(root)
    out: dict[str, dict[str, bytes]] = {}
    for p in sorted(public.rglob("*")):
        for suffix, enc in ((".br", "br"), (".gz", "gzip"), (".zst", "zstd")):
            if p.name.endswith(suffix):
                rel = p.relative_to(public).as_posix()[: -len(suffix)]
                out.setdefault(rel, {})[enc] = p.read_bytes()
    return out, public


def test_sourcemaps_get_fast_levels_and_browser_files_keep_the_best(tmp_path: Path) -> None:
    result = build(_map_site(tmp_path, None))  # default: fast
    entry = result.manifest["js/app.js"]
    siblings, public = _siblings(tmp_path)
    js, js_map = entry["file"], entry["map"]
    legal = js + ".LEGAL.txt"
    assert (public / legal).is_file()
    # what pages fetch: exactly brotli 11 / gzip 9, as before (no byte bought with speed)
    data = (public / js).read_bytes()
    assert siblings[js]["br"] == bytes(brotli.compress(data, quality=11, mode=brotli.MODE_TEXT))
    assert siblings[js]["gzip"] == encode(data, "gzip")
    # the map, only devtools fetches: brotli 3, gzip 4 (and still decodes)
    raw = (public / js_map).read_bytes()
    assert siblings[js_map]["br"] == bytes(brotli.compress(raw, quality=3, mode=brotli.MODE_TEXT))
    assert siblings[js_map]["br"] != bytes(brotli.compress(raw, quality=11, mode=brotli.MODE_TEXT))
    assert gzip.decompress(siblings[js_map]["gzip"]) == raw
    assert siblings[js_map]["gzip"] == encode(raw, "gzip", level=4)


def test_sourcemaps_none_and_full(tmp_path: Path) -> None:
    result = build(_map_site(tmp_path / "none", "none"))
    siblings, public = _siblings(tmp_path / "none")
    entry = result.manifest["js/app.js"]
    assert entry["map"] not in siblings and entry["file"] + ".LEGAL.txt" not in siblings
    assert set(siblings[entry["file"]]) == {"br", "gzip"}
    result = build(_map_site(tmp_path / "full", "full"))
    siblings, public = _siblings(tmp_path / "full")
    raw = (public / result.manifest["js/app.js"]["map"]).read_bytes()
    assert siblings[result.manifest["js/app.js"]["map"]]["br"] == encode(raw, "br")


def test_sourcemaps_bad_value_is_a_located_config_error(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    _map_site(tmp_path, "fastest")
    res = run_cli("build", cwd=tmp_path)
    assert res.code == 2
    assert "compress.sourcemaps" in res.err and "pipeline.yaml" in res.err


def test_the_longest_tasks_are_queued_first() -> None:
    """A 200 KB script's brotli 11 outlasts a 1 MB map's brotli 5: it is queued first, so it does
    not start last and leave the other core idle at the end."""
    script = File("app.js", bytes(200_000), {"br": 11, "gzip": 9}, "k1", True)
    source_map = File("app.js.map", bytes(1_000_000), {"br": 5, "gzip": 4}, "k2", True)
    cached = File("old.js", bytes(500_000), {"br": 11}, "k3", True, cached=object())  # type: ignore[arg-type]
    order = [(f.rel, enc) for f, enc in queue_order([source_map, script, cached])]
    assert order == [
        ("app.js", "br"),  # 260 ms
        ("app.js.map", "br"),  # 25 ms
        ("app.js.map", "gzip"),  # 15 ms
        ("app.js", "gzip"),  # 12 ms
    ]
    assert cost("br", 11) > 40 * cost("br", 5) and cost("zstd", 19) > cost("zstd", 3)


def test_the_templates_stage_starts_compression_and_a_failure_cancels_it(
    tmp_path: Path,
) -> None:
    """The templates stage queues the compression of public/ before it rewrites (it runs on the
    other cores meanwhile); the compress stage takes that queue over; a templates stage that
    fails cancels it."""
    root = _site(tmp_path).parent
    cfg = load_config(root / "pipeline.yaml")
    out = root / "out"
    (out / "public/js").mkdir(parents=True)

    def ctx() -> StageContext:
        made = StageContext(
            config=cfg,
            sources=Sources.scan(cfg.source),
            public=out / "public",
            templates_out=out / "templates",
            cache=Cache(root / "cache"),
            manifest=Manifest({"js/app.js": {"file": "js/app-ABC.js"}}),
            report=Report(),
            progress=NullProgress(),
            stage="templates",
        )
        made.write_public("js/app-ABC.js", JS.encode())  # as the scripts stage would
        return made

    ok = ctx()
    templates.run(ok)
    queued = ok.compressor
    assert isinstance(queued, compress.Compressor) and "js/app-ABC.js" in queued.files
    ok.stage = "compress"
    compress.run(ok)
    assert ok.compressor is None and queued.pool._shutdown
    assert brotli.decompress((out / "public/js/app-ABC.js.br").read_bytes()) == JS.encode()
    assert ok.manifest["js/app.js"]["encodings"] == ["br", "gzip", "zstd"]

    (root / "src/templates/pages/index.html").write_text('<img src="/static/nope.png">\n')
    failing = ctx()
    with pytest.raises(MissingAssetsError):
        templates.run(failing)
    assert failing.compressor is None

    development = ctx()
    development.profile = "development"
    compress.start(development)  # watch builds have no compress stage: nothing is queued
    assert development.compressor is None


def _stage_ctx(root: Path, public: Path) -> StageContext:
    cfg = load_config(root / "pipeline.yaml")
    return StageContext(
        config=cfg,
        sources=Sources.scan(cfg.source),
        public=public,
        templates_out=public.parent / "templates",
        cache=Cache(root / "cache"),
        manifest=Manifest({"js/app.js": {"file": "js/app-ABC.js"}}),
        report=Report(),
        progress=NullProgress(),
        stage="scripts",
    )


def test_a_file_rewritten_after_it_was_queued_gets_siblings_of_its_final_bytes(
    tmp_path: Path,
) -> None:
    """Compression starts after each stage; a later stage that writes a queued file again
    (its stat stamp moves) has it read, looked up and compressed again."""
    root = _site(tmp_path).parent
    public = root / "out/public"
    (public / "js").mkdir(parents=True)
    target = public / "js/app-ABC.js"
    ctx = _stage_ctx(root, public)
    ctx.write_public("js/app-ABC.js", JS.encode())
    (public / "js/by-hand.js").write_text(JS)  # not written through the context: not queued
    compress.start(ctx)
    queued = ctx.compressor
    assert isinstance(queued, compress.Compressor) and set(queued.files) == {"js/app-ABC.js"}
    final = JS.replace("row", "line") + "export const more = 1;\n"
    tmp = public / "js/.app.tmp"
    tmp.write_text(final)
    os.replace(tmp, target)  # a stage writing it by hand: a new inode, not listed
    ctx.write_public("js/app.css", b"body { color: red; }\n" * 50)
    compress.start(ctx)  # after the next stage: the same queue takes what that stage wrote
    assert set(queued.files) == {"js/app-ABC.js", "js/app.css"}
    assert queued.files["js/app-ABC.js"].data == JS.encode()
    ctx.stage = "compress"
    compress.run(ctx)  # walks public/: the rewritten file and the one written by hand
    assert queued.files["js/app-ABC.js"].data == final.encode()
    for suffix, decode in ((".br", brotli.decompress), (".gz", gzip.decompress)):
        assert decode((public / f"js/app-ABC.js{suffix}").read_bytes()) == final.encode()
        assert decode((public / f"js/by-hand.js{suffix}").read_bytes()) == JS.encode()
    assert ctx.manifest["js/app.js"]["encodings"] == ["br", "gzip", "zstd"]


def test_siblings_are_stored_once_and_linked_into_the_build(tmp_path: Path) -> None:
    """A cold build stores each sibling in the cache and hard-links it into public/, the same
    inode, not a second copy; the next build links the same entry."""
    cfg = _site(tmp_path)
    result = build(cfg)
    public = _public(tmp_path)
    br = public / (result.manifest["js/app.js"]["file"] + ".br")
    cached = {(p.stat().st_ino) for p in (tmp_path / ".assetpipe/cache").rglob("*") if p.is_file()}
    assert br.stat().st_ino in cached and br.stat().st_nlink >= 2
    assert (
        brotli.decompress(br.read_bytes())
        == (public / result.manifest["js/app.js"]["file"]).read_bytes()
    )


def _compress_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("assetpipe-compress")]


def test_compression_starts_after_the_scripts_stage_and_a_later_failure_stops_it(
    tmp_path: Path,
) -> None:
    """The scripts stage's outputs are queued before the styles stage starts (they compress
    while the next stages run); a build that fails in a later stage cancels the queue, so no
    worker thread outlives it."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\nscripts: {entries: [js/app.js]}\n"
            "styles: {entries: [css/app.css]}\n",
            "site/js/app.js": JS + "console.log(rows.length);\n",
            "site/css/app.css": "body { color: red; }\n" * 50,
        },
    )
    seen: dict[str, list[str]] = {}

    class Watch(NullProgress):
        def start(self, stage: str, total: int) -> None:
            seen[stage] = [t.name for t in _compress_threads()]

    build(tmp_path / "pipeline.yaml", progress=Watch())
    assert seen["scripts"] == [] and seen["styles"], seen  # workers started between the two
    for t in _compress_threads():  # the finished build closed its pool
        t.join(timeout=30)
        assert not t.is_alive()

    (tmp_path / "site/css/app.css").write_text('@import "./missing.css";\nbody { color: red; }\n')
    with pytest.raises(EsbuildError):  # clean: the script is compressed again, not cached
        build(tmp_path / "pipeline.yaml", progress=Watch(), clean=True)
    assert seen["styles"]  # queued by then, and cancelled by the failure:
    for t in _compress_threads():
        t.join(timeout=30)
        assert not t.is_alive(), "a compress worker outlived the failed build"


def test_brotli_quality_lowers_brotli_for_what_pages_fetch_only_when_asked(
    tmp_path: Path,
) -> None:
    """``compress.brotli_quality`` (default 11) is the brotli quality of what pages fetch; the
    fast level of maps is never above it; changing it compresses again (it is in the cache
    key) and the siblings still decode to the file."""
    cfg = _map_site(tmp_path, None)
    result = build(cfg)
    js = result.manifest["js/app.js"]["file"]
    data = (_public(tmp_path) / js).read_bytes()
    assert _siblings(tmp_path)[0][js]["br"] == encode(data, "br")  # 11 by default
    for quality in (10, 2):  # 2: below the maps' fast level, which it then caps
        text = cfg.read_text().replace("\n", f"\ncompress: {{brotli_quality: {quality}}}\n", 1)
        cfg.write_text(text)
        result = build(cfg)
        siblings, public = _siblings(tmp_path)
        js_map = result.manifest["js/app.js"]["map"]
        raw = (public / js_map).read_bytes()
        mode = brotli.MODE_TEXT
        assert siblings[js]["br"] == bytes(brotli.compress(data, quality=quality, mode=mode))
        assert brotli.decompress(siblings[js]["br"]) == data
        assert siblings[js]["gzip"] == encode(data, "gzip")  # gzip keeps level 9
        map_quality = min(compress.FAST["br"], quality)
        assert siblings[js_map]["br"] == bytes(brotli.compress(raw, quality=map_quality, mode=mode))
        cfg.write_text(cfg.read_text().replace(f"compress: {{brotli_quality: {quality}}}\n", ""))


@pytest.mark.parametrize("value", ["12", "0", "fast"])
def test_brotli_quality_bad_value_is_a_located_config_error(tmp_path: Path, value: str) -> None:
    from tests.conftest import run_cli

    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\nscripts: {entries: [js/app.js]}\n"
            f"compress:\n  brotli_quality: {value}\n",
            "site/js/app.js": JS,
        },
    )
    res = run_cli("build", cwd=tmp_path)
    assert res.code == 2
    assert "pipeline.yaml:4" in res.err and "compress.brotli_quality" in res.err, res.err


def test_outputs_handed_over_from_memory_are_checked_against_what_the_stage_places(
    tmp_path: Path,
) -> None:
    """``start_outputs`` queues a stage's outputs before they are in public/ (no stamp yet);
    when the stage places the same bytes their jobs stand, when it places other bytes the file
    is compressed again from what is on disk."""
    root = _site(tmp_path).parent
    public = root / "out/public"
    (public / "js").mkdir(parents=True)
    ctx = _stage_ctx(root, public)
    other = JS.replace("row", "line").encode()
    compress.start_outputs(
        ctx, {"js/app-ABC.js": JS.encode(), "js/b.js": JS.encode(), "js/.x.js": b"x", "a.png": b""}
    )
    queued = ctx.compressor
    assert isinstance(queued, compress.Compressor)
    queued.settle()  # the look-ups run in a thread of their own
    assert set(queued.files) == {"js/app-ABC.js", "js/b.js"}  # eligible names only
    first = queued.files["js/app-ABC.js"]
    assert first.stamp is None and first.jobs  # compressing before the file exists
    ctx.write_public("js/app-ABC.js", JS.encode())
    ctx.write_public("js/b.js", other)  # placed with other bytes than handed over
    compress.start(ctx)
    assert queued.files["js/app-ABC.js"] is first and first.stamp is not None
    assert queued.files["js/b.js"].data == other
    ctx.stage = "compress"
    compress.run(ctx)
    for suffix, decode in ((".br", brotli.decompress), (".gz", gzip.decompress)):
        assert decode((public / f"js/app-ABC.js{suffix}").read_bytes()) == JS.encode()
        assert decode((public / f"js/b.js{suffix}").read_bytes()) == other
    assert (public / "js/app-ABC.js.br").read_bytes() == compress.encode(JS.encode(), "br")


def test_a_hand_over_does_not_wait_for_the_look_ups_of_the_one_before(tmp_path: Path) -> None:
    """The scripts stage hands over its untouched outputs, then the renamed ones, then styles
    its own: each call returns at once, its look-ups run after the earlier ones (here held
    back until an event is set: before, the call itself waited for them), and ``settle``
    waits for all."""
    root = _site(tmp_path).parent
    public = root / "out/public"
    public.mkdir(parents=True)
    ctx = _stage_ctx(root, public)
    compress.start_outputs(ctx, {"js/a.js": JS.encode()})
    queued = ctx.compressor
    assert isinstance(queued, compress.Compressor)
    queued.settle()
    release = threading.Event()
    timer = threading.Timer(10.0, release.set)  # a bound, should this call wait after all
    timer.start()
    held = threading.Thread(target=release.wait)
    held.start()
    queued.pending = held  # look-ups of an earlier hand-over, still running
    compress.start_outputs(ctx, {"js/a.js": JS.encode(), "js/b.js": JS.encode()})
    assert not release.is_set()  # returned without waiting for them
    release.set()
    timer.cancel()
    queued.settle()
    assert set(queued.files) == {"js/a.js", "js/b.js"}
    compress.cancel(ctx)


def test_the_scripts_stage_hands_its_outputs_over_before_placing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """esbuild's outputs start compressing the moment esbuild returns: when the scripts stage
    places them in public/, their jobs are already queued."""
    from assetpipe.stages import bundling

    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\nscripts: {entries: [js/app.js]}\n",
            "site/js/app.js": JS + "console.log(rows.length);\n",
        },
    )
    queued_at_emit: list[str] = []
    emit = bundling.emit

    def watched(ctx: StageContext, *args: object, **kw: object) -> object:
        comp = ctx.compressor
        if isinstance(comp, compress.Compressor):
            comp.settle()
            queued_at_emit.extend(rel for rel, f in comp.files.items() if f.jobs)
        return emit(ctx, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(bundling, "emit", watched)
    result = build(tmp_path / "pipeline.yaml")
    app = result.manifest["js/app.js"]["file"]
    assert app in queued_at_emit and app + ".map" in queued_at_emit
    public = _public(tmp_path)
    assert (public / (app + ".br")).read_bytes() == compress.encode(
        (public / app).read_bytes(), "br"
    )


def test_handed_over_outputs_are_the_placed_bytes_even_when_package_files_are_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script that imports an image from an npm package: its output is rewritten after
    esbuild (the image is published under vendor/...); what the stage hands over is the
    rewritten output, so no file is read and compressed a second time."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\nscripts: {entries: [js/app.js]}\n",
            "node_modules/mapkit/package.json": '{"name": "mapkit", "version": "1.0.0"}\n',
            "node_modules/mapkit/pin.png": "\x89PNG-a-package-image-",
            "site/js/app.js": 'import pin from "mapkit/pin.png";\n'
            + JS
            + "document.title = pin;\n",
        },
    )
    looked_up: list[str] = []
    look_up = compress.Compressor._look_up

    def counted(self: compress.Compressor, rel: str, *args: object) -> compress.File:
        looked_up.append(rel)
        return look_up(self, rel, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(compress.Compressor, "_look_up", counted)
    result = build(tmp_path / "pipeline.yaml")
    app = result.manifest["js/app.js"]["file"]
    public = _public(tmp_path)
    assert "vendor/mapkit/" in (public / app).read_text()
    assert sorted(looked_up) == sorted(set(looked_up)) and app in looked_up
    assert (public / (app + ".br")).read_bytes() == compress.encode(
        (public / app).read_bytes(), "br"
    )


def test_outputs_the_vendor_renaming_leaves_alone_are_known_before_it_runs() -> None:
    """``vendored.untouched``: what the scripts stage hands over before the renaming runs; each
    such file comes out of ``relocate`` byte for byte."""
    from assetpipe.esbuild.result import Result
    from assetpipe.stages import vendored

    pin = "_.._/node_modules/mapkit/pin-H.png"
    files = {
        pin: b"\x89PNG",
        "js/a.js": f'const p = "/static/{pin}";\n'.encode(),
        "js/a.js.map": b'{"version":3,"sources":[],"mappings":""}',
        "js/b.js": b"console.log(1);\n",
        "js/b.js.map": b'{"version":3,"sources":[],"mappings":""}',
    }
    result = Result(files, {"outputs": {p: {} for p in files}}, [])
    early = vendored.untouched(result)
    assert sorted(early) == ["js/b.js", "js/b.js.map"]
    relocated = vendored.relocate(result).files
    assert all(relocated[p] == data for p, data in early.items())
    assert "vendor/mapkit/pin-H.png" in relocated and b"vendor/mapkit" in relocated["js/a.js"]
    plain = Result({"js/b.js": b"x"}, {"outputs": {"js/b.js": {}}}, [])
    assert vendored.untouched(plain) == {"js/b.js": b"x"}


def test_extracted_licence_comments_get_the_developer_levels() -> None:
    """webpack's ``main.<hash>.js.LICENSE.txt`` (the licence comments its minifier moved out of
    the bundle) is read by people, never fetched by a page: the fast levels, like esbuild's
    ``*.LEGAL.txt`` and source maps. A project's own ``LICENSE.txt`` is not one of them."""
    from assetpipe.stages.compress_codec import BEST, FAST, levels

    encodings = ("br", "gzip")
    for rel in ("js/main.3f2a9c.js.LICENSE.txt", "js/app-X1.js.LEGAL.txt", "js/app.js.map"):
        assert levels(rel, encodings, "fast") == {e: FAST[e] for e in encodings}, rel
        assert levels(rel, encodings, "none") == {}, rel
    for rel in ("LICENSE.txt", "docs/LICENSE.txt", "js/app.js"):
        assert levels(rel, encodings, "fast") == {e: BEST[e] for e in encodings}, rel
