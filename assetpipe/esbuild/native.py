"""esbuild's native binary, one build per process: the JS API's options turned into CLI flags
(``cli_args``, so the binary and the Node service build byte-identical files), run with
``--metafile``, its log parsed into messages (``parse_log``).

No Node start-up: the binary bundles a 300-module app in ~25 ms, where Node and the JS API alone
cost ~130 ms. Used for plugin-free builds; what needs the url() plugin goes to the service."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from ..records import dataclass
from .install import Esbuild
from .result import EsbuildError, Message, Result, normalise_outputs

_HEADER = re.compile(r"^(?:✘|▲|X|\[?!\]?) \[(ERROR|WARNING)\] (.*?)(?: \[([\w@-]+)\])?$")
_LOCATION = re.compile(r"^ {4}(\S.*?):(\d+):(\d+):$")
_CODE = re.compile(r"^\s+\d+ │ (.*)$")


def parse_log(text: str) -> tuple[list[Message], list[Message]]:
    """esbuild's CLI log (``--color=false``) → (errors, warnings). Columns in the log are
    0-based; ``Message`` makes them 1-based. Notes under a message are dropped."""
    errors: list[Message] = []
    warnings: list[Message] = []
    current: dict[str, Any] | None = None

    def flush() -> None:
        if current is not None:
            kind = current.pop("kind")
            (errors if kind == "ERROR" else warnings).append(Message(**current))

    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            flush()
            current = {"kind": m.group(1), "text": m.group(2)}
            if m.group(3):
                current["id"] = m.group(3)
            continue
        if current is None:
            continue
        loc = _LOCATION.match(line)
        if loc and "file" not in current:
            current.update(file=loc.group(1), line=int(loc.group(2)), col=int(loc.group(3)) + 1)
            continue
        code = _CODE.match(line)
        if code and "file" in current and "line_text" not in current:
            current["line_text"] = code.group(1)
    flush()
    return errors, warnings


def cli_args(options: dict[str, Any]) -> list[str]:
    """esbuild JS API options → the native CLI's flags (the subset assetpipe uses).
    ``absWorkingDir`` (the cwd), ``nodePaths`` (``NODE_PATH``) and ``metafile`` are handled by
    the caller. Raises ``ValueError`` on an option it does not know."""
    args: list[str] = list(options.get("entryPoints", ()))
    flags = {"bundle": "--bundle", "splitting": "--splitting", "minify": "--minify"}
    values = {
        "format": "--format",
        "outdir": "--outdir",
        "outbase": "--outbase",
        "entryNames": "--entry-names",
        "chunkNames": "--chunk-names",
        "assetNames": "--asset-names",
        "publicPath": "--public-path",
        "platform": "--platform",
        "legalComments": "--legal-comments",
        "charset": "--charset",
    }
    for key, value in options.items():
        if key in ("entryPoints", "absWorkingDir", "nodePaths", "metafile"):
            continue
        if key in flags:
            if value:
                args.append(flags[key])
        elif key in values:
            args.append(f"{values[key]}={value}")
        elif key == "target":
            args.append("--target=" + ",".join(value))
        elif key == "sourcemap":
            if value is True:
                args.append("--sourcemap")
            elif value:
                args.append(f"--sourcemap={value}")
        elif key == "define":
            args += [f"--define:{k}={v}" for k, v in value.items()]
        elif key == "loader":
            args += [f"--loader:{ext}={kind}" for ext, kind in value.items()]
        elif key == "external":
            args += [f"--external:{x}" for x in value]
        elif key == "logOverride":
            args += [f"--log-override:{k}={v}" for k, v in value.items()]
        else:
            raise ValueError(f"cli_args: unsupported esbuild option {key!r}")
    return args


def command(tool: Esbuild, options: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The native CLI invocation of one build with ``options``: its command line (``tool``'s
    binary and ``cli_args``; no metafile, no log flags) and environment (``NODE_PATH`` from
    ``nodePaths``), to run in ``absWorkingDir``. ``build`` runs exactly this (adding
    ``--metafile`` and its log flags); benchmarks and tests run it by hand as "the raw CLI with
    the stage's options"."""
    env = dict(os.environ)
    if options.get("nodePaths"):
        env["NODE_PATH"] = os.pathsep.join(options["nodePaths"])
    return [str(tool.binary), *cli_args(options)], env


@dataclass
class Pending:
    """A native build started by ``start`` and still running: ``result()`` waits for it and
    reads what it wrote; ``cancel()`` stops it. Its ``options`` say which build it is."""

    options: dict[str, Any]
    proc: subprocess.Popen[bytes]
    meta_path: Path

    def result(self) -> Result:
        """Wait for the build and read its outputs (see ``build``)."""
        _, stderr = self.proc.communicate()
        cwd, outdir = Path(self.options["absWorkingDir"]), Path(self.options["outdir"])
        log_text = stderr.decode("utf-8", "replace")
        errors, warnings = parse_log(log_text)
        try:
            if self.proc.returncode != 0:
                if not errors:
                    errors = [Message(log_text.strip() or f"esbuild exited {self.proc.returncode}")]
                raise EsbuildError(errors)
            meta = normalise_outputs(json.loads(self.meta_path.read_bytes()), cwd, outdir)
            scratch = {rel: outdir / rel for rel in meta["outputs"]}
            files = {rel: path.read_bytes() for rel, path in scratch.items()}
        finally:
            self.meta_path.unlink(missing_ok=True)
        return Result(files, meta, warnings, scratch=scratch)

    def cancel(self) -> None:
        """Stop the build (what it wrote is left in the scratch folder, never read)."""
        self.proc.kill()
        self.proc.communicate()
        self.meta_path.unlink(missing_ok=True)


def start(tool: Esbuild, options: dict[str, Any]) -> Pending:
    """Start one plugin-free build with ``tool``'s native binary and return at once (``build``
    is ``start(...).result()``). Raises ``OSError`` when the binary cannot be started."""
    outdir = Path(options["outdir"])
    outdir.mkdir(parents=True, exist_ok=True)
    meta_path = outdir.parent / f".{outdir.name}.meta.json"
    cmd, env = command(tool, options)
    cmd += [f"--metafile={meta_path}", "--log-level=warning", "--color=false"]
    proc = subprocess.Popen(
        cmd,
        cwd=options["absWorkingDir"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return Pending(dict(options), proc, meta_path)


def build(tool: Esbuild, options: dict[str, Any]) -> Result:
    """Run one plugin-free build with ``tool``'s native binary. esbuild writes into ``outdir``
    (a scratch folder the caller owns); only the files the metafile names are read back into
    the ``Result``, and left there as its ``scratch`` (the caller moves or deletes them: a
    stale file is never read). Raises ``EsbuildError`` (files as esbuild names them,
    relative to ``absWorkingDir``; see ``EsbuildError.relocated``)."""
    return start(tool, options).result()
