"""Edit builds: a one-shot build after a small change reruns only the stages the change needs.

``assetpipe build`` (``build()`` without a caller's esbuild session) after a recorded build
(``pipeline.reuse``), when only source files changed (modified, added or removed) or
``lcp-hints.json`` did, plans as ``assetpipe watch`` does (``dev.plan.Planner``: the stage that
takes each changed file; an added or removed image, static file or entry, or a moved folder,
needs a full build; an added or removed template, the templates stage) and then runs the usual
recipe (``pipeline.run``) into a new build folder,
where each stage either runs, whole, or is *replayed* from the previous build: its manifest
entries, report section and warnings taken over, its files hard-linked from the previous
build's folder. A stage runs when:

- the plan names it;
- a stage before it changed what it reads (``Planner.follow``, watch's rule): a stylesheet
  whose ``url()`` names a changed image or static file, a template that refers to a changed
  manifest entry (a new hashed name, integrity or size);
- it is an esbuild stage and the other one runs (a script may import a stylesheet; a one-shot
  build keeps no esbuild facts saying which inputs each read, so the plan assumes the most;
  a stage whose inputs did not change is a cache hit, no esbuild process);
- it is the compress stage and a stage writing ``public/`` ran (it then looks at every file,
  unchanged ones from its cache).

Retention, the manifest, report.json, the swap, the history and the record are the full build's
own code, so the new folder holds the bytes a full build would write (tests/test_build_edit.py
compares them, file by file). A failed edit build is a failed build: its folder is removed and
the output, and the record the next build starts from, stay as they were.

A full build instead, when a changed file is taken by no stage (a README beside the stylesheets,
a ``package.json`` esbuild may read: the plan cannot see who reads it), or when the previous
folder holds a public file its manifest does not explain (not a file an entry names, a
precompressed sibling of one, or a retained file): replaying would not know whose it is.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import Location
from ..logs import logger
from ..manifest import ENCODING_SUFFIX, Manifest, entry_files
from .reuse import Previous

if TYPE_CHECKING:
    from ..config import Config
    from ..dev.plan import Planner
    from ..stages.base import StageContext
    from .sources import Sources

log = logger("assetpipe")

#: the stages that write ``public/``: when one runs, so does the compress stage
PUBLIC_STAGES = frozenset({"images", "scripts", "styles", "static"})
_SIBLING_SUFFIXES = tuple(ENCODING_SUFFIX.values())


class _NoFacts:
    """The esbuild facts of a one-shot build: none (every answer is "unknown")."""

    def inputs(self, stage: str) -> frozenset[str] | None:
        return None

    def external_urls(self, stage: str) -> frozenset[str] | None:
        return None


class _Deferred:
    """Stands in for the compress stage's queue when that stage will be replayed: the templates
    stage then starts no compression of files the replay links with their siblings."""

    def close(self) -> None:
        pass


class EditPlan:
    """Which stages of one edit build run and how the others are replayed (module docstring).
    Made by ``plan``; ``pipeline.run`` asks ``runs`` before each stage, ``replay`` otherwise."""

    def __init__(
        self,
        prev: Previous,
        planner: Planner,
        todo: dict[str, frozenset[str] | None],
        old: Manifest,
        encodings: dict[str, list[str]],
        owners: dict[str, str],
    ) -> None:
        self.prev = prev
        self.planner = planner
        #: the stages to run (subsets are run whole: the stage's report and warnings stay whole)
        self.todo = todo
        #: the previous manifest without the compress stage's ``encodings`` (what the stages
        #: after it read in a full build), and those encodings
        self.old = old
        self.encodings = encodings
        self.keys: dict[str, list[str]] = {}
        for key, stage in owners.items():
            self.keys.setdefault(stage, []).append(key)
        outputs: dict[str, list[int]] = prev.doc.get("outputs") or {}
        self.sizes = {rel: int(stamp[0]) for rel, stamp in outputs.items()}
        #: every public file the previous entries name
        self.named: set[str] = set()
        for entry in old.entries.values():
            self.named.update(entry_files(entry))
        self.ran: set[str] = set()

    @property
    def stages(self) -> list[str]:
        """The stages the plan names before the build starts (more may follow: ``runs``)."""
        return sorted(self.todo)

    def runs(self, name: str, ctx: StageContext, owners: dict[str, str]) -> bool:
        """Whether stage ``name`` runs (else it is replayed); ``ctx.manifest`` and ``owners``
        hold what the stages before it made or replayed."""
        if name == "compress":
            run = bool(self.ran & PUBLIC_STAGES)
        else:
            self.planner.follow(name, self.todo, self.old, ctx, owners)
            run = name in self.todo
        if run:
            self.ran.add(name)
            if name == "templates" and not self.ran & PUBLIC_STAGES:
                ctx.compressor = _Deferred()
        return run

    def replay(self, ctx: StageContext, name: str) -> list[str]:
        """Take stage ``name``'s part of the previous build over into ``ctx`` (entries,
        files, report section, warnings); returns the manifest keys it added."""
        from ..stages.base import StageStats

        ctx.stage = name
        stats = ctx.stats.setdefault(name, StageStats())
        old_dir = str(self.prev.build_dir)
        links: list[str] = []
        added: list[str] = []
        if name == "templates":
            links = [r for r in self.sizes if r.startswith("templates/")]
        elif name == "compress":
            ctx.compressor = None
            for key, kept in self.encodings.items():
                if key in ctx.manifest:
                    ctx.manifest[key]["encodings"] = list(kept)
            links = [
                r
                for r in self.sizes
                if r.startswith("public/")
                and r.endswith(_SIBLING_SUFFIXES)
                and os.path.splitext(r)[0][len("public/") :] in self.named
            ]
        else:
            seen: set[str] = set()
            for key in self.keys.get(name, ()):
                entry = dict(self.old[key])
                ctx.manifest.add(key, entry)
                added.append(key)
                seen.update(entry_files(entry))
            links = ["public/" + f for f in sorted(seen)]
        _link_all(old_dir, str(ctx.public.parent), links)
        stats.files += len(links)
        stats.bytes += sum(self.sizes[r] for r in links)
        section = self.prev.report.get(name)
        if section is not None:
            ctx.report.sections[name] = section
        for w in self.prev.report.get("warnings") or ():
            if isinstance(w, dict) and w.get("stage") == name:
                loc = w.get("file")
                ctx.warn(
                    str(w.get("message", "")),
                    Location(str(loc), w.get("line"), w.get("col")) if loc else None,
                )
        return added


def _link_all(src_root: str, dest_root: str, rels: list[str]) -> None:
    """Hard-link each ``src_root/rel`` to ``dest_root/rel`` (a copy across file systems),
    making each folder once."""
    made: set[str] = set()
    for rel in rels:
        dest = os.path.join(dest_root, rel)
        folder = os.path.dirname(dest)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        src = os.path.join(src_root, rel)
        try:
            os.link(src, dest)
        except FileExistsError:  # another stage's entry names the same file (same bytes)
            continue
        except OSError:
            import shutil  # here: shutil imports its archivers

            shutil.copyfile(src, dest)


def plan(cfg: Config, prev: Previous, sources: Sources) -> EditPlan | None:
    """The edit build of ``prev`` for its changes (module docstring), or ``None``: a full
    build is needed."""
    from ..dev.plan import ESBUILD_STAGES, DevState, Planner

    doc: dict[str, Any] = prev.doc
    owners = {str(k): str(v) for k, v in (doc.get("owners") or {}).items()}
    plain: dict[str, dict[str, Any]] = {}
    encodings: dict[str, list[str]] = {}
    for key, entry in prev.manifest.items():
        if not isinstance(entry, dict) or "file" not in entry or key not in owners:
            _full(f"the manifest entry {key!r} is not one the record explains")
            return None
        if "encodings" in entry:
            encodings[key] = list(entry["encodings"])
            entry = {k: v for k, v in entry.items() if k != "encodings"}
        plain[key] = entry
    old = Manifest(plain)
    planner = Planner(cfg, _NoFacts())
    state = DevState(
        build_dir=prev.build_dir,
        manifest=old,
        report=prev.report,
        owners=owners,
        static_keys=frozenset(doc.get("static_keys") or ()),
        keys=frozenset(doc.get("inputs") or ()),
    )
    # an added or removed template: the templates stage runs whole here, which is all it needs
    # (watch's plan, which runs it for the changed templates only, builds in full instead)
    templates = {
        k
        for k in prev.changed
        if (k in sources.files) != (k in state.keys) and planner.stage_of(k, state) == ["templates"]
    }
    whole = frozenset({"templates"}) if prev.hints_changed or templates else frozenset()
    p = planner.plan(set(prev.changed - templates), sources, state, whole)
    if p.full:
        _full(p.reason)
        return None
    for key in p.changed:
        if not planner.stage_of(key, state):
            _full(f"{key} is an input of no stage the plan knows")
            return None
    todo = dict(p.stages)
    if any(s in todo for s in ESBUILD_STAGES):
        todo.update(dict.fromkeys(ESBUILD_STAGES))
    edit = EditPlan(prev, planner, todo, old, encodings, owners)
    public = {r[len("public/") :] for r in edit.sizes if r.startswith("public/")}
    named = edit.named
    retained = {str(r) for r in prev.report.get("retained") or ()}
    unexplained = {
        r
        for r in public - named - retained
        if not (r.endswith(_SIBLING_SUFFIXES) and os.path.splitext(r)[0] in named)
    }
    if unexplained or not named <= public:
        _full(f"the previous build's files do not match its manifest ({len(unexplained)})")
        return None
    log.debug("edit build: %s changed; running %s", ", ".join(p.changed), edit.stages)
    return edit


def _full(reason: str) -> None:
    log.debug("edit build not possible, full build: %s", reason)
