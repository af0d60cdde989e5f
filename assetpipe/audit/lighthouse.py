"""Optional Lighthouse runs (``--lighthouse``): lighthouse@12.2.3 from npm, installed on first
use into a per-user cache (``$XDG_CACHE_HOME/assetpipe/lighthouse-12.2.3``, like the esbuild
pin), run against the same server and the same Chromium (``CHROME_PATH``). ``run``'s
``method``: ``devtools`` (what ``--lighthouse`` runs) throttles the load as our profile does,
with its exact values; ``simulate`` is Lighthouse's default (Lantern: the page loads
unthrottled, then the network and CPU are simulated) with its own settings for the profile's
form factor, which are our profiles' (mobile: 150 ms RTT, 1.6 Mbit/s, 4x CPU, the devtools
values 562.5 ms / 1.47 Mbit/s being Lighthouse's adjusted equivalents; desktop: 40 ms,
10 Mbit/s, 1x). ``build`` never needs it.

Lighthouse 12 removed ``--budget-path`` (it is silently ignored), so budgets are not passed to it:
its category scores feed the ``min_score`` budgets, its metric values are recorded beside ours.
Lighthouse 13 needs Node 22; 12.2.3 runs on Node 18.16+.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ExternalToolError
from ..fsutil import atomic_write
from .browser import CHROMIUM_ARGS
from .throttle import Profile

log = logging.getLogger("assetpipe.audit")

VERSION = "12.2.3"
HINT = "Lighthouse needs Node.js 18.16+ and npm, and the npm registry on first use"
AUDIT_IDS = {
    "fcp": "first-contentful-paint",
    "si": "speed-index",
    "lcp": "largest-contentful-paint",
    "cls": "cumulative-layout-shift",
    "tbt": "total-blocking-time",
    "server": "server-response-time",
    "bytes": "total-byte-weight",
}
METHODS = ("devtools", "simulate")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assetpipe" / f"lighthouse-{VERSION}"


def cli_path() -> Path:
    return cache_dir() / "node_modules" / "lighthouse" / "cli" / "index.js"


def ensure_installed() -> Path:
    """The Lighthouse CLI script, installing the pinned version first when missing."""
    script = cli_path()
    if script.is_file():
        return script
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        raise ExternalToolError("--lighthouse: Node.js and npm are required", hint=HINT)
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    atomic_write(
        target / "package.json",
        json.dumps({"private": True, "dependencies": {"lighthouse": VERSION}}).encode(),
    )
    log.info("installing lighthouse@%s into %s (first use)", VERSION, target)
    proc = subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--omit=dev",
            "--loglevel=error",
            f"lighthouse@{VERSION}",
            "--save-exact",
        ],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0 or not script.is_file():
        raise ExternalToolError(
            f"could not install lighthouse@{VERSION}: "
            f"{(proc.stderr or proc.stdout).strip()[-400:]}",
            hint=HINT,
        )
    return script


def throttling_flags(profile: Profile, method: str) -> list[str]:
    """The CLI flags for ``profile`` under ``method`` (see the module docstring)."""
    if method == "devtools":
        return profile.lighthouse_flags()
    if method != "simulate":
        raise ValueError(f"lighthouse method: expected one of {', '.join(METHODS)}, got {method!r}")
    if profile.mobile:
        return ["--throttling-method=simulate", "--form-factor=mobile", "--screenEmulation.mobile"]
    return ["--throttling-method=simulate", "--preset=desktop"]


def run(
    url: str,
    profile: Profile,
    chromium: Path,
    *,
    method: str = "devtools",
    headers: dict[str, str] | None = None,
    categories: tuple[str, ...] = ("performance",),
    timeout: float = 180,
    artifacts: Path | None = None,
    chrome_flags: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One Lighthouse run with ``--throttling-method=method``; returns ``{"scores": {category:
    0..1}, "metrics": {fcp, si, lcp, cls, tbt, server, bytes}, "version", "method"}`` (ms; CLS
    unitless; ``bytes``: the total byte weight, Lighthouse's transfer sizes). ``artifacts``: a folder where Lighthouse saves what it gathered (``-GA``:
    ``defaultPass.trace.json``, the DevTools log, ``artifacts.json``). ``chrome_flags``: Chromium
    flags added to the audit's own (``browser.CHROMIUM_ARGS``). Raises
    ``ExternalToolError`` when Lighthouse cannot run."""
    flags = " ".join([*CHROMIUM_ARGS, "--headless=new", *chrome_flags])
    cmd = [
        url,
        f"--chrome-flags={flags}",
        "--max-wait-for-load=60000",
        *throttling_flags(profile, method),
    ]
    if headers:
        cmd.append(f"--extra-headers={json.dumps(headers)}")
    if artifacts is not None:
        cmd.append(f"-GA={artifacts}")
    env = {**os.environ, "CHROME_PATH": str(chromium)}
    return _invoke(cmd, env, categories, timeout, url, method)


def run_artifacts(
    folder: Path, profile: Profile, *, method: str = "simulate", timeout: float = 180
) -> dict[str, Any]:
    """Lighthouse's audits of a saved artifacts folder (``lighthouse -A=folder``: the trace, the
    DevTools log and ``artifacts.json``, no browser), with ``profile``'s throttling settings
    under ``method``; returns what ``run`` returns."""
    cmd = [f"-A={folder}", *throttling_flags(profile, method)]
    return _invoke(cmd, dict(os.environ), ("performance",), timeout, str(folder), method)


def _invoke(
    args: list[str],
    env: dict[str, str],
    categories: tuple[str, ...],
    timeout: float,
    what: str,
    method: str,
) -> dict[str, Any]:
    script = ensure_installed()
    node = shutil.which("node") or "node"
    with tempfile.TemporaryDirectory(prefix="assetpipe-lh-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = [
            node,
            str(script),
            *args,
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            f"--only-categories={','.join(categories)}",
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ExternalToolError(f"lighthouse timed out after {timeout:g}s on {what}") from exc
        if proc.returncode != 0 or not out.is_file():
            raise ExternalToolError(
                f"lighthouse failed on {what}: {(proc.stderr or proc.stdout).strip()[-400:]}",
                hint=HINT,
            )
        report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise ExternalToolError(f"lighthouse: {report['runtimeError'].get('message')}")
    scores = {k: v.get("score") for k, v in report.get("categories", {}).items()}
    audits = report.get("audits", {})
    metrics = {
        ours: audits[lh].get("numericValue")
        for ours, lh in AUDIT_IDS.items()
        if lh in audits and audits[lh].get("numericValue") is not None
    }
    return {
        "scores": scores,
        "metrics": metrics,
        "version": report.get("lighthouseVersion"),
        "method": method,
    }
