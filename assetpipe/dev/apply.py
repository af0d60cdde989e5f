"""Rebuild applying for ``assetpipe watch`` (the development profile).

``DevBuilder`` does one full development build (a new build folder, swapped in as every build
is), then, for each batch of changed source keys, re-runs only the stages that the plan
(``dev.plan``) names, through the same stage seam (``run_stage``) and the same stage functions;
a stage given a subset of keys sees ``ctx.sources`` narrowed to them. A plan that needs a full
build gets one. All of it runs with the caller's esbuild session (``ctx.esbuild``), which
watch keeps across builds.

In-place update, and why it is safe: the incremental run writes into a staging folder inside the
current build folder; on success every file is moved into ``public/`` and ``templates/`` with
``os.replace``, then ``manifest.json`` is replaced (then ``report.json``, which it does not
name). Outputs are content-hashed, so new files never replace files the old manifest names (same
name = same bytes); a reader sees the old manifest or the new one, and every file either names
exists. A failed rebuild deletes the staging folder: the last good build keeps serving,
untouched. The build lock is the caller's (watch holds it).

Known limits: a rebuilt file with an unhashed name (``keep_names``) is replaced in place, as it
would be by any deploy; a file that stops being an output stays in ``public/`` until the next
full build (like the retained files of a production build).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import Any

from ..config import Config
from ..config.templatedirs import scan_sources
from ..esbuild.session import EsbuildSession
from ..fsutil import JsonWriter, atomic_write, rmtree
from ..manifest import Manifest
from ..pipeline.cache import Cache
from ..pipeline.run import build as run_build
from ..pipeline.run import run_stage, stages
from ..pipeline.sources import Sources
from ..progress import NullProgress
from ..records import dataclass
from ..stages.base import Report, StageContext, StageStats
from .cssswap import static_css_only
from .plan import DevState, Plan, Planner

log = logging.getLogger("assetpipe")


@dataclass
class Outcome:
    """What a rebuild did, for the terminal line and the live-reload event."""

    changed: tuple[str, ...]
    full: bool
    stages: dict[str, StageStats]
    seconds: float
    #: CSS files swapped in place: ``{"old": href, "new": href, "integrity": sri, "source": href,
    #: "prefix": public_path}`` (``assetpipe.serve.reload`` documents each)
    css: list[dict[str, str]] = field(default_factory=list)
    #: the page must reload (anything but a CSS-only change)
    reload: bool = True
    outputs: int = 0

    def summary(self, shown: Callable[[str], str] = str) -> str:
        """One terse, stable line: what changed (each key as ``shown`` writes it), what was
        rebuilt, how long it took."""
        what = ", ".join(map(shown, self.changed[:3])) + (
            f" (+{len(self.changed) - 3})" if len(self.changed) > 3 else ""
        )
        done = (
            "full build"
            if self.full
            else (", ".join(f"{n} {s.files}" for n, s in self.stages.items()) or "nothing to build")
        )
        live = (
            ""
            if self.full
            else (
                " · css swap"
                if self.css and not self.reload
                else " · reload"
                if self.reload
                else " · no change"
            )
        )
        return f"{what or 'start'}: {done}{live} · {self.seconds * 1000:.0f} ms"


class DevBuilder:
    """Full and incremental development builds of one config (see the module docstring)."""

    def __init__(self, config: Config, esbuild: EsbuildSession) -> None:
        """``esbuild``: the caller's session, kept across builds (incremental for watch)."""
        self.config = config
        self.esbuild = esbuild
        self.planner = Planner(config, esbuild)
        self.state: DevState | None = None
        #: keys whose last rebuild failed: they stay in the next plan until one succeeds
        self.pending: set[str] = set()
        #: the encoders of manifest.json (an entry a value) and report.json (a template's)
        self._json = {"manifest": JsonWriter(depth=1), "report": JsonWriter(depth=2)}

    # -- full ---------------------------------------------------------------------------------
    def full_build(self) -> Outcome:
        """A development build into a new folder, swapped in; the base for incremental work."""
        started = time.perf_counter()
        result = run_build(self.config, profile="development", esbuild=self.esbuild, lock_held=True)
        keys = scan_sources(self.config, memo=False).files.keys()
        self.state = DevState(
            build_dir=result.build_dir,
            manifest=result.manifest,
            report=dict(result.report),
            owners=dict(result.owners),
            static_keys=result.static_keys,
            keys=frozenset(keys),
        )
        self.pending.clear()
        return Outcome(
            changed=(),
            full=True,
            stages=result.stages,
            seconds=time.perf_counter() - started,
            outputs=sum(s.files for s in result.stages.values()),
        )

    # -- executing ----------------------------------------------------------------------------
    def rebuild(self, changed: set[str], whole: frozenset[str] = frozenset()) -> Outcome:
        """Rebuild what ``changed`` (and ``whole``, see ``Planner.plan``) needs, in place (see the
        module docstring). Raises the stage's error on failure, leaving the last good build
        untouched."""
        started = time.perf_counter()
        sources = scan_sources(self.config)
        plan = self.planner.plan(changed | self.pending, sources, self.state, whole)
        if plan.full:
            log.debug("full development build: %s", plan.reason)
            self.pending.update(plan.changed)
            out = self.full_build()
            out.changed = plan.changed
            out.seconds = time.perf_counter() - started
            return out
        try:
            out = self._apply(plan, sources)
        except BaseException:
            self.pending.update(
                k
                for k in plan.changed
                if k in sources.files or (self.state is not None and k in self.state.keys)
            )
            raise
        self.pending.clear()
        out.seconds = time.perf_counter() - started
        return out

    def _apply(self, plan: Plan, sources: Sources) -> Outcome:
        state = self.state
        assert state is not None
        if plan.nothing:
            return Outcome(changed=plan.changed, full=False, stages={}, seconds=0.0, reload=False)
        cfg = self.config
        staging = state.build_dir / f".incoming-{os.getpid()}-{time.time_ns()}"
        old = state.manifest
        # shallow copies: stages add and replace entries and sections, never edit old ones
        manifest = Manifest(dict(old.entries))
        report = Report(sections=_copy_sections(state.report))
        ctx = StageContext(
            config=cfg,
            sources=sources,
            public=staging / "public",
            templates_out=staging / "templates",
            cache=Cache(cfg.state_dir / "cache", cfg.cache_max_mb),
            manifest=manifest,
            report=report,
            progress=NullProgress(),
            profile="development",
            static_keys=state.static_keys,
            esbuild=self.esbuild,
        )
        ctx.public.mkdir(parents=True)
        ctx.templates_out.mkdir()
        owners = dict(state.owners)
        todo = dict(plan.stages)

        def drop(name: str, subset: frozenset[str] | None) -> None:
            """Forget what a stage is about to make again (its keys, their owner)."""
            gone = [k for k, s in owners.items() if s == name and (subset is None or k in subset)]
            for k in gone:
                manifest.entries.pop(k, None)
                owners.pop(k, None)

        # before any stage runs: a stage may name another's outputs (styles names static files
        # itself, and would take a stale manifest entry for a static file over its new name)
        for name, subset in todo.items():
            drop(name, subset)
        try:
            for name, run in stages("development"):
                if self.planner.follow(name, todo, old, ctx, owners):
                    drop(name, None)
                if name not in todo:
                    continue
                subset = todo[name]
                if name == "templates" and subset is not None:
                    subset = subset | self.planner.hinted_templates(sources)
                before = _copy_sections(report.sections)
                ctx.sources = sources if subset is None else _narrow(sources, subset)
                added = run_stage(ctx, name, run)
                ctx.sources = sources
                owners.update(dict.fromkeys(added, name))
                if subset is not None:
                    _merge_sections(report.sections, before)
                    if name == "images":
                        _recount_images(report.sections, before, manifest, owners, subset)
            ctx.stage = "build"
            report.sections["warnings"] = [
                *(
                    w
                    for w in state.report.get("warnings", ())
                    if isinstance(w, dict) and w.get("stage") not in todo
                ),
                *(w.to_json() for w in report.warnings),
            ]
            self._commit(staging, state.build_dir, report.sections, manifest)
        finally:
            rmtree(staging)
        sources.save_memo()
        css = self._css_swaps(old, manifest, owners)
        # nothing a page shows changed (the same bytes again): no reload
        visible = manifest.entries != old.entries or bool(
            ctx.stats.get("templates", StageStats()).files
        )
        css_only = (
            set(todo) <= {"styles", "templates"}
            and "styles" in todo
            and all(set(self.planner.stage_of(k, state)) <= {"styles"} for k in plan.changed)
        ) or static_css_only(cfg, plan.changed, state.static_keys, old, manifest)
        self.state = DevState(
            build_dir=state.build_dir,
            manifest=manifest,
            report=report.sections,
            owners=owners,
            static_keys=state.static_keys,
            keys=frozenset(sources.files),
        )
        return Outcome(
            changed=plan.changed,
            full=False,
            stages=ctx.stats,
            seconds=0.0,
            css=css if css_only else [],
            reload=visible and not (css_only and css),
            outputs=sum(s.files for s in ctx.stats.values()),
        )

    def _css_swaps(
        self, old: Manifest, new: Manifest, owners: dict[str, str]
    ) -> list[dict[str, str]]:
        pub = self.config.public_path
        swaps = []
        for key, stage in sorted(owners.items()):
            if stage not in ("styles", "static"):  # static: only when ``static_css_only``
                continue
            before, after = old.get(key), new.get(key)
            if before is None or after is None or before == after:
                continue
            if not str(after["file"]).endswith(".css"):
                continue
            url = pub + str(after["file"])
            if before.get("file") == after.get("file"):
                # a name kept (keep_names, a bundler's file): new bytes under the same URL, which
                # the page's <link> already loaded; a query naming them makes the swap fetch them
                url += (
                    "?v="
                    + hashlib.sha256(str(after.get("integrity", after)).encode()).hexdigest()[:8]
                )
            swaps.append(
                {
                    "key": key,
                    "old": pub + str(before["file"]),
                    "new": url,
                    # a <link> the build could not rewrite names it so (Whoogle's cb_url())
                    "source": pub + key,
                    # what old and new start with: a <link> under another folder that names
                    # the same hashed file (a Pyramid static view at /static/1.3.12/) is swapped
                    "prefix": pub,
                    # the swapped <link> carries SRI only where the templates' do
                    "integrity": str(after.get("integrity", ""))
                    if self.config.templates.integrity
                    else "",
                }
            )
        return swaps

    def _commit(
        self, staging: Path, build_dir: Path, sections: dict[str, Any], manifest: Manifest
    ) -> None:
        """Move the staged files into the live build: public, templates, then the manifest,
        then report.json (which the manifest does not name: written after the new output is
        live, it is not on the save-to-output path)."""
        for sub in ("public", "templates"):
            root = staging / sub
            for dirpath, _dirs, files in os.walk(root):
                for name in files:
                    src = Path(dirpath) / name
                    dest = build_dir / sub / src.relative_to(root)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(src, dest)
        # most entries and sections are unchanged: their encodings are reused
        atomic_write(build_dir / "manifest.json", self._json["manifest"].dumps(manifest.entries))
        atomic_write(build_dir / "report.json", self._json["report"].dumps(sections))


def _narrow(sources: Sources, keys: frozenset[str]) -> Sources:
    """A view of ``sources`` holding only ``keys`` (sharing the memo)."""
    return sources.narrowed(keys)


def _copy_sections(sections: dict[str, Any]) -> dict[str, Any]:
    """A copy two levels deep: a stage that fills a section in place leaves the last good
    build's report untouched."""
    return {
        k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
        for k, v in sections.items()
    }


def _recount_images(
    sections: dict[str, Any],
    before: dict[str, Any],
    manifest: Manifest,
    owners: dict[str, str],
    subset: frozenset[str],
) -> None:
    """The images stage's section holds totals (``images``, ``variants``, ``skipped``): after a
    subset run, total them again over every image, not just the subset."""
    new, old = sections.get("images"), before.get("images")
    if not isinstance(new, dict) or not isinstance(old, dict):
        return
    keys = [k for k, s in owners.items() if s == "images"]
    skipped = {k for k in old.get("skipped", ()) if k not in subset}
    notes = {
        k: v for k, v in (old.get("never_bigger") or {}).items() if k not in subset and k in owners
    }
    notes.update(new.get("never_bigger") or {})
    sections["images"] = {
        **new,
        "images": len(keys),
        "variants": sum(len(manifest[k].get("variants", ())) for k in keys),
        "skipped": sorted(skipped | set(new.get("skipped", ()))),
        "never_bigger": dict(sorted(notes.items())),
    }


def _merge_sections(sections: dict[str, Any], before: dict[str, Any]) -> None:
    """After a stage ran on a subset: a dict section it rewrote keeps the other items it had."""
    for name, new in list(sections.items()):
        old = before.get(name)
        if isinstance(old, dict) and isinstance(new, dict) and old is not new:
            sections[name] = {**old, **new}
