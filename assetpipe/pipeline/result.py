"""What a build returns: ``BuildResult`` (public, as ``assetpipe.BuildResult``)."""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Any

from ..manifest import Manifest
from ..records import dataclass
from ..stages.base import BuildWarning, StageStats
from .cache import CacheStats
from .sources import MemoStats


@dataclass
class BuildResult:
    """What a build did: where, which files, warnings, per-stage statistics, cache counters."""

    output: Path
    build_dir: Path
    manifest: Manifest
    warnings: list[BuildWarning]
    stages: dict[str, StageStats]
    cache: CacheStats
    retained: list[str]
    seconds: float
    profile: str = "production"
    #: which stage made each manifest key (an incremental rebuild re-runs the owner of a key)
    owners: dict[str, str] = field(default_factory=dict)
    #: report.json's sections, as written (images, retained, warnings, ...)
    report: dict[str, Any] = field(default_factory=dict)
    #: the source keys the static stage took (no other stage takes them)
    static_keys: frozenset[str] = frozenset()
    #: what the sources' stat memo spared: files hashed, stamps that spared a read, facts
    memo: MemoStats = field(default_factory=MemoStats)
    #: the previous build, reused: no input had changed (``assetpipe.pipeline.reuse``)
    reused: bool = False
    #: the stages an edit build took over from the previous build (``assetpipe.pipeline.edit``)
    replayed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document: files written, bytes, seconds per stage."""
        return {
            "ok": True,
            "output": str(self.output),
            "build_dir": str(self.build_dir),
            "profile": self.profile,
            "seconds": round(self.seconds, 4),
            "reused": self.reused,
            "replayed": list(self.replayed),
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
                "per_stage": {k: dict(v) for k, v in sorted(self.cache.per_stage.items())},
            },
            "sources": {
                "files_hashed": self.memo.hashed,
                "memo_hits": self.memo.hits,
                "facts_computed": self.memo.facts,
            },
            "warnings": [w.to_json() for w in self.warnings],
        }
