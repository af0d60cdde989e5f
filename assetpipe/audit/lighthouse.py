"""Optional Lighthouse runs (``--lighthouse``): lighthouse@12.2.3 from npm, installed on first
use into a per-user cache (``$XDG_CACHE_HOME/assetpipe/lighthouse-12.2.3``, like the esbuild
pin), run against the same server and the same Chromium (``CHROME_PATH``) with
``--throttling-method=devtools`` and our profile's exact throttling values.
``build`` never needs it.

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
}


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


def run(
    url: str,
    profile: Profile,
    chromium: Path,
    *,
    headers: dict[str, str] | None = None,
    categories: tuple[str, ...] = ("performance",),
    timeout: float = 180,
    artifacts: Path | None = None,
) -> dict[str, Any]:
    """One Lighthouse run; returns ``{"scores": {category: 0..1}, "metrics": {fcp, lcp, ...}}``
    (ms; CLS unitless). ``artifacts``: a folder where Lighthouse saves what it gathered (``-GA``:
    ``defaultPass.trace.json``, the DevTools log, ``artifacts.json``). Raises
    ``ExternalToolError`` when Lighthouse cannot run."""
    script = ensure_installed()
    node = shutil.which("node") or "node"
    flags = " ".join([*CHROMIUM_ARGS, "--headless=new"])
    with tempfile.TemporaryDirectory(prefix="assetpipe-lh-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = [
            node,
            str(script),
            url,
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            f"--chrome-flags={flags}",
            f"--only-categories={','.join(categories)}",
            "--max-wait-for-load=60000",
            *profile.lighthouse_flags(),
        ]
        if headers:
            cmd.append(f"--extra-headers={json.dumps(headers)}")
        if artifacts is not None:
            cmd.append(f"-GA={artifacts}")
        env = {**os.environ, "CHROME_PATH": str(chromium)}
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ExternalToolError(f"lighthouse timed out after {timeout:g}s on {url}") from exc
        if proc.returncode != 0 or not out.is_file():
            raise ExternalToolError(
                f"lighthouse failed on {url}: {(proc.stderr or proc.stdout).strip()[-400:]}",
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
    return {"scores": scores, "metrics": metrics, "version": report.get("lighthouseVersion")}
