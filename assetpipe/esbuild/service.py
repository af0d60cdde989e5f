"""esbuild's JS API in a long-lived Node process (``service.mjs``), and the long-lived build
contexts ``assetpipe watch`` keeps in it.

``Service`` speaks JSON lines over the process's stdin/stdout and drives esbuild with ``write:
false``: esbuild hands the files back and Python writes them, so esbuild never deletes what the
current manifest names. It runs what the native binary cannot: the url() plugin (CSS ``url()``s
that resolve ``public_path + K`` or point at files other stages made) and esbuild's
``context()`` / ``rebuild()`` / ``dispose()``.

``Contexts`` turns builds into ``rebuild()``s: one context per option set, made on first use and
rebuilt after (~1.5 ms for a small app, against a process start per build). It also records,
per stage, the facts of the last build's metafile (the sources read, the other stages' URLs its
CSS points at) that watch plans rebuilds with.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from ..errors import ExternalToolError
from .install import NODE_HINT, Esbuild, node_binary
from .metafile import source_key
from .result import EsbuildError, Message, Result, normalise_outputs


class Service:
    """``service.mjs``: esbuild's JS API over JSON lines. One request at a time (a lock);
    ``close()`` ends the process. See the module docstring and the script's header."""

    def __init__(self, tool: Esbuild) -> None:
        """Start the process; Node's start-up runs in the background (the first request waits
        for it)."""
        self.tool = tool
        node = node_binary("to run esbuild's JS API (CSS url() plugins, watch)")
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        try:
            self._proc = subprocess.Popen(
                [node, str(tool.folder / "service.mjs")],
                cwd=tool.folder,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                # its own session: a terminal's Ctrl-C is ours to handle (close() ends it); it
                # still exits when we die, on the EOF of its stdin
                start_new_session=True,
            )
        except OSError as exc:
            self._stderr.close()
            raise ExternalToolError(f"Node.js could not start: {exc}", hint=NODE_HINT) from exc
        self._lock = threading.Lock()
        self._next = 0
        self._hello_pending = True
        self._send({"op": "hello"})

    def _send(self, req: dict[str, Any]) -> int:
        self._next += 1
        line = json.dumps({**req, "id": self._next}) + "\n"
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(line.encode())
            self._proc.stdin.flush()
        except OSError as exc:
            raise self._died(f"could not send a request: {exc}") from exc
        return self._next

    def _receive(self, want: int) -> dict[str, Any]:
        assert self._proc.stdout is not None
        while True:
            line = self._proc.stdout.readline()
            if not line:
                raise self._died("it exited")
            res: dict[str, Any] = json.loads(line)
            if res.get("id") == want:
                return res

    def _died(self, what: str) -> ExternalToolError:
        self._stderr.seek(0)
        tail = self._stderr.read().decode("utf-8", "replace").strip().splitlines()[-5:]
        return ExternalToolError(
            f"the esbuild service (node service.mjs) failed: {what}"
            + (": " + " | ".join(tail) if tail else ""),
            hint=f"check Node.js 20+ and run `npm ci` in {self.tool.folder}",
        )

    def _check_hello(self) -> None:
        if not self._hello_pending:
            return
        res = self._receive(1)
        self._hello_pending = False
        if res.get("esbuild") != self.tool.version:
            raise ExternalToolError(
                f"esbuild version mismatch: the JS API is {res.get('esbuild')}, assetpipe pins "
                f"{self.tool.version}",
                hint=f"run `npm ci` in {self.tool.folder}",
            )

    def request(self, req: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its response (raw JSON)."""
        with self._lock:
            self._check_hello()
            res = self._receive(self._send(req))
        if res.get("fatal"):
            raise ExternalToolError(f"the esbuild service failed: {res['fatal']}")
        return res

    def _result(self, res: dict[str, Any], options: dict[str, Any]) -> Result:
        errors = [Message.from_json(m) for m in res.get("errors", ())]
        warnings = [Message.from_json(m) for m in res.get("warnings", ())]
        if not res.get("ok") or errors:
            raise EsbuildError(errors)
        cwd, outdir = Path(options["absWorkingDir"]), Path(options["outdir"])
        meta = normalise_outputs(res.get("metafile") or {}, cwd, outdir)
        prefix = os.path.realpath(outdir)  # as normalise_outputs resolves its paths
        files = {
            Path(os.path.relpath(os.path.realpath(f["path"]), prefix)).as_posix(): base64.b64decode(
                f["contents"]
            )
            for f in res.get("outputFiles", ())
        }
        return Result(files, meta, warnings)

    def build(self, options: dict[str, Any], urls: dict[str, Any] | None = None) -> Result:
        """One-shot build through the JS API (``urls`` enables the url() plugin)."""
        req: dict[str, Any] = {"op": "build", "options": options}
        if urls is not None:
            req["urls"] = urls
        return self._result(self.request(req), options)

    def context(
        self, name: str, options: dict[str, Any], urls: dict[str, Any] | None = None
    ) -> None:
        """Create (or replace) the long-lived context ``name``, as esbuild's ``context()``.
        Raises ``EsbuildError`` when esbuild refuses the options (an entry that does not
        exist)."""
        req: dict[str, Any] = {"op": "context", "name": name, "options": options}
        if urls is not None:
            req["urls"] = urls
        res = self.request(req)
        if not res.get("ok") or res.get("errors"):
            self._result(res, options)  # raises EsbuildError

    def rebuild(
        self, name: str, options: dict[str, Any], urls: dict[str, Any] | None = None
    ) -> Result:
        """Rebuild context ``name`` (incremental); ``urls`` replaces the plugin's table.
        ``options`` are the ones the context was made with (for path normalisation)."""
        req: dict[str, Any] = {"op": "rebuild", "name": name}
        if urls is not None:
            req["urls"] = urls
        return self._result(self.request(req), options)

    def dispose(self, name: str) -> None:
        """Free context ``name`` (esbuild's ``dispose()``)."""
        self.request({"op": "dispose", "name": name})

    @property
    def alive(self) -> bool:
        """The process is still running."""
        return self._proc.poll() is None

    def close(self) -> None:
        """End the process (closing stdin lets it dispose its contexts and exit)."""
        proc = self._proc
        if proc.poll() is None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        self._stderr.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Contexts:
    """Builds as ``rebuild()``s of contexts that live as long as ``service`` (see the module
    docstring). A context is named by the build's ``outdir`` and whether the url() plugin is on;
    options that change (a new entry) dispose the old context and make a new one. The url()
    table is not part of a context's identity: each rebuild hands the plugin the current one."""

    def __init__(self, service: Service) -> None:
        self.service = service
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
        """The build of ``options`` as a rebuild of its context (made first if needed)."""
        name = f"{options.get('outdir', '')}|{'urls' if urls is not None else 'plain'}"
        digest = hashlib.sha256(
            json.dumps(options, sort_keys=True, default=str).encode()
        ).hexdigest()
        if self._contexts.get(name) != digest:
            if name in self._contexts:
                self.service.dispose(name)
                del self._contexts[name]
            self.service.context(name, options, urls)
            self._contexts[name] = digest
            self.contexts_made += 1
        self.rebuilds += 1
        result = self.service.rebuild(name, options, urls)
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
