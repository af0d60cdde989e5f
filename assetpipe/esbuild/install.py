"""Finding, installing and checking the pinned esbuild.

The pin is ``package.json`` + ``package-lock.json`` next to ``service.mjs`` (``package_files``:
the one place that knows where those files are). In a checkout the packages are installed in
``node/node_modules``; an installed wheel carries the files in ``assetpipe/_node/`` and installs
them into ``~/.cache/assetpipe/node-<lock hash>/`` (or ``$ASSETPIPE_NODE_CACHE``,
``$XDG_CACHE_HOME/assetpipe``). Whenever the installed esbuild is missing or differs from the
lock, ``npm ci`` runs (under a file lock). The binary's ``--version`` must equal the pin. No
Node/npm where needed, or another version (``ESBUILD_BINARY_PATH``, esbuild's own override,
naming a different build): ``ExternalToolError`` (exit 3) with a hint. ``ASSETPIPE_NODE`` names
the ``node`` binary (default: ``node`` on PATH).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from ..errors import ExternalToolError
from ..logs import logger
from ..records import dataclass

log = logger("assetpipe")

NODE_FILES = ("package.json", "package-lock.json", "service.mjs")
NODE_HINT = (
    "install Node.js 20 or newer (Debian/Ubuntu: `apt-get install nodejs npm`; else "
    "https://nodejs.org), or set ASSETPIPE_NODE to the node binary"
)


def package_files() -> tuple[Path, bool]:
    """The folder holding package.json, package-lock.json and service.mjs, and whether it is
    the copy an installed wheel carries rather than a checkout's ``node/``.

    ``assetpipe/_node`` is that folder in both: in a checkout it is a symlink to the top-level
    ``node/`` (where ``npm ci`` runs and ``node_modules`` lives); setuptools ships the three
    files it names as package data, so in a wheel it is a real folder with copies of them."""
    package = Path(__file__).resolve().parent.parent  # assetpipe/
    bundled = package / "_node"
    checkout = package.parent / "node"
    if bundled.is_symlink() and bundled.resolve() == checkout.resolve():
        if (checkout / "package-lock.json").is_file():
            return checkout, False
    elif (bundled / "package-lock.json").is_file():
        return bundled, True
    raise ExternalToolError(
        "assetpipe's esbuild pin (node/package-lock.json) is missing",
        hint="reinstall assetpipe (the wheel carries assetpipe/_node/); in a checkout,"
        " assetpipe/_node is a symlink to node/",
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
