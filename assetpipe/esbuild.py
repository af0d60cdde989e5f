"""The one way to esbuild (DESIGN §2, "one seam per external tool").

Two ways to run the same options (a dict of esbuild's JS API option names):

- ``Esbuild.build_native(options)``: esbuild's native binary, one shot, with ``--metafile``. No
  Node start-up (the binary bundles a 300-module app in ~25 ms; Node + the JS API alone cost
  ~130 ms). Used for plugin-free builds (plain JS bundling). The options are turned into CLI
  flags by ``cli_args``, so both ways build byte-identical files.
- ``Service``: ``node/service.mjs``, a long-lived Node process speaking JSON lines over
  stdin/stdout, driving esbuild's JS API with ``write: false`` (esbuild hands the files back and
  Python writes them, so esbuild never deletes what the current manifest names). Used when a
  plugin is needed (CSS ``url()``s that resolve ``public_path + K`` or point at processed images:
  see ``urls``) and for watch (``context()`` + ``rebuild()``).

Both return a ``Result``: output bytes by path relative to ``outdir`` plus esbuild's metafile,
the truth about what esbuild read and wrote. Errors come back as ``EsbuildError`` (exit 1), one
line per esbuild error, ``file:line:col: message`` with the source line.

Installation: the pin is ``node/package.json`` + ``node/package-lock.json``. In a checkout the
packages are installed in ``node/node_modules``; an installed wheel carries those files in
``assetpipe/_node/`` and installs them into ``~/.cache/assetpipe/node-<lock hash>/`` (or
``$ASSETPIPE_NODE_CACHE``, ``$XDG_CACHE_HOME/assetpipe``). Whenever the installed esbuild is
missing or differs from the lock, ``npm ci`` runs (under a file lock). The binary's
``--version`` must equal the pin. No Node/npm where needed, or another version
(``ESBUILD_BINARY_PATH``, esbuild's own override, naming a different build): ``ExternalToolError``
(exit 3) with a hint. ``ASSETPIPE_NODE`` names the ``node`` binary (default: ``node`` on PATH).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import ExternalToolError, Location, StageError

log = logging.getLogger("assetpipe")

NODE_FILES = ("package.json", "package-lock.json", "service.mjs")
NODE_HINT = (
    "install Node.js 20 or newer (Debian/Ubuntu: `apt-get install nodejs npm`; else "
    "https://nodejs.org), or set ASSETPIPE_NODE to the node binary"
)


@dataclass(frozen=True)
class Message:
    """One esbuild error or warning. ``line`` is 1-based, ``col`` 1-based (esbuild's are
    0-based); ``file`` is relative to the build's working directory (the source root)."""

    text: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    line_text: str | None = None

    @classmethod
    def from_json(cls, msg: dict[str, Any]) -> Message:
        text = str(msg.get("text", ""))
        if msg.get("pluginName") and msg["pluginName"] != "assetpipe-urls":
            text = f"[plugin {msg['pluginName']}] {text}"
        loc = msg.get("location") or None
        if not loc:
            return cls(text)
        return cls(
            text,
            str(loc.get("file")),
            int(loc.get("line", 0)) or None,
            int(loc.get("column", 0)) + 1,
            loc.get("lineText"),
        )

    def source_excerpt(self) -> str:
        """The source line with a caret under the column (empty when unknown)."""
        if self.line_text is None or self.line is None:
            return ""
        caret = " " * (len(str(self.line)) + 3 + max((self.col or 1) - 1, 0)) + "^"
        return f"\n    {self.line} | {self.line_text}\n    {caret}"


class EsbuildError(StageError):
    """esbuild reported errors (syntax, unresolved import, missing url() target). Exit 1.

    ``messages`` are esbuild's; ``lines()`` gives one ``FILE:LINE:COL: text`` line per error
    followed by the source line, with ``FILE`` shown through ``show`` (a stage maps esbuild's
    paths, relative to the source root, to paths as the user names them)."""

    def __init__(self, messages: list[Message], show: Callable[[str], str] = lambda f: f) -> None:
        self.messages = messages
        self.shown = [format_message(m, show(m.file) if m.file else None) for m in messages]
        first = messages[0] if messages else None
        location = (
            Location(show(first.file), first.line, first.col)
            if first is not None and first.file
            else None
        )
        super().__init__(
            first.text if first else "esbuild failed",
            location=location,
            hint="fix the source named above; the previous output is unchanged",
        )

    def relocated(self, show: Callable[[str], str]) -> EsbuildError:
        """The same errors, files shown through ``show``."""
        return EsbuildError(self.messages, show)

    def lines(self) -> list[tuple[str, str | None]]:
        shown = self.shown or [self.message]
        return [(s, self.hint if i == len(shown) - 1 else None) for i, s in enumerate(shown)]

    def __str__(self) -> str:
        return "\n".join(self.shown) if self.shown else self.message


def format_message(msg: Message, show_file: str | None) -> str:
    """``FILE:LINE:COL: text`` (+ the source line)."""
    if show_file is None:
        return msg.text
    where = show_file + (f":{msg.line}:{msg.col}" if msg.line else "")
    return f"{where}: {msg.text}{msg.source_excerpt()}"


# --- esbuild's CLI output (the native path) ----------------------------------------------------

_HEADER = re.compile(r"^(?:✘|▲|X|\[?!\]?) \[(ERROR|WARNING)\] (.*?)(?: \[[\w-]+\])?$")
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
        else:
            raise ValueError(f"cli_args: unsupported esbuild option {key!r}")
    return args


# --- results -----------------------------------------------------------------------------------


@dataclass
class Result:
    """One build's outputs (bytes by POSIX path relative to ``outdir``), metafile (with output
    paths made relative to ``outdir`` and inputs relative to the working dir), warnings."""

    files: dict[str, bytes]
    metafile: dict[str, Any]
    warnings: list[Message] = field(default_factory=list)
    #: where a file's bytes are already stored, read-only (the build cache's blobs): written
    #: into ``public/`` as a hard link instead of a second copy
    stored: dict[str, Path] = field(default_factory=dict)


def _normalise_outputs(meta: dict[str, Any], cwd: Path, outdir: Path) -> dict[str, Any]:
    """Rewrite the metafile's output paths (relative to the cwd) as paths relative to outdir."""
    out_prefix = os.path.normpath(outdir)

    def rel(p: str) -> str:
        full = os.path.normpath(os.path.join(cwd, p))
        return Path(os.path.relpath(full, out_prefix)).as_posix()

    outputs: dict[str, Any] = {}
    for path, info in meta.get("outputs", {}).items():
        info = dict(info)
        info["imports"] = [
            dict(
                i,
                path=i["path"]
                if i.get("external")
                else rel(i["path"].split("?", 1)[0].split("#", 1)[0]),
            )
            for i in info.get("imports", ())
        ]
        if "cssBundle" in info:
            info["cssBundle"] = rel(info["cssBundle"])
        outputs[rel(path)] = info
    return {"inputs": meta.get("inputs", {}), "outputs": outputs}


# --- installation ------------------------------------------------------------------------------


def package_files() -> tuple[Path, bool]:
    """The folder holding package.json, package-lock.json and service.mjs, and whether it is
    the copy an installed wheel carries (``assetpipe/_node``) rather than a checkout's ``node/``."""
    bundled = Path(__file__).resolve().parent / "_node"
    if (bundled / "package-lock.json").is_file():
        return bundled, True
    checkout = Path(__file__).resolve().parent.parent / "node"
    if (checkout / "package-lock.json").is_file():
        return checkout, False
    raise ExternalToolError(
        "assetpipe's esbuild pin (node/package-lock.json) is missing",
        hint="reinstall assetpipe (the wheel carries assetpipe/_node/)",
    )


def cache_root() -> Path:
    """Per-user cache for installed-wheel esbuild installs."""
    env = os.environ.get("ASSETPIPE_NODE_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "assetpipe"


def install_dir() -> Path:
    """Where ``node_modules`` lives: ``node/`` in a checkout, else a per-user cache folder
    named by the lock's hash (so two assetpipe versions never share one)."""
    files, from_wheel = package_files()
    if not from_wheel:
        return files
    digest = hashlib.sha256((files / "package-lock.json").read_bytes()).hexdigest()[:16]
    return cache_root() / f"node-{digest}"


def pinned_version(folder: Path) -> str:
    """The esbuild version package-lock.json pins."""
    lock = json.loads((folder / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"]["node_modules/esbuild"]["version"])


def _installed_version(folder: Path) -> str | None:
    try:
        doc = json.loads(
            (folder / "node_modules" / "esbuild" / "package.json").read_text(encoding="utf-8")
        )
        return str(doc["version"])
    except (OSError, ValueError, KeyError):
        return None


def _platform_package() -> tuple[str, str]:
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
        machine, machine
    )
    system = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(
        sys.platform, sys.platform
    )
    exe = "esbuild.exe" if system == "win32" else "bin/esbuild"
    return f"@esbuild/{system}-{arch}", exe


def native_binary(folder: Path) -> Path | None:
    """The native esbuild binary under ``folder/node_modules`` (the platform package's, else
    esbuild's own ``bin/esbuild``, which its install script replaces by the binary)."""
    pkg, exe = _platform_package()
    for candidate in (
        folder / "node_modules" / pkg / exe,
        folder / "node_modules" / "esbuild" / "bin" / "esbuild",
    ):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def node_binary(required_for: str) -> str:
    """The ``node`` to run (``ASSETPIPE_NODE`` or PATH); ``ExternalToolError`` if absent."""
    env = os.environ.get("ASSETPIPE_NODE")
    found = env if env and os.access(env, os.X_OK) else shutil.which(env or "node")
    if not found:
        raise ExternalToolError(f"Node.js not found (needed {required_for})", hint=NODE_HINT)
    return found


def _npm_ci(folder: Path, pinned: str) -> None:
    node = node_binary(f"to install esbuild {pinned} with npm")
    npm = shutil.which("npm", path=str(Path(node).parent)) or shutil.which("npm")
    if not npm:
        raise ExternalToolError(
            f"npm not found (needed to install esbuild {pinned})", hint=NODE_HINT
        )
    log.info("installing esbuild %s (npm ci in %s)", pinned, folder)
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise ExternalToolError(
            f"`npm ci` failed in {folder} (installing esbuild {pinned}): "
            + (proc.stderr.strip().splitlines() or ["no output"])[-1],
            hint="check network access to the npm registry, or run `npm ci` there yourself",
        )


def ensure_installed() -> Path:
    """Install the pinned esbuild if missing or stale against package-lock.json; return the
    install folder. Safe against concurrent callers (an ``flock`` on the folder)."""
    files, from_wheel = package_files()
    folder = install_dir()
    pinned = pinned_version(files)
    if (
        _installed_version(folder) == pinned
        and native_binary(folder) is not None
        and (not from_wheel or _same_files(files, folder))
    ):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".assetpipe-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if from_wheel and not _same_files(files, folder):
            for name in NODE_FILES:
                shutil.copyfile(files / name, folder / name)
        if _installed_version(folder) != pinned or native_binary(folder) is None:
            _npm_ci(folder, pinned)
    if _installed_version(folder) != pinned or native_binary(folder) is None:
        raise ExternalToolError(
            f"esbuild {pinned} is not installed in {folder} after `npm ci`",
            hint=f"run `npm ci` in {folder} and read its output",
        )
    return folder


def _same_files(src: Path, dst: Path) -> bool:
    try:
        return all((src / n).read_bytes() == (dst / n).read_bytes() for n in NODE_FILES)
    except OSError:
        return False


VERSION_MEMO = ".assetpipe-esbuild-version.json"


def _binary_version(binary: Path, folder: Path) -> str:
    """``binary --version``, remembered in ``folder`` by the binary's path, size, mtime and
    inode, so a build does not start a process only to ask it again (a replaced or rebuilt
    binary changes the stamp and is asked afresh)."""
    try:
        st = binary.stat()
        stamp = [str(binary), st.st_size, st.st_mtime_ns, st.st_ino]
    except OSError:
        stamp = None
    memo = folder / VERSION_MEMO
    if stamp is not None:
        try:
            doc = json.loads(memo.read_text(encoding="utf-8"))
            if doc.get("stamp") == stamp and isinstance(doc.get("version"), str):
                return str(doc["version"])
        except (OSError, ValueError, AttributeError):
            pass
    try:
        proc = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        raise ExternalToolError(
            f"esbuild could not run ({binary}): {exc}", hint=f"run `npm ci` in {folder}"
        ) from exc
    found = proc.stdout.strip()
    if stamp is not None and proc.returncode == 0 and found:
        try:
            tmp = memo.with_name(f"{memo.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"stamp": stamp, "version": found}), encoding="utf-8")
            os.replace(tmp, memo)
        except OSError:
            pass  # a read-only install: ask every time
    return found


_LOCATED: dict[Path, Esbuild] = {}
_LOCATE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Esbuild:
    """The installed, version-checked esbuild: its folder, version and native binary."""

    folder: Path
    version: str
    binary: Path

    @classmethod
    def locate(cls) -> Esbuild:
        """Install if needed, check the binary's version against the pin (once per process)."""
        folder = install_dir()
        with _LOCATE_LOCK:
            if folder in _LOCATED:
                return _LOCATED[folder]
            folder = ensure_installed()
            pinned = pinned_version(folder)
            override = os.environ.get("ESBUILD_BINARY_PATH")
            binary = Path(override) if override else native_binary(folder)
            assert binary is not None
            found = _binary_version(binary, folder)
            if found != pinned:
                where = "ESBUILD_BINARY_PATH" if override else str(binary)
                raise ExternalToolError(
                    f"esbuild version mismatch: {where} is {found or 'unknown'}, "
                    f"assetpipe pins {pinned}",
                    hint=(
                        f"unset ESBUILD_BINARY_PATH or point it at esbuild {pinned}"
                        if override
                        else f"run `npm ci` in {folder}"
                    ),
                )
            tool = cls(folder, found, binary)
            _LOCATED[install_dir()] = tool
            return tool

    def build_native(self, options: dict[str, Any]) -> Result:
        """Run one plugin-free build with the native binary. esbuild writes into ``outdir``
        (a scratch folder the caller owns); the files are read
        back into the ``Result`` and deleted; only the files the metafile names are read.
        Raises ``EsbuildError`` (files as esbuild names them; see ``relocated``)."""
        cwd = Path(options["absWorkingDir"])
        outdir = Path(options["outdir"])
        outdir.mkdir(parents=True, exist_ok=True)
        meta_path = outdir.parent / f".{outdir.name}.meta.json"
        env = dict(os.environ)
        if options.get("nodePaths"):
            env["NODE_PATH"] = os.pathsep.join(options["nodePaths"])
        cmd = [
            str(self.binary),
            *cli_args(options),
            f"--metafile={meta_path}",
            "--log-level=warning",
            "--color=false",
        ]
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
        log_text = proc.stderr.decode("utf-8", "replace")
        errors, warnings = parse_log(log_text)
        try:
            if proc.returncode != 0:
                if not errors:
                    errors = [Message(log_text.strip() or f"esbuild exited {proc.returncode}")]
                raise EsbuildError(errors)
            meta = _normalise_outputs(json.loads(meta_path.read_bytes()), cwd, outdir)
            files = {rel: (outdir / rel).read_bytes() for rel in meta["outputs"]}
            for rel in files:  # cheaper than removing the tree; a stale file is never read
                (outdir / rel).unlink()
        finally:
            meta_path.unlink(missing_ok=True)
        return Result(files, meta, warnings)

    def service(self) -> Service:
        """Start a service process (Node start-up runs in the background; the first request
        waits for it)."""
        return Service(self)


class Service:
    """``node/service.mjs``: esbuild's JS API over JSON lines. One request at a time (a lock);
    ``close()`` ends the process. See the module docstring and the script's header."""

    def __init__(self, tool: Esbuild) -> None:
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
        meta = _normalise_outputs(res.get("metafile") or {}, cwd, outdir)
        prefix = os.path.normpath(outdir)
        files = {
            Path(os.path.relpath(f["path"], prefix)).as_posix(): base64.b64decode(f["contents"])
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
        """Create (or replace) the long-lived context ``name`` (watch)."""
        req: dict[str, Any] = {"op": "context", "name": name, "options": options}
        if urls is not None:
            req["urls"] = urls
        self.request(req)

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
        self.request({"op": "dispose", "name": name})

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
