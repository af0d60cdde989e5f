"""Reusing the last build when nothing it read has changed (a no-op rebuild).

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

Nothing is recorded (the next build runs its stages, from the cache) when an input's stamp was
modified less than ``RACY_NS`` before the build scanned it: a second same-size save within one
tick of a coarse mtime clock would otherwise look unchanged (git's "racily clean" rule).
"""

from __future__ import annotations

import dataclasses
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
FORMAT = 1
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
    doc = [sys.version, stamps, dists, [os.environ.get(k) for k in _ENV]]
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
    stamps = (*inputs.values(), *outside.values(), *([hints] if hints else []))
    if any(s[1] > scanned_ns - RACY_NS for s in stamps):
        path.unlink(missing_ok=True)
        return
    doc = {
        "format": FORMAT,
        "code": _code(),
        "config": _config(cfg, profile),
        "build_dir": str(result.build_dir),
        "outputs": _walk_stamps(str(result.build_dir)),
        "inputs": inputs,
        "outside": outside,
        "hints": hints,
        "owners": result.owners,
        "static_keys": sorted(result.static_keys),
    }
    atomic_write(path, json.dumps(doc, sort_keys=True, separators=(",", ":")).encode())


def reuse(cfg: Config, profile: str, sources: Sources, started: float) -> BuildResult | None:
    """The last build's result if nothing it depended on changed (module docstring), else
    ``None``."""
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
        or doc.get("inputs") != sources.stamps()
        or not _outside(doc.get("outside") or {})
        or doc.get("hints") != _hints(cfg)
        or doc.get("outputs") != _walk_stamps(str(build_dir))
        or doc.get("code") != _code()
    ):
        return None
    try:
        manifest_doc = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
        report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _result(cfg, profile, doc, build_dir, manifest_doc, report, started)


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
