"""esbuild for ``assetpipe watch``: every build through a long-lived ``context()``.

The scripts and styles stages find their esbuild in ``ctx.services`` (``stages/bundling.py``):
the tool (``Esbuild``, whose ``build_native`` runs the native binary once) and the Node service
(``Service``). ``assetpipe watch`` keeps ``ctx.services`` alive across rebuilds and puts these
two in it, so the stages stay exactly as they are and yet each rebuild is esbuild's incremental
``rebuild()`` of a context that lives as long as the watcher (DESIGN §2, §8: ~1.5 ms for a small
app, against a process start per build):

- ``ContextService``: ``build(options, urls)`` creates a context per option set (named by the
  stage's ``outdir`` and whether the url() plugin is on) the first time, and ``rebuild()``s it
  after (with the current url() table); options that change (a new entry) dispose the old
  context and make a new one;
- ``ContextEsbuild``: the tool whose ``build_native`` goes to that same service (one Node process
  for both stages), and whose ``service()`` returns it.

esbuild runs with ``write: false`` either way: it hands the files back and Python writes them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .esbuild import Esbuild, Result, Service
from .metafile import source_key


class ContextService(Service):
    """A ``Service`` whose builds are context rebuilds (see the module docstring)."""

    def __init__(self, tool: Esbuild) -> None:
        super().__init__(tool)
        self._contexts: dict[str, str] = {}  # name -> options digest
        #: counters (tests, the bench): contexts made, rebuilds run
        self.contexts_made = 0
        self.rebuilds = 0
        #: per stage (the outdir's name): the source keys its last build read, and the external
        #: URLs its CSS ``url()``s point at (files other stages made) — from esbuild's metafile
        self.inputs: dict[str, frozenset[str]] = {}
        self.external_urls: dict[str, frozenset[str]] = {}
        self._by_outdir: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def build(self, options: dict[str, Any], urls: dict[str, Any] | None = None) -> Result:
        name = f"{options.get('outdir', '')}|{'urls' if urls is not None else 'plain'}"
        # the url() table is not part of the identity: rebuild(urls=...) hands the plugin the
        # new table and esbuild re-runs its resolve callbacks (tested: a static file's new URL)
        digest = hashlib.sha256(
            json.dumps(options, sort_keys=True, default=str).encode()
        ).hexdigest()
        if self._contexts.get(name) != digest:
            if name in self._contexts:
                self.dispose(name)
                del self._contexts[name]
            req: dict[str, Any] = {"op": "context", "name": name, "options": options}
            if urls is not None:
                req["urls"] = urls
            res = self.request(req)
            if not res.get("ok") or res.get("errors"):
                return self._result(res, options)  # raises EsbuildError, located
            self._contexts[name] = digest
            self.contexts_made += 1
        self.rebuilds += 1
        result = self.rebuild(name, options, urls)
        self._record(options, result)
        return result

    def _record(self, options: dict[str, Any], result: Result) -> None:
        """Keep the build's facts under its stage; a stage may run several builds (the scripts
        stage's classic ones use ``scripts-classic``/``scripts-iife`` outdirs): their facts are
        united under the stage's name."""
        outdir = Path(str(options.get("outdir", ""))).name
        inputs = result.metafile.get("inputs", {})
        self._by_outdir[outdir] = (
            frozenset(k for k in (source_key(p) for p in inputs) if k is not None),
            frozenset(
                str(imp["path"])
                for info in inputs.values()
                for imp in info.get("imports", ())
                if imp.get("external") and imp.get("kind") in ("url-token", "import-rule")
            ),
        )
        stage = outdir.split("-", 1)[0]
        parts = [facts for name, facts in self._by_outdir.items() if name.split("-", 1)[0] == stage]
        self.inputs[stage] = frozenset().union(*(p[0] for p in parts))
        self.external_urls[stage] = frozenset().union(*(p[1] for p in parts))


@dataclass(frozen=True)
class ContextEsbuild(Esbuild):
    """The esbuild tool for watch: native one-shot builds become context rebuilds too."""

    shared: dict[str, ContextService] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_tool(cls, tool: Esbuild) -> ContextEsbuild:
        return cls(tool.folder, tool.version, tool.binary)

    def service(self) -> ContextService:
        svc = self.shared.get("service")
        if svc is None or svc._proc.poll() is not None:
            svc = self.shared["service"] = ContextService(self)
        return svc

    def build_native(self, options: dict[str, Any]) -> Result:
        return self.service().build(options)

    def close(self) -> None:
        """End the Node service (the watcher calls this on shutdown)."""
        svc = self.shared.pop("service", None)
        if svc is not None:
            svc.close()
