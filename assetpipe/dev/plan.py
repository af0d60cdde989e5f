"""Rebuild planning for ``assetpipe watch``: which stages a batch of changed source keys needs.

- an image or a static file: that stage for those keys only;
- a JS or CSS file (an entry, or anything in the stage's esbuild inputs): the scripts or styles
  stage as a whole (the watcher's esbuild session makes that a context ``rebuild()``);
- a template: the templates stage for that template only, and the scripts stage as well when
  the template now loads the script entries differently (another entry, ``type="module"``
  added or removed) than the last build recorded (report.json's ``scripts.script_tags``):
  which entries are built as classic scripts depends on it;
- then, while the rebuild runs (``dev.apply``), the stylesheets whose ``url()``s name a changed
  image or static file, and the templates that reference a manifest key whose entry changed (a
  new hashed URL, a new integrity), found with the templates stage's own reference scan;
- a file no stage takes (a page context, a partial data file): nothing to build, a page reload.

A file added to or removed from a stage's globs, or a folder moved or removed, means a full
development build (rare, and always correct). Which source files the scripts and styles stages
read comes from esbuild's metafile (the esbuild session records it per stage); before their
first build, from the file's type.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..config import Config
from ..config.templatedirs import prefix, template_name
from ..manifest import Manifest
from ..pipeline.sources import Sources, globmatch
from ..records import dataclass
from ..rewrite.scripttags import how_loaded, tags_of

if TYPE_CHECKING:
    from ..stages.base import StageContext

#: file types esbuild's scripts / styles builds read, when the stage does not list its inputs
SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".json")
STYLE_SUFFIXES = (".css",)
ESBUILD_STAGES = ("scripts", "styles")


class EsbuildFacts(Protocol):
    """What the esbuild stages' last builds read (``EsbuildSession`` answers for watch; a
    one-shot edit build knows nothing: ``None`` means unknown, and the plan assumes the most)."""

    def inputs(self, stage: str) -> frozenset[str] | None: ...
    def external_urls(self, stage: str) -> frozenset[str] | None: ...


@dataclass
class DevState:
    """What the last good development build knows."""

    build_dir: Path
    manifest: Manifest
    report: dict[str, Any]
    owners: dict[str, str]
    static_keys: frozenset[str]
    keys: frozenset[str]


@dataclass
class Plan:
    """What a batch of changes needs. ``stages`` maps a stage to the keys to rebuild (``None``:
    the whole stage)."""

    changed: tuple[str, ...]
    full: bool = False
    reason: str = ""
    stages: dict[str, frozenset[str] | None] = field(default_factory=dict)

    @property
    def nothing(self) -> bool:
        return not self.full and not self.stages


class Planner:
    """Plans the rebuilds of one config (see the module docstring). ``esbuild`` is the
    watcher's session: its facts say which sources each esbuild stage read."""

    def __init__(self, config: Config, esbuild: EsbuildFacts) -> None:
        self.config = config
        self.esbuild = esbuild
        self._names: dict[str, str | None] = {}

    def stage_of(self, key: str, state: DevState) -> list[str]:
        """The stages that take ``key`` as an input."""
        cfg = self.config
        out: list[str] = []
        if key in state.static_keys or globmatch(key, cfg.static.include):
            return ["static"]
        if globmatch(key, cfg.images.include):
            out.append("images")
        for stage, entries, suffixes in (
            ("scripts", cfg.scripts.entries, SCRIPT_SUFFIXES),
            ("styles", cfg.styles.entries, STYLE_SUFFIXES),
        ):
            if not entries:
                continue
            inputs = self.esbuild.inputs(stage)
            if globmatch(key, entries) or (
                key in inputs if inputs is not None else key.endswith(suffixes)
            ):
                out.append(stage)
        if self.template_name(key) is not None:
            out.append("templates")
        return out

    def uses_changed_files(self, stage: str, old: Manifest, keys: set[str]) -> bool:
        """Whether a stage's CSS ``url()``s point at a file of a changed entry (an image)."""
        urls = self.esbuild.external_urls(stage)
        if urls is None:
            return bool(keys)  # unknown: rebuild to be safe
        pub = self.config.public_path
        for key in keys:
            entry = old.get(key) or {}
            files = [entry.get("file"), *(v.get("file") for v in entry.get("variants", ()))]
            if any(f and pub + str(f) in urls for f in files):
                return True
        return False

    def hinted_templates(self, sources: Sources) -> frozenset[str]:
        """The source keys of the templates lcp-hints.json names (LCP hints and image
        records): rewritten with any subset, so the stage sees each used (it warns about those
        no template it ran used)."""
        try:
            from ..rewrite.hints import hints_path, read_all_hints

            every = read_all_hints(hints_path(self.config.root))
        except Exception:  # a malformed file: the templates stage reports it, located
            return frozenset()
        named = {h.template for h in every.lcp} | {h.template for h in every.images}
        keys = {prefix(d) + t for t in named for d in self.config.templates.dirs}
        return frozenset(k for k in keys if k in sources.files)

    def template_name(self, key: str) -> str | None:
        """The template name of a source key, or ``None`` (memoised: globs are slow)."""
        if key not in self._names:
            self._names[key] = self._template_name_uncached(key)
        return self._names[key]

    def _template_name_uncached(self, key: str) -> str | None:
        return template_name(key, self.config.templates.dirs, self.config.templates.include)

    def plan(
        self,
        changed: set[str],
        sources: Sources,
        state: DevState | None,
        whole: frozenset[str] = frozenset(),
    ) -> Plan:
        """Which stages to run for these changed keys (modified, added or removed) since the
        last good build ``state`` (``None``: a full build), plus the stages in ``whole`` for all
        their inputs (``templates`` when lcp-hints.json changed)."""
        batch = tuple(sorted(changed))
        if state is None:
            batch = tuple(k for k in batch if k in sources.files) or batch
            return Plan(batch, full=True, reason="no good build yet")
        now = frozenset(sources.files)
        for key in batch:
            if (
                key not in now
                and key not in state.keys
                and any(k.startswith(key + "/") for k in state.keys)
            ):
                return Plan(batch, full=True, reason=f"folder {key} moved or removed")
        # an editor's temp file, created and gone within the batch, changed nothing
        batch = tuple(k for k in batch if k in now or k in state.keys)
        plan = Plan(batch, stages=dict.fromkeys(whole))
        for key in batch:
            owners = self.stage_of(key, state)
            added_or_removed = (key in now) != (key in state.keys)
            if added_or_removed and any(
                s in ("static", "images", "templates") or globmatch(key, self._entries(s))
                for s in owners
            ):
                return Plan(batch, full=True, reason=f"{key} added or removed")
            for stage in owners:
                if stage in ESBUILD_STAGES:
                    plan.stages[stage] = None
                elif plan.stages.get(stage, frozenset()) is not None:
                    prev = plan.stages.get(stage) or frozenset()
                    plan.stages[stage] = prev | {key}
            if "templates" in owners and self.script_tags_changed(key, sources, state):
                plan.stages["scripts"] = None
        return plan

    def script_tags_changed(self, key: str, sources: Sources, state: DevState) -> bool:
        """Whether template ``key`` now loads the script entries differently (another entry,
        or ``type="module"`` added or taken away) than the last build recorded: the scripts
        stage decides from the templates which entries are classic (``stages.classic``)."""
        cfg = self.config
        if not cfg.scripts.entries:
            return False
        section = state.report.get("scripts")
        recorded = section.get("script_tags") if isinstance(section, dict) else None
        if not isinstance(recorded, dict):
            return True  # a build that recorded none: rerun to be safe
        now: list[list[str]] = []
        if key in sources.files:
            uses = tags_of(cfg, sources, key)
            now = how_loaded(uses, lambda k: globmatch(k, cfg.scripts.entries))
        return now != (recorded.get(key) or [])

    def _entries(self, stage: str) -> tuple[str, ...]:
        if stage == "scripts":
            return tuple(self.config.scripts.entries)
        if stage == "styles":
            return tuple(self.config.styles.entries)
        return ()

    def follow(
        self,
        name: str,
        todo: dict[str, frozenset[str] | None],
        old: Manifest,
        ctx: StageContext,
        owners: dict[str, str],
    ) -> bool:
        """Called before stage ``name`` of a rebuild (stages in order; ``ctx.manifest`` holds
        what the stages before it made, ``owners`` who made each key): add to ``todo`` what the
        stages rerun so far make it need. An esbuild stage whose CSS ``url()``s name a changed
        image or static file (the styles stage names static files itself, before the static
        stage runs) is added whole: returns True, its old keys must go; so is the static stage
        of a production build holding a stylesheet when an image changed (a copied stylesheet
        names the images' hashed files). For the templates
        stage, the templates that reference a changed entry (``add_dependent_templates``)."""
        if (
            name in ESBUILD_STAGES
            and name not in todo
            and self.uses_changed_files(
                name,
                old,
                changed_keys(old, ctx.manifest, {"images"}, owners) | set(todo.get("static") or ()),
            )
        ):
            todo[name] = None
            return True
        if (
            name == "static"
            and ctx.profile == "production"
            and todo.get(name, frozenset()) is not None
            and any(k.endswith(".css") for k in ctx.static_keys)
            and changed_keys(old, ctx.manifest, {"images"}, owners)
        ):
            # a copied stylesheet names the images' hashed files (``static.rewritten``)
            todo[name] = None
            return True
        if name == "templates":
            self.add_dependent_templates(todo, old, ctx)
        return False

    def add_dependent_templates(
        self, todo: dict[str, frozenset[str] | None], old: Manifest, ctx: StageContext
    ) -> None:
        """Add to the plan the templates that may reference a manifest key whose entry changed
        (a new hashed URL, integrity, size): the templates stage's own reference scan
        (``memo_references``, a superset of what its rewrite looks up, a fact of the stat memo)."""
        new = ctx.manifest
        changed = {k for k in set(old.entries) | set(new.entries) if old.get(k) != new.get(k)}
        if not changed or todo.get("templates", frozenset()) is None:
            return
        from ..errors import StageError
        from ..stages.templates import memo_references, with_imports

        wanted: set[str] = set()
        for key in ctx.sources.files:
            if self.template_name(key) is None:
                continue
            try:
                refs = with_imports(memo_references(ctx, key), ctx)
            except StageError:  # not UTF-8: the templates stage reports it when it runs
                continue
            if refs & changed:
                wanted.add(key)
        if wanted:
            todo["templates"] = (todo.get("templates") or frozenset()) | wanted


def changed_keys(
    old: Manifest, new: Manifest, stages: set[str], owners: dict[str, str]
) -> set[str]:
    """Keys owned by ``stages`` (before or now) whose manifest entry changed."""
    keys = {k for k, s in owners.items() if s in stages}
    return {k for k in keys if old.get(k) != new.get(k)}
