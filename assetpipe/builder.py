"""The build orchestrator: a recipe read top to bottom (DESIGN §2).

discover → images → scripts → styles → static → templates → compress → retain → manifest → swap

Atomic output, and why this way: every build is written into a new folder
``.assetpipe/builds/<id>/`` and ``<output>`` is a *symlink* to the current one, replaced with
``os.replace`` of a fresh symlink (an atomic rename(2)). A reader that resolves ``dist/...``
sees the whole old build or the whole new one, never a mix, and a failed build just deletes its
folder: the link, and so the previous output, never moved. (Swapping two real directories takes
two renames with a window in between; rsync-style in-place updates expose a mix.) The previous
build folder is kept until the next swap, so a request in flight on it completes.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import Cache, CacheStats
from .config import Config, load_config
from .config.templatedirs import scan_sources
from .errors import StageError, UsageError
from .esbuild.session import EsbuildSession
from .fsutil import atomic_write, dump_json, link_or_copy, rmtree
from .hashing import is_hashed
from .lock import BuildLock
from .manifest import ENCODING_SUFFIX, Manifest
from .sources import MemoStats
from .stages import compress, images, scripts, static, styles, templates
from .stages.base import (
    NullProgress,
    Progress,
    Report,
    StageContext,
    StageDone,
    StageStats,
    StageTally,
    Warning_,
)
from .state import claim_output

log = logging.getLogger("assetpipe")

StageFn = Callable[[StageContext], None]
PROFILES = ("production", "development")


def stages(profile: str) -> list[tuple[str, StageFn]]:
    """The stages in order. Templates come after every asset: they are rewritten from the
    manifest. The development profile (``assetpipe watch``, ``build --profile development``)
    has the same stages and layout but no precompression; stages read ``ctx.profile`` for the
    rest (linked sourcemaps, AVIF only if configured)."""
    order: list[tuple[str, StageFn]] = [
        ("images", images.run),
        ("scripts", scripts.run),
        ("styles", styles.run),
        ("static", static.run),
        ("templates", templates.run),
        ("compress", compress.run),
    ]
    if profile == "development":
        order = [s for s in order if s[0] != "compress"]
    return order


def run_stage(ctx: StageContext, name: str, run: StageFn) -> list[str]:
    """Run one stage on ``ctx`` and time it; returns the manifest keys it added, in order (the
    incremental rebuilds of ``assetpipe watch`` use them to know which stage owns which key)."""
    ctx.stage = name
    before = set(ctx.manifest.entries)
    t0 = time.perf_counter()
    stats = ctx.stats.setdefault(name, StageStats())
    cached = dict(ctx.cache.stats.per_stage.get(name, {}))
    log.debug("stage %s", name)
    tally = StageTally(ctx.progress)
    ctx.progress = tally
    try:
        run(ctx)
    finally:
        ctx.progress = tally.inner
    stats.seconds = time.perf_counter() - t0
    now = ctx.cache.stats.per_stage.get(name, {})
    added = [k for k in ctx.manifest.entries if k not in before]
    sources = sum(1 for k in added if k in ctx.sources.files)
    done = StageDone(
        name,
        sources or tally.total,
        stats.files,
        hits=now.get("hits", 0) - cached.get("hits", 0),
        misses=now.get("misses", 0) - cached.get("misses", 0),
        seconds=stats.seconds,
    )
    log.debug("%s", done.line())
    notify = getattr(ctx.progress, "done", None)
    if callable(notify):
        notify(done)
    return added


@dataclass
class BuildResult:
    """What a build did: where, which files, warnings, per-stage statistics, cache counters."""

    output: Path
    build_dir: Path
    manifest: Manifest
    warnings: list[Warning_]
    stages: dict[str, StageStats]
    cache: CacheStats
    retained: list[str]
    seconds: float
    profile: str = "production"
    extra: dict[str, Any] = field(default_factory=dict)
    #: what the sources' stat memo spared: files hashed, stamps that spared a read, facts
    memo: MemoStats = field(default_factory=MemoStats)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document: files written, bytes, seconds per stage."""
        return {
            "ok": True,
            "output": str(self.output),
            "build_dir": str(self.build_dir),
            "profile": self.profile,
            "seconds": round(self.seconds, 4),
            "stages": {
                name: {"files": s.files, "bytes": s.bytes, "seconds": round(s.seconds, 4)}
                for name, s in self.stages.items()
            },
            "files": sum(s.files for s in self.stages.values()),
            "bytes": sum(s.bytes for s in self.stages.values()),
            "manifest_entries": len(self.manifest),
            "retained": len(self.retained),
            "cache": {
                "hits": self.cache.hits,
                "misses": self.cache.misses,
                "writes": self.cache.writes,
                "discarded": self.cache.discarded,
                "verified": self.cache.verified,
            },
            "sources": {
                "files_hashed": self.memo.hashed,
                "memo_hits": self.memo.hits,
                "facts_computed": self.memo.facts,
            },
            "warnings": [w.to_json() for w in self.warnings],
        }


def build(
    config: Config | str | Path = "pipeline.yaml",
    *,
    clean: bool = False,
    strict: bool = False,
    profile: str = "production",
    progress: Progress | None = None,
    esbuild: EsbuildSession | None = None,
    lock_held: bool = False,
) -> BuildResult:
    """Build the site described by ``config`` (a ``Config`` or a pipeline.yaml path).

    Writes a new build folder and swaps ``config.output`` to it on success; on any error the
    folder is removed and the previous output is untouched. Holds ``.assetpipe/build.lock``
    (unless ``lock_held``: the caller, ``assetpipe watch``, already holds it). ``esbuild``
    lets a caller keep one esbuild session (its Node service, its contexts) alive across builds:
    it is then the caller's to close; by default the build makes one and closes it. ``result.extra`` holds ``owners`` (manifest key → stage) and
    ``report`` (report.json's sections), for incremental rebuilds.
    Raises ``ConfigError`` (2), ``StageError``/``LockError`` (1), ``ExternalToolError`` (3).
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r} (expected one of {', '.join(PROFILES)})")
    started = time.perf_counter()
    if lock_held:
        return _build_locked(
            cfg,
            clean=clean,
            strict=strict,
            profile=profile,
            progress=progress or NullProgress(),
            started=started,
            esbuild=esbuild,
        )
    with BuildLock(
        cfg.state_dir / "build.lock",
        cfg.lock_timeout,
        on_wait=lambda holder: log.info("waiting for the build lock (%s)", holder),
    ):
        return _build_locked(
            cfg,
            clean=clean,
            strict=strict,
            profile=profile,
            progress=progress or NullProgress(),
            started=started,
            esbuild=esbuild,
        )


def _build_locked(
    cfg: Config,
    *,
    clean: bool,
    strict: bool,
    profile: str,
    progress: Progress,
    started: float,
    esbuild: EsbuildSession | None = None,
) -> BuildResult:
    _check_output(cfg)
    cache = Cache(cfg.state_dir / "cache", cfg.cache_max_mb)
    if clean:
        cache.clear()
    sources = scan_sources(cfg)
    builds = cfg.state_dir / "builds"
    build_dir = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.time_ns() % 10**6}"
    public, tpl_out = build_dir / "public", build_dir / "templates"
    public.mkdir(parents=True)
    tpl_out.mkdir()
    ctx = StageContext(
        config=cfg,
        sources=sources,
        public=public,
        templates_out=tpl_out,
        cache=cache,
        manifest=Manifest(),
        report=Report(),
        progress=progress,
        profile=profile,
        esbuild=esbuild or EsbuildSession(),
    )
    owners: dict[str, str] = {}
    try:
        ctx.static_keys = frozenset(static.select(ctx))
        for name, run in stages(profile):
            owners.update(dict.fromkeys(run_stage(ctx, name, run), name))
        ctx.stage = "build"
        if strict and ctx.report.warnings:
            raise StageError(
                f"{len(ctx.report.warnings)} warning(s) and --strict is set",
                hint="fix the warnings above, or build without --strict",
            )
        # deploy safety is for production builds; a local development build retains nothing
        production = profile == "production"
        retained = _retain(cfg, ctx.manifest, public) if production else []
        ctx.report.sections["retained"] = retained
        ctx.report.sections["warnings"] = [w.to_json() for w in ctx.report.warnings]
        # the build being replaced stays until the next swap: requests in flight finish on it
        previous = Path(os.path.realpath(cfg.output)).name if cfg.output.is_symlink() else ""
        for name, doc in (
            ("report.json", ctx.report.sections),
            ("manifest.json", ctx.manifest.entries),
        ):
            _write_json(build_dir / name, doc, builds / previous / name if previous else None)
        _swap(cfg.output, build_dir)
    except BaseException:
        rmtree(build_dir)
        raise
    finally:
        if esbuild is None:
            ctx.esbuild.close()
    if profile == "production":
        _record_history(cfg, build_dir, ctx.manifest)
    _remove_old_builds(builds, keep={build_dir.name, previous})
    sources.save_memo()
    if cache.stats.writes:  # only a build that stored entries can have grown the cache
        cache.prune()
    return BuildResult(
        output=cfg.output,
        build_dir=build_dir,
        manifest=ctx.manifest,
        warnings=ctx.report.warnings,
        stages=ctx.stats,
        cache=cache.stats,
        retained=retained,
        seconds=time.perf_counter() - started,
        profile=profile,
        extra={"owners": owners, "report": ctx.report.sections, "static_keys": ctx.static_keys},
        memo=sources.memo_stats,
    )


def _write_json(path: Path, doc: Any, previous: Path | None) -> None:
    """Write ``dump_json(doc)`` to ``path``; when ``previous`` (the same file of the build being
    replaced) holds an equal document, its bytes are reused: parsing is several times faster
    than encoding with indentation, the slowest part of writing a large report."""
    if previous is not None:
        try:
            data = previous.read_bytes()
            if json.loads(data) == doc:
                atomic_write(path, data)
                return
        except (OSError, ValueError):
            pass
    atomic_write(path, dump_json(doc))


def _check_output(cfg: Config) -> None:
    claim_output(cfg)
    out = cfg.output
    if out.is_symlink() or not out.exists():
        return
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
        return
    raise UsageError(
        f"output '{out}' exists and is not an assetpipe build link",
        hint="assetpipe makes the output a symlink to its current build folder; move or delete "
        "that folder, or choose another output in pipeline.yaml",
    )


def _swap(output: Path, build_dir: Path) -> None:
    """Point ``output`` at ``build_dir`` atomically (a new symlink renamed over the old)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    target = os.path.relpath(build_dir, output.parent)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, output)


def _history_path(cfg: Config) -> Path:
    return cfg.state_dir / "builds" / "history.json"


def _read_history(cfg: Config) -> list[dict[str, Any]]:
    try:
        data = json.loads(_history_path(cfg).read_text(encoding="utf-8"))
        return [h for h in data if isinstance(h, dict)] if isinstance(data, list) else []
    except (OSError, ValueError):
        return []


def _retain(cfg: Config, manifest: Manifest, public: Path) -> list[str]:
    """Copy into the new ``public/`` the hashed files of the previous ``retain_builds - 1``
    builds (deploy safety: a page loaded before the deploy can still fetch its chunks). They are
    taken from the current output, which already holds every file still inside the window."""
    keep = cfg.retain_builds - 1
    if keep <= 0 or not cfg.output.is_symlink():
        return []
    current_public = cfg.output / "public"
    own = manifest.files()
    wanted: set[str] = set()
    for h in _read_history(cfg)[-keep:]:
        wanted.update(str(f) for f in h.get("files", ()))
    retained = []
    for rel in sorted(wanted - own):
        src = current_public / rel
        if (
            is_hashed(rel.removesuffix(".br").removesuffix(".gz").removesuffix(".zst"))
            and src.is_file()
            and not (public / rel).exists()
        ):
            link_or_copy(src, public / rel)
            retained.append(rel)
    return retained


def _record_history(cfg: Config, build_dir: Path, manifest: Manifest) -> None:
    hist = _read_history(cfg)
    public = build_dir / "public"
    files = manifest.immutable_files()
    # precompressed siblings of files without an entry of their own (a script's CSS, maps):
    # one walk of the folder, not a stat per file and encoding
    present = _listing(public)
    files |= {
        f + suffix for f in files for suffix in ENCODING_SUFFIX.values() if f + suffix in present
    }
    hist.append({"id": build_dir.name, "files": sorted(files)})
    atomic_write(_history_path(cfg), dump_json(hist[-max(cfg.retain_builds, 2) :]))


def _listing(root: Path) -> set[str]:
    """Every file under ``root``, as POSIX paths relative to it."""
    out: set[str] = set()
    for dirpath, _dirs, names in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out.update(prefix + n for n in names)
    return out


def _remove_old_builds(builds: Path, keep: set[str]) -> None:
    for child in builds.iterdir():
        if child.is_dir() and child.name not in keep:
            rmtree(child)
