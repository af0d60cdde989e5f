"""The stage seam: what a stage may read, write and report.

A stage is a function ``run(ctx: StageContext) -> None``. It reads its inputs from ``ctx.sources``
and its options from ``ctx.config``; writes only inside the new build folder through
``ctx.write_public`` / ``ctx.link_public`` / ``ctx.write_template``; adds manifest entries to
``ctx.manifest``; reports warnings with ``ctx.warn`` and progress with ``ctx.progress``. It never
prints and reads no global state. It raises ``StageError`` (with a location) on bad input.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..config import Config
from ..errors import Location
from ..fsutil import atomic_write, link_or_copy
from ..logs import logger
from ..manifest import Manifest
from ..pipeline.cache import Cache
from ..pipeline.sources import Sources
from ..progress import Progress
from ..records import dataclass

if TYPE_CHECKING:
    from ..esbuild.session import EsbuildSession

log = logger("assetpipe")


def _session() -> EsbuildSession:
    """A new esbuild session (imported on first use: a build that reuses the previous one never
    needs it)."""
    from ..esbuild.session import EsbuildSession

    return EsbuildSession()


class QueuedWork(Protocol):
    """Work a stage queued for a later stage of the same build (the compress stage's queue,
    started by the templates stage): the later stage takes it over; ``close()`` waits for it
    and frees its workers. The seam knows only that much, so it imports no stage."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class BuildWarning:
    """A build warning: what, where, and which stage said it."""

    stage: str
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def to_json(self) -> dict[str, Any]:
        loc = self.location
        return {
            "stage": self.stage,
            "message": self.message,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
        }


@dataclass
class StageStats:
    """What one stage did: files and bytes written (cache hits included), seconds."""

    files: int = 0
    bytes: int = 0
    seconds: float = 0.0


@dataclass
class Report:
    """report.json's content, assembled by stages (deterministic: no timings)."""

    sections: dict[str, Any] = field(default_factory=dict)
    warnings: list[BuildWarning] = field(default_factory=list)
    seen: set[BuildWarning] = field(default_factory=set, repr=False)  # ``warnings``, as a set


@dataclass
class StageContext:
    """Everything a stage may use. ``public`` and ``templates_out`` are in the new build folder."""

    config: Config
    sources: Sources
    public: Path
    templates_out: Path
    cache: Cache
    manifest: Manifest
    report: Report
    progress: Progress
    profile: str = "production"
    stage: str = ""
    stats: dict[str, StageStats] = field(default_factory=dict)
    #: keys that the static stage lists: no other stage takes them (a file listed under
    #: ``static.include`` is copied as is even when another stage's globs match it)
    static_keys: frozenset[str] = frozenset()
    #: of ``static_keys``, the scripts that keep their names (``jsrefs``: in a development build
    #: those another imports by relative specifier, in a production build the pinned ones);
    #: computed once, by the static stage's first naming
    static_imported: frozenset[str] | None = None
    #: of ``static_keys``, a bundler's content-hashed files (``static.bundler_kept``), read
    #: from ``static.bundler_manifests`` once, by the static stage's first naming
    static_bundled: frozenset[str] | None = None
    #: the static stage's scripts with their import specifiers rewritten (``None``: as they are),
    #: by key; filled as they are named (``static._module``)
    static_modules: dict[str, bytes | None] = field(default_factory=dict)
    #: the build's esbuild (made and closed by the build; a watcher's outlives its builds)
    esbuild: EsbuildSession = field(default_factory=_session)
    on_warning: Callable[[BuildWarning], None] | None = None
    #: the compress stage's queue, started early by the templates stage (``compress.start``)
    compressor: QueuedWork | None = None
    #: every ``public/`` path written or linked so far, in order: the compress queue takes the
    #: new ones after each stage without walking the folder
    public_written: list[str] = field(default_factory=list)

    def _count(self, size: int) -> None:
        s = self.stats.setdefault(self.stage, StageStats())
        s.files += 1
        s.bytes += size

    def write_public(self, rel: str, data: bytes) -> Path:
        """Write an output file at ``public/<rel>``."""
        dest = self.public / rel
        atomic_write(dest, data)
        self._count(len(data))
        self.public_written.append(rel)
        return dest

    def link_public(self, rel: str, src: Path) -> Path:
        """Place an existing file at ``public/<rel>`` without copying bytes where the file system
        allows (a hard link). Only for files nobody rewrites in place — cache blobs, not sources:
        an editor saving a source would change the published file through the shared inode."""
        dest = self._link(self.public / rel, src)
        self.public_written.append(rel)
        return dest

    def link_template(self, rel: str, src: Path) -> Path:
        """Place a cached (rewritten) template at ``templates/<rel>`` by hard link, as
        ``link_public`` does."""
        return self._link(self.templates_out / rel, src)

    def _link(self, dest: Path, src: Path) -> Path:
        if dest.exists():
            dest.unlink()
        link_or_copy(src, dest)
        self._count(dest.stat().st_size)
        return dest

    def write_template(self, rel: str, data: bytes) -> Path:
        """Write a (rewritten) template at ``templates/<rel>``."""
        dest = self.templates_out / rel
        atomic_write(dest, data)
        self._count(len(data))
        return dest

    def warn(self, message: str, location: Location | None = None) -> None:
        """Report a warning once: a template that two template folders both reach (ArchiveBox's
        ``DIRS`` list ``templates/core`` and ``templates``) is built under both names, and its
        warnings would otherwise be printed, and counted by ``--strict``, twice."""
        w = BuildWarning(self.stage, message, location)
        if w in self.report.seen:
            return
        self.report.seen.add(w)
        self.report.warnings.append(w)
        log.warning("%s", w)
        if self.on_warning is not None:
            self.on_warning(w)

    def source_path(self, rel: str) -> Path:
        """The file of source key ``rel``: the one the scan found (a file of
        ``static.folders`` lives outside ``source``), else ``source / rel``."""
        found = self.sources.whole.get(rel)
        return found.path if found is not None else self.config.source / rel

    def source_location(
        self, rel: str, line: int | None = None, col: int | None = None
    ) -> Location:
        """A location naming a source file as the user sees it (relative to the config)."""
        path = Path(os.path.normpath(self.config.source / rel))
        try:
            shown = path.relative_to(self.config.root).as_posix()
        except ValueError:
            shown = str(path)
        return Location(shown, line, col)
