"""The build orchestrator: a recipe read top to bottom.

discover → images → scripts → styles → static → templates → compress → retain → manifest → swap

Each stage is a function of a ``StageContext`` (``assetpipe.stages.base``); the build writes a
new folder and swaps the output to it (``assetpipe.pipeline.output``: why atomically, and what is
retained from previous builds).
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config, load_config
from ..config.templatedirs import scan_sources
from ..errors import StageError, UsageError
from ..fsutil import rmtree
from ..logs import logger
from ..progress import NullProgress, Progress, StageDone, StageTally
from . import reuse
from .lock import BuildLock
from .output import check_output
from .result import BuildResult

if TYPE_CHECKING:
    from ..esbuild.session import EsbuildSession
    from ..stages.base import StageContext
    from .edit import EditPlan
    from .sources import Sources

log = logger("assetpipe")

StageFn = Callable[["StageContext"], None]
PROFILES = ("production", "development")


STAGE_NAMES = ("images", "scripts", "styles", "static", "templates", "compress")


def stages(profile: str) -> list[tuple[str, StageFn]]:
    """The stages in order. Templates come after every asset: they are rewritten from the
    manifest. The development profile (``assetpipe watch``, ``build --profile development``)
    has the same stages and layout but no precompression; stages read ``ctx.profile`` for the
    rest (linked sourcemaps, AVIF only if configured). Each stage's module is imported when the
    stage runs: a build that reuses the previous one (``reuse``) imports none, an edit build
    (``edit``) only those it runs."""
    return [
        (name, _stage(name))
        for name in STAGE_NAMES
        if not (profile == "development" and name == "compress")
    ]


def _stage(name: str) -> StageFn:
    """``assetpipe.stages.<name>.run``, imported on the first call."""

    def run(ctx: StageContext) -> None:
        module = importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.stages.{name}")
        module.run(ctx)

    run.__qualname__ = run.__name__ = f"{name}.run"
    return run


def _counts(ctx: StageContext, name: str) -> dict[str, int]:
    """The cache's hits and misses so far for stage ``name`` and its parts (``scripts`` holds
    ``scripts.classic``'s and ``scripts.iife``'s)."""
    out = {"hits": 0, "misses": 0}
    for stage, counts in list(ctx.cache.stats.per_stage.items()):
        if stage == name or stage.startswith(name + "."):
            for k in out:
                out[k] += counts.get(k, 0)
    return out


def run_stage(ctx: StageContext, name: str, run: StageFn) -> list[str]:
    """Run one stage on ``ctx`` and time it; returns the manifest keys it added, in order (the
    incremental rebuilds of ``assetpipe watch`` use them to know which stage owns which key)."""
    from ..stages.base import StageStats

    ctx.stage = name
    before = set(ctx.manifest.entries)
    t0 = time.perf_counter()
    stats = ctx.stats.setdefault(name, StageStats())
    cached = _counts(ctx, name)
    log.debug("stage %s", name)
    tally = StageTally(ctx.progress)
    ctx.progress = tally
    try:
        run(ctx)
    finally:
        ctx.progress = tally.inner
    stats.seconds = time.perf_counter() - t0
    now = _counts(ctx, name)
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
    it is then the caller's to close; by default the build makes one and closes it.
    ``result.owners``, ``result.report`` and ``result.static_keys`` are what incremental
    rebuilds start from.
    Raises ``ConfigError`` (2), ``StageError``/``LockError`` (1), ``ExternalToolError`` (3).
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r} (expected one of {', '.join(PROFILES)})")
    started = time.perf_counter()
    lock: AbstractContextManager[object] = (
        nullcontext()
        if lock_held
        else BuildLock(
            cfg.state_dir / "build.lock",
            cfg.lock_timeout,
            on_wait=lambda holder: log.info("waiting for the build lock (%s)", holder),
        )
    )
    with lock:
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
    check_output(cfg)
    sources = scan_sources(cfg)
    scanned_ns = time.time_ns()
    # a one-shot build whose inputs are all as the last one read them reuses it; after a
    # small change it reruns only the stages the change needs (an edit build). A caller's
    # esbuild session, as in watch, wants the stages run: they make its contexts
    edit: EditPlan | None = None
    if not clean and esbuild is None:
        prev = reuse.previous(cfg, profile, sources)
        if prev is not None and prev.unchanged:
            reused = reuse.reuse(cfg, profile, prev, started)
            if not (strict and reused.warnings):
                for w in reused.warnings:
                    log.warning("%s", w)
                return reused
        elif prev is not None:
            from .edit import plan

            edit = plan(cfg, prev, sources)
    result = _run_stages(
        cfg,
        sources,
        clean=clean,
        strict=strict,
        profile=profile,
        progress=progress,
        started=started,
        esbuild=esbuild,
        edit=edit,
    )
    if esbuild is None:
        reuse.record(cfg, profile, sources, scanned_ns, result)
    return result


def _run_stages(
    cfg: Config,
    sources: Sources,
    *,
    clean: bool,
    strict: bool,
    profile: str,
    progress: Progress,
    started: float,
    esbuild: EsbuildSession | None,
    edit: EditPlan | None = None,
) -> BuildResult:
    """Every stage into a new build folder, then the swap (the module docstring's recipe).
    With ``edit``, the stages it does not run are replayed from the previous build."""
    from ..esbuild.session import EsbuildSession

    session = esbuild or EsbuildSession()
    try:
        if esbuild is None and edit is None and (clean or not (cfg.state_dir / "cache").is_dir()):
            # a cold build: the scripts and styles stages' esbuild start now and run while the
            # stages are imported and planned; each stage takes its result
            # (``EsbuildSession.prestart``)
            from ..stages.esbuild_options import early

            for options in early(cfg, profile):
                session.prestart(options)
            if len(sources.match(cfg.images.include)) > 1:
                # and the image workers start (~0.15 s: a forkserver importing Pillow) while
                # the images stage is imported and plans; it would start them at its second
                # cache miss, which a cold build is sure to have
                from ..imaging.pool import prewarm

                prewarm()
        return _stages(
            cfg,
            sources,
            session,
            clean=clean,
            strict=strict,
            profile=profile,
            progress=progress,
            started=started,
            edit=edit,
        )
    finally:
        if esbuild is None:  # the build's own session (an early esbuild included) ends with it
            session.close()


def _stages(
    cfg: Config,
    sources: Sources,
    session: EsbuildSession,
    *,
    clean: bool,
    strict: bool,
    profile: str,
    progress: Progress,
    started: float,
    edit: EditPlan | None,
) -> BuildResult:
    """``_run_stages`` with the build's esbuild ``session``: the stages into a new build folder,
    then the swap."""
    from ..manifest import Manifest
    from ..stages import ahead, static
    from ..stages.base import Report, StageContext
    from .cache import Cache
    from .output import record_history, retain, retire_old_builds, swap, sweep, write_json

    cache = Cache(cfg.state_dir / "cache", cfg.cache_max_mb)
    if clean:
        cache.clear()
    builds, trash = cfg.state_dir / "builds", cfg.state_dir / ".trash"
    sweeper = sweep(trash)  # the builds the last one retired: deleted while this one builds
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
        esbuild=session,
    )
    owners: dict[str, str] = {}
    replayed: list[str] = []
    try:
        ctx.static_keys = frozenset(static.select(ctx))
        for name, run in stages(profile):
            if edit is not None and not edit.runs(name, ctx, owners):
                owners.update(dict.fromkeys(edit.replay(ctx, name), name))
                replayed.append(name)
                continue
            owners.update(dict.fromkeys(run_stage(ctx, name, run), name))
            if name != "compress":  # what public/ holds now compresses during the next stages
                ahead.start(ctx)
        ctx.stage = "build"
        if strict and ctx.report.warnings:
            raise StageError(
                f"{len(ctx.report.warnings)} warning(s) and --strict is set",
                hint="fix the warnings above, or build without --strict",
            )
        # deploy safety is for production builds; a local development build retains nothing
        production = profile == "production"
        retained = retain(cfg, ctx.manifest, public) if production else []
        ctx.report.sections["retained"] = retained
        ctx.report.sections["warnings"] = [w.to_json() for w in ctx.report.warnings]
        ctx.report.sections["profile"] = profile  # the audit warns about a development build
        # the build being replaced stays until the next swap: requests in flight finish on it
        previous = Path(os.path.realpath(cfg.output)).name if cfg.output.is_symlink() else ""
        for name, doc in (
            ("report.json", ctx.report.sections),
            ("manifest.json", ctx.manifest.entries),
        ):
            write_json(build_dir / name, doc, builds / previous / name if previous else None)
        swap(cfg.output, build_dir)
    except BaseException:
        ahead.cancel(ctx)
        rmtree(build_dir)
        raise
    finally:
        if sweeper is not None:
            sweeper.join()
    if profile == "production":
        record_history(cfg, build_dir, ctx.manifest)
    retire_old_builds(builds, {build_dir.name, previous}, trash)
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
        owners=owners,
        report=ctx.report.sections,
        static_keys=ctx.static_keys,
        memo=sources.memo_stats,
        replayed=tuple(replayed),
    )
