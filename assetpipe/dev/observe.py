"""What ``assetpipe watch`` observes, and what a batch of changed paths means.

- ``start_observer``: a watchdog observer over the source tree and ``static.folders``
  (recursively), every template folder outside it, and the folders of ``pipeline.yaml`` and the page context files (not
  recursively) — inotify on Linux, or polling (``--poll``, ``watch.poll``) for Docker bind
  mounts, WSL and network file systems, where inotify sees nothing. Hitting the inotify limit is
  a ``WatchError`` with a hint to poll or raise the limit.
- ``classify``: raw paths → ``Changes``: whether the config, a page context or the LCP hints
  file changed, and the changed source keys (a template seen at its real path outside the
  source tree gets its template folder's key, a file of ``static.folders`` its path there; the state folder, the output, dot-folders and
  ``node_modules`` are ignored; a file that symlinks of the source folder point at changes
  their keys too: ``symlinked_files``).
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from ..config import Config
from ..config.templatedirs import dir_path, prefix
from ..errors import AssetpipeError
from ..pipeline.sources import SKIP_DIRS, globmatch
from ..records import dataclass
from ..rewrite.hints import HINTS_FILE

INOTIFY_HINT = (
    "run `assetpipe watch --poll` (or set watch.poll: true), or raise the limit: "
    "`sysctl fs.inotify.max_user_watches=524288` (and max_user_instances)"
)
POLL_SECONDS = 0.25


class WatchError(AssetpipeError):
    """The file watcher could not start (e.g. the inotify limit). Exit 1."""


@dataclass
class Changes:
    """What a batch of changed paths means (see ``classify``)."""

    #: pipeline.yaml changed
    config: bool = False
    #: the changed source keys
    keys: set[str] = field(default_factory=set)
    #: a page's context file changed (a reload, nothing to build)
    context: bool = False
    #: lcp-hints.json changed (the templates are rewritten)
    hints: bool = False


def start_observer(cfg: Config, poll: bool, notify: Callable[[list[str]], None]) -> Any:
    """Start and return a watchdog observer (``stop()`` and ``join()`` it) that calls
    ``notify(paths)`` for every event that may be a change. Raises ``WatchError``."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory and event.event_type == "modified":
                return
            paths = [event.src_path, getattr(event, "dest_path", "") or ""]
            notify([os.fsdecode(p) for p in paths if p])

    quiet_watchdog()
    observer = PollingObserver(timeout=POLL_SECONDS) if poll else Observer()
    handler = Handler()
    try:
        for path, recursive in _watched_dirs(cfg):
            observer.schedule(handler, str(path), recursive=recursive)
        observer.start()
    except OSError as exc:
        raise _observer_error(cfg, exc) from exc
    return observer


def quiet_watchdog() -> None:
    """watchdog's own DEBUG records (one per inotify event: every file of every watched folder
    opened and closed, as the build reads them) kept out of a DEBUG root logger that the app
    configures: under ``watch --app``, django-oscar's sandbox (``LOGGING``'s root at DEBUG on
    the console) printed 6,075 ``in-event PathedInotifyEvent(...)`` lines around four build
    lines. Only a ``watchdog`` logger left at its default (``NOTSET``) is set to INFO."""
    log = logging.getLogger("watchdog")
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)


def symlinked_files(cfg: Config) -> dict[str, tuple[str, ...]]:
    """Each file that symlinks of the source folder point at (its real path) → those links'
    source keys. Whoogle links ``static/build/main.68be5054.css`` to ``css/main.css`` and its
    pages load the link: a save of ``css/main.css`` is a change of the link's key too (else the
    build kept the link's old copy and the reloaded page the old stylesheet or script)."""
    source = cfg.source.resolve()
    out: dict[str, list[str]] = {}
    todo = [source]
    while todo:
        try:
            entries = list(os.scandir(todo.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in SKIP_DIRS:
                continue
            if entry.is_symlink():
                if os.path.isfile(entry.path):
                    key = Path(entry.path).relative_to(source).as_posix()
                    out.setdefault(os.path.realpath(entry.path), []).append(key)
            elif entry.is_dir():
                todo.append(Path(entry.path))
    return {real: tuple(keys) for real, keys in out.items()}


def classify(
    cfg: Config, paths: set[str], links: Mapping[str, tuple[str, ...]] | None = None
) -> Changes:
    """What the changed ``paths`` (absolute or relative to the working folder) mean; ``links``
    (``symlinked_files``) adds the keys of the links to a changed file."""
    config_file = cfg.path.resolve()
    hints_file = (cfg.root / HINTS_FILE).resolve()
    contexts = {p.context.resolve() for p in cfg.pages if p.context is not None}
    skip = [cfg.state_dir.resolve(), cfg.output.absolute()]
    out = Changes()
    for raw in paths:
        p = Path(os.path.abspath(raw))
        if p == config_file:
            out.config = True
            continue
        if p == hints_file:
            out.hints = True
            continue
        if p in contexts:
            out.context = True
        if any(p == s or p.is_relative_to(s) for s in skip):
            continue
        if links:
            out.keys.update(links.get(os.path.realpath(p), ()))
        tkey = _template_key(cfg, p)
        if tkey is not None:
            out.keys.add(tkey)
            continue
        base = next((d for d in _bases(cfg) if p.is_relative_to(d)), None)
        if base is None:
            continue
        rel = p.relative_to(base)
        if any(part.startswith(".") or part in SKIP_DIRS for part in rel.parts):
            continue
        if p.is_dir():
            continue
        out.keys.add(rel.as_posix())
    return out


def _bases(cfg: Config) -> list[Path]:
    """The folders whose files are keyed by their path in them: ``source``, then each of
    ``static.folders`` (``pipeline.staticfolders``: a save there went unseen)."""
    return [cfg.source.resolve(), *(d.resolve() for d in cfg.static.folders)]


def _watched_dirs(cfg: Config) -> list[tuple[Path, bool]]:
    """The folders to observe, each with whether recursively."""
    dirs: dict[Path, bool] = {cfg.source.resolve(): True}
    for root in [*_template_roots(cfg), *_bases(cfg)[1:]]:  # templates, static.folders outside
        if not any(root == w or root.is_relative_to(w) for w in dirs):
            dirs[root] = True
    extra = [cfg.path.resolve().parent] + [
        p.context.resolve().parent for p in cfg.pages if p.context is not None
    ]
    for d in extra:
        if not any(d == w or (rec and d.is_relative_to(w)) for w, rec in dirs.items()):
            dirs.setdefault(d, False)
    return list(dirs.items())


def _template_roots(cfg: Config) -> dict[Path, str]:
    """Each template dir's real folder → its source-key prefix (``templatedirs``)."""
    return {
        dir_path(cfg.source, d).resolve(): prefix(d)
        for d in cfg.templates.dirs
        if dir_path(cfg.source, d).is_dir()
    }


def _template_key(cfg: Config, p: Path) -> str | None:
    """The source key of a template file seen at its real path in a template dir whose
    real folder is outside ``source`` (or behind a symlink to there), else ``None``."""
    source = cfg.source.resolve()
    for root, pre in _template_roots(cfg).items():
        if p.is_relative_to(root) and not root.is_relative_to(source):
            rel = p.relative_to(root).as_posix()
            if globmatch(rel, cfg.templates.include):
                return pre + rel
    return None


def _observer_error(cfg: Config, exc: OSError) -> AssetpipeError:
    if exc.errno in (errno.ENOSPC, errno.EMFILE) or "inotify" in str(exc):
        return WatchError(
            f"cannot watch {cfg.source}: the inotify limit is reached ({exc.strerror or exc})",
            hint=INOTIFY_HINT,
        )
    return WatchError(
        f"cannot watch {cfg.source}: {exc}",
        hint="check the folder exists and is readable, or use --poll",
    )
