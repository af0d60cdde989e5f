"""Reusing the last build when nothing it read has changed (a no-op rebuild), and telling an
edit build (``pipeline.edit``) what did change.

After a successful one-shot build (``assetpipe build``, ``assetpipe.build()`` without a caller's
esbuild session), ``.assetpipe/last-build.json`` records what the build depended on:

- the config (its validated form, locations included), the profile;
- the code and tools it ran with: the stat stamps of assetpipe's own files, the Python version,
  the names of the installed distributions (their versions are in the names: an upgraded
  Pillow or brotli is a change), the esbuild-related environment variables;
- the stat stamp (size, mtime_ns, inode) of every file under ``source`` and of every template
  found outside it, so an edited, added or removed file is a change, of every file outside
  the tree the build read (an esbuild input under ``node_modules``), and of ``lcp-hints.json``
  beside the config (the audit writes it; the templates stage reads it), or its absence;
- the build folder it swapped ``output`` to, and the stamp of every file in that folder.

The next build with the same config, profile and code, no ``--clean``, whose inputs all have
their recorded stamps and whose ``output`` still links to the recorded folder with every file
as written, returns that folder's result without running a stage: it stats its inputs and reads
this record and the folder's ``manifest.json`` and ``report.json``, writes nothing, starts no
process (no esbuild, no image workers) and imports no stage. Its warnings are those of the
build it reuses, logged again; with ``--strict`` and warnings it builds (and fails) as before.

A source modified less than ``RACY_NS`` before the build scanned it (a save just before the
build, the common case of an edit) is recorded with the content hash the build read it with:
a second same-size save within one tick of a coarse mtime clock would look unchanged to its
stamp (git's "racily clean" rule), so the next build compares that file's content hash too.
Nothing is recorded (the next build runs every stage, from the cache) when such a file has no
hash from this build, or when a file outside the tree or ``lcp-hints.json`` is that recent.

When only source files changed (modified, added or removed), ``previous`` returns the last
build with the changed keys: ``pipeline.edit`` reruns only the stages they need.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fsutil import atomic_write, walk_files
from .sources import RACY_NS

if TYPE_CHECKING:
    from ..config import Config
    from .result import BuildResult
    from .sources import Sources

RECORD = "last-build.json"
#: the record's format; another value is ignored (the next build runs its stages)
FORMAT = 2
#: assetpipe's own files, whose stamps stand for the code a build ran
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE_SUFFIXES = (".py", ".mjs", ".js", ".json")
_ENV = ("ASSETPIPE_NODE", "ASSETPIPE_NODE_CACHE", "ESBUILD_BINARY_PATH")


def _walk_stamps(root: str, skip: frozenset[str] = frozenset()) -> dict[str, list[int]]:
    """``rel → [size, mtime_ns, inode]`` of every file under ``root`` (symlinked folders and
    ``skip`` names not followed)."""
    return {rel: [st.st_size, st.st_mtime_ns, st.st_ino] for rel, _, st in walk_files(root, skip)}


def _code() -> str:
    """A digest of the code and tools a build runs with (see the module docstring)."""
    doc = [_installed(), [os.environ.get(k) for k in _ENV]]
    return hashlib.sha256(json.dumps(doc).encode()).hexdigest()


@functools.cache
def _installed() -> str:
    """The digest of assetpipe's files' stamps, the Python version and the installed
    distributions' names, taken once per process: a process runs the code it imported (the
    check and the record of one build read the same value, one walk of the package)."""
    stamps = {
        k: v
        for k, v in _walk_stamps(str(_PACKAGE), frozenset({"__pycache__", "node_modules"})).items()
        if k.endswith(_CODE_SUFFIXES)
    }
    dists: list[str] = []
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")):
            try:
                dists += sorted(n for n in os.listdir(entry) if n.endswith(".dist-info"))
            except OSError:
                continue
    doc = [sys.version, stamps, dists]
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _config(cfg: Config, profile: str) -> str:
    """The config's digest: its validated values and where each was written, but not the name
    it was given by (``pipeline.yaml`` from the CLI, an absolute path from the API)."""
    where = [(key, loc.line, loc.col) for key, loc in cfg.locations]
    plain = dataclasses.replace(cfg, display_name="", locations=())
    return hashlib.sha256(f"{profile}\n{plain!r}\n{where!r}".encode()).hexdigest()


def _hints(cfg: Config) -> list[int] | None:
    """The stamp of the project's ``lcp-hints.json``, ``None`` when there is none."""
    from ..rewrite.hints import hints_path

    try:
        st = os.stat(hints_path(cfg.root))
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _outside(stamps: dict[str, list[int]]) -> bool:
    """Whether every file outside the tree still has its recorded stamp."""
    for path, stamp in stamps.items():
        try:
            st = os.stat(path)
        except OSError:
            return False
        if [st.st_size, st.st_mtime_ns, st.st_ino] != stamp:
            return False
    return True


def record(
    cfg: Config, profile: str, sources: Sources, scanned_ns: int, result: BuildResult
) -> None:
    """Record ``result`` (a build that just swapped ``cfg.output``) as reusable, or remove the
    record when an input was modified too recently to trust its stamp."""
    path = cfg.state_dir / RECORD
    inputs = sources.stamps()
    outside = sources.outside_stamps()
    hints = _hints(cfg)
    racy: dict[str, str] = {}
    for key, stamp in inputs.items():
        if stamp[1] > scanned_ns - RACY_NS:
            digest = sources.read_sha256(key)
            if digest is None:  # no stage hashed it: its stamp is all there is
                path.unlink(missing_ok=True)
                return
            racy[key] = digest
    if any(s[1] > scanned_ns - RACY_NS for s in (*outside.values(), *([hints] if hints else []))):
        path.unlink(missing_ok=True)
        return
    doc = {
        "format": FORMAT,
        "code": _code(),
        "config": _config(cfg, profile),
        "build_dir": str(result.build_dir),
        "outputs": _walk_stamps(str(result.build_dir)),
        "inputs": inputs,
        "racy": racy,
        "outside": outside,
        "hints": hints,
        "owners": result.owners,
        "static_keys": sorted(result.static_keys),
    }
    atomic_write(path, json.dumps(doc, sort_keys=True, separators=(",", ":")).encode())


class Previous:
    """The last recorded build, still the output and as it was written, made with the same
    config, profile and code: what an edit build starts from. (A plain class: a dataclass
    costs a millisecond of import, and this module is imported by every build.)"""

    def __init__(
        self,
        doc: dict[str, Any],
        build_dir: Path,
        manifest: dict[str, Any],
        report: dict[str, Any],
        changed: frozenset[str],
        hints_changed: bool,
    ) -> None:
        #: the record (``last-build.json``)
        self.doc = doc
        self.build_dir = build_dir
        #: its ``manifest.json`` and ``report.json``
        self.manifest = manifest
        self.report = report
        #: the source keys modified, added or removed since
        self.changed = changed
        #: ``lcp-hints.json`` changed (appeared, went, or was rewritten)
        self.hints_changed = hints_changed

    @property
    def unchanged(self) -> bool:
        return not self.changed and not self.hints_changed


def previous(cfg: Config, profile: str, sources: Sources) -> Previous | None:
    """The last build and what changed since (``Previous``), or ``None`` when it cannot be
    built on: no valid record, another config, profile or code, a file outside the tree
    changed, or its output is no longer the output or not as written."""
    try:
        doc = json.loads((cfg.state_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return None
    build_dir = Path(str(doc.get("build_dir")))
    if (
        not cfg.output.is_symlink()
        or Path(os.path.realpath(cfg.output)) != build_dir
        or doc.get("config") != _config(cfg, profile)
        or not _outside(doc.get("outside") or {})
        or doc.get("outputs") != _walk_stamps(str(build_dir))
        or doc.get("code") != _code()
    ):
        return None
    try:
        manifest_doc = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
        report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest_doc, dict) or not isinstance(report, dict):
        return None
    return Previous(
        doc,
        build_dir,
        manifest_doc,
        report,
        _changed(doc.get("inputs") or {}, doc.get("racy") or {}, sources),
        doc.get("hints") != _hints(cfg),
    )


def _changed(
    recorded: dict[str, list[int]], racy: dict[str, str], sources: Sources
) -> frozenset[str]:
    """The source keys whose stamp moved, that appeared or went; a file recorded as racy with
    its stamp unmoved is changed if its content hash is not the recorded one."""
    now = sources.stamps()
    if recorded == now and not racy:
        return frozenset()
    changed = set(recorded.keys() ^ now.keys())
    for key in recorded.keys() & now.keys():
        if recorded[key] != now[key] or (key in racy and sources.sha256(key) != racy[key]):
            changed.add(key)
    return frozenset(changed)


def reuse(cfg: Config, profile: str, prev: Previous, started: float) -> BuildResult:
    """The result of ``prev``, a build nothing has changed since (module docstring)."""
    return _result(cfg, profile, prev.doc, prev.build_dir, prev.manifest, prev.report, started)


def _result(
    cfg: Config,
    profile: str,
    doc: dict[str, Any],
    build_dir: Path,
    manifest_doc: dict[str, Any],
    report: dict[str, Any],
    started: float,
) -> BuildResult:
    from ..errors import Location
    from ..manifest import Manifest
    from ..stages.base import BuildWarning
    from .cache import CacheStats
    from .result import BuildResult
    from .sources import MemoStats

    manifest = Manifest(manifest_doc)
    warnings = [
        BuildWarning(
            str(w.get("stage", "")),
            str(w.get("message", "")),
            Location(str(w["file"]), w.get("line"), w.get("col")) if w.get("file") else None,
        )
        for w in report.get("warnings") or ()
        if isinstance(w, dict)
    ]
    return BuildResult(
        output=cfg.output,
        build_dir=build_dir,
        manifest=manifest,
        warnings=warnings,
        stages={},
        cache=CacheStats(),
        retained=list(report.get("retained") or ()),
        seconds=time.perf_counter() - started,
        profile=profile,
        owners=dict(doc.get("owners") or {}),
        report=report,
        static_keys=frozenset(doc.get("static_keys") or ()),
        memo=MemoStats(hits=len(doc.get("inputs") or ())),
        reused=True,
    )
