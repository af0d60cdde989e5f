"""``assetpipe watch``: rebuild on save, serve with live reload, keep the last good build.

``Watcher`` ties the pieces together:

1. takes the project's build lock for its whole life (no ``assetpipe build`` runs underneath);
2. starts the dev server (``dev.server``; the live-reload stream is always served, ``serve=False``
   only drops pages and assets);
3. does a full development build (``dev.apply.DevBuilder``);
4. watches the source tree (recursively), ``pipeline.yaml`` and the page context files with a
   watchdog observer — inotify on Linux, or the polling observer (``--poll``, ``watch.poll``) for
   Docker bind mounts, WSL and network file systems, where inotify sees nothing. Hitting the
   inotify limit is an error with a hint to poll or raise the limit (``dev.observe``);
5. debounces events (``watch.debounce_ms``: the batch is processed once no event came for that
   long; editors write a file in several events) and hands the batch to the builder, which
   rebuilds only what changed; a CSS-only change is sent as ``css`` events (stylesheet swap),
   anything else as ``reload``; a build error as ``error`` (terminal + overlay) while the last good
   build keeps serving;
6. re-validates ``pipeline.yaml`` when it changes: an invalid config is reported (every problem,
   with line and column) and watching goes on with the last valid one; a valid new one means a
   full build;
7. ``close()`` (Ctrl-C) stops the observer, the server and the esbuild service, and frees the lock.

The core never prints: each outcome goes to ``on_line(kind, text, hint)`` (``kind`` is ``ok``,
``error`` or ``info``), which the CLI renders as one terse line per rebuild.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Config, load_config
from ..errors import AssetpipeError, ConfigError
from ..esbuild.session import EsbuildSession
from ..pipeline.lock import BuildLock
from ..rewrite.hints import HINTS_FILE
from ..serve import beacon
from .apply import DevBuilder, Outcome
from .observe import WatchError, classify, start_observer, symlinked_files
from .server import EVENTS_PATH, DevApp, DevServer, EventBroker

log = logging.getLogger("assetpipe")

OnLine = Callable[[str, str, "str | None"], None]

__all__ = ["OnLine", "WatchError", "Watcher"]


def _start_forkserver_ignoring_sigint() -> None:
    """Start multiprocessing's fork server (the images stage's worker pool forks from it when
    threads run, as they do here) with SIGINT ignored, which Python then keeps ignored in it and
    in every worker: Ctrl-C reaches the whole process group, and workers interrupted mid-wait
    print tracebacks; the watcher shuts the pool down itself. Main thread only (signals)."""
    import multiprocessing
    import signal
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.set_forkserver_preload(["assetpipe.imaging.worker", "PIL.Image"])
        forkserver.ensure_running()
    except (OSError, ValueError):  # no fork server on this platform: nothing to protect
        log.debug("fork server not started", exc_info=True)
    finally:
        signal.signal(signal.SIGINT, previous)


#: Seconds ``close()`` waits for the rebuild thread before it logs where that thread is (a
#: rebuild in progress finishes first; one that takes longer is worth a report)
SLOW_STOP = 10.0


def _stack_of(thread: threading.Thread) -> str:
    """``thread``'s current Python stack, formatted (empty when it has ended)."""
    import sys
    import traceback

    frame = sys._current_frames().get(thread.ident or -1)
    return "".join(traceback.format_stack(frame)) if frame is not None else ""


def _log_line(kind: str, text: str, hint: str | None) -> None:
    (log.error if kind == "error" else log.info)("%s%s", text, f"\nhint: {hint}" if hint else "")


class Watcher:
    """See the module docstring. ``start()``, then ``wait()`` until Ctrl-C, then ``close()``."""

    def __init__(
        self,
        config: str | Path | Config = "pipeline.yaml",
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        serve: bool = True,
        poll: bool | None = None,
        on_line: OnLine | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
        app: str | None = None,
    ) -> None:
        self.config = config if isinstance(config, Config) else load_config(config)
        self.config_path = self.config.path
        self.poll = self.config.watch.poll if poll is None else poll
        self.on_line: OnLine = on_line or _log_line
        self.on_outcome = on_outcome
        self.broker = EventBroker()
        self.app = DevApp(
            self.broker,
            serve=serve,
            app_spec=app,
            report=lambda text, hint: self.on_line("error", text, hint),
        )
        self.server = DevServer(self.app, host, port)
        self.esbuild = self._new_esbuild()
        self.builder = DevBuilder(self.config, self.esbuild)
        self._lock = BuildLock(
            self.config.state_dir / "build.lock",
            self.config.lock_timeout,
            on_wait=lambda h: self.on_line("info", f"waiting for the build lock ({h})", None),
        )
        self._observer: Any = None
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._paths: set[str] = set()
        self._hints_changed = False
        #: ``symlinked_files``, read again at each full build (a link added or removed)
        self._links: dict[str, tuple[str, ...]] = {}
        self._last_event = 0.0
        self._thread: threading.Thread | None = None
        #: rebuilds done (successful or not); tests and the bench wait on it
        self.rebuilds = 0
        self.rebuilt = threading.Condition()
        self.last_outcome: Outcome | None = None
        self.last_error: AssetpipeError | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Lock, serve, build, watch. Raises ``LockError``, ``WatchError``, ``OSError`` (port)."""
        self._lock.acquire()
        try:
            _start_forkserver_ignoring_sigint()
            self.server.start()
            self.app.set_config(self.config)
            # first: a save during the first build is not lost
            self._observer = start_observer(self.config, self.poll, self._notify)
            self._run_full("start")
            self.app.mark_ready()  # the pages requested meanwhile are served from this build
            # an app in debug beside this watch (``AssetPipe(app)``) finds its stream here
            beacon.announce(self.config.state_dir, self.events_url)
        except BaseException:
            self.close()
            raise
        threading.Thread(target=self._warm_up, name="assetpipe-warm-up", daemon=True).start()
        self._thread = threading.Thread(target=self._loop, name="assetpipe-watch", daemon=True)
        self._thread.start()

    def _warm_up(self) -> None:
        """Pay the first template rewrite's one-off costs in the background after start, not on
        the first save: importing the rewrite engine and, for a configured selector outside
        ``rewrite.cssmatch``'s subset, BeautifulSoup's import and soupsieve compiling its
        patterns and the selector (~0.1 s; memoised by soupsieve for the process)."""
        try:
            from ..rewrite import rules  # noqa: F401  (the engine a save's rewrite imports)
            from ..rewrite.lcp import ABOVE_FOLD
            from ..rewrite.select import check_selector, fast_selector

            t = self.config.templates
            selectors = (*t.eager, *(s for s, _ in t.sizes_rules), *ABOVE_FOLD)
            if not all(fast_selector(s) for s in selectors):
                import bs4  # noqa: F401
            for sel in selectors:
                check_selector(sel)
        except Exception:  # only an optimisation: the rewrite reports its own errors
            log.debug("warm-up failed", exc_info=True)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def events_url(self) -> str:
        return self.server.url + EVENTS_PATH

    def wait(self) -> None:
        """Block until ``close()`` (from another thread) or Ctrl-C (``KeyboardInterrupt``)."""
        while not self._stop.wait(0.5):
            pass

    def close(self) -> None:
        """Stop watching and serving, close the esbuild service, free the lock. Idempotent."""
        self._stop.set()
        self.app.mark_ready()  # a page still waiting for the start is answered, not held
        with self._cond:
            self._cond.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=SLOW_STOP)
            if self._thread.is_alive():
                log.warning(
                    "the rebuild thread has not stopped after %.0f s; where it is:\n%s",
                    SLOW_STOP,
                    _stack_of(self._thread),
                )
                self._thread.join(timeout=30)
            self._thread = None
        beacon.withdraw(self.config.state_dir)
        self.server.close()
        self.esbuild.close()
        try:  # the images stage's worker pool lives as long as the process; not past us
            from ..imaging import pool
        except ImportError:  # pragma: no cover - without the images stage
            pass
        else:
            pool.shutdown()
        self._lock.release()

    def _new_esbuild(self) -> EsbuildSession:
        """An incremental esbuild session for this config's builds: every JS/CSS rebuild is a
        ``rebuild()`` of a context that lives as long as the session. esbuild is installed now
        when the config uses it (a failure is left for the stage to report, exit 3 / overlay)."""
        session = EsbuildSession(incremental=True)
        if self.config.scripts.entries or self.config.styles.entries:
            with contextlib.suppress(AssetpipeError):
                session.tool  # noqa: B018 (installs and checks esbuild now, not on the first save)
        return session

    def _notify(self, paths: list[str]) -> None:
        with self._cond:
            self._paths.update(paths)
            self._last_event = time.monotonic()
            self._cond.notify_all()

    def _loop(self) -> None:
        debounce = self.config.watch.debounce_ms / 1000
        while not self._stop.is_set():
            with self._cond:
                while not self._paths and not self._stop.is_set():
                    self._cond.wait()
                while not self._stop.is_set():  # quiet for `debounce` since the last event
                    remaining = self._last_event + debounce - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                paths, self._paths = self._paths, set()
            if self._stop.is_set():
                return
            try:
                self._process(paths)
            except Exception as exc:  # the watcher survives anything a rebuild throws
                log.debug("rebuild crashed", exc_info=True)
                self._report_error(
                    AssetpipeError(f"internal error: {exc!r}", hint="run with -v for the traceback")
                )
            with self.rebuilt:
                self.rebuilds += 1
                self.rebuilt.notify_all()

    def wait_rebuilds(self, n: int, timeout: float = 30.0) -> bool:
        """Block until ``n`` rebuilds (counted since start) are done (tests, benchmarks)."""
        with self.rebuilt:
            return self.rebuilt.wait_for(lambda: self.rebuilds >= n, timeout)

    # -- rebuilding ---------------------------------------------------------------------------
    def _process(self, paths: set[str]) -> None:
        changes = classify(self.config, paths, self._links)
        config_changed, keys, context_changed = changes.config, changes.keys, changes.context
        self._hints_changed |= changes.hints
        if config_changed:
            try:
                new = load_config(self.config_path, display_name=self.config.display_name)
            except ConfigError as err:
                self._report_error(err)
                self.builder.pending.update(keys)
                return
            if new != self.config:
                self._switch_config(new)
                self._run_full("pipeline.yaml")
                return
            if self.last_error is not None and not keys:
                self._run_full("pipeline.yaml")  # the config is valid again: rebuild, reload
                return
        whole = frozenset({"templates"} if self._hints_changed else ())
        self._hints_changed = False
        if keys or whole:
            try:
                outcome = self.builder.rebuild(keys, whole)
            except AssetpipeError as err:
                self._report_error(err)
                return
            if outcome.full:
                self._links = symlinked_files(self.config)
            if whole:
                outcome.changed = (HINTS_FILE, *outcome.changed)
            if outcome.full or outcome.stages or self.last_error is not None:
                self._report_outcome(outcome)
                return
            log.debug("nothing to build for %s", ", ".join(outcome.changed))
        if context_changed:
            self.on_line("ok", "page context changed · reload", None)
            self.broker.publish("reload", {"changed": []})

    def _switch_config(self, new: Config) -> None:
        """A valid new config: new builder (fresh esbuild contexts), new page app."""
        self.esbuild.close()
        self.config = new
        self.esbuild = self._new_esbuild()
        self.builder = DevBuilder(new, self.esbuild)
        self.app.set_config(new)

    def _run_full(self, why: str) -> None:
        self._links = symlinked_files(self.config)
        try:
            outcome = self.builder.full_build()
        except AssetpipeError as err:
            self._report_error(err)
            return
        outcome.changed = (why,) if why != "start" else ()
        self._report_outcome(outcome)

    def _shown(self, key: str) -> str:
        """A changed file as the terminal line names it: a key of the source folder as it is
        (``css/app.css``); one outside it (a Flask app's templates beside ``static/``, keyed
        ``../templates/index.html``) from the project's folder (``app/templates/index.html``)."""
        if not key.startswith("../"):
            return key
        path = os.path.normpath(self.config.source / key)
        return os.path.relpath(path, self.config.root).replace(os.sep, "/")

    def _report_outcome(self, outcome: Outcome) -> None:
        recovered = self.last_error is not None
        self.last_error = None
        self.last_outcome = outcome
        self.on_line("ok", outcome.summary(self._shown), None)
        self.app.built()
        if outcome.css and not outcome.reload and not recovered:
            for swap in outcome.css:
                self.broker.publish(
                    "css",
                    {
                        "old": swap["old"],
                        "new": swap["new"],
                        "source": swap.get("source"),
                        "prefix": swap.get("prefix"),
                        "integrity": swap["integrity"] or None,
                    },
                )
        elif outcome.reload or outcome.full or recovered:
            self.broker.publish("reload", {"changed": list(outcome.changed)})
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def _report_error(self, err: AssetpipeError) -> None:
        if self._stop.is_set():  # shutting down: Ctrl-C also stopped the esbuild service
            log.debug("ignored during shutdown: %s", err)
            return
        self.last_error = err
        lines = err.lines()
        for line, hint in lines:
            self.on_line("error", line, hint)
        message = "\n".join(line + (f"\nhint: {hint}" if hint else "") for line, hint in lines)
        self.broker.publish("error", {"message": message})
