"""``EsbuildSession``: the esbuild a build (or a watcher) uses, as one typed object.

Modelled on esbuild's own JS API: ``build()`` is a one-shot build, and a session made with
``incremental=True`` turns every build into a ``rebuild()`` of a long-lived ``context()``. The
stages see only ``ctx.esbuild`` (a ``StageContext`` field) and call ``build(options, urls)``;
how it runs is the session's business:

- one-shot (``assetpipe build``): ``build()`` with no ``urls`` runs the native binary (no Node
  start-up); with ``urls`` (the url() plugin's table) it goes to the Node service, started on
  first use. The build pipeline makes the session and closes it when the build ends.
- incremental (``assetpipe watch``): every build, with or without ``urls``, is a rebuild of a
  context in one Node service that lives as long as the watcher (``service.Contexts``); a
  service that died is started again (with new contexts) on the next build. The watcher makes
  the session, hands it to every build, and closes it on shutdown or config change. Its facts
  (``inputs`` and ``external_urls`` per stage, from the last metafile) plan watch's rebuilds.

Nothing is located, installed or started until a stage asks: a build without scripts or styles
never looks for esbuild, nor imports what runs it (a session costs nothing until it builds).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .install import Esbuild
    from .native import Pending
    from .result import Result
    from .service import Contexts, Service


class EsbuildSession:
    """The esbuild of one build or one watcher (see the module docstring). Not thread-safe:
    one build at a time uses it (the build lock sees to that)."""

    def __init__(self, *, incremental: bool = False, tool: Esbuild | None = None) -> None:
        self.incremental = incremental
        self._tool = tool
        self._service: Service | None = None
        self._contexts: Contexts | None = None
        #: the styles stage's build needed the url() plugin (a ``url()`` to another stage's
        #: file, or to ``public_path + K``). Set by the stage; in a session that outlives a
        #: build (watch), later style builds go straight to the service.
        self.styles_need_urls = False
        self._pending: dict[str, Pending] = {}  # by outdir

    @property
    def tool(self) -> Esbuild:
        """The installed, version-checked esbuild (installed on first use). Raises
        ``ExternalToolError`` (exit 3)."""
        if self._tool is None:
            from .install import Esbuild

            self._tool = Esbuild.locate()
        return self._tool

    @property
    def version(self) -> str:
        """The esbuild version builds run with (part of the stages' cache keys)."""
        return self.tool.version

    def service(self) -> Service:
        """The session's Node service, started now if it is not running yet (a stage may start
        it early so Node's start-up overlaps other work)."""
        if self.incremental:
            return self._live_contexts().service
        if self._service is None:
            from .service import Service

            self._service = Service(self.tool)
        return self._service

    def _live_contexts(self) -> Contexts:
        contexts = self._contexts
        if contexts is None or not contexts.service.alive:
            if contexts is not None:
                contexts.service.close()
            from .service import Contexts, Service

            contexts = self._contexts = Contexts(Service(self.tool))
        return contexts

    def prestart(self, options: dict[str, Any]) -> None:
        """Start the one-shot native build of ``options`` now, in the background, so that it
        runs while the caller does other work (a cold build's imports and planning); the next
        ``build()`` into the same ``outdir`` takes its result if it is of the same options
        without ``urls``, else stops it first (both would write that scratch folder), and
        ``close()`` stops one never taken. Does nothing in an incremental session or when
        esbuild cannot be located or started: the stage's own build then reports that."""
        if self.incremental or options["outdir"] in self._pending:
            return
        from ..errors import ExternalToolError
        from . import native

        with contextlib.suppress(ExternalToolError, OSError):
            self._pending[options["outdir"]] = native.start(self.tool, options)

    def _take_pending(self, options: dict[str, Any], urls: object) -> Pending | None:
        """The prestarted build into ``options``' outdir if it is the build of ``options``
        without ``urls``; any other there is stopped."""
        pending = self._pending.pop(options["outdir"], None)
        if pending is not None and (urls is not None or pending.options != options):
            pending.cancel()
            return None
        return pending

    def build(self, options: dict[str, Any], urls: dict[str, Any] | None = None) -> Result:
        """Build ``options`` (esbuild's JS API option names). ``urls`` turns the url() plugin
        on (``stages.bundling.url_table``). Raises ``EsbuildError`` with esbuild's paths
        (relative to ``absWorkingDir``) and ``ExternalToolError``."""
        pending = self._take_pending(options, urls)
        if pending is not None:
            return pending.result()
        if self.incremental:
            return self._live_contexts().build(options, urls)
        if urls is None:
            from . import native

            return native.build(self.tool, options)
        return self.service().build(options, urls)

    @property
    def contexts(self) -> Contexts | None:
        """The incremental session's contexts (``None`` before its first build, or one-shot)."""
        return self._contexts

    def inputs(self, stage: str) -> frozenset[str] | None:
        """The source keys ``stage``'s last build read (incremental sessions only; ``None``:
        unknown, e.g. before the stage's first build or after a cache hit)."""
        return None if self._contexts is None else self._contexts.inputs.get(stage)

    def external_urls(self, stage: str) -> frozenset[str] | None:
        """The URLs of other stages' files that ``stage``'s last build's CSS points at
        (incremental sessions only; ``None``: unknown)."""
        return None if self._contexts is None else self._contexts.external_urls.get(stage)

    def close(self) -> None:
        """Stop a prestarted build not taken yet and end the Node service, if one was started. The session may be used again after
        (it starts a new one)."""
        for pending in self._pending.values():
            pending.cancel()
        self._pending = {}
        service = self._contexts.service if self._contexts is not None else self._service
        self._contexts = None
        self._service = None
        if service is not None:
            service.close()

    def __enter__(self) -> EsbuildSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
